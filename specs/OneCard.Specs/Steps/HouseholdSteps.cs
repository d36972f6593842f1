using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>
/// Households (issue 9): the host is restarted on 2027-01-04 with the shipped rules plus one fixture standard (so 低保 v3 lines are
/// decided, not faulted for want of a 2026 standard), households are imported through the API, 低保 is submitted as JSON lines.
/// </summary>
[Binding]
public sealed class HouseholdSteps(ScenarioState state)
{
    private Guid applicationId;

    [Given(@"^今天是2027年1月4日，低保第3版已生效（测试标准：法库县农村2026年度每人每月800元）$")]
    public async Task GivenV3()
    {
        var folder = Directory.CreateTempSubdirectory("onecard-spec-households-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "rules"), "*.json"))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var path = Path.Combine(folder, "minimum-living-allowance.v3.json");
        var v3 = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
        v3["tables"]!["standards.byCountyAreaYear"]!["210124|农村|2026"] = 800;
        await File.WriteAllTextAsync(path, v3.ToJsonString());
        var old = state.App;
        state.App = await Task.Run(() => OneCardApp.StartAsync(start: new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.FromHours(8)),
            settings: new Dictionary<string, string?> { ["Rules:Directory"] = folder }));
        await old.DisposeAsync();
    }

    [Given(@"^大孤家子镇民政经办人导入家庭户：$")]
    public async Task GivenHouseholds(Table table)
    {
        var csv = "户号,姓名,身份证号,与户主关系\r\n" + string.Concat(table.Rows.Select(r =>
            $"{r["户号"]},{r["姓名"]},{Claims.Id(r["身份证号前17位"])},{r["与户主关系"]}\r\n"));
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "households.csv" },
            { new StringContent("210124101"), "township" },
        };
        var response = await (await state.As("clerk.civil")).PostAsync("/api/registry/households", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Given(@"^死亡火化数据记载""(\d{17})""于(\d{4}-\d{2}-\d{2})死亡$")]
    public Task GivenDeath(string first17, string date) => state.App.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var id = Guid.CreateVersion7();
        db.ReferenceSnapshots.Add(new ReferenceSnapshot
        {
            Id = id, Kind = ReferenceKind.Deaths, RegionCode = "210000", PolicyCode = "", Source = "辽宁省民政厅", AsOf = new DateOnly(2026, 12, 31),
            FileName = "deaths.csv", FileSha256 = new string('0', 64), Encoding = "UTF-8", RowCount = 1, ImportedBy = "u-admin", ImportedAt = state.App.Clock.GetUtcNow(),
        });
        db.ReferenceRecords.Add(new ReferenceRecord
        {
            SnapshotId = id, RowNo = 2, IdNumberHash = sp.GetRequiredService<PersonalDataProtector>().LookupHash(Claims.Id(first17)), EventDate = DateOnly.Parse(date),
        });
        return await db.SaveChangesAsync();
    });

    [When(@"^大孤家子镇民政经办人为以下人员申报(\d{4}-\d{2})低保：$")]
    public async Task WhenSubmit(string period, Table table)
    {
        var lines = table.Rows.Select(r => new
        {
            name = r["姓名"], idNumber = Claims.Id(r["身份证号前17位"]), regionCode = "210124101", bankAccount = Claims.Account, bankName = "邮储银行法库县支行",
            facts = new Dictionary<string, object> { ["IsRural"] = "是", ["PerCapitaMonthlyIncome"] = 0, ["AssetsWithinLimit"] = "是", ["RefusedWorkThreeTimes"] = "否" },
        }).ToList();
        await state.Remember(await (await state.As("clerk.civil")).PostAsJsonAsync("/api/applications",
            new { policyCode = "minimum-living-allowance", period, lines }));
        if (state.LastResponse!.StatusCode == HttpStatusCode.Created) applicationId = state.LastJson.GetProperty("id").GetGuid();
    }

    private Task<List<Domain.Applications.ClaimLine>> LinesAsync() => state.App.AsSystemAsync(sp =>
        sp.GetRequiredService<OneCardDbContext>().ClaimLines.AsNoTracking().Where(l => l.ApplicationId == applicationId).OrderBy(l => l.LineNo).ToListAsync());

    [Then(@"^申报成功，第(\d+)行的户人口数为(\d+)，金额为([\d.]+)元$")]
    public async Task ThenHouseholdSize(int line, int size, decimal amount)
    {
        Assert.Equal(HttpStatusCode.Created, state.LastResponse!.StatusCode);
        var stored = (await LinesAsync())[line - 1];
        Assert.Equal(size, JsonDocument.Parse(stored.FactsJson).RootElement.GetProperty("HouseholdSize").GetInt32());
        Assert.Equal(amount, stored.Amount);
    }

    [Then(@"^申报被拒绝，第(\d+)条【(.+)】的原因为""(.+)""$")]
    public void ThenRefused(int row, string field, string reason)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, state.LastResponse!.StatusCode);
        Assert.Contains(state.LastJson.GetProperty("errors").EnumerateArray(), e =>
            e.GetProperty("row").GetInt32() == row && e.GetProperty("field").GetString() == field && e.GetProperty("message").GetString() == reason);
    }

    [Then(@"^申报成功，第(\d+)行不符合条件，理由为""(.+)""$")]
    public async Task ThenIneligible(int line, string reason)
    {
        Assert.Equal(HttpStatusCode.Created, state.LastResponse!.StatusCode);
        var stored = (await LinesAsync())[line - 1];
        Assert.Equal((Domain.Applications.LineOutcome.Ineligible, reason), (stored.Outcome, stored.ReasonZh));
    }

    [Then(@"^该申报合计金额为([\d.]+)元，第(\d+)行的死亡比对疑点""(.+)""，没有待决定的比对疑点$")]
    public async Task ThenSettled(decimal total, int line, string decision)
    {
        var (payable, hits, pending) = await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var a = await db.Applications.AsNoTracking().SingleAsync(x => x.Id == applicationId);
            var h = await db.CrossCheckHits.AsNoTracking().Where(x => x.ApplicationId == applicationId).ToListAsync();
            return (a.PayableAmount, h, await CrossCheckGate.PendingAsync(db, [applicationId], CancellationToken.None));
        });
        Assert.Equal(total, payable);
        var hit = Assert.Single(hits);
        Assert.Equal((line, CrossCheckKind.Deceased, decision), (hit.LineNo, hit.Check, CrossCheckHits.DecisionZh(hit.Decision)));
        Assert.Empty(pending);
    }
}
