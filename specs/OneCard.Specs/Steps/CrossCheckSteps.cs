using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;
using OneCard.Persistence;
using OneCard.Specs.Support;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>
/// Cross-checks (大数据比对, issue 9): snapshots are inserted as rows keyed with the host's blind index (the import is another
/// helper's work), 低保 rosters are submitted as JSON lines, and hits are decided through the API.
/// </summary>
[Binding]
public sealed class CrossCheckSteps(ScenarioState state)
{
    private const string Policy = "minimum-living-allowance";

    private static readonly Dictionary<string, ReferenceKind> Kinds = new(StringComparer.Ordinal)
    {
        ["死亡火化"] = ReferenceKind.Deaths, ["户籍"] = ReferenceKind.HouseholdRegistry, ["财政供养"] = ReferenceKind.StateFunded,
    };

    private static object Line(string name, string first17, string region) => new
    {
        name, idNumber = Claims.Id(first17), regionCode = region, bankAccount = Claims.Account, bankName = "邮储银行法库县支行",
        facts = new Dictionary<string, object>
        {
            ["IsRural"] = "是", ["HouseholdSize"] = 2, ["PerCapitaMonthlyIncome"] = 0, ["AssetsWithinLimit"] = "是", ["RefusedWorkThreeTimes"] = "否",
        },
    };

    [Given(@"^比对数据已导入：$")]
    public Task GivenSnapshots(Table table) => state.App.AsSystemAsync(async sp =>
    {
        var db = sp.GetRequiredService<OneCardDbContext>();
        var protector = sp.GetRequiredService<PersonalDataProtector>();
        foreach (var group in table.Rows.GroupBy(r => (r["数据"], r["地区"], r["来源"], r["截止日期"])))
        {
            var kind = Kinds[group.Key.Item1];
            var id = Guid.CreateVersion7();
            db.ReferenceSnapshots.Add(new ReferenceSnapshot
            {
                Id = id, Kind = kind, RegionCode = group.Key.Item2, Source = group.Key.Item3, AsOf = DateOnly.Parse(group.Key.Item4),
                FileName = $"{group.Key.Item1}.csv", FileSha256 = new string('0', 64), Encoding = "UTF-8", RowCount = group.Count(),
                ImportedBy = "u-admin", ImportedAt = state.App.Clock.GetUtcNow(),
            });
            foreach (var row in group)
                db.ReferenceRecords.Add(new ReferenceRecord
                {
                    SnapshotId = id, RowNo = int.Parse(row["行号"]), IdNumberHash = protector.LookupHash(Claims.Id(row["身份证号前17位"])),
                    EventDate = DateOnly.Parse(row["日期"]), Detail = row["说明"].Length == 0 ? null : row["说明"],
                    Alive = kind == ReferenceKind.HouseholdRegistry ? true : null,
                });
        }
        return await db.SaveChangesAsync();
    });

    [Given(@"^三面船镇民政经办人已为""(.+)""（(\d{17})）申报(\d{4})年低保$")]
    public async Task GivenOtherTownship(string name, string first17, string period)
    {
        await state.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var user = new User
            {
                Id = "u-clerk2.civil", UserName = "clerk2.civil", DisplayName = "孙经办（三面船镇民政）", RegionCode = "210124102",
                DepartmentCode = DepartmentCodes.Civil, PasswordHash = "",
            };
            user.Grant(Roles.TownshipClerk, "seed", DateTimeOffset.UnixEpoch);
            user.PasswordHash = sp.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Host.Demo.DemoData.Password);
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });
        var response = await (await state.As("clerk2.civil")).PostAsJsonAsync("/api/applications",
            new { policyCode = Policy, period, lines = new[] { Line(name, first17, "210124102") } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [When(@"^大孤家子镇民政经办人提交(\d{4})年低保花名册：$")]
    public async Task WhenSubmit(string period, Table table)
    {
        var response = await (await state.As("clerk.civil")).PostAsJsonAsync("/api/applications",
            new { policyCode = Policy, period, lines = table.Rows.Select(r => Line(r["姓名"], r["身份证号前17位"], "210124101")).ToArray() });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        state.CaseId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> HitsAsync(string user = "clerk.civil.review") =>
        await (await state.As(user)).GetFromJsonAsync<JsonElement>($"/api/applications/{state.CaseId}/crosschecks");

    [Then(@"^比对恰好标记了以下明细：$")]
    public async Task ThenFlagged(Table table)
    {
        var hits = (await HitsAsync()).GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(table.Rows.Select(r => (int.Parse(r["行"]), r["比对项"])), hits.Select(h => (h.GetProperty("lineNo").GetInt32(), h.GetProperty("checkZh").GetString()!)));
        foreach (var (row, hit) in table.Rows.Zip(hits))
            Assert.StartsWith(row["疑点"], hit.GetProperty("reasonZh").GetString());
    }

    [When(@"^" + Words.Who + @"(\S+) 对第(\d+)行的比对疑点决定""(驳回该行|保留)""(?:，意见为""(.+)"")?$")]
    public async Task WhenDecide(string user, int lineNo, string decision, string? comment)
    {
        var hit = (await HitsAsync("reviewer.civil")).GetProperty("hits").EnumerateArray().Single(h => h.GetProperty("lineNo").GetInt32() == lineNo);
        await state.Remember(await (await state.As(user)).PostAsJsonAsync($"/api/applications/{state.CaseId}/crosschecks/{hit.GetProperty("id").GetGuid()}/decision",
            new { decision = decision == "保留" ? "Kept" : "Rejected", comment = string.IsNullOrEmpty(comment) ? null : comment }));
    }

    [Then(@"^比对决定被拒绝，状态码(\d+)，错误代码""(\w+)""$")]
    public void ThenRefused(int status, string code)
    {
        Assert.Equal(status, (int)state.LastResponse!.StatusCode);
        Assert.Equal(code, state.LastJson.GetProperty("code").GetString());
    }

    [Then(@"^比对后第(\d+)行明细为""(.+)""，理由为""(.+)""$")]
    public async Task ThenLine(int lineNo, string outcome, string reason)
    {
        var line = (await state.Case("clerk.civil.review")).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == lineNo);
        Assert.Equal((Words.Outcome(outcome), reason), (line.GetProperty("outcome").GetString(), line.GetProperty("reasonZh").GetString()));
    }

    [Then(@"^比对后第(\d+)行明细不是""(.+)""$")]
    public async Task ThenLineNot(int lineNo, string outcome)
    {
        var line = (await state.Case("clerk.civil.review")).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineNo").GetInt32() == lineNo);
        Assert.NotEqual(Words.Outcome(outcome), line.GetProperty("outcome").GetString());
    }

    [Then(@"^该案件没有待决定的比对疑点$")]
    public async Task ThenNonePending()
    {
        var view = await HitsAsync();
        Assert.Equal(0, view.GetProperty("pending").GetInt32());
        Assert.DoesNotContain(view.GetProperty("hits").EnumerateArray(), h => h.GetProperty("decision").GetString() == "Pending");
    }
}
