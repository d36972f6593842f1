namespace OneCard.Rules.RuleSets;

/// <summary>
/// The shipped rule sets, loaded once from a directory, looked up by policy code and version. A host seeds its database
/// from it; as <see cref="IRuleSets"/> every file counts as in force from the start of time (the latest version decides).
/// </summary>
public sealed class RuleSetCatalog : IRuleSets
{
    private readonly Dictionary<string, RuleSet> _byKey;

    private RuleSetCatalog(IEnumerable<RuleSet> ruleSets)
    {
        _byKey = ruleSets.ToDictionary(r => r.VersionKey, StringComparer.Ordinal);
        All = [.. _byKey.Values.OrderBy(r => r.PolicyCode, StringComparer.Ordinal).ThenBy(r => r.Version)];
    }

    /// <summary>Every rule set, ordered by policy code then version.</summary>
    public IReadOnlyList<RuleSet> All { get; }

    /// <summary>Loads every <c>*.json</c> file in <paramref name="path"/> (not recursive). File names must be
    /// <c>{policyCode}.v{version}.json</c>, and the latest version of each policy must declare bounds
    /// (<see cref="BoundsProblems"/>). All files are checked before anything is thrown.</summary>
    /// <exception cref="RuleSetException">Any file is invalid, misnamed, or repeats a policy version.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static RuleSetCatalog LoadFromDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Rule set directory not found: {path}");
        }

        var loaded = new List<RuleSet>();
        var errors = new List<RuleSetValidationError>();
        foreach (var file in Directory.EnumerateFiles(path, "*.json").Order(StringComparer.Ordinal))
        {
            var (ruleSet, fileErrors) = RuleSetLoader.ReadFile(file);
            errors.AddRange(fileErrors);
            if (ruleSet is null)
            {
                continue;
            }

            var expected = $"{ruleSet.PolicyCode}.v{ruleSet.Version}.json";
            if (!string.Equals(Path.GetFileName(file), expected, StringComparison.Ordinal))
            {
                errors.Add(new RuleSetValidationError(file, "$", $"文件名应为 {expected}", $"the file should be named {expected}"));
            }
            else if (loaded.Any(r => r.VersionKey == ruleSet.VersionKey))
            {
                errors.Add(new RuleSetValidationError(file, "version", $"{ruleSet.VersionKey} 重复", $"{ruleSet.VersionKey} is defined twice"));
            }
            else
            {
                loaded.Add(ruleSet);
            }
        }

        foreach (var latest in loaded.GroupBy(r => r.PolicyCode).Select(g => g.MaxBy(r => r.Version)!))
        {
            errors.AddRange(BoundsProblems(latest));
            errors.AddRange(RuleSetExamples.Problems(latest));
        }

        return errors.Count > 0 ? throw new RuleSetException(errors) : new RuleSetCatalog(loaded);
    }

    /// <summary>What a rule set lacks to be the version new cases start under: a minimum and maximum on every supplied
    /// number, and a per-line amount ceiling. Older versions may lack them (cases pinned to them still evaluate).</summary>
    public static IReadOnlyList<RuleSetValidationError> BoundsProblems(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var problems = new List<RuleSetValidationError>();
        for (var i = 0; i < ruleSet.Facts.Count; i++)
        {
            var fact = ruleSet.Facts[i];
            // A registry-sourced number is counted by the host, not typed into a roster: no input bounds needed.
            if (!fact.IsFromRoster || fact.Type is not (FactType.Decimal or FactType.Int))
            {
                continue;
            }

            foreach (var (key, missing) in new[] { ("minimum", fact.Minimum is null), ("maximum", fact.Maximum is null) })
            {
                if (missing)
                {
                    problems.Add(new RuleSetValidationError(ruleSet.Source, $"facts[{i}].{key}",
                        $"{ruleSet.PolicyCode} 的最新版本（v{ruleSet.Version}）须为数值事实 {fact.Name} 声明 {key}（合理取值范围）",
                        $"the latest version (v{ruleSet.Version}) of {ruleSet.PolicyCode} must declare {key} for the numeric fact {fact.Name}"));
                }
            }
        }

        if (ruleSet.Amount.Ceiling is null)
        {
            problems.Add(new RuleSetValidationError(ruleSet.Source, "amount.ceiling",
                $"{ruleSet.PolicyCode} 的最新版本（v{ruleSet.Version}）须声明单条金额上限 amount.ceiling",
                $"the latest version (v{ruleSet.Version}) of {ruleSet.PolicyCode} must declare a per-line amount ceiling (amount.ceiling)"));
        }

        return problems;
    }

    /// <summary>Builds a catalog from rule sets already loaded (e.g. drafts under test); not held to <see cref="BoundsProblems"/>.</summary>
    /// <exception cref="ArgumentException">Two rule sets share a version key.</exception>
    public static RuleSetCatalog From(IEnumerable<RuleSet> ruleSets) => new(ruleSets);

    /// <summary>The rule set of one policy version.</summary>
    /// <exception cref="KeyNotFoundException">No such policy version.</exception>
    public RuleSet Get(string policyCode, int version) =>
        TryGet(policyCode, version) ?? throw new KeyNotFoundException($"No rule set {policyCode}@{version}.");

    /// <summary>The rule set of one policy version, or null.</summary>
    public RuleSet? TryGet(string policyCode, int version) => _byKey.GetValueOrDefault($"{policyCode}@{version}");

    /// <summary>The highest version of a policy's rule set.</summary>
    /// <exception cref="KeyNotFoundException">The policy has no rule set.</exception>
    public RuleSet Latest(string policyCode) =>
        All.LastOrDefault(r => r.PolicyCode == policyCode) ?? throw new KeyNotFoundException($"No rule set for policy {policyCode}.");

    /// <summary>Files carry no approval: the latest version is in force on every day.</summary>
    public RuleSet? EffectiveOn(string policyCode, DateOnly date) => All.LastOrDefault(r => r.PolicyCode == policyCode);
}
