using System.Text.Json;
using AntDesign;
using OneCard.Host.Resources;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// A line's rule results as a reader says them: "符合：…" / "不符合：…" / "规则故障：…" (in English "Met: …" / "Not met: …" /
/// "Rule fault: …"), in the words of the rule set the line was evaluated under (its labelEn/messageEn in English), never the
/// rule's internal name. A passed rule reads as its label, the condition met ("符合：身份证号有效");
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
        return Describe(name, passed, Text(result, "MessageZh"), Text(result, "Fault"), rule, Text(result, "MessageEn"));
    }

    public static Row Describe(string ruleName, bool passed, string? messageZh, string? fault, EligibilityRule? rule, string? messageEn = null)
    {
        // The rule's own words in the current language (labelEn, messageEn in English); its Chinese where the rule set gives no English.
        var failure = Ui.English ? Trim(messageEn ?? NonEmpty(rule?.MessageEn)) ?? Trim(messageZh ?? rule?.MessageZh) : Trim(messageZh ?? rule?.MessageZh);
        var label = Ui.English ? NonEmpty(rule?.LabelEn) ?? rule?.LabelZh : rule?.LabelZh;
        if (fault is not null)
            return new(ruleName, Ui.F("RuleResult.Fault", fault), TagColor.Magenta, false, true);
        if (passed)
            return new(ruleName, label is not null ? Ui.F("RuleResult.Passed", label)
                : failure is null ? Ui.T("RuleResult.PassedTag") : Ui.F("RuleResult.PassedAbsent", failure), TagColor.Green, true, false);
        return new(ruleName, failure is null ? Ui.T("RuleResult.FailedTag") : Ui.F("RuleResult.Failed", failure), TagColor.Red, false, false);
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

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
