using System.Text.Json.Nodes;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Registry;

/// <summary>Issue 9 (households): a fact may declare a registry <c>source</c>; the loader reads it, keeps the fact out of the roster's
/// columns (<see cref="FactDefinition.IsFromRoster"/>), and refuses an unknown source, a wrong type, a source mixed with from/compute,
/// and a crossCheck fact whose check the rule set does not run — each located at the fact.</summary>
public class FactSourceTests
{
    private static string Shipped(string file) => File.ReadAllText(Path.Combine(TestData.RulesDirectory, file));

    private static string WithFact(string factJson)
    {
        var root = JsonNode.Parse(Shipped("minimum-living-allowance.v2.json"))!.AsObject();
        root["facts"]!.AsArray().Add(JsonNode.Parse(factJson));
        return root.ToJsonString();
    }

    [Fact]
    public void Load_ReadsTheShippedV3Sources_AndKeepsThemOutOfTheRoster()
    {
        var v3 = RuleSetLoader.Load(Shipped("minimum-living-allowance.v3.json"), "v3");

        Assert.Equal([("HouseholdSize", "household.memberCount"), ("IsHead", "household.isHead"), ("Deceased", "crossCheck.Deceased")],
            v3.Facts.Where(f => f.Source is not null).Select(f => (f.Name, f.Source!)));
        Assert.All(v3.Facts.Where(f => f.Source is not null), f => Assert.False(f.IsFromRoster));
        Assert.All(v3.Facts.Where(f => f.Source is not null), f => Assert.True(f.IsSupplied));
        Assert.Empty(RuleSetCatalog.BoundsProblems(v3));
        Assert.Equal("家庭户底册 户人口数", FactSources.Zh("household.memberCount"));
    }

    [Theory]
    [InlineData("""{"name": "Size", "type": "int", "source": "household.size"}""", "facts[12].source", "未知的事实来源 household.size（可用：household.memberCount、household.isHead、household.membersUnder16、household.membersAged60Plus、crossCheck.Deceased、crossCheck.NotResident、crossCheck.ClaimedElsewhere、crossCheck.StateFunded、crossCheck.ExclusivePolicy、crossCheck.AccountHolderMismatch）")]
    [InlineData("""{"name": "Size", "type": "decimal", "source": "household.memberCount"}""", "facts[12].type", "来源 household.memberCount 给出 int 类型的值，事实须声明为 int")]
    [InlineData("""{"name": "Size", "type": "int", "source": "household.memberCount", "compute": "1"}""", "facts[12].source", "来自底册的事实（source）不能同时查表（from）或计算（compute）")]
    [InlineData("""{"name": "Mismatch", "type": "bool", "source": "crossCheck.AccountHolderMismatch"}""", "facts[12].source", "事实 Mismatch 读取比对项 AccountHolderMismatch 的结果，但 crossChecks 未配置 AccountHolderMismatch")]
    public void Validate_LocatesABadSource(string fact, string path, string messageZh)
    {
        var errors = RuleSetLoader.Validate(WithFact(fact), "test");

        Assert.Contains(errors, e => e.Path == path && e.MessageZh == messageZh);
    }
}
