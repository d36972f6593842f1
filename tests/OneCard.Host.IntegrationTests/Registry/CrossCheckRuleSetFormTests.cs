using System.Text.Json.Nodes;
using OneCard.Domain.Registry;
using OneCard.Host.RuleSets;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.IntegrationTests.Registry;

/// <summary>Issue 9, item 3: the rule set editor keeps a rule set's <c>crossChecks</c> (and <c>effectiveFrom</c>) when a field is edited.</summary>
public sealed class CrossCheckRuleSetFormTests
{
    private static string Shipped(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rules", file));

    [Fact]
    public void RuleSetForm_KeepsTheCrossChecks_WhenAnotherFieldIsEdited()
    {
        var form = RuleSetForm.Read(Shipped("minimum-living-allowance.v2.json"));
        form.Version = "3";
        form.Basis += "（修订）";

        var json = form.ToJson();
        var written = JsonNode.Parse(json)!;
        var loaded = RuleSetLoader.Load(json, "edited");

        Assert.Equal(JsonNode.Parse(Shipped("minimum-living-allowance.v2.json"))!["crossChecks"]!.ToJsonString(), written["crossChecks"]!.ToJsonString());
        Assert.Equal("2026-01-01", written["effectiveFrom"]!.GetValue<string>());
        Assert.Equal(3, loaded.Version);
        Assert.Equal([CrossCheckKind.Deceased, CrossCheckKind.NotResident, CrossCheckKind.ClaimedElsewhere, CrossCheckKind.StateFunded, CrossCheckKind.ExclusivePolicy],
            loaded.CrossChecks.Select(c => c.Check));
    }
}
