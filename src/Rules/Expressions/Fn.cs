using OneCard.Domain.Identity;

namespace OneCard.Rules.Expressions;

/// <summary>The helper functions a rule expression may call, written <c>Fn.Name(...)</c>; the only registered custom type.</summary>
/// <remarks>
/// Static on purpose: a registered type's base types become reachable in RulesEngine, and a static class
/// exposes nothing but these methods (its base, <see cref="object"/>, is refused by <see cref="ExpressionGate"/>).
/// Every method is pure and takes the evaluation date as an argument, so a line re-evaluated later gives the same answer.
/// </remarks>
public static class Fn
{
    /// <summary>True when the ID number passes every hard GB 11643-1999 check as of <paramref name="asOf"/>.</summary>
    public static bool IsValidIdNumber(string idNumber, DateOnly asOf) => IdNumber.Check(idNumber, asOf).IsValid;

    /// <summary>Age in whole years on <paramref name="asOf"/>, from the birth date inside a valid ID number.</summary>
    /// <exception cref="ArgumentException">The ID number is invalid; guard with <c>Fn.IsValidIdNumber(...) &amp;&amp; ...</c>.</exception>
    public static int Age(string idNumber, DateOnly asOf)
    {
        var birth = BirthDate(idNumber, asOf);
        var age = asOf.Year - birth.Year;
        return birth > asOf.AddYears(-age) ? age - 1 : age;
    }

    /// <summary>The birth date inside a valid ID number.</summary>
    /// <exception cref="ArgumentException">The ID number is invalid.</exception>
    public static DateOnly BirthDate(string idNumber, DateOnly asOf)
    {
        var check = IdNumber.Check(idNumber, asOf);
        return check is { IsValid: true, BirthDate: { } birth }
            ? birth
            : throw new ArgumentException("The ID number is invalid, so it has no birth date.", nameof(idNumber));
    }

    /// <summary>True when the (valid) ID number's sequence digit is odd, i.e. the holder is registered male.</summary>
    /// <exception cref="ArgumentException">The ID number is invalid.</exception>
    public static bool IsMale(string idNumber, DateOnly asOf)
    {
        var check = IdNumber.Check(idNumber, asOf);
        return check is { IsValid: true, Gender: { } gender }
            ? gender == Gender.Male
            : throw new ArgumentException("The ID number is invalid, so it has no gender.", nameof(idNumber));
    }

    /// <summary>The 6-digit county-level code (GB/T 2260) at the start of a region code, or "" when it is shorter.</summary>
    public static string County(string regionCode) => regionCode.Length >= 6 ? regionCode[..6] : "";

    /// <summary>Whole months from <paramref name="from"/> to <paramref name="to"/> (a month is complete on the same day
    /// of a later month, or on the last day of a shorter one); 0 when <paramref name="to"/> is before <paramref name="from"/>.</summary>
    public static int MonthsBetween(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            return 0;
        }

        var months = ((to.Year - from.Year) * 12) + to.Month - from.Month;
        return from.AddMonths(months) > to ? months - 1 : months;
    }

    /// <summary>True when <paramref name="regionCode"/> lies in the region <paramref name="prefix"/> (GB/T 2260 codes
    /// nest by prefix: <c>210114001</c> is in <c>2101</c> 沈阳市 and <c>21</c> 辽宁省). An empty prefix matches nothing.</summary>
    public static bool InRegion(string regionCode, string prefix) =>
        regionCode is not null && !string.IsNullOrEmpty(prefix) && regionCode.StartsWith(prefix, StringComparison.Ordinal);
}
