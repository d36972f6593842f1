using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using OneCard.Domain.Applications;
using OneCard.Host.Applications;
using OneCard.Host.Demo;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 9, uploads at scale: a roster streamed to the spool folder, processed by <see cref="RosterImportJob"/> (invoked
/// directly: the tests are about its effect), at-least-once safe, with AcceptValid or RefuseWhole and the refused rows as xlsx.
/// </summary>
public sealed class RosterImportTests : IAsyncLifetime
{
    private readonly string spool = Path.Combine(Path.GetTempPath(), "onecard-roster-tests", Guid.NewGuid().ToString("N"));
    private OneCardApp app = null!;

    public async Task InitializeAsync() =>
        app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Rosters:SpoolDirectory"] = spool,
            ["Rosters:MaxUploadBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        if (Directory.Exists(spool)) Directory.Delete(spool, recursive: true);
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] content, string fileName = "花名册.csv", string mode = "RefuseWhole")
    {
        var client = await app.SignInAsync("clerk");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", fileName },
            { new StringContent("arable-land-protection"), "policyCode" },
            { new StringContent("2026"), "period" },
            { new StringContent(mode), "mode" },
        };
        return await client.PostAsync("/api/roster-imports", form);
    }

    private async Task<Guid> QueueAsync(byte[] content, string mode = "RefuseWhole")
    {
        var response = await UploadAsync(content, mode: mode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        var queued = JsonDocument.Parse(body).RootElement;
        var id = queued.GetProperty("id").GetGuid();
        Assert.Equal($"/api/roster-imports/{id}", queued.GetProperty("statusUrl").GetString());
        return id;
    }

    private Task RunJobAsync(Guid id) => app.Services.GetRequiredService<RosterImportJob>().RunAsync(id, CancellationToken.None);

    private Task<RosterImport> ImportAsync(Guid id) =>
        app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImports.AsNoTracking().SingleAsync(i => i.Id == id));

    private Task<int> ApplicationCountAsync() => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.CountAsync());

    /// <summary>Five demo lines; rows 3 and 5 (spreadsheet rows, header = 1) made bad: a wrong ID check digit, a negative area.</summary>
    private static byte[] RosterWithTwoBadRows() => DemoRosterFile.Bytes(5, replace: (row, line) => row switch
    {
        3 => BreakId(line),
        5 => line.Replace(line.Split(',')[5], "-2", StringComparison.Ordinal),
        _ => line,
    });

    private static string BreakId(string line)
    {
        var cells = line.Split(',');
        cells[1] = cells[1][..^1] + (cells[1][^1] == '0' ? "1" : "0");
        return string.Join(',', cells);
    }

    [Fact]
    public async Task Upload_OverTheCap_IsRefusedWithTheCapsChinese413_AndLeavesNothingSpooled()
    {
        var response = await UploadAsync(new byte[5 * 1024 * 1024]);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("RosterTooLarge", problem.GetProperty("code").GetString());
        Assert.Contains("文件超过4MB的上限", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool));
        Assert.Equal(0, await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImports.CountAsync()));
    }

    [Fact]
    public async Task Upload_IsSpooledHashedAndQueued_ThenTheJobStoresTheCase_AndDeletesTheFile()
    {
        var content = DemoRosterFile.Bytes(20);
        var id = await QueueAsync(content);

        var queued = await ImportAsync(id);
        Assert.Equal(RosterImportStatus.Queued, queued.Status);
        Assert.Equal(content.LongLength, queued.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)), queued.Sha256);
        Assert.True(File.Exists(queued.SpoolPath));
        Assert.StartsWith(spool, queued.SpoolPath, StringComparison.Ordinal);

        await RunJobAsync(id);

        var done = await ImportAsync(id);
        Assert.Equal(RosterImportStatus.Succeeded, done.Status);
        Assert.Null(done.SpoolPath);
        Assert.False(File.Exists(queued.SpoolPath));
        Assert.Equal(20, done.RowsRead);
        Assert.Equal(done.TotalBytes, done.BytesRead);
        var status = await (await app.SignInAsync("clerk")).GetFromJsonAsync<JsonElement>($"/api/roster-imports/{id}");
        Assert.Equal("Succeeded", status.GetProperty("status").GetString());
        Assert.Equal(100, status.GetProperty("percent").GetInt32());
        Assert.Equal(done.ApplicationId, status.GetProperty("applicationId").GetGuid());
        Assert.StartsWith("SQ", status.GetProperty("applicationNumber").GetString(), StringComparison.Ordinal);
        var lines = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.CountAsync(l => l.ApplicationId == done.ApplicationId));
        Assert.Equal(20, lines);
    }

    [Fact]
    public async Task Job_RunTwice_StoresOneCase()
    {
        var id = await QueueAsync(DemoRosterFile.Bytes(10));

        await RunJobAsync(id);
        await RunJobAsync(id);
        // Even a run that finds the import Queued again (a lost marking) cannot attach a second case.
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImports.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, RosterImportStatus.Queued)));
        await RunJobAsync(id);

        Assert.Equal(1, await ApplicationCountAsync());
        Assert.Equal(RosterImportStatus.Succeeded, (await ImportAsync(id)).Status);
    }

    [Fact]
    public async Task Job_AfterACrashBetweenCommitAndMarking_FindsTheCaseAndOnlyMarksTheImport()
    {
        var id = await QueueAsync(DemoRosterFile.Bytes(10));
        var import = await ImportAsync(id);
        // The first run: claimed, the case committed (with the import's id), then the worker died before marking the import.
        await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImports.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, RosterImportStatus.Running).SetProperty(i => i.HeartbeatAt, app.Clock.GetUtcNow())));
        var clerk = await ClerkAsync();
        var committed = await app.AsUserAsync(clerk, async sp =>
        {
            using var roster = RosterReader.OpenFile(import.SpoolPath!, import.FileName);
            return await sp.GetRequiredService<SubmitApplication.Handler>().SubmitRosterAsync("arable-land-protection", "2026", roster,
                new SubmitApplication.RosterOptions(ImportId: id), CancellationToken.None);
        });
        Assert.NotNull(committed.Result);

        // While the dead worker's heartbeat is fresh, nobody takes the import over.
        await RunJobAsync(id);
        Assert.Equal(RosterImportStatus.Running, (await ImportAsync(id)).Status);

        app.Clock.Advance(RosterImportJob.HeartbeatTimeout + TimeSpan.FromSeconds(1));
        await RunJobAsync(id);

        var done = await ImportAsync(id);
        Assert.Equal(RosterImportStatus.Succeeded, done.Status);
        Assert.Equal(committed.Result!.Id, done.ApplicationId);
        Assert.Equal(1, await ApplicationCountAsync());
        Assert.False(File.Exists(import.SpoolPath));
    }

    [Fact]
    public async Task RefuseWhole_RefusesTheRosterWithBadRows_StoringNothingButTheRefusedRows()
    {
        var id = await QueueAsync(RosterWithTwoBadRows(), "RefuseWhole");

        await RunJobAsync(id);

        var import = await ImportAsync(id);
        Assert.Equal(RosterImportStatus.Refused, import.Status);
        Assert.Null(import.ApplicationId);
        Assert.Equal(2, import.RefusedCount);
        Assert.Contains("整体退回", import.MessageZh, StringComparison.Ordinal);
        Assert.NotNull(import.ReportId);
        Assert.Equal(0, await ApplicationCountAsync());
        Assert.Equal([3, 5], (await RefusedRowsAsync(id)).Select(r => r.Row));
    }

    [Fact]
    public async Task AcceptValid_MakesTheCaseOfTheValidRows_AndTheRefusedRowsDownloadAsXlsxWithCellsAndEveryReason()
    {
        var content = RosterWithTwoBadRows();
        var id = await QueueAsync(content, "AcceptValid");

        await RunJobAsync(id);

        var import = await ImportAsync(id);
        Assert.Equal(RosterImportStatus.Succeeded, import.Status);
        Assert.Equal(2, import.RefusedCount);
        var lines = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.Where(l => l.ApplicationId == import.ApplicationId)
            .OrderBy(l => l.LineNo).Select(l => l.Name).ToListAsync());
        var source = System.Text.Encoding.UTF8.GetString(content).Split("\r\n");
        // Rows 2, 4 and 6 of the file (lines 1, 3 and 5 after the header) are the case.
        Assert.Equal([source[1].Split(',')[0], source[3].Split(',')[0], source[5].Split(',')[0]], lines);

        var response = await (await app.SignInAsync("clerk")).GetAsync($"/api/roster-imports/{id}/refused.xlsx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var xlsx = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = xlsx.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("3", Convert.ToString(rows[0]["行号"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(source[2].Split(',')[1], rows[0]["身份证号"]);
        Assert.Equal(source[2].Split(',')[0], rows[0]["姓名"]);
        Assert.Contains("【身份证号】", (string)rows[0]["退回原因"]!, StringComparison.Ordinal);
        Assert.Equal("5", Convert.ToString(rows[1]["行号"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("-2", rows[1]["承包面积（亩）"]);
        Assert.Contains("【承包面积（亩）】", (string)rows[1]["退回原因"]!, StringComparison.Ordinal);

        // The county's reviewer of the policy's department may read it; another township's clerk does not learn it exists.
        Assert.Equal(HttpStatusCode.OK, (await (await app.SignInAsync("reviewer")).GetAsync($"/api/roster-imports/{id}/refused.xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("clerk2")).GetAsync($"/api/roster-imports/{id}/refused.xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignInAsync("reviewer.civil")).GetAsync($"/api/roster-imports/{id}")).StatusCode);
    }

    [Fact]
    public async Task Job_ReportsProgress_WhileItReadsALargeRoster()
    {
        var id = await QueueAsync(DemoRosterFile.Bytes(30_000), "AcceptValid");
        var seen = new List<(RosterImportStatus Status, string Phase, int Rows, long Bytes)>();

        var run = Task.Run(() => RunJobAsync(id));
        while (!run.IsCompleted)
        {
            var i = await ImportAsync(id);
            seen.Add((i.Status, i.Phase, i.RowsRead, i.BytesRead));
            await Task.WhenAny(run, Task.Delay(50));
        }
        await run;

        var running = seen.Where(s => s.Status == RosterImportStatus.Running && s.Rows > 0).ToList();
        Assert.NotEmpty(running);
        Assert.Contains(running, s => s.Bytes > 0 && s.Bytes < DemoRosterFile.Bytes(30_000).Length || s.Phase != SubmitApplication.Handler.Reading);
        // Rows and bytes never go back.
        Assert.Equal(running.Select(s => s.Rows).Order(), running.Select(s => s.Rows));
        Assert.Equal(running.Select(s => s.Bytes).Order(), running.Select(s => s.Bytes));
        Assert.Equal(RosterImportStatus.Succeeded, (await ImportAsync(id)).Status);
    }

    private Task<List<RosterImportRefusedRow>> RefusedRowsAsync(Guid id) =>
        app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().RosterImportRefusedRows.Where(r => r.ImportId == id).OrderBy(r => r.Row).ToListAsync());

    private Task<CurrentUser> ClerkAsync() => app.AsSystemAsync(async sp =>
    {
        var u = await sp.GetRequiredService<OneCardDbContext>().Users.Include(x => x.Roles).SingleAsync(x => x.UserName == "clerk");
        return new CurrentUser(u.Id, u.UserName, u.DisplayName, u.RoleNames, u.RegionCode, u.Organisation, u.DepartmentCode);
    });
}
