using System.Text.Json;
using AntDesign;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// A line's rule results as a reader says them: "符合：…" / "不符合：…" / "规则故障：…", in the words of the rule set the line
/// was evaluated under, never the rule's internal name. A passed rule reads as its label, the condition met ("符合：身份证号有效");
/// a rule set that gives no label (labelZh is optional, and published versions are never edited) shows it as the absence of
/// its failure ("符合：无“身份证号无效”情形").
/// </summary>
public static class RuleResults
{
    public sealed record Row(string RuleName, string Text, TagColor Color, bool Passed, bool Faulted);

    /// <summary>One stored result (RuleResultsJson: RuleName, Passed, MessageZh, Fault) read against the rule set's rules.</summary>
    public static Row Describe(JsonElement result, RuleSet? ruleSet)
    {
        var name = Text(result, "RuleName") ?? "";
        var passed = result.TryGetProperty("Passed", out var p) && p.ValueKind == JsonValueKind.True;
        var rule = ruleSet?.Eligibility.FirstOrDefault(r => r.Name == name);
        return Describe(name, passed, Text(result, "MessageZh"), Text(result, "Fault"), rule);
    }

    public static Row Describe(string ruleName, bool passed, string? messageZh, string? fault, EligibilityRule? rule)
    {
        var failure = Trim(messageZh ?? rule?.MessageZh);
        if (fault is not null)
            return new(ruleName, $"规则故障：{fault}", TagColor.Magenta, false, true);
        if (passed)
            return new(ruleName, rule?.LabelZh is { } label ? $"符合：{label}" : failure is null ? "符合" : $"符合：无“{failure}”情形",
                TagColor.Green, true, false);
        return new(ruleName, failure is null ? "不符合" : $"不符合：{failure}", TagColor.Red, false, false);
    }

    /// <summary>All results of a line, in the stored order.</summary>
    public static IReadOnlyList<Row> DescribeAll(JsonElement results, RuleSet? ruleSet) =>
        results.ValueKind == JsonValueKind.Array ? [.. results.EnumerateArray().Select(r => Describe(r, ruleSet))] : [];

    /// <summary>A failure message without the trailing "，不予补贴" verdict the tag already says.</summary>
    private static string? Trim(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return null;
        var text = message.Trim();
        foreach (var verdict in new[] { "，不予补贴", "，不予发放", "，不予享受" })
            if (text.EndsWith(verdict, StringComparison.Ordinal)) return text[..^verdict.Length];
        return text;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
