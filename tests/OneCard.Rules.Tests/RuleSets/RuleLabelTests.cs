using System.Text.Json.Nodes;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.RuleSets;

/// <summary>
/// A rule's optional label (labelZh/labelEn): what the rule checks, said as the condition met, so a passed result reads
/// "符合：身份证号有效". Given together or not at all; the loader locates a half-given or empty label.
/// </summary>
public class RuleLabelTests
{
    private static string Shipped => File.ReadAllText(Path.Combine(TestData.RulesDirectory, "arable-land-protection.v2.json"));

    private static string WithFirstRule(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Shipped)!.AsObject();
        change(root["eligibility"]![0]!.AsObject());
        return root.ToJsonString();
    }

    [Fact]
    public void Load_ReadsTheLabelPair_AndARuleWithoutOneHasNone()
    {
        var json = WithFirstRule(r => { r["labelZh"] = "身份证号有效"; r["labelEn"] = "The ID number is valid"; });

        var ruleSet = RuleSetLoader.Load(json, "labelled.json");

        Assert.Equal(("身份证号有效", "The ID number is valid"), (ruleSet.Eligibility[0].LabelZh, ruleSet.Eligibility[0].LabelEn));
        Assert.Null(ruleSet.Eligibility[1].LabelZh);
        Assert.Null(RuleSetLoader.Load(Shipped, "shipped.json").Eligibility[0].LabelZh);
    }

    [Fact]
    public void Validate_LocatesALabelGivenWithoutItsEnglish()
    {
        var errors = RuleSetLoader.Validate(WithFirstRule(r => r["labelZh"] = "身份证号有效"), "half.json");

        var error = Assert.Single(errors);
        Assert.Equal("eligibility[0].labelEn", error.Path);
        Assert.Contains("同时给出", error.MessageZh);
    }

    [Fact]
    public void Validate_LocatesAnEmptyLabel_Once()
    {
        var errors = RuleSetLoader.Validate(WithFirstRule(r => { r["labelZh"] = " "; r["labelEn"] = "The ID number is valid"; }), "empty.json");

        var error = Assert.Single(errors);
        Assert.Equal("eligibility[0].labelZh", error.Path);
        Assert.Contains("非空字符串", error.MessageZh);
    }
}
