namespace OneCard.Domain.Regions;

/// <summary>
/// Which data a user may see: every record whose region code starts with <see cref="Prefix"/>.
/// A province code 210000 scopes to "21", a city 210100 to "2101", a county 210114 to "210114",
/// a township 210114001 to itself — the significant digits of a GB/T 2260 code.
/// </summary>
public sealed record RegionScope(string Prefix)
{
    public static RegionScope For(string regionCode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(regionCode);
        if (regionCode.Length == 9) return new RegionScope(regionCode);
        if (regionCode.Length != 6 || !regionCode.All(char.IsAsciiDigit))
            throw new ArgumentException($"'{regionCode}' is not a 6- or 9-digit region code.", nameof(regionCode));
        if (regionCode.EndsWith("0000", StringComparison.Ordinal)) return new RegionScope(regionCode[..2]);
        if (regionCode.EndsWith("00", StringComparison.Ordinal)) return new RegionScope(regionCode[..4]);
        return new RegionScope(regionCode);
    }

    public bool Contains(string regionCode) => regionCode.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The county (6-digit) code of a township or county code.</summary>
    public static string CountyOf(string regionCode) => regionCode[..6];
}
