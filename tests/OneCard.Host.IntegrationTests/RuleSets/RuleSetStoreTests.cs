using System.Text.Json.Nodes;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Cases;
using OneCard.Domain.Policies;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;
using OneCard.Testing;
using static OneCard.Host.IntegrationTests.RuleSets.RuleSetFixture;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>
/// Issue 7, item 3: rule sets stored per policy and version, the files in rules/ as the seed, drafts validated by the loader,
/// maker-checker approval on the case engine, the version a new case takes read off its date, and cases keeping theirs.
/// </summary>
public sealed class RuleSetStoreTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<T> Db<T>(Func<OneCardDbContext, Task<T>> query) => app.AsSystemAsync(sp => query(sp.GetRequiredService<OneCardDbContext>()));

    [Fact]
    public async Task Seed_RegistersEachShippedFileAsEffective_TheLatestInForce_AndExportsItByteForByte()
    {
        var rows = await Db(db => db.RuleSets.AsNoTracking().Where(r => r.PolicyCode == Arable).OrderBy(r => r.Version).ToListAsync());
        Assert.Equal([1, 2], rows.Select(r => r.Version));
        // Every shipped policy has its rule set registered (rules/ holds eight policies).
        Assert.Equal(8, await Db(db => db.RuleSets.Select(r => r.PolicyCode).Distinct().CountAsync()));
        Assert.All(rows, r =>
        {
            Assert.Equal(RuleSetStatus.Effective, r.Status);
            Assert.Equal(new DateOnly(2000, 1, 1), r.EffectiveFrom);
            Assert.Equal("System", r.AuthorId);
            Assert.Null(r.CaseId);
        });

        var list = await (await driver.As("policy")).GetFromJsonAsync<JsonElement>("/api/rulesets");
        var arable = Assert.Single(list.EnumerateArray(), p => p.GetProperty("policyCode").GetString() == Arable);
        Assert.Equal(2, arable.GetProperty("effectiveVersion").GetInt32());
        Assert.Equal("耕地地力保护补贴", arable.GetProperty("nameZh").GetString());
        Assert.Equal([("Effective", "生效中"), ("Superseded", "已被替代")],
            arable.GetProperty("versions").EnumerateArray().Select(v => (v.GetProperty("status").GetString(), v.GetProperty("statusZh").GetString())));

        var exported = await (await driver.As("supervisor")).GetByteArrayAsync($"/api/rulesets/{Arable}/2/export");
        Assert.Equal(await File.ReadAllBytesAsync(ShippedPath(2)), exported);
        Assert.Equal(2, app.Services.GetRequiredService<IRuleSets>().EffectiveOn(Arable, new DateOnly(2026, 3, 2))!.Version);
        // Clerks do not read the rule store.
        Assert.Equal(HttpStatusCode.Forbidden, (await (await driver.As("clerk")).GetAsync("/api/rulesets")).StatusCode);
    }

    [Fact]
    public async Task Draft_WithAHostileExpression_IsRefusedWithItsLocation_AndNothingIsStored()
    {
        var hostile = V3(edit: v3 => v3["eligibility"]![0]!["expression"] = "IdNumber.GetType().Assembly.FullName != null");

        var refused = await PostDraftAsync(await driver.As("policy"), hostile);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("RuleSetInvalid", problem.GetProperty("code").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("eligibility[0].expression", error.GetProperty("path").GetString());
        Assert.Contains("GetType", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("规则集有1处错误", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal((2, 0), await Db(async db => (await db.RuleSets.CountAsync(r => r.PolicyCode == Arable), await db.WorkflowInstances.CountAsync(i => i.SubjectKind == SubjectKinds.RuleSet))));

        // A version already taken, and no effective date: each said where.
        var twice = await PostDraftAsync(await driver.As("policy"), File.ReadAllText(ShippedPath(2)), effectiveFrom: null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, twice.StatusCode);
        var paths = (await twice.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("path").GetString(), e.GetProperty("message").GetString())).ToList();
        Assert.Contains(("effectiveFrom", "请填写生效日期（yyyy-MM-dd）"), paths);
        Assert.Contains(("version", "版本 2 已存在（现有最高版本为 2），新草稿的版本应为 3"), paths);
    }

    [Fact]
    public async Task Draft_WhoseExampleNoLongerHolds_IsRefusedAtTheExample_AndOneThatHoldsIsStored()
    {
        // 法库县 (210124) at 100 元/亩: 10 mu is 1,000.00; an example expecting the old rate's 853.50 fails on save.
        JsonObject Example(decimal amount) => new()
        {
            ["name"] = "法库县十亩",
            ["facts"] = new JsonObject
            {
                ["IdNumber"] = "210124198001011230", ["RegionCode"] = "210124101", ["AreaMu"] = "10", ["LandConverted"] = "否", ["AsOf"] = "2026-03-10",
            },
            ["expect"] = new JsonObject { ["outcome"] = "Eligible", ["amount"] = amount },
        };
        var stale = V3(edit: v3 => v3["examples"] = new JsonArray(Example(853.50m)));

        var refused = await PostDraftAsync(await driver.As("policy"), stale);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = Assert.Single((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal("examples[0].expect.amount", error.GetProperty("path").GetString());
        Assert.Contains("853.50", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await PostDraftAsync(await driver.As("policy"), V3(edit: v3 => v3["examples"] = new JsonArray(Example(1000.00m))))).StatusCode);
    }

    [Fact]
    public async Task SubmittedChange_IsRefusedToItsOwnOfficer_ApprovedByAnother_AndTakesEffectOnItsDate_WhileEarlierCasesKeepTheirVersion()
    {
        var policy = await driver.As("policy");
        var caseId = await DraftAsync(policy, V3());
        var draft = await DetailAsync(policy, 3);
        Assert.Equal("Draft", draft.GetProperty("version").GetProperty("status").GetString());
        Assert.Equal(["Submit", "Withdraw"], draft.GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));

        (await policy.PostAsync($"/api/rulesets/{Arable}/3/submit", null)).EnsureSuccessStatusCode();
        var submitted = await DetailAsync(policy, 3);
        Assert.Equal("Submitted", submitted.GetProperty("version").GetProperty("status").GetString());
        Assert.Empty(submitted.GetProperty("permittedActions").EnumerateArray());

        // Maker-checker: the officer who wrote and submitted the change cannot approve it.
        var own = await ActAsync(policy, caseId, "Approve");
        Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
        var problem = await own.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("SeparationOfDuties", problem.GetProperty("code").GetString());
        Assert.Contains("职责分离", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(RuleSetStatus.Submitted, await Db(db => db.RuleSets.Where(r => r.PolicyCode == Arable && r.Version == 3).Select(r => r.Status).SingleAsync()));

        var policy2 = await driver.As("policy2");
        Assert.Equal(["Approve", "Return", "Reject"], (await DetailAsync(policy2, 3)).GetProperty("permittedActions").EnumerateArray().Select(a => a.GetString()));
        (await ActAsync(policy2, caseId, "Approve")).EnsureSuccessStatusCode();
        var approved = (await DetailAsync(policy2, 3)).GetProperty("version");
        Assert.Equal(("Approved", "已批准，待生效", "2026-03-10"),
            (approved.GetProperty("status").GetString(), approved.GetProperty("statusZh").GetString(), approved.GetProperty("effectiveFrom").GetString()));
        var row = await Db(db => db.RuleSets.AsNoTracking().SingleAsync(r => r.PolicyCode == Arable && r.Version == 3));
        Assert.Equal((RuleSetStatus.Approved, "policy"), (row.Status, await UserName(row.SubmittedBy!)));
        Assert.Equal("policy2", await UserName(row.ApprovedBy!));
        Assert.Equal(["RuleSetDrafted", "RuleSetSubmitted", "RuleSetApproved"], await Db(db => db.AuditLog
            .Where(a => a.EntityType == SubjectKinds.RuleSet && a.EntityId == caseId.ToString() && a.Action.StartsWith("RuleSet"))
            .OrderBy(a => a.Seq).Select(a => a.Action).ToListAsync()));

        // No restart: this host reads the approval back by itself.
        await WaitForStoreAsync(app, $"{Arable}@3", RuleSetStatus.Approved);

        // Submitted on 2 March: v2 (法库县 85.35 元/亩).
        var before = await driver.SubmitAsync();
        // From 10 March: v3 (100 元/亩).
        app.Clock.SetUtcNow(Beijing(2026, 3, 10));
        var after = await driver.SubmitAsync();

        var early = await driver.GetAsync(before);
        var late = await driver.GetAsync(after);
        Assert.Equal(($"{Arable}@2", $"{Arable}@3"), (early.GetProperty("ruleSetKey").GetString(), late.GetProperty("ruleSetKey").GetString()));
        Assert.All(early.GetProperty("lines").EnumerateArray(), l => Assert.Equal($"{Arable}@2", l.GetProperty("ruleSetKey").GetString()));
        Assert.Equal(3853.56m, early.GetProperty("case").GetProperty("payableAmount").GetDecimal());
        Assert.Equal(4515.00m, late.GetProperty("case").GetProperty("payableAmount").GetDecimal());

        var list = await (await driver.As("policy")).GetFromJsonAsync<JsonElement>("/api/rulesets");
        Assert.Equal(3, list[0].GetProperty("effectiveVersion").GetInt32());
        Assert.Equal(["Effective", "Superseded", "Superseded"], list[0].GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Reevaluation_UnderTheNewerVersion_IsExplicit_ForACountyReviewerInReview_AndAuditedLineByLine()
    {
        await ApprovedV3Async(driver);
        await WaitForStoreAsync(app, $"{Arable}@3", RuleSetStatus.Approved);
        var id = await driver.SubmitAsync();
        await driver.ActAsync(id, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));

        // Not before v3 is in force.
        var early = await (await driver.As("reviewer")).PostAsJsonAsync($"/api/applications/{id}/reevaluate", new { });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("NoNewerRuleSet", (await early.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        app.Clock.SetUtcNow(Beijing(2026, 3, 10));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await driver.As("clerk.review")).PostAsJsonAsync($"/api/applications/{id}/reevaluate", new { })).StatusCode);
        Assert.Equal($"{Arable}@2", (await driver.GetAsync(id)).GetProperty("ruleSetKey").GetString());

        var response = await (await driver.As("reviewer")).PostAsJsonAsync($"/api/applications/{id}/reevaluate", new { version = 3 });
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(($"{Arable}@2", $"{Arable}@3", 5, 4), (result.GetProperty("from").GetString(), result.GetProperty("to").GetString(),
            result.GetProperty("lines").GetInt32(), result.GetProperty("changed").GetInt32()));
        Assert.Equal((3853.56m, 4515.00m), (result.GetProperty("payableBefore").GetDecimal(), result.GetProperty("payableAfter").GetDecimal()));

        var detail = await driver.GetAsync(id);
        Assert.Equal($"{Arable}@3", detail.GetProperty("ruleSetKey").GetString());
        Assert.Equal(4515.00m, detail.GetProperty("case").GetProperty("payableAmount").GetDecimal());
        var first = detail.GetProperty("lines").EnumerateArray().First(l => l.GetProperty("lineNo").GetInt32() == 1);
        Assert.Equal((1250.00m, $"{Arable}@3"), (first.GetProperty("amount").GetDecimal(), first.GetProperty("ruleSetKey").GetString()));

        var entry = await Db(db => db.AuditLog.AsNoTracking().SingleAsync(a => a.Action == "ApplicationReevaluated"));
        Assert.Equal((SubjectKinds.Application, id.ToString(), "reviewer"), (entry.EntityType, entry.EntityId, await UserName(entry.ActorId)));
        using var data = JsonDocument.Parse(entry.DataJson);
        var line1 = data.RootElement.GetProperty("lines").EnumerateArray().First(l => l.GetProperty("line").GetInt32() == 1);
        Assert.Equal(("Eligible", 1066.88m, "Eligible", 1250.00m),
            (line1.GetProperty("before").GetProperty("outcome").GetString(), line1.GetProperty("before").GetProperty("amount").GetDecimal(),
             line1.GetProperty("after").GetProperty("outcome").GetString(), line1.GetProperty("after").GetProperty("amount").GetDecimal()));
        Assert.Equal($"{Arable}@3", data.RootElement.GetProperty("to").GetString());

        // Once the case has left review (the sample check draws from its lines), it keeps its version.
        await driver.ActAsync(id, "reviewer", "Approve");
        var late = await (await driver.As("reviewer")).PostAsJsonAsync($"/api/applications/{id}/reevaluate", new { });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("ReevaluationNotAllowed", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task ExportThenImport_IntoAnotherInstallation_GivesTheIdenticalText()
    {
        var written = V3();
        await DraftAsync(await driver.As("policy"), written);
        var exported = await (await driver.As("policy")).GetByteArrayAsync($"/api/rulesets/{Arable}/3/export");
        Assert.Equal(Encoding.UTF8.GetBytes(written), exported);

        await using var other = await OneCardApp.StartAsync();
        var officer = await other.SignInAsync("policy2");
        var imported = await ImportAsync(officer, exported, "2026-04-01");
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var drafted = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("arable-land-protection@3", "Draft", "2026-04-01"),
            (drafted.GetProperty("versionKey").GetString(), drafted.GetProperty("status").GetString(), drafted.GetProperty("effectiveFrom").GetString()));
        Assert.Equal(exported, await officer.GetByteArrayAsync($"/api/rulesets/{Arable}/3/export"));
        Assert.Equal((await DetailAsync(await driver.As("policy"), 3)).GetProperty("version").GetProperty("sha256").GetString(),
            drafted.GetProperty("sha256").GetString());

        // The same file again is not a new version.
        var again = await ImportAsync(officer, exported, "2026-04-01");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Equal("version", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task AnotherHostOnTheSameDatabase_ReadsANewVersionOnAMiss_AndAnApprovalByItsPoll()
    {
        await using var second = await OneCardApp.StartAsync(database: app.ConnectionString,
            settings: new Dictionary<string, string?> { ["RuleSets:RefreshSeconds"] = "1" });
        var secondRuleSets = second.Services.GetRequiredService<IRuleSets>();
        Assert.Null(secondRuleSets.All.FirstOrDefault(r => r.PolicyCode == Arable && r.Version == 3));

        var caseId = await DraftAsync(await driver.As("policy"), V3());
        // A version the second host has not seen yet is read on the miss, not refused.
        Assert.Equal(3, secondRuleSets.Get(Arable, 3).Version);
        Assert.Equal(2, secondRuleSets.EffectiveOn(Arable, new DateOnly(2026, 3, 10))!.Version);

        (await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/submit", null)).EnsureSuccessStatusCode();
        (await ActAsync(await driver.As("policy2"), caseId, "Approve")).EnsureSuccessStatusCode();
        await WaitForStoreAsync(second, $"{Arable}@3", RuleSetStatus.Approved, TimeSpan.FromSeconds(60));
        Assert.Equal(3, secondRuleSets.EffectiveOn(Arable, new DateOnly(2026, 3, 10))!.Version);
        Assert.Equal(2, secondRuleSets.EffectiveOn(Arable, new DateOnly(2026, 3, 9))!.Version);
    }

    private Task<string> UserName(string userId) => Db(db => db.Users.Where(u => u.Id == userId).Select(u => u.UserName).SingleAsync());

    [Fact]
    public async Task WhenAsync_CompletesOnTheReloadThatShowsTheChange_NotBefore_AndHonoursCancellation()
    {
        var store = app.Services.GetRequiredService<Host.RuleSets.RuleSetStore>();
        const string key = Arable + "@3";
        Assert.False(store.Entries.ContainsKey(key));
        var shown = store.WhenAsync(e => e.ContainsKey(key), CancellationToken.None);
        // A reload that publishes a snapshot without the version leaves the waiter waiting.
        await store.ReloadAsync(CancellationToken.None);
        Assert.False(shown.IsCompleted);

        await DraftAsync(await driver.As("policy"), V3(), "2026-03-10");
        await store.ReloadAsync(CancellationToken.None);
        await shown.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(store.Entries.ContainsKey(key));

        // Already true: at once. Never true: the caller's token ends the wait.
        Assert.True(store.WhenAsync(e => e.ContainsKey(key), CancellationToken.None).IsCompletedSuccessfully);
        using var cancel = new CancellationTokenSource();
        var never = store.WhenAsync(e => e.ContainsKey(Arable + "@99"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => never);
    }
}
