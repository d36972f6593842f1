using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Evaluation;

/// <summary>A rule set version's whole line, compiled once into one delegate over typed slots: the supplied facts read
/// from the line and checked, the computed facts and lookups in declared order, every rule (a bit per failed rule) and the
/// amount. It decides only the ordinary line; anything else falls back to the general path.</summary>
/// <remarks>
/// The slots are the gate's own parameters (one typed local per fact), so a fact is read from the line once, unboxed once
/// and never stored as an object. The kernel answers <see cref="Fallback"/> whenever the general path could say anything
/// but "these rules passed or failed" (a fact missing, mistyped, too long, out of bounds, supplied though it is computed
/// or looked up, a widened number, a missing table entry, any exception in a computed fact, rule or the amount); the
/// caller then evaluates the line on the general path (<see cref="FactBinder"/> and the per-rule delegates), which is
/// where every fault and its message come from. So outcomes are identical by construction; tests hold them equal.
/// </remarks>
internal static class LineKernel
{
    /// <summary>The kernel's answer when the general path must decide the line.</summary>
    public const long Fallback = -1;

    /// <summary>0 when every rule passed (then <paramref name="amount"/> is the unrounded amount), a bit per failed rule,
    /// or <see cref="Fallback"/>.</summary>
    public delegate long Run(IReadOnlyDictionary<string, object?> line, ref decimal amount);

    private static readonly MethodInfo TryGetValue = typeof(IReadOnlyDictionary<string, object?>).GetMethod(nameof(IReadOnlyDictionary<string, object?>.TryGetValue))!;
    private static readonly PropertyInfo Count = typeof(IReadOnlyCollection<KeyValuePair<string, object?>>).GetProperty(nameof(IReadOnlyCollection<object>.Count))!;
    private static readonly PropertyInfo StringLength = typeof(string).GetProperty(nameof(string.Length))!;

    /// <summary>The kernel of a validated rule set, or null when its shape is not one the kernel covers (then every
    /// line takes the general path, as before).</summary>
    public static Run? TryCompile(RuleSet ruleSet, BindPlan plan, IReadOnlyList<Expression> eligibility, Expression amount, IReadOnlyList<Expression?> computed)
    {
        var facts = ruleSet.Facts;
        var slots = ruleSet.Validated.Parameters;
        if (eligibility.Count is 0 or > 62 || amount.Type != typeof(decimal) || slots.Count != facts.Count)
        {
            return null;
        }

        var line = Expression.Parameter(typeof(IReadOnlyDictionary<string, object?>), "line");
        var amountOut = Expression.Parameter(typeof(decimal).MakeByRefType(), "amount");
        var done = Expression.Label(typeof(long), "done");
        var raw = Expression.Variable(typeof(object), "raw");
        var key = Expression.Variable(typeof(KeyBuffer), "key");
        var failed = Expression.Variable(typeof(long), "failed");
        var fallback = Expression.Return(done, Expression.Constant(Fallback));
        var body = new List<Expression>();

        // A fact that is computed or looked up must not be supplied. When the line has exactly as many entries as there
        // are supplied facts and each of those is found below, there is no room for another, so the check is skipped;
        // that holds for any comparer under which no two declared names are equal (checked here, else always checked).
        var notSupplied = facts.Where(f => !f.IsSupplied).Select(f => f.Name).ToList();
        var suppliedCount = facts.Count(f => f.IsSupplied);
        var namesDistinct = facts.Select(f => f.Name).Distinct(StringComparer.InvariantCultureIgnoreCase).Count() == facts.Count;
        if (notSupplied.Count > 0)
        {
            var checks = notSupplied.Select(name => (Expression)Expression.IfThen(
                Expression.AndAlso(Expression.Call(line, TryGetValue, Expression.Constant(name), raw), Expression.NotEqual(raw, Expression.Constant(null))),
                fallback)).ToList();
            var all = Expression.Block(typeof(void), checks);
            body.Add(namesDistinct ? Expression.IfThen(Expression.NotEqual(Expression.Property(line, Count), Expression.Constant(suppliedCount)), all) : all);
        }

        // Supplied facts: present, of the declared type exactly (a widened number goes the general way), within bounds.
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            var slot = slots[i];
            if (slot.Type != fact.ClrType)
            {
                return null;
            }

            if (!fact.IsSupplied)
            {
                continue;
            }

            body.Add(Expression.IfThen(Expression.Not(Expression.Call(line, TryGetValue, Expression.Constant(fact.Name), raw)), fallback));
            if (slot.Type == typeof(string))
            {
                body.Add(Expression.Assign(slot, Expression.TypeAs(raw, typeof(string))));
                body.Add(Expression.IfThen(Expression.ReferenceEqual(slot, Expression.Constant(null, typeof(string))), fallback));
                body.Add(Expression.IfThen(Expression.GreaterThan(Expression.Property(slot, StringLength), Expression.Constant(fact.MaxLength!.Value)), fallback));
                continue;
            }

            body.Add(Expression.IfThen(Expression.Not(Expression.TypeIs(raw, slot.Type)), fallback));
            body.Add(Expression.Assign(slot, Expression.Unbox(raw, slot.Type)));
            if (slot.Type == typeof(decimal) || slot.Type == typeof(int))
            {
                var number = slot.Type == typeof(decimal) ? (Expression)slot : Expression.Convert(slot, typeof(decimal));
                if (fact.Minimum is { } minimum)
                {
                    body.Add(Expression.IfThen(Expression.LessThan(number, Expression.Constant(minimum)), fallback));
                }

                if (fact.Maximum is { } maximum)
                {
                    body.Add(Expression.IfThen(Expression.GreaterThan(number, Expression.Constant(maximum)), fallback));
                }
            }
        }

