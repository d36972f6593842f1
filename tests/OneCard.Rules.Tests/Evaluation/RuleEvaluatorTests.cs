using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Evaluation;

public class RuleEvaluatorTests
{
    // Generous budget: these tests are about decisions, not timing, and share two cores with other test classes.
    private readonly RuleEvaluator _evaluator = new(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });

    private (ClaimEvaluation Single, ClaimEvaluation Batch) Both(RuleSet ruleSet, IReadOnlyDictionary<string, object?> line)
    {
        var single = _evaluator.Evaluate(ruleSet, line);
        var batch = Assert.Single(_evaluator.EvaluateMany(ruleSet, [line]));
        return (single, batch);
    }

    [Fact]
    public void Evaluate_EligibleLine_GetsAreaTimesCountyRate_RoundedOnceHalfAwayFromZero()
    {
        // 12.5 × 89.83 = 1122.875 → 1122.88.
        var (single, batch) = Both(TestData.ArableLand, TestData.Line(areaMu: 12.5m, regionCode: "210114001"));

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Eligible, result.Outcome);
            Assert.Equal(1122.88m, result.Amount);
            Assert.Equal("arable-land-protection@2", result.RuleSetVersionKey);
            Assert.All(result.Rules, r => Assert.True(r.Passed));
            Assert.Null(result.Fault);
        }
    }

    [Fact]
    public void Evaluate_RoundsMidpointAwayFromZero_NotToEven()
    {
        // 1.5 × 85.35 = 128.025: half away from zero gives 128.03, banker's rounding would give 128.02.
        var (single, batch) = Both(TestData.ArableLand, TestData.Line(areaMu: 1.5m, regionCode: "210124100"));

        Assert.Equal(128.03m, single.Amount);
        Assert.Equal(128.03m, batch.Amount);
    }

    [Fact]
    public void Evaluate_ConvertedLand_IsIneligible_WithLandNotConvertedFailed()
    {
        var (single, batch) = Both(TestData.ArableLand, TestData.Line(landConverted: true));

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Ineligible, result.Outcome);
            Assert.Null(result.Amount);
            var failed = Assert.Single(result.FailedRules);
            Assert.Equal("LandNotConverted", failed.RuleName);
            Assert.Contains("耕地已改变用途", failed.MessageZh);
            Assert.Null(failed.Fault);
        }
    }

    [Fact]
    public void Evaluate_BadIdChecksum_IsIneligible_WithValidIdNumberFailed()
    {
        var valid = TestData.ValidId();
        var wrongCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');

        var (single, batch) = Both(TestData.ArableLand, TestData.Line(idNumber: wrongCheck));

        Assert.Equal(EvaluationOutcome.Ineligible, single.Outcome);
        Assert.Equal("ValidIdNumber", Assert.Single(single.FailedRules).RuleName);
        Assert.Equal(EvaluationOutcome.Ineligible, batch.Outcome);
        Assert.Equal("ValidIdNumber", Assert.Single(batch.FailedRules).RuleName);
    }

    [Fact]
    public void Evaluate_CountyWithoutPublishedRate_IsFaulted_NotIneligible()
    {
        // 210111 苏家屯区: no rate found in the reference facts.
        var (single, batch) = Both(TestData.ArableLand, TestData.Line(regionCode: "210111001"));

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.TableEntryMissing, result.FaultCode);
            Assert.Contains("210111", result.Fault);
            Assert.Contains("rates.byCounty", result.Fault);
            Assert.Null(result.Amount);
        }
    }

    [Fact]
    public void Evaluate_MissingFact_IsFaulted()
    {
        var line = TestData.Line();
        line.Remove("AreaMu");

        var (single, batch) = Both(TestData.ArableLand, line);

        Assert.Equal(EvaluationOutcome.Faulted, single.Outcome);
        Assert.Equal(FaultCodes.FactMissing, single.FaultCode);
        Assert.Contains("AreaMu", single.Fault);
        Assert.Equal(single.Fault, batch.Fault);
    }

    [Fact]
    public void Evaluate_NullFact_IsFaulted()
    {
        var line = TestData.Line();
        line["IdNumber"] = null;

        Assert.Equal(FaultCodes.FactMissing, _evaluator.Evaluate(TestData.ArableLand, line).FaultCode);
    }

    [Theory]
    [InlineData("12.5")]
    [InlineData(12.5d)]
    public void Evaluate_MistypedFact_IsFaulted(object area)
    {
        var line = TestData.Line();
        line["AreaMu"] = area;

        var (single, batch) = Both(TestData.ArableLand, line);

        Assert.Equal(FaultCodes.FactMistyped, single.FaultCode);
        Assert.Equal(FaultCodes.FactMistyped, batch.FaultCode);
    }

    [Fact]
    public void Evaluate_CallerSuppliedRate_IsFaulted()
    {
        var line = TestData.Line();
        line["RatePerMu"] = 1000m;

        Assert.Equal(FaultCodes.FactNotSuppliable, _evaluator.Evaluate(TestData.ArableLand, line).FaultCode);
    }

    [Fact]
    public void Evaluate_RuleThatDividesByZero_IsFaulted_NotIneligible()
    {
        // RulesEngine's default turns this exception into IsSuccess=false, i.e. "rule failed".
        var ruleSet = RuleSetLoader.Load(TestData.RuleSetJson(expressions: ["AreaMu > 0", "AreaMu / (AreaMu - AreaMu) > 1"]), "div.json");

        var (single, batch) = Both(ruleSet, TestData.Line());

        foreach (var result in new[] { single, batch })
        {
            Assert.Equal(EvaluationOutcome.Faulted, result.Outcome);
            Assert.Equal(FaultCodes.RuleError, result.FaultCode);
            Assert.Null(result.Amount);
            var rule = result.Rules.Single(r => r.RuleName == "Rule1");
            Assert.False(rule.Passed);
            Assert.Contains("divide by zero", rule.Fault);
            Assert.Empty(result.FailedRules);
        }

        Assert.Equal(single.Fault, batch.Fault);
    }

    [Fact]
    public void Evaluate_AmountThatThrows_IsFaulted()
    {
        var ruleSet = RuleSetLoader.Load(TestData.RuleSetJson(amount: "AreaMu / (RatePerMu - RatePerMu)", expressions: ["AreaMu > 0"]), "amount.json");

        var (single, batch) = Both(ruleSet, TestData.Line());

        Assert.Equal(FaultCodes.AmountError, single.FaultCode);
        Assert.Equal(FaultCodes.AmountError, batch.FaultCode);
    }

    [Fact]
    public void Evaluate_NegativeAmount_IsFaulted()
    {
        var ruleSet = RuleSetLoader.Load(TestData.RuleSetJson(amount: "0 - AreaMu * RatePerMu", expressions: ["AreaMu > 0"]), "neg.json");

        var (single, batch) = Both(ruleSet, TestData.Line());

        Assert.Equal(FaultCodes.AmountNegative, single.FaultCode);
        Assert.Equal(FaultCodes.AmountNegative, batch.FaultCode);
        Assert.Null(single.Amount);
    }

    [Fact]
    public void EvaluateMany_EqualsEvaluate_LineByLine_OnRandomLines()
    {
        var random = new Random(20260301);
        var regions = new[] { "210114001", "210124100", "210123200", "210113001", "210105001", "210102001", "210111001", "110105001", "2101" };
        var lines = new List<IReadOnlyDictionary<string, object?>>();
        for (var i = 0; i < 1_500; i++)
        {
            var id = TestData.ValidId(
                area: random.Next(3) == 0 ? "110105" : "210114",
                birth: $"{random.Next(1930, 2030)}{random.Next(1, 13):00}{random.Next(1, 32):00}",
                sequence: $"{random.Next(1000):000}");
            if (random.Next(8) == 0)
            {
                id = id[..17] + (id[17] == '1' ? '2' : '1');
            }

            var line = TestData.Line(
                idNumber: id,
                regionCode: regions[random.Next(regions.Length)],
                areaMu: random.Next(-50, 5_000) / 100m,
                landConverted: random.Next(5) == 0);
            switch (random.Next(20))
            {
                case 0: line.Remove("LandConverted"); break;
                case 1: line["AreaMu"] = "12"; break;
                case 2: line["AreaMu"] = random.Next(100); break;
                case 3: line["RatePerMu"] = 1m; break;
            }

            lines.Add(line);
        }

        var batch = _evaluator.EvaluateMany(TestData.ArableLand, lines);

        Assert.Equal(lines.Count, batch.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var single = _evaluator.Evaluate(TestData.ArableLand, lines[i]);
            Assert.Equal(single.Outcome, batch[i].Outcome);
            Assert.Equal(single.Amount, batch[i].Amount);
            Assert.Equal(single.Fault, batch[i].Fault);
            Assert.Equal(single.FaultCode, batch[i].FaultCode);
            Assert.Equal(single.Rules, batch[i].Rules);
        }

        // The sample must exercise every outcome, or the equality above proves little.
        Assert.Contains(batch, r => r.Outcome == EvaluationOutcome.Eligible);
        Assert.Contains(batch, r => r.Outcome == EvaluationOutcome.Ineligible);
        Assert.Contains(batch, r => r.Outcome == EvaluationOutcome.Faulted);
    }

    [Fact]
    public void EvaluateMany_OfNothing_ReturnsNothing()
    {
        Assert.Empty(_evaluator.EvaluateMany(TestData.ArableLand, []));
    }
}
