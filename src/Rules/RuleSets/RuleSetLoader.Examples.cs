using System.Globalization;
using System.Text.Json;
using OneCard.Rules.Evaluation;
using OneCard.Rules.Facts;

namespace OneCard.Rules.RuleSets;

// The examples section: example lines with their expected outcomes, facts parsed with the one fact parser.
public static partial class RuleSetLoader
{
    private static readonly string[] ExampleKeys = ["name", "facts", "expect", "note"];
    private static readonly string[] ExpectKeys = ["outcome", "amount", "failedRules", "faultCode"];

    /// <summary>The most examples one rule set may carry (each runs on every save and start-up).</summary>
    public const int MaxExamples = 500;

    private static List<RuleSetExample> ReadExamples(JsonElement root, List<FactDefinition> facts, List<EligibilityRule>? rules, Errors errors)
    {
        var examples = new List<RuleSetExample>();
        if (!root.TryGetProperty("examples", out var array))
        {
            return examples;
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() > MaxExamples)
        {
            errors.Add("examples", $"examples 必须是数组，最多 {MaxExamples} 条", $"examples must be an array of at most {MaxExamples} items");
            return examples;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"examples[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "示例必须是对象", "an example must be an object");
                continue;
            }

            CheckKeys(item, path, ExampleKeys, errors);
            var name = RequiredString(item, path, "name", errors);
            if (name is not null && !names.Add(name))
            {
                errors.Add($"{path}.name", $"示例名“{name}”重复", $"example name \"{name}\" is used twice");
            }

            var values = ReadExampleFacts(item, path, facts, errors);
            var expect = ReadExpectation(item, path, rules, errors);
            if (name is not null && values is not null && expect is not null)
            {
                examples.Add(new RuleSetExample(name, values, expect));
            }
        }

        return examples;
    }

    private static Dictionary<string, object?>? ReadExampleFacts(JsonElement item, string path, List<FactDefinition> facts, Errors errors)
    {
        if (!item.TryGetProperty("facts", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.facts", "缺少 facts，或它不是“事实名: 值”对象", "facts is missing or not an object of fact name: value");
            return null;
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            var factPath = $"{path}.facts.{property.Name}";
            var fact = facts.FirstOrDefault(f => f.Name == property.Name);
            if (fact is null)
            {
                var supplied = string.Join("、", facts.Where(f => f.IsSupplied).Select(f => f.Name));
                errors.Add(factPath, $"{property.Name} 不是已声明的事实（可提供的事实：{supplied}）",
                    $"{property.Name} is not a declared fact (suppliable facts: {string.Join(", ", facts.Where(f => f.IsSupplied).Select(f => f.Name))})");
                ok = false;
                continue;
            }

            if (!fact.IsSupplied)
            {
                errors.Add(factPath, $"{fact.Name} 由{(fact.IsLookup ? $"表 {fact.Table} 查得" : "计算得出")}，示例中不能提供",
                    $"{fact.Name} is {(fact.IsLookup ? $"looked up in table {fact.Table}" : "computed")} and cannot be given in an example");
                ok = false;
                continue;
            }

            var raw = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            var parsed = FactValues.Parse(fact, raw);
            if (!parsed.IsValid)
            {
                errors.Add(factPath, parsed.MessageZh!, parsed.MessageEn!);
                ok = false;
                continue;
            }

            values[fact.Name] = parsed.Value;
        }

        return ok ? values : null;
    }

    private static ExampleExpectation? ReadExpectation(JsonElement item, string path, List<EligibilityRule>? rules, Errors errors)
    {
        var expectPath = $"{path}.expect";
        if (!item.TryGetProperty("expect", out var expect) || expect.ValueKind != JsonValueKind.Object)
        {
            errors.Add(expectPath, "缺少 expect 对象", "the expect object is missing");
            return null;
        }

        CheckKeys(expect, expectPath, ExpectKeys, errors);
        var outcomeText = RequiredString(expect, expectPath, "outcome", errors);
        EvaluationOutcome? outcome = outcomeText switch
        {
            "Eligible" => EvaluationOutcome.Eligible,
            "Ineligible" => EvaluationOutcome.Ineligible,
            "Faulted" => EvaluationOutcome.Faulted,
            _ => null,
        };
        if (outcomeText is not null && outcome is null)
        {
            errors.Add($"{expectPath}.outcome", $"未知的结果 {outcomeText}（可用：Eligible 符合、Ineligible 不符合、Faulted 出错）",
                $"unknown outcome {outcomeText} (use Eligible, Ineligible or Faulted)");
        }

        decimal? amount = null;
        if (expect.TryGetProperty("amount", out var a))
        {
            if (a.ValueKind == JsonValueKind.Number && a.TryGetDecimal(out var value) && value >= 0 && decimal.Round(value, 2) == value)
            {
                amount = value;
            }
            else
            {
                errors.Add($"{expectPath}.amount", "amount 必须是不小于 0 的金额（元，最多 2 位小数）", "amount must be a non-negative amount in yuan with at most 2 decimals");
            }

            if (outcome is not null and not EvaluationOutcome.Eligible)
            {
                errors.Add($"{expectPath}.amount", "只有结果为 Eligible 的示例才有金额", "only an Eligible example has an amount");
            }
        }

        List<string>? failed = null;
        if (expect.TryGetProperty("failedRules", out var f))
        {
            if (f.ValueKind != JsonValueKind.Array || f.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                errors.Add($"{expectPath}.failedRules", "failedRules 必须是规则名数组", "failedRules must be an array of rule names");
            }
            else
            {
                failed = [.. f.EnumerateArray().Select(r => r.GetString()!)];
                var known = rules?.Select(r => r.Name).ToList() ?? [];
                for (var j = 0; j < failed.Count; j++)
                {
                    if (rules is not null && !known.Contains(failed[j], StringComparer.Ordinal))
                    {
                        errors.Add($"{expectPath}.failedRules[{j}]", $"{failed[j]} 不是本规则集的资格规则（已有：{string.Join("、", known)}）",
                            $"{failed[j]} is not an eligibility rule of this rule set (rules: {string.Join(", ", known)})");
                    }
                }
            }
        }

        var faultCode = OptionalString(expect, expectPath, "faultCode", errors);
        if (faultCode is not null && outcome is not null and not EvaluationOutcome.Faulted)
        {
            errors.Add($"{expectPath}.faultCode", "只有结果为 Faulted 的示例才有 faultCode", "only a Faulted example has a faultCode");
        }

        return outcome is null ? null : new ExampleExpectation(outcome.Value, amount, failed, faultCode);
    }

    /// <summary>The amount as written in a mismatch message: two decimals, invariant.</summary>
    internal static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
