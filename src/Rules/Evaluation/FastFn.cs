using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using OneCard.Domain.Identity;
using OneCard.Rules.Expressions;

namespace OneCard.Rules.Evaluation;

/// <summary>Allocation-free equivalents of the ID-number helpers of <see cref="Fn"/>, for the compiled path only.</summary>
/// <remarks>
/// <see cref="IdNumber.Check"/> builds lists of located issues for import, which a rule that only asks "valid?" throws
/// away: on a 1,000,000-line roster that is most of the garbage. The fast path here answers the same question for the
/// common shape (exactly 18 characters, 17 ASCII digits and a digit, X or x last, no whitespace) with the same checks
/// in the same order (province, birth date 1900-01-01..asOf, ISO 7064 check character); anything else (whitespace,
/// full-width characters, other lengths) is delegated to <see cref="Fn"/>, so answers and exceptions are identical.
/// Tests compare both on generated and malformed numbers.
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

    /// <summary>Rewrites calls of <see cref="Fn"/>'s ID helpers in a gate-approved tree to the equivalents here.</summary>
    public static Expression Rewrite(Expression body) => new Rewriter().Visit(body);

    // True when the number has the common shape and the answer is known without IdNumber.Check.
    private static bool TryFast(string? id, DateOnly asOf, out bool valid, out DateOnly birth)
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

        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birth)
            || birth < EarliestBirthDate || birth > asOf)
        {
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
            .ToDictionary(name => typeof(Fn).GetMethod(name, [typeof(string), typeof(DateOnly)])!, name => typeof(FastFn).GetMethod(name, [typeof(string), typeof(DateOnly)])!);

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var visited = (MethodCallExpression)base.VisitMethodCall(node);
            return visited.Object is null && Map.TryGetValue(visited.Method, out var fast) ? Expression.Call(fast, visited.Arguments) : visited;
        }
    }
}
