using System.Globalization;
using System.Text.Json;
using OneCard.Domain.Registry;

namespace OneCard.Rules.RuleSets;

/// <summary>One cross-check (大数据比对) a rule set configures: its name, and for an exclusive policy the policies it excludes.</summary>
/// <param name="Check">The named check.</param>
/// <param name="Policies">For <see cref="CrossCheckKind.ExclusivePolicy"/>: the policy codes a line's person must not also receive in the
/// same period; empty for the other checks.</param>
public sealed record CrossCheckConfig(CrossCheckKind Check, IReadOnlyList<string> Policies);

public static partial class RuleSetLoader
{
    private static readonly string[] CrossCheckKeys = ["check", "policies", "note"];

    // crossChecks: [ { "check": "Deceased" }, { "check": "ExclusivePolicy", "policies": ["extreme-poverty-support"] } ].
    // Optional: a rule set without it configures no checks. Names are CrossCheckKind's, spelt exactly.
    private static List<CrossCheckConfig> ReadCrossChecks(JsonElement root, Errors errors)
    {
        var checks = new List<CrossCheckConfig>();
        if (!root.TryGetProperty("crossChecks", out var array)) return checks;
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add("crossChecks", "crossChecks 必须是数组", "crossChecks must be an array");
            return checks;
        }

        var known = string.Join("、", Enum.GetNames<CrossCheckKind>());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"crossChecks[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, "比对项必须是对象", "a cross-check must be an object");
                continue;
            }

            CheckKeys(item, path, CrossCheckKeys, errors);
            var name = RequiredString(item, path, "check", errors);
            if (name is null) continue;
            if (!Enum.GetNames<CrossCheckKind>().Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"{path}.check", $"未知的比对项 {name}（可用：{known}）", $"unknown cross-check {name} (known: {string.Join(", ", Enum.GetNames<CrossCheckKind>())})");
                continue;
            }

            var kind = Enum.Parse<CrossCheckKind>(name);
            if (checks.Any(c => c.Check == kind))
            {
                errors.Add($"{path}.check", $"比对项 {name} 重复", $"cross-check {name} is listed twice");
                continue;
            }

            var policies = ReadPolicies(item, path, kind, errors);
            if (policies is not null) checks.Add(new CrossCheckConfig(kind, policies));
        }

        return checks;
    }

    private static List<string>? ReadPolicies(JsonElement item, string path, CrossCheckKind kind, Errors errors)
    {
        var has = item.TryGetProperty("policies", out var value);
        if (kind != CrossCheckKind.ExclusivePolicy)
        {
            if (has) errors.Add($"{path}.policies", $"只有 ExclusivePolicy 可以列出 policies，{kind} 不能", $"only ExclusivePolicy lists policies, not {kind}");
            return has ? null : [];
        }

        if (!has || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            errors.Add($"{path}.policies", "ExclusivePolicy 须列出互斥的政策代码（policies，非空数组）", "ExclusivePolicy needs the excluded policy codes (policies, a non-empty array)");
            return null;
        }

        var policies = new List<string>();
        var j = 0;
        foreach (var p in value.EnumerateArray())
        {
            var itemPath = $"{path}.policies[{j++}]";
            var code = p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (code is null || !PolicyCodePattern().IsMatch(code))
                errors.Add(itemPath, "政策代码只能由小写字母、数字和连字符组成，以字母开头", "a policy code must be lowercase letters, digits and hyphens, starting with a letter");
            else if (policies.Contains(code, StringComparer.Ordinal))
                errors.Add(itemPath, $"政策代码 {code} 重复", $"policy code {code} is listed twice");
            else
                policies.Add(code);
        }

        return policies.Count == j ? policies : null;
    }

    // effectiveFrom (yyyy-MM-dd): the day a shipped version comes into force (the host's seed reads it); optional.
    private static void CheckEffectiveFrom(JsonElement root, Errors errors)
    {
        if (!root.TryGetProperty("effectiveFrom", out var value)) return;
        if (value.ValueKind != JsonValueKind.String
            || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors.Add("effectiveFrom", "effectiveFrom 必须是 yyyy-MM-dd 格式的日期", "effectiveFrom must be a date as yyyy-MM-dd");
    }
}
