using OneCard.Rules.Evaluation;
using OneCard.Rules.Expressions;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Evaluation;

/// <summary>The line kernel (one compiled delegate per rule set over typed slots): it is built for the real rule sets,
/// decides ordinary lines, hands every other line to the general path, and EvaluateMany stays equal to Evaluate.</summary>
public class LineKernelTests
{
    private static readonly RuleSet Longevity = RuleSetLoader.LoadFile(TestData.Fixture("tiers-and-computed.json"));

    private static LineKernel.Run? Kernel(RuleSet ruleSet) => LineKernel.TryCompile(
        ruleSet,
        new BindPlan(ruleSet),
        [.. ruleSet.Validated.Eligibility.Select(FastFn.Rewrite)],
        FastFn.Rewrite(ruleSet.Validated.Amount),
        [.. ruleSet.Validated.Computed.Select(body => body is null ? null : FastFn.Rewrite(body))]);

    private static void AssertSameAsEngine(RuleSet ruleSet, IReadOnlyList<IReadOnlyDictionary<string, object?>> lines)
    {
        var batch = new RuleEvaluator().EvaluateMany(ruleSet, lines);
        var single = new RuleEvaluator();
        for (var i = 0; i < lines.Count; i++)
        {
            var expected = single.Evaluate(ruleSet, lines[i]);
            Assert.Equal(expected.Outcome, batch[i].Outcome);
            Assert.Equal(expected.Amount, batch[i].Amount);
            Assert.Equal(expected.Fault, batch[i].Fault);
            Assert.Equal(expected.FaultCode, batch[i].FaultCode);
            Assert.Equal(expected.Rules, batch[i].Rules);
        }
    }

    [Fact]
    public void Kernel_IsBuilt_ForEveryShippedRuleSet_AndTheComputedTiersFixture()
    {
        var files = Directory.GetFiles(TestData.RulesDirectory, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.True(Kernel(RuleSetLoader.LoadFile(file)) is not null, $"no kernel for {Path.GetFileName(file)}");
        }

        Assert.NotNull(Kernel(Longevity));
    }

    [Fact]
    public void Kernel_DecidesOrdinaryLines_EligibleWithTheUnroundedAmount_IneligibleWithABitPerFailedRule()
    {
        var kernel = Kernel(TestData.ArableLand)!;
        var amount = 0m;
        Assert.Equal(0, kernel(TestData.Line(areaMu: 12.5m), ref amount));
        Assert.True(amount > 0);

        // LandNotConverted is the fourth rule of arable-land-protection.
        var rules = TestData.ArableLand.Eligibility.Select(r => r.Name).ToList();
        Assert.Equal(1L << rules.IndexOf("LandNotConverted"), kernel(TestData.Line(landConverted: true), ref amount));
    }

    [Fact]
    public void Kernel_HandsToTheGeneralPath_EveryLineItCannotDecideAlone()
    {
        var kernel = Kernel(TestData.ArableLand)!;
        var odd = new List<Dictionary<string, object?>>
        {
            With(TestData.Line(), "AreaMu", 12),                 // an int widened to decimal
            With(TestData.Line(), "AreaMu", 12L),                // a long widened to decimal
            With(TestData.Line(), "AreaMu", -1m),                // below the minimum
            With(TestData.Line(), "AreaMu", 1001m),              // above the maximum
            With(TestData.Line(), "AreaMu", 12.5),               // a double: mistyped
            With(TestData.Line(), "AreaMu", null),               // null: missing
            With(TestData.Line(), "RegionCode", "2101140010011"), // longer than its maxLength
            With(TestData.Line(), "RatePerMu", 1m),              // a looked-up fact supplied
            TestData.Line(regionCode: "110105001"),              // no rate for the county
            TestData.Line(regionCode: "2101"),                   // shorter than the key length
        };
        var missing = TestData.Line();
        missing.Remove("IdNumber");
        odd.Add(missing);

        foreach (var line in odd)
        {
            var amount = 0m;
            Assert.Equal(LineKernel.Fallback, kernel(line, ref amount));
        }

        AssertSameAsEngine(TestData.ArableLand, odd);
        // The widened numbers are fine lines the general path decides (Eligible); every other one is Faulted there.
        var results = new RuleEvaluator().EvaluateMany(TestData.ArableLand, odd);
        Assert.Equal([EvaluationOutcome.Eligible, EvaluationOutcome.Eligible], results.Take(2).Select(r => r.Outcome));
        Assert.All(results.Skip(2), r => Assert.Equal(EvaluationOutcome.Faulted, r.Outcome));
    }