        // Then computed facts and lookups, in declared order, as FactBinder does.
        var work = new List<Expression>();
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            var slot = slots[i];
            if (fact.IsComputed)
            {
                if (computed[i] is not { } tree || tree.Type != slot.Type)
                {
                    return null;
                }

                work.Add(Expression.Assign(slot, tree));
                if (slot.Type == typeof(string))
                {
                    // A null computed string faults on the general path's rules; here .Length throws and falls back.
                    work.Add(Expression.IfThen(Expression.GreaterThan(Expression.Property(slot, StringLength), Expression.Constant(fact.MaxLength!.Value)), fallback));
                }

                continue;
            }

            if (!fact.IsLookup)
            {
                continue;
            }

            var keySlots = fact.KeyFacts.Select(k => facts.Select((f, index) => (f, index)).Single(x => x.f.Name == k).index).Select(index => slots[index]).ToList();
            Expression looked;
            if (fact.Match == LookupMatch.Floor)
            {
                if (keySlots.Count != 1 || (keySlots[0].Type != typeof(int) && keySlots[0].Type != typeof(decimal)))
                {
                    return null;
                }

                var number = keySlots[0].Type == typeof(decimal) ? (Expression)keySlots[0] : Expression.Convert(keySlots[0], typeof(decimal));
                looked = Expression.Call(typeof(KeyBuffer).GetMethod(nameof(KeyBuffer.Floor))!, Expression.Constant(plan.Tiers(i)), number);
            }
            else
            {
                work.Add(Expression.Assign(key, Expression.Call(typeof(KeyBuffer).GetMethod(nameof(KeyBuffer.Start))!)));
                for (var k = 0; k < keySlots.Count; k++)
                {
                    if (k > 0)
                    {
                        work.Add(Expression.Call(key, typeof(KeyBuffer).GetMethod(nameof(KeyBuffer.Separator))!));
                    }

                    var append = typeof(KeyBuffer).GetMethod(nameof(KeyBuffer.Append), [keySlots[k].Type]);
                    if (append is null)
                    {
                        return null;
                    }

                    work.Add(Expression.Call(key, append, keySlots[k]));
                }

                var keyLength = keySlots.Count == 1 ? fact.KeyLength : 0;
                looked = Expression.Call(key, typeof(KeyBuffer).GetMethod(nameof(KeyBuffer.Find))!, Expression.Constant(plan.Table(i)), Expression.Constant(keyLength));
            }

