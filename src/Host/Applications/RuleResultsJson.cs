using System.Text.Json;
using OneCard.Rules.Evaluation;

namespace OneCard.Host.Applications;

/// <summary>
/// Writes a claim line's rule results (<c>ClaimLine.RuleResultsJson</c>) once per distinct list: in a roster nearly every
/// line passes or fails the same rules with the same messages, so the JSON of each distinct list is written once and the
/// lines share the string. The text is exactly what <see cref="JsonSerializer"/> writes for the list. One per worker (not
/// thread-safe); it keeps at most <see cref="MaxKept"/> lists and writes any further ones afresh every time.
/// </summary>
public sealed class RuleResultsJson(JsonSerializerOptions options)
{
    /// <summary>How many distinct lists are kept (lines with faults or messages that vary may each differ).</summary>
    public const int MaxKept = 256;

    private readonly Dictionary<IReadOnlyList<RuleOutcome>, string> _written = new(SameResults.Instance);

    /// <summary>The JSON of <paramref name="rules"/>.</summary>
    public string Write(IReadOnlyList<RuleOutcome> rules)
    {
        if (_written.TryGetValue(rules, out var json)) return json;
        json = JsonSerializer.Serialize(rules, options);
        if (_written.Count < MaxKept) _written[rules] = json;
        return json;
    }

    /// <summary>Lists of equal results, rule by rule (a result is a record: name, passed, both messages, fault).</summary>
    private sealed class SameResults : IEqualityComparer<IReadOnlyList<RuleOutcome>>
    {
        public static readonly SameResults Instance = new();

        public bool Equals(IReadOnlyList<RuleOutcome>? x, IReadOnlyList<RuleOutcome>? y)
        {
            if (ReferenceEquals(x, y)) return true;
            if (x is null || y is null || x.Count != y.Count) return false;
            for (var i = 0; i < x.Count; i++)
                if (!x[i].Equals(y[i])) return false;
            return true;
        }

        // The names and outcomes only: cheap, and equal lists still hash alike.
        public int GetHashCode(IReadOnlyList<RuleOutcome> rules)
        {
            var hash = new HashCode();
            foreach (var rule in rules)
            {
                hash.Add(rule.RuleName);
                hash.Add(rule.Passed);
                hash.Add(rule.Fault is null);
            }
            return hash.ToHashCode();
        }
    }
}
