using System.Globalization;
using System.Text.Json.Nodes;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;
using OneCard.Testing;

namespace OneCard.Specs.Steps;

/// <summary>Computed facts, tiers and examples, on the rule set loader and evaluator directly.</summary>
[Binding]
public sealed class RuleLanguageSteps
{
    private JsonObject ruleSet = null!;
    private ClaimEvaluation? evaluation;
    private IReadOnlyList<RuleSetValidationError> errors = [];

    private const string Json = """
        {
          "policyCode": "spec-longevity", "version": 1,
          "name": { "zh-CN": "高龄津贴（测试）", "en": "Longevity allowance (test)" }, "year": 2026, "basis": "spec",
          "facts": [
            { "name": "IdNumber", "type": "string", "labelZh": "身份证号", "maxLength": 18, "personal": true },
            { "name": "RegionCode", "type": "string", "labelZh": "地区代码", "maxLength": 12 },
            { "name": "AsOf", "type": "date", "labelZh": "评估日期" },
            { "name": "ResidentSince", "type": "date", "labelZh": "落户日期" },
            { "name": "Age", "type": "int", "compute": "Fn.IsValidIdNumber(IdNumber, AsOf) ? Fn.Age(IdNumber, AsOf) : -1" },
            { "name": "County", "type": "string", "compute": "Fn.County(RegionCode)", "maxLength": 6 },
            { "name": "Year", "type": "int", "compute": "AsOf.Year" },
            { "name": "Tier", "type": "decimal", "from": "tiers.byAge", "key": "Age", "match": "floor" },
            { "name": "TopUp", "type": "decimal", "from": "topUp.byCountyYear", "key": ["County", "Year"] }
          ],
          "tables": {
            "tiers.byAge": { "-1": 0, "80": 100, "90": 200, "100": 500 },
            "topUp.byCountyYear": { "210114|2026": 10, "210124|2026": 10 }
          },
          "eligibility": [
            { "name": "ValidIdNumber", "expression": "Fn.IsValidIdNumber(IdNumber, AsOf)", "messageZh": "身份证号无效", "messageEn": "invalid ID" },
            { "name": "InLiaoning", "expression": "Fn.InRegion(RegionCode, \"21\")", "messageZh": "不在辽宁", "messageEn": "not in Liaoning" },
            { "name": "AtLeast80", "expression": "Age >= 80", "messageZh": "未满八十岁", "messageEn": "under 80" },
            { "name": "Resident12Months", "expression": "Fn.MonthsBetween(ResidentSince, AsOf) >= 12", "messageZh": "落户不满一年", "messageEn": "resident under a year" }
          ],
          "amount": { "expression": "Tier + TopUp", "rounding": "HalfAwayFromZero", "decimals": 2, "ceiling": 1000 },
          "examples": [
            { "name": "八十岁老人按第一档", "facts": { "IdNumber": "ID80", "RegionCode": "210114001", "AsOf": "2026-06-30", "ResidentSince": "2000-01-01" },
              "expect": { "outcome": "Eligible", "amount": 110.00 } },
            { "name": "九十岁老人按第二档", "facts": { "IdNumber": "ID90", "RegionCode": "210114001", "AsOf": "2026-06-30", "ResidentSince": "2000-01-01" },
              "expect": { "outcome": "Eligible", "amount": 210.00 } }
          ]
        }
        """;

    [Given(@"^高龄津贴测试规则集按年龄分档：.+$")]
    public void GivenTieredRuleSet() =>
        ruleSet = JsonNode.Parse(Json.Replace("ID80", Claims.Id("21011419460101123"), StringComparison.Ordinal)
            .Replace("ID90", Claims.Id("21011419360101123"), StringComparison.Ordinal))!.AsObject();

    [When(@"^评估 (\d{4})-(\d{2})-(\d{2}) 出生、在 (\d{6}) 县的老人于 (\S+) 的申报$")]
    public void WhenEvaluated(string year, string month, string day, string county, string asOf)
    {
        var loaded = RuleSetLoader.Load(ruleSet.ToJsonString(), "spec-longevity.v1.json");
        var facts = new Dictionary<string, object?>
        {
            ["IdNumber"] = Claims.Id(county + year + month + day + "123"),
            ["RegionCode"] = county + "001",
            ["AsOf"] = DateOnly.Parse(asOf, CultureInfo.InvariantCulture),
            ["ResidentSince"] = new DateOnly(2000, 1, 1),
        };
        var evaluator = new RuleEvaluator(new RuleEvaluatorOptions { TimeBudgetPerLine = TimeSpan.FromSeconds(30) });
        evaluation = evaluator.Evaluate(loaded, facts);
        var compiled = Assert.Single(evaluator.EvaluateMany(loaded, [facts]));
        Assert.Equal((evaluation.Outcome, evaluation.Amount, evaluation.FaultCode), (compiled.Outcome, compiled.Amount, compiled.FaultCode));
    }

    [Then(@"^评估结果为""(符合|不符合|出错)""，金额为 ([\d.]+) 元$")]
    public void ThenOutcomeAndAmount(string outcome, decimal amount)
    {
        Assert.Equal(Outcome(outcome), evaluation!.Outcome);
        Assert.Equal(amount, evaluation.Amount ?? 0m);
    }

    [Then(@"^评估结果为""(符合|不符合|出错)""，原因包含""(.+)""$")]
    public void ThenOutcomeAndReason(string outcome, string reason)
    {
        Assert.Equal(Outcome(outcome), evaluation!.Outcome);
        Assert.Contains(reason, evaluation.Fault, StringComparison.Ordinal);
    }

    [Given(@"^该规则集的示例""(.+)""把期望金额写成 ([\d.]+) 元$")]
    public void GivenWrongExpectation(string name, decimal amount)
    {
        var example = ruleSet["examples"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == name)!;
        example["expect"]!["amount"] = amount;
    }

    [When(@"^加载含该规则集的目录$")]
    public void WhenCatalogLoaded()
    {
        var directory = Directory.CreateTempSubdirectory("onecard-spec-rules-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "spec-longevity.v1.json"), ruleSet.ToJsonString());
            errors = Assert.Throws<RuleSetException>(() => RuleSetCatalog.LoadFromDirectory(directory.FullName)).Errors;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Then(@"^加载被拒绝，错误位置为""(.+)""，原因包含""(.+)""$")]
    public void ThenRefusedAt(string path, string reason) =>
        Assert.Contains(errors, e => e.Path == path && e.MessageZh.Contains(reason, StringComparison.Ordinal));

    [Given(@"^该规则集的计算事实 Age 改为读取在它之后声明的 Year$")]
    public void GivenComputedReadsLater() => ruleSet["facts"]![4]!["compute"] = "Year - 1946";

    [When(@"^校验该规则集$")]
    public void WhenValidated() => errors = RuleSetLoader.Validate(ruleSet.ToJsonString(), "spec-longevity.v1.json");

    [Then(@"^校验错误位置为""(.+)""，原因包含""(.+)""$")]
    public void ThenValidationErrorAt(string path, string reason)
    {
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(reason, error.MessageZh, StringComparison.Ordinal);
    }

    private static EvaluationOutcome Outcome(string zh) => zh switch
    {
        "符合" => EvaluationOutcome.Eligible,
        "不符合" => EvaluationOutcome.Ineligible,
        _ => EvaluationOutcome.Faulted,
    };
}
