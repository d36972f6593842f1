using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Evaluation;

/// <summary>Turns a line's loose facts into the typed values, in declared order, that the expressions are bound to;
/// resolves table lookups first. Any problem is a fault, never a silent default.</summary>
internal static class FactBinder
{
    /// <summary>Longest string fact accepted; string methods are linear, and no real claim field is longer.</summary>
    public const int MaxStringLength = 4_096;

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

            if (value is string s && s.Length > MaxStringLength)
            {
                return Fail(FaultCodes.FactMistyped,
                    $"事实 {fact.Name} 超过 {MaxStringLength} 个字符",
                    $"fact {fact.Name} is longer than {MaxStringLength} characters",
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
