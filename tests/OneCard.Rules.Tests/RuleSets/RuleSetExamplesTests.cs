using System.Text.Json.Nodes;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RuleSets;

/// <summary>The examples section: parsed with the fact parser at load, run through both evaluation paths, located
/// mismatches, and the catalog refusing a latest version whose examples fail.</summary>
public class RuleSetExamplesTests
{
    private static JsonObject Fixture() => JsonNode.Parse(File.ReadAllText(TestData.Fixture("tiers-and-computed.json")))!.AsObject();

    private static IReadOnlyList<RuleSetValidationError> Validate(JsonObject json) => RuleSetLoader.Validate(json.ToJsonString(), "edited.json");

    [Fact]
    public void Run_PassesEveryExampleOfTheFixture()
    {
        var ruleSet = RuleSetLoader.Load(Fixture().ToJsonString(), "fixture.json");

        var results = RuleSetExamples.Run(ruleSet);

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.True(r.Passed, string.Join("; ", r.Mismatches)));
        Assert.Equal("八十岁老人按第一档", results[0].Name);
        Assert.Equal(110m, results[0].Evaluation.Amount);
        Assert.Empty(RuleSetExamples.Problems(ruleSet));
    }

    [Fact]
    public void Loader_ParsesExampleFacts_WithTheFactParser_InEveryAcceptedForm()
    {
        var ruleSet = RuleSetLoader.Load(Fixture().ToJsonString(), "fixture.json");

        // "2000/1/1", "20000101" and the Excel serial 36526 are all 2000-01-01.
        Assert.All(ruleSet.Examples.Take(3), e => Assert.Equal(new DateOnly(2000, 1, 1), e.Facts["ResidentSince"]));
        Assert.Equal(new DateOnly(2026, 6, 30), ruleSet.Examples[0].Facts["AsOf"]);
    }

    [Fact]
    public void Run_ReportsAWrongAmount_LocatedWithBothValues()
    {
        var json = Fixture();
        json["examples"]![1]!["expect"]!["amount"] = 100.00m;
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "fixture.json");

        var results = RuleSetExamples.Run(ruleSet);

        Assert.False(results[1].Passed);
        Assert.Equal(["examples[1].expect.amount：期望 100.00，实为 210.00"], results[1].Mismatches);
        var problem = Assert.Single(RuleSetExamples.Problems(ruleSet));
        Assert.Equal("examples[1].expect.amount", problem.Path);
        Assert.Contains("示例“九十岁老人按第二档”未通过", problem.MessageZh);
    }

    [Fact]
    public void Run_ReportsAWrongOutcome_AndWrongFailedRules()
    {
        var json = Fixture();
        json["examples"]![0]!["expect"] = new JsonObject { ["outcome"] = "Ineligible" };
        json["examples"]![2]!["expect"]!["failedRules"] = new JsonArray("InLiaoning");
        var ruleSet = RuleSetLoader.Load(json.ToJsonString(), "fixture.json");

        var results = RuleSetExamples.Run(ruleSet);

        Assert.StartsWith("examples[0].expect.outcome：期望 Ineligible，实为 Eligible", Assert.Single(results[0].Mismatches));
        Assert.Equal("examples[2].expect.failedRules：期望 [InLiaoning]，实为 [AtLeast80]", Assert.Single(results[2].Mismatches));
        Assert.True(results[1].Passed);
    }

    [Fact]
    public void Loader_LocatesAnUnknownExampleFact_AndListsTheSuppliableOnes()
    {
        var json = Fixture();
        json["examples"]![2]!["facts"]!["AreaMu"] = 12.5m;

        var error = Assert.Single(Validate(json));

        Assert.Equal("examples[2].facts.AreaMu", error.Path);
        Assert.Contains("可提供的事实：IdNumber、RegionCode、AsOf、ResidentSince", error.MessageZh);
    }

    [Fact]
    public void Loader_RefusesAComputedOrLookedUpFactInAnExample()
    {
        var json = Fixture();
        json["examples"]![0]!["facts"]!["Age"] = 80;
        json["examples"]![1]!["facts"]!["Tier"] = 100;

        var errors = Validate(json);

        Assert.Contains(errors, e => e.Path == "examples[0].facts.Age" && e.MessageZh.Contains("计算得出，示例中不能提供", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "examples[1].facts.Tier" && e.MessageZh.Contains("由表 tiers.byAge 查得", StringComparison.Ordinal));
    }

    [Fact]
    public void Loader_LocatesAnExampleValueThatDoesNotParse()
    {
        var json = Fixture();
        json["examples"]![3]!["facts"]!["AsOf"] = "2026年6月30日";

        var error = Assert.Single(Validate(json));

        Assert.Equal("examples[3].facts.AsOf", error.Path);
        Assert.Contains("不是有效日期", error.MessageZh);
    }

    [Fact]
    public void Loader_LocatesMalformedExpectations()
    {
        var json = Fixture();
        json["examples"]![0]!["expect"]!["outcome"] = "Paid";
        json["examples"]![2]!["expect"]!["failedRules"] = new JsonArray("NoSuchRule");
        json["examples"]![3]!["expect"]!["amount"] = 5;

        var errors = Validate(json);

        Assert.Contains(errors, e => e.Path == "examples[0].expect.outcome" && e.MessageZh.Contains("未知的结果 Paid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "examples[2].expect.failedRules[0]" && e.MessageZh.Contains("NoSuchRule 不是本规则集的资格规则", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "examples[3].expect.amount" && e.MessageZh.Contains("只有结果为 Eligible 的示例才有金额", StringComparison.Ordinal));
    }

    [Fact]
    public void Catalog_RefusesALatestVersionWhoseExamplesFail_ButNotAnOlderOne()
    {
        var directory = Directory.CreateTempSubdirectory("onecard-examples-");
        try
        {
            var failing = Fixture();
            failing["examples"]![1]!["expect"]!["amount"] = 100.00m;
            File.WriteAllText(Path.Combine(directory.FullName, "test-longevity.v1.json"), failing.ToJsonString());

            var refused = Assert.Throws<RuleSetException>(() => RuleSetCatalog.LoadFromDirectory(directory.FullName));
            Assert.Contains(refused.Errors, e => e.Path == "examples[1].expect.amount" && e.MessageZh.Contains("期望 100.00，实为 210.00", StringComparison.Ordinal));

            var passing = Fixture();
            passing["version"] = 2;
            File.WriteAllText(Path.Combine(directory.FullName, "test-longevity.v2.json"), passing.ToJsonString());

            var catalog = RuleSetCatalog.LoadFromDirectory(directory.FullName);
            Assert.Equal(2, catalog.Latest("test-longevity").Version);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
