namespace OneCard.Rules.Evaluation;

/// <summary>The decision on one claim line.</summary>
public enum EvaluationOutcome
{
    /// <summary>Every eligibility rule passed; the line has an amount.</summary>
    Eligible,
    /// <summary>At least one eligibility rule evaluated to false (and none faulted).</summary>
    Ineligible,
    /// <summary>No decision could be made: missing or mistyped fact, missing rate, a rule error, or a timeout.
    /// Never read as "not eligible"; the line needs a person or a fix.</summary>
    Faulted,
}

/// <summary>The result of one eligibility rule on one line, kept as part of the audit record.</summary>
/// <param name="RuleName">The rule's name in the rule set.</param>
/// <param name="Passed">True when the expression evaluated to true.</param>
/// <param name="MessageZh">The rule's Chinese message when it failed; empty when it passed or faulted.</param>
/// <param name="MessageEn">The rule's English message when it failed; empty when it passed or faulted.</param>
/// <param name="Fault">Why the rule could not be evaluated (Chinese / English), or null.</param>
public sealed record RuleOutcome(string RuleName, bool Passed, string MessageZh, string MessageEn, string? Fault);

/// <summary>The evaluation of one claim line under one rule set version: outcome, amount, each rule's result.</summary>
/// <param name="Outcome">Eligible, Ineligible or Faulted.</param>
/// <param name="Amount">Yuan, rounded once to 分 half away from zero; only for Eligible lines, never negative.</param>
/// <param name="Rules">Each eligibility rule's result, in rule set order; empty when facts could not be bound.</param>
/// <param name="RuleSetVersionKey">The rule set version the line was evaluated under, e.g. <c>arable-land-protection@1</c>.</param>
/// <param name="Fault">For Faulted lines, the reason in Chinese / English.</param>
public sealed record ClaimEvaluation(
    EvaluationOutcome Outcome,
    decimal? Amount,
    IReadOnlyList<RuleOutcome> Rules,
    string RuleSetVersionKey,
    string? Fault)
{
    /// <summary>For Faulted lines, a stable code from <see cref="FaultCodes"/>.</summary>
    public string? FaultCode { get; init; }

    /// <summary>The rules that evaluated to false (the reasons a line is Ineligible).</summary>
    public IEnumerable<RuleOutcome> FailedRules => Rules.Where(r => !r.Passed && r.Fault is null);
}

/// <summary>Stable codes of why a line is Faulted.</summary>
public static class FaultCodes
{
    /// <summary>A declared fact was not supplied, or was null.</summary>
    public const string FactMissing = "FactMissing";

    /// <summary>A fact was supplied with a value of the wrong type.</summary>
    public const string FactMistyped = "FactMistyped";

    /// <summary>A string fact is longer than its declared (or default) maximum length.</summary>
    public const string FactTooLong = "FactTooLong";

    /// <summary>A numeric fact is below its declared minimum or above its declared maximum.</summary>
    public const string FactOutOfRange = "FactOutOfRange";

    /// <summary>The caller supplied a fact that the rule set looks up itself (e.g. a rate).</summary>
    public const string FactNotSuppliable = "FactNotSuppliable";

    /// <summary>A lookup table has no entry for the line's key (e.g. no rate for the county).</summary>
    public const string TableEntryMissing = "TableEntryMissing";

    /// <summary>A computed fact's expression threw (e.g. <c>Fn.Age</c> of an invalid ID number).</summary>
    public const string ComputeError = "ComputeError";

    /// <summary>An eligibility rule threw while evaluating.</summary>
    public const string RuleError = "RuleError";

    /// <summary>The amount expression threw while evaluating.</summary>
    public const string AmountError = "AmountError";

    /// <summary>The amount came out negative.</summary>
    public const string AmountNegative = "AmountNegative";

    /// <summary>The amount came out above the rule set's per-line ceiling; it is never paid.</summary>
    public const string AmountAboveCeiling = "AmountAboveCeiling";

    /// <summary>The line took longer than the evaluation time budget.</summary>
    public const string Timeout = "Timeout";
}
