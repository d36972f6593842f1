using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Evaluation;

/// <summary>Turns a line's loose facts into the typed values, in declared order, that the expressions are bound to;
/// resolves table lookups first. Any problem is a fault, never a silent default.</summary>
internal static class FactBinder
{
    public static object[]? Bind(RuleSet ruleSet, IReadOnlyDictionary<string, object?> supplied, out string? faultCode, out string? fault)
    {
        var facts = ruleSet.Facts;
        var values = new object[facts.Count];
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            supplied.TryGetValue(fact.Name, out var raw);
            if (fact.IsLookup)
            {
                if (raw is not null)
                {
                    return Fail(FaultCodes.FactNotSuppliable,
                        $"事实 {fact.Name} 由规则集的表 {fact.Table} 给出，不能由申报数据提供",
                        $"fact {fact.Name} comes from the rule set's table {fact.Table} and must not be supplied",
                        out faultCode, out fault);
                }

                continue;
            }

            if (raw is null)
            {
                return Fail(FaultCodes.FactMissing, $"缺少事实 {fact.Name}", $"missing fact {fact.Name}", out faultCode, out fault);
            }

            var value = Coerce(raw, fact.Type);
            if (value is null)
            {
                return Fail(FaultCodes.FactMistyped,
                    $"事实 {fact.Name} 应为 {fact.Type} 类型，实为 {raw.GetType().Name}",
                    $"fact {fact.Name} must be of type {fact.Type}, not {raw.GetType().Name}",
                    out faultCode, out fault);
            }

            // Enforced here whatever the caller validated: the gate's bound on an expression's work assumes it.
            if (value is string s && s.Length > fact.MaxLength)
            {
                return Fail(FaultCodes.FactTooLong,
                    $"事实 {fact.Name} 长 {s.Length} 个字符，超过上限 {fact.MaxLength}",
                    $"fact {fact.Name} is {s.Length} characters long; the limit is {fact.MaxLength}",
                    out faultCode, out fault);
            }

            if (OutOfBounds(fact, value) is { } bound)
            {
                return Fail(FaultCodes.FactOutOfRange,
                    $"事实 {fact.Name} 的值 {value} 超出规则集允许的范围（{bound}），疑为数据错误",
                    $"fact {fact.Name} = {value} is outside the rule set's bounds ({bound}); likely a data error",
                    out faultCode, out fault);
            }

            values[i] = value;
        }

        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            if (!fact.IsLookup)
            {
                continue;
            }

            var keyIndex = IndexOf(facts, fact.KeyFact!);
            var keySource = (string)values[keyIndex];
            var key = keySource.Length >= fact.KeyLength ? keySource[..fact.KeyLength] : null;
            if (key is null || !ruleSet.Tables[fact.Table!].TryGetValue(key, out var looked))
            {
                return Fail(FaultCodes.TableEntryMissing,
                    $"规则集 {ruleSet.VersionKey} 的表 {fact.Table} 中没有 {fact.KeyFact} “{key ?? keySource}” 对应的 {fact.Name}（如该县的补贴标准未公布），无法计算",
                    $"table {fact.Table} of rule set {ruleSet.VersionKey} has no {fact.Name} for {fact.KeyFact} \"{key ?? keySource}\" (e.g. no published rate for the county)",
                    out faultCode, out fault);
            }

            values[i] = looked;
        }

        faultCode = null;
        fault = null;
        return values;
    }

    private static string? OutOfBounds(FactDefinition fact, object value)
    {
        decimal? number = value switch { decimal d => d, int n => n, _ => null };
        if (number is not { } x)
        {
            return null;
        }

        return x < fact.Minimum ? $"≥ {fact.Minimum}" : x > fact.Maximum ? $"≤ {fact.Maximum}" : null;
    }

    // Widening only: an integer is a fine decimal, but a double is refused (0.1 has no exact binary value) and a
    // string is refused (parsing belongs to import, where the line and column can be reported).
    private static object? Coerce(object raw, FactType type) => (type, raw) switch
    {
        (FactType.String, string s) => s,
        (FactType.Decimal, decimal d) => d,
        (FactType.Decimal, int n) => (decimal)n,
        (FactType.Decimal, long n) => (decimal)n,
        (FactType.Decimal, short n) => (decimal)n,
        (FactType.Int, int n) => n,
        (FactType.Int, short n) => (int)n,
        (FactType.Int, long n) when n is >= int.MinValue and <= int.MaxValue => (int)n,
        (FactType.Bool, bool b) => b,
        (FactType.Date, DateOnly d) => d,
        _ => null,
    };

    private static int IndexOf(IReadOnlyList<FactDefinition> facts, string name)
    {
        for (var i = 0; i < facts.Count; i++)
        {
            if (facts[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Validated rule set lost key fact {name}.");
    }

    private static object[]? Fail(string code, string zh, string en, out string? faultCode, out string? fault)
    {
        faultCode = code;
        fault = $"{zh} / {en}";
        return null;
    }
}
