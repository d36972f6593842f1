using System.Globalization;
using System.Text.Json;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RealPolicies;

/// <summary>Issue 7, item 7: the shipped rule sets of the eight real policies, their published standards with sources,
/// and their example lines, run through both evaluation paths.</summary>
public class RealPolicyRuleSetTests
{
    /// <summary>The eight policy codes fixed by the contract, with their Chinese names.</summary>
    public static readonly IReadOnlyDictionary<string, string> EightPolicies = new Dictionary<string, string>
    {
        ["arable-land-protection"] = "耕地地力保护补贴",
        ["corn-soybean-producer"] = "玉米和大豆生产者补贴",
        ["minimum-living-allowance"] = "城乡居民最低生活保障",
        ["extreme-poverty-support"] = "特困人员救助供养",
        ["disabled-living-allowance"] = "困难残疾人生活补贴",
        ["severe-disability-care"] = "重度残疾人护理补贴",
        ["elderly-longevity-allowance"] = "高龄津贴",
        ["rural-family-planning-reward"] = "农村部分计划生育家庭奖励扶助",
    };

    /// <summary>The seven rule sets written for this issue (arable land's v2 predates examples and is immutable).</summary>
    public static TheoryData<string> NewPolicies => [.. EightPolicies.Keys.Where(c => c != "arable-land-protection")];

