namespace OneCard.Rules.RuleSets;

/// <summary>One problem found in a rule set file: where (file and JSON path) and why, in Chinese and English.</summary>
/// <param name="Source">The file path or source name given to the loader.</param>
/// <param name="Path">A JSON path such as <c>eligibility[2].expression</c>; <c>$</c> for the whole document.</param>
/// <param name="MessageZh">The reason in Chinese.</param>
/// <param name="MessageEn">The reason in English.</param>
public sealed record RuleSetValidationError(string Source, string Path, string MessageZh, string MessageEn)
{
    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Path}: {MessageZh} ({MessageEn})";
}

/// <summary>Thrown when one or more rule set files are invalid; carries every error found, not only the first.</summary>
public sealed class RuleSetException : Exception
{
    /// <summary>The stable error code the host maps to problem details.</summary>
    public const string ErrorCode = "RuleSetInvalid";

    /// <summary>Creates the exception from the collected errors.</summary>
    public RuleSetException(IReadOnlyList<RuleSetValidationError> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Always <c>RuleSetInvalid</c>.</summary>
    public string Code => ErrorCode;

    /// <summary>Every error found, with its location.</summary>
    public IReadOnlyList<RuleSetValidationError> Errors { get; }

    private static string Describe(IReadOnlyList<RuleSetValidationError> errors) =>
        $"Rule set invalid ({errors.Count} error(s)):" + Environment.NewLine
        + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
