using System.Text.Json;

namespace OneCard.Rules.RuleSets;

public static partial class RuleSetLoader
{
    // "source": "household.memberCount" — a fact the host reads from the registry (FactSources), not from the roster. It is
    // neither looked up nor computed, and its declared type must be the one its source gives.
    private static string? ReadSource(JsonElement item, string path, FactType? type, string? table, string? compute, Errors errors)
    {
        var source = OptionalString(item, path, "source", errors);
        if (source is null) return null;
        var given = FactSources.TypeOf(source);
        if (given is null)
        {
            errors.Add($"{path}.source", $"未知的事实来源 {source}（可用：{string.Join("、", FactSources.Names)}）",
                $"unknown fact source {source} (known: {string.Join(", ", FactSources.Names)})");
            return null;
        }

        if (table is not null || compute is not null)
        {
            errors.Add($"{path}.source", "来自底册的事实（source）不能同时查表（from）或计算（compute）",
                "a sourced fact (source) cannot also be looked up (from) or computed (compute)");
            return null;
        }

        if (type is not null && type != given)
        {
            errors.Add($"{path}.type", $"来源 {source} 给出 {TypeName(given.Value)} 类型的值，事实须声明为 {TypeName(given.Value)}",
                $"source {source} gives a {TypeName(given.Value)}; declare the fact as {TypeName(given.Value)}");
            return null;
        }

        return source;
    }

    // A crossCheck.<Kind> fact is only ever true when the rule set runs that check.
    private static void CheckCrossCheckSources(IReadOnlyList<FactDefinition> facts, IReadOnlyList<CrossCheckConfig> checks, Errors errors)
    {
        for (var i = 0; i < facts.Count; i++)
        {
            if (FactSources.CrossCheckOf(facts[i].Source) is not { } kind || checks.Any(c => c.Check == kind)) continue;
            errors.Add($"facts[{i}].source", $"事实 {facts[i].Name} 读取比对项 {kind} 的结果，但 crossChecks 未配置 {kind}",
                $"fact {facts[i].Name} reads the result of {kind}, which crossChecks does not configure");
        }
    }

    private static string TypeName(FactType type) => type.ToString().ToLowerInvariant();
}
