namespace OneCard.Domain.Applications;

/// <summary>How a line was corrected: one line's facts edited in the form, or replaced from a new roster file.</summary>
public enum LineCorrectionSource { Form, File }

/// <summary>
/// One correction of one claim line (更正明细) in a step whose definition allows it: who, when, in which step, the line's
/// facts and outcome before and after. Personal data is masked here as in the audit trail (the ID number and name as
/// <c>Masking</c> shows them; facts a rule set marks personal as stars); amounts and other facts are shown. The case page
/// reads these rows to show the reviewer what changed since they returned the case.
/// </summary>
public sealed class LineCorrection
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    /// <summary>The case's workflow instance, so separation of duties counts the corrector as having acted in <see cref="Step"/>.</summary>
    public Guid InstanceId { get; init; }
    public Guid ClaimLineId { get; init; }
    public int LineNo { get; init; }
    /// <summary>The application's township, for the region scope.</summary>
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    /// <summary>The workflow step the case was in (e.g. Returned).</summary>
    public required string Step { get; init; }
    public LineCorrectionSource Source { get; init; }
    public required string CorrectedBy { get; init; }
    public DateTimeOffset CorrectedAt { get; init; }
    public required string NameMasked { get; init; }
    public required string IdNumberMasked { get; init; }
    /// <summary>The changed facts only, as JSON <c>[{ "fact", "label", "before", "after" }]</c>, values as shown (personal ones masked).</summary>
    public required string ChangesJson { get; init; }
    public LineOutcome OutcomeBefore { get; init; }
    public LineOutcome OutcomeAfter { get; init; }
    public decimal? AmountBefore { get; init; }
    public decimal? AmountAfter { get; init; }
    /// <summary>The rule set version the line was re-evaluated under: the case's pinned one.</summary>
    public required string RuleSetKey { get; init; }
}