    private static readonly Lazy<RuleSetCatalog> Catalog = new(() => RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory));

    // Generous budget: the machine is shared, and a timeout would fault a line for a reason no example is about.
    private readonly RuleEvaluator _evaluator = new(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });

    [Fact]
    public void RulesDirectory_HoldsARuleSetForEachOfTheEightPolicies_WithTheContractsNames()
    {
        var latest = Catalog.Value.All.GroupBy(r => r.PolicyCode).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!);

        Assert.Equal(EightPolicies.Keys.Order(StringComparer.Ordinal), latest.Keys.Order(StringComparer.Ordinal));
        foreach (var (code, nameZh) in EightPolicies)
        {
            Assert.Equal(nameZh, latest[code].Name.Zh);
            Assert.Empty(RuleSetCatalog.BoundsProblems(latest[code]));
        }
    }

    [Theory]
    [MemberData(nameof(NewPolicies))]
    public void Examples_GiveTheExpectedOutcomes_InBothEvaluationPaths(string policyCode)
    {
        var ruleSet = Catalog.Value.Latest(policyCode);
        Assert.NotEmpty(ruleSet.Examples);

        var batch = _evaluator.EvaluateMany(ruleSet, [.. ruleSet.Examples.Select(e => e.Facts)]);
        for (var i = 0; i < ruleSet.Examples.Count; i++)
        {
            var example = ruleSet.Examples[i];
            var single = _evaluator.Evaluate(ruleSet, example.Facts);
            var where = $"{policyCode} examples[{i}] {example.Name}";

            // Identical outcomes from RulesEngine and the compiled path.
            Assert.True(single.Outcome == batch[i].Outcome, $"{where}: {single.Outcome} vs {batch[i].Outcome}");
            Assert.True(single.Amount == batch[i].Amount, $"{where}: {single.Amount} vs {batch[i].Amount}");
            Assert.True(single.FaultCode == batch[i].FaultCode, $"{where}: {single.FaultCode} vs {batch[i].FaultCode}");
            Assert.Equal(FailedRuleNames(single), FailedRuleNames(batch[i]));

            // And the expected ones, to the cent.
            Assert.True(example.Expect.Outcome == single.Outcome, $"{where}: expected {example.Expect.Outcome}, got {single.Outcome} {single.Fault}");
            if (example.Expect.Outcome == EvaluationOutcome.Eligible)
            {
                Assert.True(example.Expect.Amount == single.Amount, $"{where}: expected {example.Expect.Amount}, got {single.Amount}");
            }

            if (example.Expect.FailedRules is { } failed)
            {
                Assert.Equal(failed.Order(StringComparer.Ordinal), FailedRuleNames(single));
            }

            if (example.Expect.FaultCode is { } code)
            {
                Assert.Equal(code, single.FaultCode);
            }
        }

        // The bench the catalog and every save run agrees.
        Assert.All(RuleSetExamples.Run(ruleSet), r => Assert.True(r.Passed, string.Join("; ", r.Mismatches)));
    }

    [Theory]
    [MemberData(nameof(NewPolicies))]
    public void Examples_CoverEveryEligibilityRule_AnEligibleLine_AndALineFaultedForAMissingStandard(string policyCode)
    {
        var ruleSet = Catalog.Value.Latest(policyCode);
        var expected = ruleSet.Examples.Select(e => e.Expect).ToList();

        foreach (var rule in ruleSet.Eligibility)
        {
            Assert.True(expected.Any(e => e.Outcome == EvaluationOutcome.Ineligible && e.FailedRules?.Contains(rule.Name) == true),
                $"{policyCode}: no example fails {rule.Name}");
        }

        Assert.Contains(expected, e => e.Outcome == EvaluationOutcome.Eligible && e.Amount is not null);
        Assert.Contains(expected, e => e.Outcome == EvaluationOutcome.Faulted && e.FaultCode == FaultCodes.TableEntryMissing);
        Assert.All(expected.Where(e => e.Outcome == EvaluationOutcome.Ineligible), e => Assert.NotNull(e.FailedRules));
    }

    [Fact]
    public void ElderlyLongevity_ExamplesPayEveryPublishedTier()
    {
        var ruleSet = Catalog.Value.Latest("elderly-longevity-allowance");
        var tiers = ruleSet.Tables["age.tiers"].Keys.Select(k => int.Parse(k, CultureInfo.InvariantCulture)).Order().ToList();
        var paid = ruleSet.Examples.Where(e => e.Expect.Outcome == EvaluationOutcome.Eligible).Select(e => e.Expect.Amount).ToHashSet();

        Assert.Equal([0, 80, 90, 100], tiers);
        // Every non-zero standard of the table is the amount of some eligible example.
        foreach (var standard in ruleSet.Tables["standards.byCityAndTier"].Values.Cast<decimal>().Where(v => v > 0))
        {
            Assert.Contains(standard, paid);
        }
    }

    [Theory]
    [InlineData("extreme-poverty-support", "MonthlyStandard")]
    [InlineData("disabled-living-allowance", "MonthlyStandard")]
    [InlineData("severe-disability-care", "MonthlyStandard")]
    [InlineData("elderly-longevity-allowance", "MonthlyStandard")]
    [InlineData("rural-family-planning-reward", "AnnualStandard")]
    public void Ceiling_IsTheHighestPublishedStandard_WhenTheAmountIsTheStandard(string policyCode, string standardFact)
    {
        var ruleSet = Catalog.Value.Latest(policyCode);
        var table = ruleSet.Tables[ruleSet.Facts.Single(f => f.Name == standardFact).Table!];

        Assert.Equal(standardFact, ruleSet.Amount.Expression);
        Assert.Equal(table.Values.Cast<decimal>().Max(), ruleSet.Amount.Ceiling);
    }

    [Fact]
    public void MinimumLiving_CeilingCoversTheHighestStandardForTheLargestHousehold()
    {
        var ruleSet = Catalog.Value.Latest("minimum-living-allowance");
        var highest = ruleSet.Tables["standards.byCountyAreaYear"].Values.Cast<decimal>().Max();
        var household = ruleSet.Facts.Single(f => f.Name == "HouseholdSize");

        // Income is at least 0, so (standard − income) × members is at most highest × the largest household.
        Assert.Equal(0m, ruleSet.Facts.Single(f => f.Name == "PerCapitaMonthlyIncome").Minimum);
        Assert.Equal(highest * household.Maximum, ruleSet.Amount.Ceiling);
    }

    [Theory]
    [MemberData(nameof(AllPolicies))]
    public void EveryTableValue_HasItsSourceInTheNotesOrBasis(string policyCode)
    {
        var ruleSet = Catalog.Value.Latest(policyCode);
        using var document = JsonDocument.Parse(ruleSet.Json);
        var notes = document.RootElement.TryGetProperty("notes", out var n) ? n.GetString() ?? "" : "";
        var sourced = notes + ruleSet.Basis;

        Assert.Contains("http", sourced, StringComparison.Ordinal);
        foreach (var (tableName, table) in ruleSet.Tables)
        {
            foreach (var (key, value) in table)
            {
                // A 0 marks "below the lowest tier, nothing paid" (the rule says so), not a published standard.
                if (value is decimal d && d == 0m || value is int i && i == 0)
                {
                    continue;
                }

                var text = value is DateOnly date
                    ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : Convert.ToString(value, CultureInfo.InvariantCulture)!;
                Assert.True(sourced.Contains(text, StringComparison.Ordinal),
                    $"{policyCode} tables['{tableName}']['{key}'] = {text} is not named with its source in notes or basis");
            }
        }
    }

    [Theory]
    [MemberData(nameof(NewPolicies))]
    public void SuppliedFacts_HaveChineseLabels_Bounds_AndPersonalIdentifiers(string policyCode)
    {
        var ruleSet = Catalog.Value.Latest(policyCode);
        using var document = JsonDocument.Parse(ruleSet.Json);
        var declared = document.RootElement.GetProperty("facts").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);

        foreach (var fact in ruleSet.Facts.Where(f => f.IsSupplied))
        {
            Assert.False(string.IsNullOrWhiteSpace(fact.LabelZh), $"{policyCode}.{fact.Name} has no labelZh");
            if (fact.Type == FactType.String)
            {
                Assert.True(declared[fact.Name].TryGetProperty("maxLength", out _), $"{policyCode}.{fact.Name} declares no maxLength");
            }
        }

        Assert.True(ruleSet.Facts.Single(f => f.Name == "IdNumber").Personal);
        Assert.Equal(18, ruleSet.Facts.Single(f => f.Name == "IdNumber").MaxLength);
        Assert.Equal(12, ruleSet.Facts.Single(f => f.Name == "RegionCode").MaxLength);
        Assert.Equal(FactType.Date, ruleSet.Facts.Single(f => f.Name == "AsOf").Type);
        Assert.NotNull(ruleSet.Amount.Ceiling);
    }

    [Fact]
    public void RulesReadme_ListsEachPolicyOnce_WithCodeAndName()
    {
        var readme = File.ReadAllText(RepositoryFile("rules", "README.md"));

        foreach (var (code, nameZh) in EightPolicies)
        {
            var row = Assert.Single(readme.Split('\n'), l => l.StartsWith('|') && l.Contains($"`{code}`", StringComparison.Ordinal));
            Assert.Contains(nameZh, row, StringComparison.Ordinal);
        }
    }

    /// <summary>All eight policies.</summary>
    public static TheoryData<string> AllPolicies => [.. EightPolicies.Keys];

    // The README is not copied to the test output; read it where it is kept, above the build output.
    private static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "OneCard.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{Path.Combine(parts)} not found above {AppContext.BaseDirectory}");
    }

    private static List<string> FailedRuleNames(ClaimEvaluation evaluation) =>
        [.. evaluation.FailedRules.Select(r => r.RuleName).Order(StringComparer.Ordinal)];
}
