using System.Collections.Concurrent;
using System.Globalization;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Evaluation;

/// <summary>Turns a line's loose facts into the typed values, in declared order, that the expressions are bound to;
/// resolves table lookups first. Any problem is a fault, never a silent default.</summary>
internal static class FactBinder
{
    /// <param name="ruleSet">The rule set.</param>
    /// <param name="supplied">The line's facts by name.</param>
    /// <param name="compute">Computes fact <c>i</c> from the values bound so far (all earlier facts are set).</param>
    /// <param name="faultCode">Why the line cannot be evaluated, when null is returned.</param>
    /// <param name="fault">The reason in Chinese / English, when null is returned.</param>
    public static object[]? Bind(
        RuleSet ruleSet, IReadOnlyDictionary<string, object?> supplied, Func<int, object[], object> compute, out string? faultCode, out string? fault) =>
        Bind(ruleSet, null, null, supplied, compute, out faultCode, out fault);

    /// <summary>As above; with a <paramref name="plan"/> lookups find their entry without building the key string, and
    /// with a <paramref name="buffer"/> (of <c>Facts.Count</c>) the values are written there instead of a new array.</summary>
    public static object[]? Bind(
        RuleSet ruleSet, BindPlan? plan, object[]? buffer, IReadOnlyDictionary<string, object?> supplied, Func<int, object[], object> compute,
        out string? faultCode, out string? fault)
    {
        var facts = ruleSet.Facts;
        var values = buffer ?? new object[facts.Count];
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            supplied.TryGetValue(fact.Name, out var raw);
            if (!fact.IsSupplied)
            {
                if (raw is not null)
                {
                    return fact.IsLookup
                        ? Fail(FaultCodes.FactNotSuppliable,
                            $"事实 {fact.Name} 由规则集的表 {fact.Table} 给出，不能由申报数据提供",
                            $"fact {fact.Name} comes from the rule set's table {fact.Table} and must not be supplied",
                            out faultCode, out fault)
                        : Fail(FaultCodes.FactNotSuppliable,
                            $"事实 {fact.Name} 由规则集计算得出（{fact.Compute}），不能由申报数据提供",
                            $"fact {fact.Name} is computed by the rule set ({fact.Compute}) and must not be supplied",
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

        // Then computed facts and lookups, in declared order: each reads only facts declared before it (or supplied).
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            if (fact.IsComputed)
            {
                object value;
                try
                {
                    value = compute(i, values);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    return Fail(FaultCodes.ComputeError,
                        $"计算事实 {fact.Name} 出错：{ex.Message}", $"computing fact {fact.Name} failed: {ex.Message}",
                        out faultCode, out fault);
                }

                // A computed string is capped like a supplied one: the gate's bound on later expressions assumes it.
                if (value is string s && s.Length > fact.MaxLength)
                {
                    return Fail(FaultCodes.FactTooLong,
                        $"计算事实 {fact.Name} 长 {s.Length} 个字符，超过上限 {fact.MaxLength}",
                        $"computed fact {fact.Name} is {s.Length} characters long; the limit is {fact.MaxLength}",
                        out faultCode, out fault);
                }

                values[i] = value;
                continue;
            }

            if (!fact.IsLookup)
            {
                continue;
            }

            // The general lookup runs once (it also gives the key text a fault shows) when the plan's finds nothing.
            var looked = plan?.Lookup(i, values);
            string? keyText = null;
            if (looked is null)
            {
                (keyText, looked) = Lookup(ruleSet, fact, values);
            }

            if (looked is null)
            {
                faultCode = FaultCodes.TableEntryMissing;
                fault = plan is null ? MissingEntry(ruleSet, fact, keyText!) : plan.MissingEntryFault(i, keyText!, () => MissingEntry(ruleSet, fact, keyText!));
                return null;
            }

            values[i] = looked;
        }

        faultCode = null;
        fault = null;
        return values;
    }

    // Why a lookup found nothing: the same text for the same fact and key, so a plan may remember it.
    private static string MissingEntry(RuleSet ruleSet, FactDefinition fact, string key)
    {
        var keyNames = string.Join("|", fact.KeyFacts);
        var what = fact.Match == LookupMatch.Floor ? $"为 {key} 时的档位（没有不大于 {key} 的档位）" : $"“{key}” 对应的 {fact.Name}";
        Fail(FaultCodes.TableEntryMissing,
            $"规则集 {ruleSet.VersionKey} 的表 {fact.Table} 中没有 {keyNames} {what}（如该县的补贴标准未公布），无法计算",
            $"table {fact.Table} of rule set {ruleSet.VersionKey} has no {fact.Name} for {keyNames} \"{key}\"{(fact.Match == LookupMatch.Floor ? " (no tier at or below it)" : "")} (e.g. no published rate for the county)",
            out _, out var fault);
        return fault!;
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
    // A value already of the declared type is returned as supplied, not boxed again.
    private static object? Coerce(object raw, FactType type) => (type, raw) switch
    {
        (FactType.String, string s) => s,
        (FactType.Decimal, decimal) => raw,
        (FactType.Int, int) => raw,
        (FactType.Bool, bool) => raw,
        (FactType.Date, DateOnly) => raw,
        (FactType.Decimal, int n) => (decimal)n,
        (FactType.Decimal, long n) => (decimal)n,
        (FactType.Decimal, short n) => (decimal)n,
        (FactType.Int, short n) => (int)n,
        (FactType.Int, long n) when n is >= int.MinValue and <= int.MaxValue => (int)n,
        _ => null,
    };

    // The table entry of a lookup: exact (key facts joined with '|', a single string key cut to keyLength) or the tier
    // with the largest numeric key at or below the key fact's value. Returns the key as shown in a fault.
    private static (string Key, object? Value) Lookup(RuleSet ruleSet, FactDefinition fact, object[] values)
    {
        var keyFacts = fact.KeyFacts;
        if (fact.Match == LookupMatch.Floor)
        {
            var number = values[IndexOf(ruleSet.Facts, keyFacts[0])] switch { int n => n, decimal d => d, var other => throw new InvalidOperationException($"Tier key {other?.GetType().Name}.") };
            var tiers = ruleSet.Tiers[fact.Table!];
            object? found = null;
            foreach (var (bound, value) in tiers)
            {
                if (bound > number)
                {
                    break;
                }

                found = value;
            }

            return (RuleSetLoader.KeyText(number), found);
        }

        string key;
        if (keyFacts.Count == 1)
        {
            key = RuleSetLoader.KeyText(values[IndexOf(ruleSet.Facts, keyFacts[0])]);
            if (fact.KeyLength > 0)
            {
                if (key.Length < fact.KeyLength)
                {
                    return (key, null);
                }

                key = key[..fact.KeyLength];
            }
        }
        else
        {
            key = string.Join("|", keyFacts.Select(k => RuleSetLoader.KeyText(values[IndexOf(ruleSet.Facts, k)])));
        }

        return (key, ruleSet.Tables[fact.Table!].TryGetValue(key, out var looked) ? looked : null);
    }

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

/// <summary>A rule set's lookups prepared once: key facts by index and tables searchable by a span, so a line's key is
/// composed on the stack (same text as <see cref="RuleSetLoader.KeyText"/>) instead of a new string per line.</summary>
internal sealed class BindPlan
{
    private readonly int[]?[] _keyIndexes;
    private readonly Dictionary<string, object>.AlternateLookup<ReadOnlySpan<char>>?[] _tables;
    private readonly IReadOnlyList<(decimal Bound, object Value)>?[] _tiers;
    private readonly FactDefinition[] _facts;

    public BindPlan(RuleSet ruleSet)
    {
        _facts = [.. ruleSet.Facts];
        _keyIndexes = new int[]?[_facts.Length];
        _tables = new Dictionary<string, object>.AlternateLookup<ReadOnlySpan<char>>?[_facts.Length];
        _tiers = new IReadOnlyList<(decimal, object)>?[_facts.Length];
        for (var i = 0; i < _facts.Length; i++)
        {
            var fact = _facts[i];
            if (!fact.IsLookup)
            {
                continue;
            }

            _keyIndexes[i] = [.. fact.KeyFacts.Select(k => Array.FindIndex(_facts, f => f.Name == k))];
            if (fact.Match == LookupMatch.Floor)
            {
                _tiers[i] = ruleSet.Tiers[fact.Table!];
            }
            else
            {
                _tables[i] = new Dictionary<string, object>(ruleSet.Tables[fact.Table!], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
            }
        }
    }

    // Faults of missing table entries by fact and key, built once: a roster with an unrated county repeats one text.
    private readonly ConcurrentDictionary<(int Fact, string Key), string> _missing = new();
    private int _remembered;

    /// <summary>How many distinct texts a plan (or a rule set version's shared faulted results) remembers at most.</summary>
    public const int MaxRemembered = 1024;

    /// <summary>The fault of lookup fact <paramref name="index"/> finding no entry for <paramref name="key"/>: built by
    /// <paramref name="build"/> the first time, the same string afterwards (up to <see cref="MaxRemembered"/> keys).</summary>
    public string MissingEntryFault(int index, string key, Func<string> build)
    {
        if (_missing.TryGetValue((index, key), out var known))
        {
            return known;
        }

        var made = build();
        if (Volatile.Read(ref _remembered) < MaxRemembered && _missing.TryAdd((index, key), made))
        {
            Interlocked.Increment(ref _remembered);
        }

        return made;
    }

    /// <summary>The exact-match table of lookup fact <paramref name="index"/>, searchable by span.</summary>
    public Dictionary<string, object>.AlternateLookup<ReadOnlySpan<char>> Table(int index) => _tables[index]!.Value;

    /// <summary>The tiers of floor lookup fact <paramref name="index"/>, ascending.</summary>
    public IReadOnlyList<(decimal Bound, object Value)> Tiers(int index) => _tiers[index]!;

    /// <summary>The entry of lookup fact <paramref name="index"/>, or null when there is none or the fast path does not
    /// apply (the caller then takes the general path, which also builds the key text of a fault).</summary>
    public object? Lookup(int index, object[] values)
    {
        var keys = _keyIndexes[index]!;
        if (_tiers[index] is { } tiers)
        {
            decimal number;
            switch (values[keys[0]])
            {
                case int n: number = n; break;
                case decimal d: number = d; break;
                default: return null;
            }

            return KeyBuffer.Floor(tiers, number);
        }

        var table = _tables[index]!.Value;
        Span<char> buffer = stackalloc char[256];
        var length = 0;
        if (keys.Length == 1)
        {
            if (values[keys[0]] is not string s)
            {
                return null;
            }

            var keyLength = _facts[index].KeyLength;
            if (keyLength > 0)
            {
                return s.Length < keyLength ? null : table.TryGetValue(s.AsSpan(0, keyLength), out var cut) ? cut : null;
            }

            return table.TryGetValue(s, out var whole) ? whole : null;
        }

        for (var k = 0; k < keys.Length; k++)
        {
            if (k > 0)
            {
                if (length >= buffer.Length)
                {
                    return null;
                }

                buffer[length++] = '|';
            }

            if (!TryAppend(values[keys[k]], buffer[length..], out var written))
            {
                return null;
            }

            length += written;
        }

        return table.TryGetValue(buffer[..length], out var looked) ? looked : null;
    }

    // The same text as RuleSetLoader.KeyText, written into the buffer.
    private static bool TryAppend(object value, Span<char> destination, out int written)
    {
        switch (value)
        {
            case string s:
                written = s.Length;
                return s.AsSpan().TryCopyTo(destination);
            case int n:
                return n.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            case bool b:
                var text = b ? "true" : "false";
                written = text.Length;
                return text.AsSpan().TryCopyTo(destination);
            case DateOnly d:
                return d.TryFormat(destination, out written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            case decimal m:
                return m.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            default:
                written = 0;
                return false;
        }
    }
}
