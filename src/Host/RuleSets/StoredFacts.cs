using System.Globalization;
using System.Text.Json;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.RuleSets;

/// <summary>
/// A stored line's facts, bound again for another rule set version (re-evaluation, the impact run): the ID number and region
/// the caller supplies, the evaluation day, and each supplied fact the version declares, read from the line's stored JSON by
/// its declared type. A fact the version needs and the line lacks (or stored as another type) is left out, so the line
/// faults (FactMissing) rather than guessing.
/// </summary>
internal static class StoredFacts
{
    public static Dictionary<string, object?> Bind(RuleSet ruleSet, string factsJson, string idNumber, string regionCode, DateOnly asOf)
    {
        var facts = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["IdNumber"] = idNumber, ["RegionCode"] = regionCode, ["AsOf"] = asOf,
        };
        using var stored = JsonDocument.Parse(factsJson);
        foreach (var fact in ruleSet.Facts.Where(f => f.IsSupplied && !facts.ContainsKey(f.Name)))
        {
            if (!stored.RootElement.TryGetProperty(fact.Name, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            object? typed = (fact.Type, value.ValueKind) switch
            {
                (FactType.Decimal, JsonValueKind.Number) => value.GetDecimal(),
                (FactType.Int, JsonValueKind.Number) when value.TryGetInt32(out var n) => n,
                (FactType.Bool, JsonValueKind.True or JsonValueKind.False) => value.GetBoolean(),
                (FactType.String, JsonValueKind.String) => value.GetString(),
                (FactType.Date, JsonValueKind.String) when DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var d) => d,
                _ => null,
            };
            if (typed is not null) facts[fact.Name] = typed;
        }
        return facts;
    }
}
