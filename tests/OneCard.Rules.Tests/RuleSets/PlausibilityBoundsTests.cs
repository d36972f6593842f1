using System.Text.Json.Nodes;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RuleSets;

/// <summary>Issue 5, finding 7 (rule set part): declared bounds for numeric facts and a per-line amount ceiling.</summary>
public class PlausibilityBoundsTests
{
    private readonly RuleEvaluator _evaluator = new(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });

    [Fact]
    public void ShippedCatalog_StartsNewCasesUnderV2_AndStillHoldsV1ForPinnedCases()
    {
        var catalog = RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory);
        var v1 = catalog.Get("arable-land-protection", 1);
        var v2 = catalog.Latest("arable-land-protection");

        Assert.Equal("arable-land-protection@2", v2.VersionKey);
        Assert.Empty(RuleSetCatalog.BoundsProblems(v2));
        Assert.NotEmpty(RuleSetCatalog.BoundsProblems(v1));
        // Same policy: same year, rates and rules; only bounds were added.
        Assert.Equal(v1.Year, v2.Year);
        Assert.Equal(v1.Tables["rates.byCounty"], v2.Tables["rates.byCounty"]);
        Assert.Equal(v1.Eligibility, v2.Eligibility);
        Assert.Equal(v1.Amount.Expression, v2.Amount.Expression);
    }

    [Fact]
    public void V2_DeclaresRealisticBounds()
    {
        var v2 = TestData.ArableLand;
        var area = v2.Facts.Single(f => f.Name == "AreaMu");

        Assert.Equal(0m, area.Minimum);
        Assert.Equal(1000m, area.Maximum);
        Assert.Equal(108_000m, v2.Amount.Ceiling);
        // The ceiling covers the largest plausible line at the highest county rate.
        Assert.True(area.Maximum * v2.Tables["rates.byCounty"].Values.Cast<decimal>().Max() <= v2.Amount.Ceiling);
        Assert.Equal(18, v2.Facts.Single(f => f.Name == "IdNumber").MaxLength);
        Assert.True(v2.Facts.Single(f => f.Name == "IdNumber").Personal);
        Assert.Equal(12, v2.Facts.Single(f => f.Name == "RegionCode").MaxLength);
    }

    // The finding: 1,000,000,000 mu was eligible for 85,350,000,000.00 yuan.
    [Fact]
    public void BillionMu_IsFaulted_NotEligible_InBothPaths()
    {
        var line = TestData.Line(regionCode: "210124100", areaMu: 1_000_000_000m);

        var single = _evaluator.Evaluate(TestData.ArableLand, line);
        var batch = Assert.Single(_evaluator.EvaluateMany(TestData.ArableLand, [line]));

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.FactOutOfRange, result.FaultCode);
            Assert.Null(result.Amount);
            Assert.Contains("AreaMu", result.Fault);
        }
    }

    [Theory]
    [InlineData(1000.01)]
    [InlineData(-0.01)]
    public void FactOutsideItsBounds_EvaluatedDirectly_IsFaulted(double area)
    {
        var result = _evaluator.Evaluate(TestData.ArableLand, TestData.Line(areaMu: (decimal)area));

        Assert.Equal(FaultCodes.FactOutOfRange, result.FaultCode);
    }

    [Fact]
    public void LargestPlausibleLine_IsPaid_UnderTheCeiling()
    {
        // 1000 mu × 107.67 (和平区) = 107,670.00.
        var result = _evaluator.Evaluate(TestData.ArableLand, TestData.Line(regionCode: "210102001", areaMu: 1000m));

        Assert.Equal(EvaluationOutcome.Eligible, result.Outcome);
        Assert.Equal(107_670.00m, result.Amount);
    }

    [Fact]
    public void AmountAboveCeiling_FaultsTheLine_NeverPaysIt()
    {
        // 12.5 × 89.83 = 1122.88 > 1000.
        var ruleSet = RuleSetLoader.Load(TestData.RuleSetJson("test-policy", "AreaMu * RatePerMu", 1000m, ["AreaMu > 0"]), "c.json");

        var single = _evaluator.Evaluate(ruleSet, TestData.Line(areaMu: 12.5m));
        var batch = Assert.Single(_evaluator.EvaluateMany(ruleSet, [TestData.Line(areaMu: 12.5m)]));

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.AmountAboveCeiling, result.FaultCode);
            Assert.Null(result.Amount);
            Assert.Contains("金额超过单条上限 1000.00 元", result.Fault);
        }
    }

    [Fact]
    public void AmountAtTheCeiling_IsPaid()
    {
        // 10 × 89.83 = 898.30 ≤ 898.30.
        var ruleSet = RuleSetLoader.Load(TestData.RuleSetJson("test-policy", "AreaMu * RatePerMu", 898.30m, ["AreaMu > 0"]), "c.json");

        Assert.Equal(898.30m, _evaluator.Evaluate(ruleSet, TestData.Line(areaMu: 10m)).Amount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(0.001)]
    [InlineData(1_000_000_000)]
    public void Load_RefusesImplausibleCeiling(double ceiling)
    {
        var errors = RuleSetLoader.Validate(TestData.RuleSetJson("test-policy", "AreaMu * RatePerMu", (decimal)ceiling, ["AreaMu > 0"]), "c.json");

        Assert.Equal("amount.ceiling", Assert.Single(errors).Path);
    }

    [Fact]
    public void Catalog_RefusesLatestVersionWithoutBounds_WithLocatedErrors()
    {
        using var dir = new TempRules();
        dir.CopyShipped("arable-land-protection.v1.json");
        var v2 = JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.RulesDirectory, "arable-land-protection.v2.json")))!;
        v2["facts"]![2]!.AsObject().Remove("maximum");
        v2["amount"]!.AsObject().Remove("ceiling");
        var path = dir.Write("arable-land-protection.v2.json", v2.ToJsonString());

        var ex = Assert.Throws<RuleSetException>(() => RuleSetCatalog.LoadFromDirectory(dir.Path));

        Assert.Equal(["facts[2].maximum", "amount.ceiling"], ex.Errors.Select(e => e.Path));
        Assert.All(ex.Errors, e => Assert.Equal(path, e.Source));
        Assert.Contains("最新版本", ex.Errors[0].MessageZh);
        Assert.Contains("AreaMu", ex.Errors[0].MessageZh);
    }

    [Fact]
    public void Catalog_RefusesV1AsTheOnlyVersion_SinceNewCasesWouldStartUnderIt()
    {
        using var dir = new TempRules();
        dir.CopyShipped("arable-land-protection.v1.json");

        var ex = Assert.Throws<RuleSetException>(() => RuleSetCatalog.LoadFromDirectory(dir.Path));

        Assert.Contains(ex.Errors, e => e.Path == "amount.ceiling");
        Assert.Contains(ex.Errors, e => e.Path == "facts[2].maximum");
    }

    [Fact]
    public void Loader_StillLoadsAVersionWithoutBounds_ForCasesPinnedToIt()
    {
        var v1 = RuleSetLoader.LoadFile(Path.Combine(TestData.RulesDirectory, "arable-land-protection.v1.json"));

        Assert.Null(v1.Amount.Ceiling);
        Assert.Equal(EvaluationOutcome.Eligible, _evaluator.Evaluate(v1, TestData.Line()).Outcome);
    }

    private sealed class TempRules : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("onecard-rules-");

        public string Path => _dir.FullName;

        public void CopyShipped(string file) =>
            File.Copy(System.IO.Path.Combine(TestData.RulesDirectory, file), System.IO.Path.Combine(Path, file));

        public string Write(string file, string text)
        {
            var path = System.IO.Path.Combine(Path, file);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
