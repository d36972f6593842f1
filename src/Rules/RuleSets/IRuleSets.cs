namespace OneCard.Rules.RuleSets;

/// <summary>
/// The rule sets a host decides with, by policy and version. The host's implementation reads them from the database
/// (files in <c>rules/</c> are only the seed); <see cref="RuleSetCatalog"/> is the file-only one, for tools and tests.
/// </summary>
public interface IRuleSets
{
    /// <summary>One stored version, whatever its status (a case pinned to it, a draft being reviewed).</summary>
    /// <exception cref="KeyNotFoundException">No such policy version.</exception>
    RuleSet Get(string policyCode, int version);

    /// <summary>
    /// The version a new case of <paramref name="policyCode"/> dated <paramref name="date"/> (China time) is decided under: of
    /// the approved versions in force on that day, the one that took effect last (the higher version on the same day); null if none.
    /// </summary>
    RuleSet? EffectiveOn(string policyCode, DateOnly date);

    /// <summary>Every known version, ordered by policy code then version.</summary>
    IReadOnlyList<RuleSet> All { get; }
}

/// <summary>Reads the version number out of a version key (<c>policy@3</c> → 3).</summary>
public static class RuleSetVersionKey
{
    /// <summary>The policy code and version of <paramref name="versionKey"/>.</summary>
    /// <exception cref="FormatException">Not of the form <c>policy@version</c>.</exception>
    public static (string PolicyCode, int Version) Parse(string versionKey)
    {
        ArgumentNullException.ThrowIfNull(versionKey);
        var at = versionKey.LastIndexOf('@');
        return at > 0 && int.TryParse(versionKey.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? (versionKey[..at], v)
            : throw new FormatException($"Not a rule set version key: {versionKey}");
    }
}
