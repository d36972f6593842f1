using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Registry;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.RuleSets;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.Registry.CrossCheckFixture;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>
/// Issue 9, item 3: each configured check flags exactly the lines it should and none of the near misses (died after the period,
/// registered in the same county, claimed again in the same township, employed after or before the period, another period of
/// the exclusive policy, a replaced snapshot, a snapshot of another county); a re-run adds no duplicates and counts new hits.
/// Run on PostgreSQL and on embedded SQLite: the same SQL.
/// </summary>
public abstract class CrossCheckRunTests(bool sqlite) : IAsyncLifetime
{
    private CrossCheckFixture f = null!;

    public async Task InitializeAsync() => f = await CrossCheckFixture.StartAsync(sqlite);

    public async Task DisposeAsync() => await f.DisposeAsync();

    private static readonly string Dead = Claims.Id("21012419400101101");
    private static readonly string DiedAfter = Claims.Id("21012419400101202");
    private static readonly string RegistryDead = Claims.Id("21012419400101303");
    private static readonly string Elsewhere = Claims.Id("21012419400101404");
    private static readonly string SameCounty = Claims.Id("21012419400101505");
    private static readonly string Employed = Claims.Id("21012419700101606");
    private static readonly string EmployedAfter = Claims.Id("21012419700101707");
    private static readonly string LeftBefore = Claims.Id("21012419700101808");
    private static readonly string TwoTownships = Claims.Id("21012419500101909");
    private static readonly string SameTownship = Claims.Id("21012419500102101");
    private static readonly string Exclusive = Claims.Id("21012419300102202");
    private static readonly string ExclusiveLastYear = Claims.Id("21012419300102303");

    private async Task SnapshotsAsync()
    {
        var sfa = new DateOnly(2026, 2, 28);
        await f.SnapshotAsync(ReferenceKind.Deaths, "210000", "辽宁省民政厅", sfa,
        [
            new(Dead, 17, EventDate: new DateOnly(2026, 3, 1)),
            new(DiedAfter, 18, EventDate: new DateOnly(2027, 1, 5)),
        ]);
        // Replaced, and another county's: neither is read for a 法库县 line.
        await f.SnapshotAsync(ReferenceKind.Deaths, "210124", "法库县民政局", new DateOnly(2026, 1, 31), [new(SameCounty, 2, EventDate: new DateOnly(2026, 1, 2))], replaced: true);
        await f.SnapshotAsync(ReferenceKind.Deaths, "210123", "康平县民政局", sfa, [new(Employed, 2, EventDate: new DateOnly(2026, 1, 2))]);
        await f.SnapshotAsync(ReferenceKind.HouseholdRegistry, "210124", "法库县公安局", sfa,
        [
            new(RegistryDead, 2, RegionCode: "210124101", Alive: false),
            new(Elsewhere, 3, RegionCode: "210123101", Alive: true),
            new(SameCounty, 4, RegionCode: "210124102", Alive: true),
            new(Dead, 5, RegionCode: "210124101", Alive: true),
        ]);
        await f.SnapshotAsync(ReferenceKind.StateFunded, "210100", "沈阳市财政局", sfa,
        [
            new(Employed, 2, EventDate: new DateOnly(2019, 7, 1), Detail: "法库县某事业单位"),
            new(EmployedAfter, 3, EventDate: new DateOnly(2027, 2, 1)),
            new(LeftBefore, 4, EventDate: new DateOnly(2010, 1, 1), EndDate: new DateOnly(2025, 12, 31)),
        ]);
        await f.SnapshotAsync(ReferenceKind.PolicyRecipients, "210000", "辽宁省民政厅", sfa,
        [
            new(Exclusive, 2, RegionCode: "210124102", Period: "2026-02"),
            new(ExclusiveLastYear, 3, RegionCode: "210124102", Period: "2025"),
        ], policyCode: "extreme-poverty-support");
    }

    private static object[] Roster() =>
    [
        Line("死亡甲", Dead), Line("死亡乙", DiedAfter), Line("注销丙", RegistryDead), Line("外县丁", Elsewhere), Line("本县戊", SameCounty),
        Line("在编己", Employed), Line("后编庚", EmployedAfter), Line("离编辛", LeftBefore), Line("两镇壬", TwoTownships), Line("本镇癸", SameTownship),
        Line("特困子", Exclusive), Line("特困丑", ExclusiveLastYear),
    ];

