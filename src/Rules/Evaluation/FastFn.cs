using System.Linq.Expressions;
using System.Reflection;
using OneCard.Domain.Identity;
using OneCard.Rules.Expressions;

namespace OneCard.Rules.Evaluation;

/// <summary>Allocation-free equivalents of the ID-number and county helpers of <see cref="Fn"/>, for the compiled path only.</summary>
/// <remarks>
/// <see cref="IdNumber.Check"/> builds lists of located issues for import, which a rule that only asks "valid?" throws
/// away: on a 1,000,000-line roster that is most of the garbage. The fast path here answers the same question for the
/// common shape (exactly 18 characters, 17 ASCII digits and a digit, X or x last, no whitespace) with the same checks
/// in the same order (province, birth date 1900-01-01..asOf, ISO 7064 check character); anything else (whitespace,
/// full-width characters, other lengths) is delegated to <see cref="Fn"/>, so answers and exceptions are identical.
/// Tests compare both on generated and malformed numbers. A line asks about its ID number several times (a computed age,
/// then a rule), so the last answer per thread is kept for the same string instance and date; the birth date is read by
/// arithmetic (what <c>DateOnly.TryParseExact(..., "yyyyMMdd")</c> answers for eight ASCII digits). <see cref="County"/>
/// returns a cached string of equal text instead of a new one per line.
/// </remarks>
internal static class FastFn
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";
    private static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    // GB/T 2260 province-level codes, as IdNumber.ProvinceCodes.
    private static readonly bool[] Provinces = BuildProvinces();

    public static bool IsValidIdNumber(string idNumber, DateOnly asOf) =>
        TryFast(idNumber, asOf, out var valid, out _) ? valid : Fn.IsValidIdNumber(idNumber, asOf);

    public static int Age(string idNumber, DateOnly asOf)
    {
        if (!TryFast(idNumber, asOf, out var valid, out var birth) || !valid)
        {
            return Fn.Age(idNumber, asOf);
        }

        var age = asOf.Year - birth.Year;
        return birth > asOf.AddYears(-age) ? age - 1 : age;
    }

    public static DateOnly BirthDate(string idNumber, DateOnly asOf) =>
        TryFast(idNumber, asOf, out var valid, out var birth) && valid ? birth : Fn.BirthDate(idNumber, asOf);

    /// <summary>As <see cref="Fn.County"/>, but the county code comes from a small shared cache of the codes seen, so a
    /// line allocates no new six-character string (equal text; a gated expression compares strings by value only).</summary>
    public static string County(string regionCode)
    {
        if (regionCode.Length < 6)
        {
            return Fn.County(regionCode);
        }

        var code = regionCode.AsSpan(0, 6);
        var hash = 0;
        foreach (var c in code)
        {
            hash = (hash * 31) + c;
        }

        ref var slot = ref Counties[hash & (Counties.Length - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && code.SequenceEqual(cached))
        {
            return cached;
        }

        var made = new string(code);
        Volatile.Write(ref slot, made);
        return made;
    }

    // Direct-mapped: a collision only costs a new string; racing threads each store a correct one.
    private static readonly string?[] Counties = new string?[4096];

    /// <summary>Rewrites calls of <see cref="Fn"/>'s ID helpers in a gate-approved tree to the equivalents here.</summary>
    public static Expression Rewrite(Expression body) => new Rewriter().Visit(body);

    // The last answer on this thread: a line asks about one ID number several times (Age computes it after
    // IsValidIdNumber, a rule asks again), always the same string instance, so a reference match is an exact one.
    [ThreadStatic]
    private static LastAnswer? _last;

    private sealed class LastAnswer
    {
        public string? Id;
        public DateOnly AsOf;
        public bool Valid;
        public DateOnly Birth;
    }

    // True when the number has the common shape and the answer is known without IdNumber.Check.
    private static bool TryFast(string? id, DateOnly asOf, out bool valid, out DateOnly birth)
    {
        var last = _last ??= new LastAnswer();
        if (ReferenceEquals(last.Id, id) && id is not null && last.AsOf == asOf)
        {
            valid = last.Valid;
            birth = last.Birth;
            return true;
        }

        if (!Decide(id, asOf, out valid, out birth))
        {
            return false;
        }

        last.Id = id;
        last.AsOf = asOf;
        last.Valid = valid;
        last.Birth = birth;
        return true;
    }

    private static bool Decide(string? id, DateOnly asOf, out bool valid, out DateOnly birth)
    {
        valid = false;
        birth = default;
        if (id is null || id.Length != IdNumber.Length)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var c = id[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            sum += (c - '0') * Weights[i];
        }

        var last = id[17];
        if (!char.IsAsciiDigit(last) && last != 'X' && last != 'x')
        {
            return false;
        }

        // Same shape as IdNumber.Check sees it after normalising (no whitespace to remove, x becomes X): decide here.
        var province = ((id[0] - '0') * 10) + (id[1] - '0');
        if (!Provinces[province])
        {
            return true;
        }

        // What DateOnly.TryParseExact(id[6..14], "yyyyMMdd", invariant) answers for eight ASCII digits, without parsing.
        var year = ((id[6] - '0') * 1000) + ((id[7] - '0') * 100) + ((id[8] - '0') * 10) + (id[9] - '0');
        var month = ((id[10] - '0') * 10) + (id[11] - '0');
        var day = ((id[12] - '0') * 10) + (id[13] - '0');
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return true;
        }

        birth = new DateOnly(year, month, day);
        if (birth < EarliestBirthDate || birth > asOf)
        {
            birth = default;
            return true;
        }

        valid = CheckCharacters[sum % 11] == (last == 'x' ? 'X' : last);
        return true;
    }

    private static bool[] BuildProvinces()
    {
        var provinces = new bool[100];
        foreach (var code in new[] { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82 })
        {
            provinces[code] = true;
        }

        return provinces;
    }

    private sealed class Rewriter : ExpressionVisitor
    {
        private static readonly Dictionary<MethodInfo, MethodInfo> Map = new[] { nameof(Fn.IsValidIdNumber), nameof(Fn.Age), nameof(Fn.BirthDate) }
            .ToDictionary(name => typeof(Fn).GetMethod(name, [typeof(string), typeof(DateOnly)])!, name => typeof(FastFn).GetMethod(name, [typeof(string), typeof(DateOnly)])!)
            .Append(new(typeof(Fn).GetMethod(nameof(Fn.County), [typeof(string)])!, typeof(FastFn).GetMethod(nameof(County), [typeof(string)])!))
            .ToDictionary();

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var visited = (MethodCallExpression)base.VisitMethodCall(node);
            return visited.Object is null && Map.TryGetValue(visited.Method, out var fast) ? Expression.Call(fast, visited.Arguments) : visited;
        }
    }
}