            // A missing entry (null) or one of another type than the fact goes the general way (a fault there).
            work.Add(Expression.Assign(raw, looked));
            work.Add(Expression.IfThen(Expression.Not(Expression.TypeIs(raw, slot.Type)), fallback));
            work.Add(Expression.Assign(slot, Expression.Convert(raw, slot.Type)));
        }

        // Every rule, a bit per failed one; then the amount when all passed.
        work.Add(Expression.Assign(failed, Expression.Constant(0L)));
        work.AddRange(eligibility.Select((rule, i) => (Expression)Expression.IfThen(Expression.Not(rule), Expression.OrAssign(failed, Expression.Constant(1L << i)))));
        work.Add(Expression.IfThen(Expression.NotEqual(failed, Expression.Constant(0L)), Expression.Return(done, failed)));
        work.Add(Expression.Assign(amountOut, amount));
        work.Add(Expression.Return(done, Expression.Constant(0L)));

        // Any exception (a computed fact, a rule, the amount): the general path evaluates the line and reports it.
        body.Add(Expression.TryCatch(Expression.Block(typeof(void), work), Expression.Catch(typeof(Exception), Expression.Block(typeof(void), fallback))));
        body.Add(Expression.Label(done, Expression.Constant(Fallback)));
        var block = Expression.Block(typeof(long), [.. slots, raw, key, failed], body);
        return Expression.Lambda<Run>(block, line, amountOut).Compile();
    }
}

/// <summary>A table key composed in a per-thread buffer (the same text as <see cref="RuleSetLoader.KeyText"/>, parts
/// joined with <c>|</c>) and found by span, so a lookup allocates nothing; and the floor (tier) search.</summary>
internal sealed class KeyBuffer
{
    private const int Capacity = 256;

    [ThreadStatic]
    private static KeyBuffer? _current;

    private readonly char[] _chars = new char[Capacity];
    private int _length;
    private bool _overflow;

    /// <summary>This thread's buffer, emptied.</summary>
    public static KeyBuffer Start()
    {
        var buffer = _current ??= new KeyBuffer();
        buffer._length = 0;
        buffer._overflow = false;
        return buffer;
    }

    public void Separator() => Add("|");

    public void Append(string value) => Add(value);

    public void Append(int value) => Written(value.TryFormat(Free, out var written, default, CultureInfo.InvariantCulture), written);

    public void Append(bool value) => Add(value ? "true" : "false");

    public void Append(DateOnly value) => Written(value.TryFormat(Free, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture), written);

    public void Append(decimal value) => Written(value.TryFormat(Free, out var written, default, CultureInfo.InvariantCulture), written);

    /// <summary>The entry for the key composed so far (cut to <paramref name="keyLength"/> characters when that is
    /// positive; shorter is no entry), or null.</summary>
    public object? Find(Dictionary<string, object>.AlternateLookup<ReadOnlySpan<char>> table, int keyLength)
    {
        if (_overflow)
        {
            return null;
        }

        var length = _length;
        if (keyLength > 0)
        {
            if (length < keyLength)
            {
                return null;
            }

            length = keyLength;
        }

        return table.TryGetValue(_chars.AsSpan(0, length), out var value) ? value : null;
    }

    /// <summary>The value of the largest tier bound at or below <paramref name="number"/>, or null.</summary>
    public static object? Floor(IReadOnlyList<(decimal Bound, object Value)> tiers, decimal number)
    {
        object? found = null;
        for (var t = 0; t < tiers.Count; t++)
        {
            if (tiers[t].Bound > number)
            {
                break;
            }

            found = tiers[t].Value;
        }

        return found;
    }

    private Span<char> Free => _overflow ? [] : _chars.AsSpan(_length);

    private void Add(string text)
    {
        if (!_overflow && text.AsSpan().TryCopyTo(Free))
        {
            _length += text.Length;
        }
        else
        {
            _overflow = true;
        }
    }

    private void Written(bool fitted, int written)
    {
        if (fitted && !_overflow)
        {
            _length += written;
        }
        else
        {
            _overflow = true;
        }
    }
}