    [Fact]
    public async Task Submission_FlagsExactlyTheLinesEachCheckShould_WithReasonsNamingSourceAsOfAndRow()
    {
        await SnapshotsAsync();
        var other = await f.SubmitAsync("clerk2.civil", "2026", Line("两镇壬", TwoTownships, OtherTownship));
        await f.SubmitAsync("clerk.civil", "2026", Line("本镇癸", SameTownship));
        var id = await f.SubmitAsync("clerk.civil", "2026", Roster());

        var hits = await f.HitsAsync(id);

        Assert.Equal(
            [(1, CrossCheckKind.Deceased), (3, CrossCheckKind.Deceased), (4, CrossCheckKind.NotResident), (6, CrossCheckKind.StateFunded),
             (9, CrossCheckKind.ClaimedElsewhere), (11, CrossCheckKind.ExclusivePolicy)],
            hits.Select(h => (h.LineNo, h.Check)));
        Assert.All(hits, h => Assert.Equal(HitDecision.Pending, h.Decision));
        var dead = hits[0];
        Assert.Equal("死亡火化数据（辽宁省民政厅，截至2026-02-28）第17行：2026-03-01 死亡，早于期次结束", dead.ReasonZh);
        Assert.Equal("Deaths data (辽宁省民政厅, as of 2026-02-28) row 17: died 2026-03-01, before the end of the period", dead.ReasonEn);
        Assert.Equal(17, dead.SnapshotRowNo);
        Assert.Equal("户籍数据（法库县公安局，截至2026-02-28）第2行：户籍状态为已死亡（注销）", hits[1].ReasonZh);
        Assert.Equal("户籍数据（法库县公安局，截至2026-02-28）第3行：户籍登记在 210123101，不在本县（210124）", hits[2].ReasonZh);
        Assert.Equal("财政供养人员数据（沈阳市财政局，截至2026-02-28）第2行：法库县某事业单位，2019-07-01 起在编，与期次重叠", hits[3].ReasonZh);
        var otherLine = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().ClaimLines.AsNoTracking().SingleAsync(l => l.ApplicationId == other));
        var otherNumber = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Applications.Where(a => a.Id == other).Select(a => a.Number).SingleAsync());
        Assert.Equal((otherLine.Id, (Guid?)null), (hits[4].OtherClaimLineId!.Value, hits[4].SnapshotId));
        Assert.Equal($"同一政策同一期次已在其他乡镇（法库县 三面船镇）申报：申报编号 {otherNumber} 第1行", hits[4].ReasonZh);
        Assert.Equal("其他政策享受人员数据（辽宁省民政厅，截至2026-02-28）第2行：同期享受互斥政策 extreme-poverty-support（2026-02）", hits[5].ReasonZh);

        var run = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().CrossCheckRuns.AsNoTracking().SingleAsync(r => r.ApplicationId == id));
        Assert.Equal((CrossChecks.Submission, 12, 6, 6), (run.Trigger, run.LinesChecked, run.Hits, run.NewHits));
        Assert.Contains("ExclusivePolicy", run.ChecksJson);
        Assert.Equal(4, JsonSerializer.Deserialize<List<Guid>>(run.SnapshotsJson)!.Count);
    }

    [Fact]
    public async Task RunOnDemand_AddsNoDuplicates_AndCountsOnlyTheNewHits()
    {
        await SnapshotsAsync();
        var id = await f.SubmitAsync("clerk.civil", "2026", Roster());
        Assert.Equal(5, (await f.HitsAsync(id)).Count);
        var reviewer = await f.Driver.As("reviewer.civil");

        var again = await (await reviewer.PostAsync($"/api/applications/{id}/crosschecks", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((5, 0, "OnDemand"), (again.GetProperty("hits").GetInt32(), again.GetProperty("newHits").GetInt32(), again.GetProperty("trigger").GetString()));
        Assert.Equal(5, (await f.HitsAsync(id)).Count);

        // A new deaths snapshot of the county: 死亡乙 died within the period after all.
        await f.SnapshotAsync(ReferenceKind.Deaths, "210124", "法库县民政局", new DateOnly(2026, 6, 30), [new(DiedAfter, 9, EventDate: new DateOnly(2026, 6, 1))]);
        var third = await (await reviewer.PostAsync($"/api/applications/{id}/crosschecks", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((6, 1), (third.GetProperty("hits").GetInt32(), third.GetProperty("newHits").GetInt32()));
        var hits = await f.HitsAsync(id);
        Assert.Equal([1, 2, 3, 4, 6, 11], hits.Select(h => h.LineNo));
        Assert.Equal("死亡火化数据（法库县民政局，截至2026-06-30）第9行：2026-06-01 死亡，早于期次结束", hits[1].ReasonZh);
        var audit = await f.App.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(e => e.Action == "CrossChecksRun" && e.EntityId == id.ToString()));
        // The two runs asked for; the submission's run is its own record.
        Assert.Equal(2, audit);
    }

    [Fact]
    public async Task RunOnDemand_IsRefusedToARoleThatDoesNotReview_AndToAnotherTownshipsClerk()
    {
        var id = await f.SubmitAsync("clerk.civil", "2026", Line("甲", Dead));

        var finance = await (await f.Driver.As("finance")).PostAsync($"/api/applications/{id}/crosschecks", null);
        var otherClerk = await (await f.Driver.As("clerk2.civil")).PostAsync($"/api/applications/{id}/crosschecks", null);
        var ownClerk = await (await f.Driver.As("clerk.civil.review")).PostAsync($"/api/applications/{id}/crosschecks", null);

        Assert.Equal(HttpStatusCode.Forbidden, finance.StatusCode);
        // Outside the clerk's township the case does not exist for them.
        Assert.Equal(HttpStatusCode.NotFound, otherClerk.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownClerk.StatusCode);
    }

    /// <summary>
    /// AccountHolderMismatch, which no shipped rule set configures yet: run under the case's own rule set with that check added.
    /// Every line here is paid to the same account. The account-holders snapshot names a stranger and 甲 as its holders (a joint
    /// account): 甲's line is not flagged (the snapshot also names them), 乙's is, with the masked account and the snapshot's row.
    /// A snapshot of another county is not read.
    /// </summary>
    [Fact]
    public async Task AccountHolderMismatch_FlagsTheLinePaidToAnAccountHeldBySomeoneElse_NotAHolderNamedWithThem()
    {
        var holder = Claims.Id("21012419600101111");
        var notHolder = Claims.Id("21012419600101222");
        var stranger = Claims.Id("21012419600101333");
        await f.SnapshotAsync(ReferenceKind.AccountHolders, "210124", "邮储银行法库县支行", new DateOnly(2026, 2, 28),
            [new(stranger, 2, Account: Claims.Account, Detail: "开户人 王某"), new(holder, 3, Account: Claims.Account)]);
        await f.SnapshotAsync(ReferenceKind.AccountHolders, "210123", "邮储银行康平县支行", new DateOnly(2026, 2, 28),
            [new(stranger, 2, Account: Claims.Account)]);
        var id = await f.SubmitAsync("clerk.civil", "2026", Line("甲", holder), Line("乙", notHolder));
        Assert.Empty(await f.HitsAsync(id));

        var run = await f.App.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var ruleSets = sp.GetRequiredService<IRuleSets>();
            var key = await db.Applications.IgnoreQueryFilters().Where(a => a.Id == id).Select(a => a.RuleSetKey).SingleAsync();
            var (policy, version) = RuleSetVersionKey.Parse(key);
            var checks = new WithCheck(ruleSets, ruleSets.Get(policy, version), """{"check": "AccountHolderMismatch", "note": "发放账户须为本人账户。"}""");
            await using var tx = await db.Database.BeginTransactionAsync();
            var done = await new CrossChecks(checks, sp.GetRequiredService<AuditWriter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CrossCheckFacts>())
                .RunAsync(db, id, CrossChecks.OnDemand, "u-test", default);
            await tx.CommitAsync();
            return done;
        });

        var hit = Assert.Single(await f.HitsAsync(id));
        Assert.Equal((2, CrossCheckKind.AccountHolderMismatch, 2), (hit.LineNo, hit.Check, hit.SnapshotRowNo));
        Assert.Equal($"一卡通账户开户数据（邮储银行法库县支行，截至2026-02-28）第2行：发放账户（{Domain.Privacy.Masking.BankAccount(Claims.Account)}）登记的开户人不是本人（开户人 王某）", hit.ReasonZh);
        Assert.Contains("AccountHolderMismatch", run.ChecksJson);
        Assert.Equal((2, 1, 1), (run.LinesChecked, run.Hits, run.NewHits));
    }

    /// <summary>The rule sets, with one version's cross-checks extended by <paramref name="check"/> (its JSON, loaded as policy staff would write it).</summary>
    private sealed class WithCheck(IRuleSets inner, RuleSet original, string check) : IRuleSets
    {
        private readonly RuleSet replaced = Load(original, check);

        private static RuleSet Load(RuleSet ruleSet, string check)
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(ruleSet.Json)!;
            json["crossChecks"] ??= new System.Text.Json.Nodes.JsonArray();
            json["crossChecks"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse(check));
            return RuleSetLoader.Load(json.ToJsonString(), $"{ruleSet.Source} + {check}");
        }

        public RuleSet Get(string policyCode, int version) =>
            policyCode == replaced.PolicyCode && version == replaced.Version ? replaced : inner.Get(policyCode, version);

        public RuleSet? EffectiveOn(string policyCode, DateOnly date) => inner.EffectiveOn(policyCode, date);

        public IReadOnlyList<RuleSet> All => inner.All;
    }
}

public sealed class CrossCheckRunPostgresTests() : CrossCheckRunTests(sqlite: false);

public sealed class CrossCheckRunSqliteTests() : CrossCheckRunTests(sqlite: true);