    [Fact]
    public void EvaluateMany_EqualsEvaluate_OnLinesWithExtraKeys_NullNonSuppliedFacts_AndCaseInsensitiveDictionaries()
    {
        var extra = With(TestData.Line(), "Note", "备注");
        var nullRate = With(With(TestData.Line(), "RatePerMu", null), "Note", 1);
        var caseless = new Dictionary<string, object?>(TestData.Line().ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value), StringComparer.OrdinalIgnoreCase);
        var caselessRate = new Dictionary<string, object?>(caseless, StringComparer.OrdinalIgnoreCase) { ["ratepermu"] = 1m };
        var lines = new List<IReadOnlyDictionary<string, object?>> { extra, nullRate, caseless, caselessRate };

        var kernel = Kernel(TestData.ArableLand)!;
        var amount = 0m;
        Assert.Equal(0, kernel(extra, ref amount));
        Assert.Equal(0, kernel(caseless, ref amount));
        Assert.Equal(LineKernel.Fallback, kernel(caselessRate, ref amount));
        AssertSameAsEngine(TestData.ArableLand, lines);
    }

    [Fact]
    public void EvaluateMany_EqualsEvaluate_WhenComputedFactsOrTiersFaultInsideTheKernel()
    {
        // Age of a number from the future is -1 (the guard), a Beijing county has no top-up, a short region has no county.
        var lines = new List<IReadOnlyDictionary<string, object?>>
        {
            Longevity.Examples[0].Facts,
            new Dictionary<string, object?>(Longevity.Examples[0].Facts) { ["IdNumber"] = TestData.ValidId(birth: "20300101") },
            new Dictionary<string, object?>(Longevity.Examples[0].Facts) { ["RegionCode"] = "110105001" },
            new Dictionary<string, object?>(Longevity.Examples[0].Facts) { ["RegionCode"] = "2101" },
            new Dictionary<string, object?>(Longevity.Examples[0].Facts) { ["County"] = "210114" },
        };
        AssertSameAsEngine(Longevity, lines);
    }

    [Fact]
    public void FastFnCounty_EqualsFnCounty_AndSharesOneStringPerCounty()
    {
        foreach (var region in new[] { "210114001", "210114001002", "210114", "2101", "", "21011４001" })
        {
            Assert.Equal(Fn.County(region), FastFn.County(region));
        }

        Assert.Same(FastFn.County("210114001"), FastFn.County("210114002003"));
        Assert.Throws<NullReferenceException>(() => Fn.County(null!));
        Assert.Throws<NullReferenceException>(() => FastFn.County(null!));
    }

    [Fact]
    public void FastFn_RemembersTheLastAnswer_OnlyForTheSameNumberAndDate()
    {
        // Born 2008-07-01: 17 the day before the birthday, 18 on it, not yet born (invalid) before the birth date.
        var id = TestData.ValidId(birth: "20080701");
        foreach (var asOf in new[] { new DateOnly(2026, 6, 30), new DateOnly(2026, 7, 1), new DateOnly(2008, 6, 30), new DateOnly(2026, 6, 30) })
        {
            Assert.Equal(Fn.IsValidIdNumber(id, asOf), FastFn.IsValidIdNumber(id, asOf));
            if (Fn.IsValidIdNumber(id, asOf))
            {
                Assert.Equal(Fn.Age(id, asOf), FastFn.Age(id, asOf));
            }

            // Another number answered in between must not be taken for this one.
            var other = TestData.ValidId(birth: "19500101");
            Assert.Equal(Fn.Age(other, asOf), FastFn.Age(other, asOf));
        }

        Assert.Equal(17, FastFn.Age(id, new DateOnly(2026, 6, 30)));
        Assert.Equal(18, FastFn.Age(id, new DateOnly(2026, 7, 1)));
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> line, string name, object? value)
    {
        line[name] = value;
        return line;
    }
}

/// <summary>Bind faults on the compiled path: a missing table entry's text is built once per fact and key, and equal
/// faults share one immutable result, with the text Evaluate gives.</summary>
public class SharedBindFaultTests
{
    [Fact]
    public void EvaluateMany_SharesOneFaultedResultPerMissingCounty_WithEvaluatesText()
    {
        var lines = new List<IReadOnlyDictionary<string, object?>>
        {
            TestData.Line(regionCode: "110105001"),
            TestData.Line(regionCode: "110105002"),
            TestData.Line(regionCode: "110106001"),
        };
        var batch = new RuleEvaluator().EvaluateMany(TestData.ArableLand, lines);
        var single = new RuleEvaluator();
        for (var i = 0; i < lines.Count; i++)
        {
            var expected = single.Evaluate(TestData.ArableLand, lines[i]);
            Assert.Equal(FaultCodes.TableEntryMissing, batch[i].FaultCode);
            Assert.Equal(expected.Fault, batch[i].Fault);
            Assert.Equal(expected.Rules, batch[i].Rules);
        }

        Assert.Same(batch[0], batch[1]);
        Assert.NotEqual(batch[0].Fault, batch[2].Fault);
        Assert.Contains("110106", batch[2].Fault, StringComparison.Ordinal);
    }
}
