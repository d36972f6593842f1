using System.Text.Json.Nodes;
using OneCard.Domain.Registry;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Registry;

/// <summary>Issue 9, item 3: a rule set's <c>crossChecks</c> section — read into <see cref="RuleSet.CrossChecks"/>, refused with a located
/// error when a name is unknown, repeated, or ExclusivePolicy lacks its policies; the shipped files keep loading.</summary>
public class CrossCheckConfigTests
{
    private static string Shipped(string file) => File.ReadAllText(Path.Combine(TestData.RulesDirectory, file));

    private static string WithCrossChecks(string crossChecksJson)
    {
        var root = JsonNode.Parse(Shipped("minimum-living-allowance.v1.json"))!.AsObject();
        root["crossChecks"] = JsonNode.Parse(crossChecksJson);
        return root.ToJsonString();
    }

    [Fact]
    public void Load_ReadsTheConfiguredChecks_InFileOrder_WithTheExcludedPolicies()
    {
        var ruleSet = RuleSetLoader.Load(WithCrossChecks("""
            [ { "check": "Deceased" }, { "check": "NotResident" }, { "check": "ClaimedElsewhere" }, { "check": "StateFunded" },
              { "check": "ExclusivePolicy", "policies": ["extreme-poverty-support"] }, { "check": "AccountHolderMismatch" } ]
            """), "test");

        Assert.Equal([CrossCheckKind.Deceased, CrossCheckKind.NotResident, CrossCheckKind.ClaimedElsewhere, CrossCheckKind.StateFunded,
            CrossCheckKind.ExclusivePolicy, CrossCheckKind.AccountHolderMismatch], ruleSet.CrossChecks.Select(c => c.Check));
        Assert.Equal(["extreme-poverty-support"], ruleSet.CrossChecks[4].Policies);
        Assert.Empty(ruleSet.CrossChecks[0].Policies);
    }

    [Fact]
    public void Load_ConfiguresNoChecks_WhenTheSectionIsAbsent()
    {
        Assert.Empty(RuleSetLoader.Load(Shipped("minimum-living-allowance.v1.json"), "v1").CrossChecks);
    }

    [Theory]
    [InlineData("""[ { "check": "Deceased" }, { "check": "Dead" } ]""", "crossChecks[1].check", "未知的比对项 Dead（可用：Deceased、NotResident、ClaimedElsewhere、StateFunded、ExclusivePolicy、AccountHolderMismatch）")]
    [InlineData("""[ { "check": "Deceased" }, { "check": "NotResident" }, { "check": "Deceased" } ]""", "crossChecks[2].check", "比对项 Deceased 重复")]
    [InlineData("""[ { "check": "ExclusivePolicy" } ]""", "crossChecks[0].policies", "ExclusivePolicy 须列出互斥的政策代码（policies，非空数组）")]
    [InlineData("""[ { "check": "ExclusivePolicy", "policies": [] } ]""", "crossChecks[0].policies", "ExclusivePolicy 须列出互斥的政策代码（policies，非空数组）")]
    [InlineData("""[ { "check": "StateFunded", "policies": ["x-y"] } ]""", "crossChecks[0].policies", "只有 ExclusivePolicy 可以列出 policies，StateFunded 不能")]
    [InlineData("""[ { "check": "1" } ]""", "crossChecks[0].check", "未知的比对项 1（可用：Deceased、NotResident、ClaimedElsewhere、StateFunded、ExclusivePolicy、AccountHolderMismatch）")]
    [InlineData("""[ { "check": "Deceased", "run": true } ]""", "crossChecks[0].run", "未知字段 run")]
    [InlineData("""{ "check": "Deceased" }""", "crossChecks", "crossChecks 必须是数组")]
    public void Validate_LocatesABadCrossCheck(string crossChecks, string path, string messageZh)
    {
        var errors = RuleSetLoader.Validate(WithCrossChecks(crossChecks), "test");

        Assert.Contains(errors, e => e.Path == path && e.MessageZh == messageZh);
    }

    [Fact]
    public void Validate_RefusesAMalformedEffectiveFrom()
    {
        var root = JsonNode.Parse(Shipped("minimum-living-allowance.v1.json"))!.AsObject();
        root["effectiveFrom"] = "2026/01/01";

        Assert.Contains(RuleSetLoader.Validate(root.ToJsonString(), "test"), e => e.Path == "effectiveFrom");
    }

    [Fact]
    public void ShippedMinimumLivingV2AndV3_ConfigureTheirChecks_V3IsTheLatestVersion_WhileV1StillLoadsUnchanged()
    {
        var catalog = RuleSetCatalog.LoadFromDirectory(TestData.RulesDirectory);
        var latest = catalog.Latest("minimum-living-allowance");

        // households (issue 9): v3 (from 2027-01-01) keeps v2's checks and reads one of them as a fact.
        Assert.Equal(3, latest.Version);
        Assert.Equal(catalog.Get("minimum-living-allowance", 2).CrossChecks.Select(c => c.Check), latest.CrossChecks.Select(c => c.Check));
        Assert.Equal([CrossCheckKind.Deceased, CrossCheckKind.NotResident, CrossCheckKind.ClaimedElsewhere, CrossCheckKind.StateFunded,
            CrossCheckKind.ExclusivePolicy], latest.CrossChecks.Select(c => c.Check));
        Assert.Equal(["extreme-poverty-support"], latest.CrossChecks.Single(c => c.Check == CrossCheckKind.ExclusivePolicy).Policies);
        Assert.Empty(catalog.Get("minimum-living-allowance", 1).CrossChecks);
        Assert.Empty(RuleSetExamples.Problems(latest));
    }
}
