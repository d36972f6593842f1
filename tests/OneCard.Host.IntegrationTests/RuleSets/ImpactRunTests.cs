using System.Net;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Privacy;
using OneCard.Host.RuleSets;
using OneCard.Persistence;
using OneCard.Rules.Expressions;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>
/// Issue 7, item 6: a draft raising the 高龄津贴 tiers runs over last period's stored lines (法库县, 沈阳's standards): counts and
/// sums exact to the cent, a line without derived ID facts reported as 无法测算, and no ID number decrypted.
/// </summary>
public sealed class ImpactRunTests : IAsyncLifetime
{
    private const string Elderly = "elderly-longevity-allowance";
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static object Line(string name, string id, bool dibao) => new
    {
        name, idNumber = id, regionCode = "210124101", bankAccount = Claims.Account, bankName = "邮储银行法库县支行",
        facts = new Dictionary<string, object> { ["InMinimumLivingHousehold"] = dibao ? "是" : "否" },
    };

    /// <summary>v2: a 75–79 tier at 60.50 (rule lowered to 75), 80–89 at 150, 90–99 at 300 for 沈阳; year 2026.</summary>
    private static string Draft()
    {
        var v2 = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", $"{Elderly}.v1.json")))!.AsObject();
        v2["version"] = 2;
        v2["year"] = 2026;
        v2["tables"]!["age.tiers"]!["75"] = 75;
        v2["tables"]!["standards.byCityAndTier"]!["2101|75"] = 60.50m;
        v2["tables"]!["standards.byCityAndTier"]!["2101|80"] = 150;
        v2["tables"]!["standards.byCityAndTier"]!["2101|90"] = 300;
        v2["eligibility"]![1]!["expression"] = "Age >= 75";
        v2["eligibility"]![1]!["messageZh"] = "未满75周岁";
        v2["examples"] = new JsonArray(new JsonObject
        {
            ["name"] = "法库县七十六岁低保老人按新设75档60.50元",
            ["facts"] = new JsonObject { ["IdNumber"] = Claims.Id("21012419500101123"), ["RegionCode"] = "210124101", ["AsOf"] = "2026-03-02", ["InMinimumLivingHousehold"] = "是" },
            ["expect"] = new JsonObject { ["outcome"] = "Eligible", ["amount"] = 60.50m },
        });
        return v2.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    [Fact]
    public async Task DraftRaisingTiers_OverLastPeriodsStoredLines_CountsAndSumsToTheCent_ReportsOldLines_AndDecryptsNothing()
    {
        // Last period (2025-12), submitted on 2026-03-02 by 法库县 大孤家子镇's 民政 clerk under v1.
        var clerk = await driver.As("clerk.civil");
        var submitted = await clerk.PostAsJsonAsync("/api/applications", new
        {
            policyCode = Elderly, period = "2025-12", lines = new[]
            {
                Line("张大爷", Claims.Id("21012419410315123"), dibao: true),   // 84, 低保: 100 → 150
                Line("李奶奶", Claims.Id("21012419330101124"), dibao: false),  // 93: 200 → 300
                Line("王大娘", Claims.Id("21012419500101124"), dibao: true),   // 76, 低保: 未满80 → 75档 60.50
                Line("赵大爷", Claims.Id("21012419460601123"), dibao: false),  // 79, 非低保: stays ineligible
                Line("孙大爷", Claims.Id("21012419350505123"), dibao: false),  // 90: 200, but stored before derived facts were kept
            },
        });
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            // Derived facts are kept at submission (the first line: 210124, 1941-03-15, male).
            var first = await db.ClaimLines.AsNoTracking().SingleAsync(l => l.PolicyCode == Elderly && l.LineNo == 1);
            Assert.Equal(("210124", new DateOnly(1941, 3, 15), true), (first.IdAreaCode, first.IdBirthDate, first.IdIsMale));
            // An old line: no derived facts. And every ID ciphertext made unreadable: a run that decrypted would now throw.
            await db.Database.ExecuteSqlRawAsync("""UPDATE "ClaimLines" SET "IdAreaCode" = NULL, "IdBirthDate" = NULL, "IdIsMale" = NULL WHERE "PolicyCode" = {0} AND "LineNo" = 5""", Elderly);
            await db.Database.ExecuteSqlRawAsync("""UPDATE "Beneficiaries" SET "IdNumberCipher" = 'not-a-ciphertext'""");
            return 0;
        });

        var policy = await driver.As("policy");
        await RuleSetFixture.DraftAsyncFor(policy, Elderly, Draft(), "2026-04-01");
        var response = await policy.PostAsJsonAsync($"/api/rulesets/{Elderly}/2/impact", new { });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var text = await response.Content.ReadAsStringAsync();
        var run = JsonDocument.Parse(text).RootElement;

