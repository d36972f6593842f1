using System.Text.Json.Nodes;

namespace OneCard.Host.RuleSets;

public sealed partial class RuleSetForm
{
    /// <summary>The facts an example line supplies: every declared fact that is neither looked up nor computed, in order.</summary>
    public IReadOnlyList<FactRow> SuppliedFacts => [.. Facts.Where(f => f.Name.Length > 0 && !f.IsLookup && !f.IsComputed)];

    /// <summary>Names an example gives that are not supplied facts (undeclared, computed or looked up): shown so the located
    /// error the save gives has a field to sit at, and so the officer can clear them.</summary>
    public IReadOnlyList<string> OtherValues(ExampleRow example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var supplied = SuppliedFacts.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return [.. example.Values.Keys.Where(k => !supplied.Contains(k))];
    }

    /// <summary>
    /// An example line (示例) with its expected outcome; its facts are edited as one text per fact (是/否 for bool, yyyy-MM-dd
    /// for date, digits for numbers), written to JSON in the form the loader parses with the one fact parser. A value left as
    /// read writes the node it was read from; an emptied value is left out (the fact is not supplied).
    /// </summary>
    public sealed class ExampleRow
    {
        private JsonObject original = [];
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
        public string Name { get; set; } = "";
        public string Outcome { get; set; } = "Eligible";
        public string Amount { get; set; } = "";
        /// <summary>The rules expected to fail, comma-separated.</summary>
        public string FailedRules { get; set; } = "";
        /// <summary>For Faulted, the expected fault code (e.g. TableEntryMissing), or "".</summary>
        public string FaultCode { get; set; } = "";

        /// <summary>Each given fact's text by fact name.</summary>
        public IReadOnlyDictionary<string, string> Values => values;

        public string Value(string fact) => values.TryGetValue(fact, out var v) ? v : "";

        public void SetValue(string fact, string? text)
        {
            text = (text ?? "").Trim();
            if (text.Length == 0) values.Remove(fact);
            else values[fact] = text;
        }

        internal static ExampleRow From(JsonObject? o)
        {
            o ??= [];
            var expect = o["expect"] as JsonObject;
            var row = new ExampleRow
            {
                original = (JsonObject)o.DeepClone(),
                Name = Text(o["name"]),
                Outcome = Text(expect?["outcome"]),
                Amount = Text(expect?["amount"]),
                FailedRules = expect?["failedRules"] is JsonArray failed ? string.Join(", ", failed.Select(Text)) : "",
                FaultCode = Text(expect?["faultCode"]),
            };
            if (o["facts"] is JsonObject facts)
                foreach (var (name, value) in facts) row.values[name] = Text(value);
            return row;
        }

        internal JsonObject ToNode(RuleSetForm form)
        {
            var o = (JsonObject)original.DeepClone();
            Set(o, "name", Str(Name, original["name"]));
            var facts0 = original["facts"] as JsonObject;
            var facts = new JsonObject();
            var order = (facts0?.Select(p => p.Key) ?? []).Concat(form.Facts.Select(f => f.Name)).Concat(values.Keys).Distinct(StringComparer.Ordinal);
            foreach (var name in order)
            {
                if (!values.TryGetValue(name, out var text)) continue;
                var before = facts0?[name];
                facts[name] = before is not null && Text(before) == text ? before.DeepClone()
                    : form.TypeOf(name) is "decimal" or "int" && JsonNumber().IsMatch(text) ? JsonNode.Parse(text) : JsonValue.Create(text);
            }
            Set(o, "facts", facts0 is not null && JsonNode.DeepEquals(facts0, facts) ? facts0.DeepClone() : facts);
            var expect0 = original["expect"] as JsonObject;
            var expect = (JsonObject?)expect0?.DeepClone() ?? [];
            Set(expect, "outcome", Str(Outcome, expect0?["outcome"]));
            Set(expect, "amount", Num(Amount, expect0?["amount"]));
            var failed = FailedRules.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var failedNode = new JsonArray([.. failed.Select(x => (JsonNode)JsonValue.Create(x))]);
            Set(expect, "failedRules", expect0?["failedRules"] is { } r0 && JsonNode.DeepEquals(r0, failedNode) ? r0.DeepClone()
                : failed.Length == 0 ? null : failedNode);
            Set(expect, "faultCode", Str(FaultCode, expect0?["faultCode"]));
            Set(o, "expect", expect);
            return o;
        }
    }
}
