using System.Text.Json;
using System.Text.Json.Nodes;
using OneCard.Host.Components.Shared;
using OneCard.Host.RuleSets;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.IntegrationTests.Tasks;

/// <summary>
/// Issue 10 item 4: a passed rule reads as its label ("符合：身份证号有效") where the rule set gives one, and the policy editor
/// keeps, edits and writes the label pair.
/// </summary>
[UseCulture("zh-CN")]
public sealed class RuleResultLabelTests
{
    private static readonly EligibilityRule Labelled = new("ValidIdNumber", "Fn.IsValidIdNumber(IdNumber, AsOf)", "身份证号无效", "The ID number is invalid")
    {
        LabelZh = "身份证号有效", LabelEn = "The ID number is valid",
    };

    [Fact]
    public void PassedRule_ReadsAsItsLabel_FailedRule_StillAsItsFailure()
    {
        Assert.Equal("符合：身份证号有效", RuleResults.Describe("ValidIdNumber", passed: true, "身份证号无效", fault: null, Labelled).Text);
        Assert.Equal("不符合：身份证号无效", RuleResults.Describe("ValidIdNumber", passed: false, "身份证号无效", fault: null, Labelled).Text);
    }

    [Fact]
    public void StoredResult_ReadAgainstALabelledRuleSet_UsesTheLabel()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v2.json")))!.AsObject();
        root["eligibility"]![0]!["labelZh"] = "身份证号有效";
        root["eligibility"]![0]!["labelEn"] = "The ID number is valid";
        var ruleSet = RuleSetLoader.Load(root.ToJsonString(), "labelled.json");
        using var stored = JsonDocument.Parse("""[{"RuleName":"ValidIdNumber","Passed":true,"MessageZh":"身份证号无效","Fault":null},{"RuleName":"AreaPositive","Passed":true,"MessageZh":"核定补贴面积必须大于零","Fault":null}]""");

        var rows = RuleResults.DescribeAll(stored.RootElement, ruleSet);

        Assert.Equal(["符合：身份证号有效", "符合：无“核定补贴面积必须大于零”情形"], rows.Select(r => r.Text));
    }

    [Fact]
    public void Editor_KeepsTheLabelPair_AndWritesAnEditedOne()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", "arable-land-protection.v2.json")))!.AsObject();
        root["eligibility"]![0]!["labelZh"] = "身份证号有效";
        root["eligibility"]![0]!["labelEn"] = "The ID number is valid";
        var json = root.ToJsonString();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(RuleSetForm.Read(json).ToJson())));

        var form = RuleSetForm.Read(json);
        (form.Rules[1].LabelZh, form.Rules[1].LabelEn) = ("耕地在辽宁省内", "The land is in Liaoning");
        var edited = RuleSetLoader.Load(form.ToJson(), "edited.json");
        Assert.Equal(("耕地在辽宁省内", "The land is in Liaoning"), (edited.Eligibility[1].LabelZh, edited.Eligibility[1].LabelEn));
        Assert.Equal("身份证号有效", edited.Eligibility[0].LabelZh);
    }
}
