using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Domain.Privacy;
using OneCard.Persistence;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.RuleSets.RuleSetFixture;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>
/// Issue 7, item 6: the impact run is evidence on the approval (a draft is submitted only with a run on exactly its text, recorded
/// on the case and named by the approval's audit entry), and a draft runs over an uploaded roster as over stored lines.
/// </summary>
public sealed class ImpactEvidenceTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<T> Db<T>(Func<OneCardDbContext, Task<T>> read) => app.AsSystemAsync(sp => read(sp.GetRequiredService<OneCardDbContext>()));

    /// <summary>Five stored 耕地 lines of 法库县 (2026) and draft v3 raising 法库县 from 85.35 to 100 元/亩.</summary>
    private async Task<Guid> StoredLinesAndDraftAsync()
    {
        await driver.SubmitAsync();
        return await DraftAsync(await driver.As("policy"), V3());
    }

    private async Task<JsonElement> RunStoredAsync()
    {
        var response = await (await driver.As("policy")).PostAsJsonAsync($"/api/rulesets/{Arable}/3/impact", new { period = "2026" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> SubmitRefusedAsync()
    {
        var refused = await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/submit", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(RuleSetStatus.Draft, await Db(db => db.RuleSets.Where(r => r.PolicyCode == Arable && r.Version == 3).Select(r => r.Status).SingleAsync()));
        return await refused.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Submit_IsRefused_WithoutAnImpactRun_WhenThePolicyHasStoredLines()
    {
        var caseId = await StoredLinesAndDraftAsync();

        var problem = await SubmitRefusedAsync();
        Assert.Equal("ImpactRunMissing", problem.GetProperty("code").GetString());
        Assert.Contains("尚未运行影响测算，不能提交", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("“影响测算”页", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        // The generic case action is the same submission and is refused alike.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await ActAsync(await driver.As("policy"), caseId, "Submit")).StatusCode);
        // The version page says so before anyone tries.
        Assert.Contains("尚未运行影响测算", (await DetailAsync(await driver.As("policy"), 3)).GetProperty("evidenceMissingZh").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_IsRefused_WhenTheOnlyRunWasOnOtherContent()
    {
        await StoredLinesAndDraftAsync();
        var run = await RunStoredAsync();
        // A run of this version key over another text (a stored version's JSON never changes, so the row is altered to stand for it).
        var other = Convert.ToHexStringLower(SHA256.HashData("另一份内容"u8));
        await Db(db => db.ImpactRuns.Where(r => r.Id == run.GetProperty("id").GetGuid()).ExecuteUpdateAsync(u => u.SetProperty(r => r.Sha256, other)));

        var problem = await SubmitRefusedAsync();
        Assert.Equal("ImpactRunStale", problem.GetProperty("code").GetString());
        Assert.Contains(other[..12], problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("重新运行测算", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WithARunOnItsContent_RecordsTheRunAsEvidence_AndTheApprovalsAuditNamesIt()
    {
        var caseId = await StoredLinesAndDraftAsync();
        var run = await RunStoredAsync();
        var runId = run.GetProperty("id").GetGuid();
        // 法库县 85.35 → 100 on the four eligible lines, each rounded to 分 once: (1250 − 1066.88) + (825 − 704.14) + (2000 − 1707) + (440 − 375.54).
        Assert.Equal(661.44m, run.GetProperty("totalChange").GetDecimal());

        (await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/submit", null)).EnsureSuccessStatusCode();

        // The approver sees the evidence on the version: the run, who ran it, its source and headline figures.
        var detail = await DetailAsync(await driver.As("policy2"), 3);
        var evidence = detail.GetProperty("evidence");
        Assert.Equal(detail.GetProperty("version").GetProperty("sha256").GetString(), evidence.GetProperty("sha256").GetString());
        var recorded = Assert.Single(evidence.GetProperty("runs").EnumerateArray());
        Assert.Equal((runId, "u-policy", "Stored", "2026", 4, 661.44m), (recorded.GetProperty("id").GetGuid(), recorded.GetProperty("runBy").GetString(),
            recorded.GetProperty("source").GetString(), recorded.GetProperty("period").GetString(), recorded.GetProperty("counts").GetProperty("amountUp").GetInt32(),
            recorded.GetProperty("totalChange").GetDecimal()));

        (await ActAsync(await driver.As("policy2"), caseId, "Approve")).EnsureSuccessStatusCode();
        var audit = await Db(db => db.AuditLog.Where(e => e.EntityId == caseId.ToString()).OrderBy(e => e.Seq).Select(e => new { e.Action, e.DataJson }).ToListAsync());
        Assert.Contains(runId.ToString(), audit.Single(e => e.Action == "RuleSetSubmitted").DataJson, StringComparison.Ordinal);
        var approved = JsonDocument.Parse(audit.Single(e => e.Action == "RuleSetApproved").DataJson).RootElement;
        Assert.Equal([runId], approved.GetProperty("evidence").GetProperty("runs").EnumerateArray().Select(r => r.GetGuid()));
    }

    [Fact]
    public async Task Submit_OfAPolicyWithNoStoredLines_RecordsWhyNoRunWasNeeded()
    {
        await DraftAsync(await driver.As("policy"), V3());
        (await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/submit", null)).EnsureSuccessStatusCode();

        var evidence = (await DetailAsync(await driver.As("policy2"), 3)).GetProperty("evidence");
        Assert.Empty(evidence.GetProperty("runs").EnumerateArray());
        Assert.Contains("尚无任何已存申报明细", evidence.GetProperty("exemptZh").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The policy's roster template (header row) with the given lines: name, ID, region, area, converted.</summary>
    private async Task<byte[]> RosterAsync(params (string Name, string Id, string Region, string Area, string Converted)[] lines)
    {
        var template = await (await driver.As("policy")).GetStringAsync($"/api/rulesets/{Arable}/template.csv");
        var header = template.TrimStart('\uFEFF').Split("\r\n")[0];
        var columns = header.Split(',');
        var csv = new StringBuilder(header).Append("\r\n");
        foreach (var (name, id, region, area, converted) in lines)
            csv.Append(string.Join(',', columns.Select(c => c switch
            {
                "姓名" => name, "身份证号" => id, "地区代码" => region, "银行账号" => Claims.Account, "开户银行" => "邮储银行", "账户类型" => "银行卡",
                "承包面积（亩）" => area, "是否改变用途" => converted,
                _ => throw new InvalidOperationException($"Unexpected template column {c}"),
            }))).Append("\r\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private async Task<HttpResponseMessage> UploadAsync(byte[] file, string fileName = "测算样本.csv")
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", fileName },
        };
        return await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/impact/upload", form);
    }

    [Fact]
    public async Task UploadedRoster_IsComparedWithTheVersionInForce_AndOnlyItsFiguresNameAndHashAreKept()
    {
        await DraftAsync(await driver.As("policy"), V3());
        var file = await RosterAsync(
            ("张三", Claims.Id("21012419800101123"), "210124101", "10", "否"),   // 法库县 853.50 → 1000.00
            ("李四", Claims.Id("21012419750505123"), "210124101", "2", "是"),    // converted: ineligible under both
            ("王五", Claims.Id("21011419660303456"), "210114001", "4", "否"));   // 于洪区: unchanged rate

        var response = await UploadAsync(file);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var run = JsonDocument.Parse(text).RootElement;
        var counts = run.GetProperty("counts");
        Assert.Equal((3, 3, 1, 0, 2), (counts.GetProperty("lines").GetInt32(), counts.GetProperty("compared").GetInt32(),
            counts.GetProperty("amountUp").GetInt32(), counts.GetProperty("becameEligible").GetInt32(), counts.GetProperty("unchanged").GetInt32()));
        Assert.Equal(146.50m, run.GetProperty("totalChange").GetDecimal());
        Assert.Equal(["210114", "210124"], run.GetProperty("byCounty").EnumerateArray().Select(b => b.GetProperty("key").GetString()));
        var changed = Assert.Single(run.GetProperty("changes").GetProperty("lines").EnumerateArray());
        Assert.Equal((2, "AmountUp"), (changed.GetProperty("lineNo").GetInt32(), changed.GetProperty("kind").GetString()));
        Assert.Contains("v2", run.GetProperty("baselineZh").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("张三", text, StringComparison.Ordinal);
        Assert.False(Masking.ContainsUnmaskedIdNumber(text));

        var stored = await Db(async db => new
        {
            Run = await db.ImpactRuns.SingleAsync(), Beneficiaries = await db.Beneficiaries.IgnoreQueryFilters().CountAsync(),
            Lines = await db.ClaimLines.IgnoreQueryFilters().CountAsync(), Applications = await db.Applications.IgnoreQueryFilters().CountAsync(),
        });
        Assert.Equal(("Upload", "测算样本.csv", Convert.ToHexStringLower(SHA256.HashData(file)), 3), (stored.Run.Source, stored.Run.FileName, stored.Run.FileSha256, stored.Run.LineCount));
        Assert.Equal((0, 0, 0), (stored.Beneficiaries, stored.Lines, stored.Applications));
        Assert.DoesNotContain("张三", stored.Run.FiguresJson, StringComparison.Ordinal);
        // Read back as the upload tab's latest run.
        var latest = await (await driver.As("policy")).GetFromJsonAsync<JsonElement>($"/api/rulesets/{Arable}/3/impact?source=Upload");
        Assert.Equal(stored.Run.Id, latest.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task UploadedRoster_WithBadLines_IsRefusedWithEveryProblemLocated_AndNoRunIsSaved()
    {
        await DraftAsync(await driver.As("policy"), V3());
        var file = await RosterAsync(
            ("张三", Claims.Id("21012419800101123"), "210124101", "十亩", "否"),
            ("李四", "210124197505051230", "210124101", "2", "是"));

        var response = await UploadAsync(file);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ImpactRosterInvalid", problem.GetProperty("code").GetString());
        Assert.Contains("未测算", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains((2, "承包面积（亩）"), errors);
        Assert.Contains((3, "身份证号"), errors);
        Assert.Equal(0, await Db(db => db.ImpactRuns.CountAsync()));
    }
}