        Assert.Equal("2025", run.GetProperty("period").GetString());
        var counts = run.GetProperty("counts");
        Assert.Equal((5, 4, 1, 1, 0, 0, 2, 0, 1), (counts.GetProperty("lines").GetInt32(), counts.GetProperty("compared").GetInt32(),
            counts.GetProperty("notComparable").GetInt32(), counts.GetProperty("becameEligible").GetInt32(), counts.GetProperty("becameIneligible").GetInt32(),
            counts.GetProperty("becameFaulted").GetInt32(), counts.GetProperty("amountUp").GetInt32(), counts.GetProperty("amountDown").GetInt32(),
            counts.GetProperty("unchanged").GetInt32()));
        Assert.Equal((300.00m, 510.50m, 210.50m, 200.00m), (run.GetProperty("totalBefore").GetDecimal(), run.GetProperty("totalAfter").GetDecimal(),
            run.GetProperty("totalChange").GetDecimal(), run.GetProperty("notComparableAmount").GetDecimal()));
        var county = Assert.Single(run.GetProperty("byCounty").EnumerateArray());
        Assert.Equal(("210124", "法库县", 4, 210.50m), (county.GetProperty("key").GetString(), county.GetProperty("nameZh").GetString(),
            county.GetProperty("lines").GetInt32(), county.GetProperty("change").GetDecimal()));
        var month = Assert.Single(run.GetProperty("byMonth").EnumerateArray());
        Assert.Equal(("2025-12", 300.00m, 510.50m), (month.GetProperty("key").GetString(), month.GetProperty("before").GetDecimal(), month.GetProperty("after").GetDecimal()));

        var changes = run.GetProperty("changes").GetProperty("lines").EnumerateArray()
            .Select(c => (c.GetProperty("lineNo").GetInt32(), c.GetProperty("kind").GetString(), c.GetProperty("change").GetDecimal())).OrderBy(c => c.Item1).ToList();
        Assert.Equal([(1, "AmountUp", 50.00m), (2, "AmountUp", 100.00m), (3, "BecameEligible", 60.50m), (5, "NotComparable", 0m)], changes);
        var old = run.GetProperty("changes").GetProperty("lines").EnumerateArray().Single(c => c.GetProperty("lineNo").GetInt32() == 5);
        Assert.Equal("无法测算", old.GetProperty("kindZh").GetString());
        // Masked names and ID numbers only.
        Assert.DoesNotContain("张大爷", text, StringComparison.Ordinal);
        Assert.False(Masking.ContainsUnmaskedIdNumber(text));

        // Saved and audited; the latest run is read back, filtered and sorted, by a supervisor too.
        var latest = await (await driver.As("supervisor")).GetFromJsonAsync<JsonElement>($"/api/rulesets/{Elderly}/2/impact?kind=AmountUp&sort=-change");
        Assert.Equal(run.GetProperty("id").GetGuid(), latest.GetProperty("id").GetGuid());
        Assert.Equal([2, 1], latest.GetProperty("changes").GetProperty("lines").EnumerateArray().Select(c => c.GetProperty("lineNo").GetInt32()));
        Assert.Equal((1, "RuleSetImpactRun"), await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.ImpactRuns.CountAsync(), await db.AuditLog.Where(e => e.EntityId == $"{Elderly}@2").OrderByDescending(e => e.Seq).Select(e => e.Action).FirstAsync());
        }));
        // Clerks do not run the bench.
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.PostAsJsonAsync($"/api/rulesets/{Elderly}/2/impact", new { })).StatusCode);
    }

    [Fact]
    public void SyntheticIdNumber_AnswersEveryFnHelperAsTheRealOne()
    {
        var asOf = new DateOnly(2026, 3, 2);
        foreach (var real in new[] { Claims.Id("21012419410315123"), Claims.Id("21012419330101124"), Claims.Id("21011420000229567") })
        {
            var synthetic = SyntheticIdNumber.From(real[..6], Fn.BirthDate(real, asOf), Fn.IsMale(real, asOf));
            Assert.NotEqual(real, synthetic);
            Assert.True(Fn.IsValidIdNumber(synthetic, asOf));
            Assert.Equal((Fn.Age(real, asOf), Fn.BirthDate(real, asOf), Fn.IsMale(real, asOf)), (Fn.Age(synthetic, asOf), Fn.BirthDate(synthetic, asOf), Fn.IsMale(synthetic, asOf)));
            // Before the birth date both are invalid alike.
            var beforeBirth = Fn.BirthDate(real, asOf).AddDays(-1);
            Assert.Equal(Fn.IsValidIdNumber(real, beforeBirth), Fn.IsValidIdNumber(synthetic, beforeBirth));
        }
    }
}
