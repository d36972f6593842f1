namespace OneCard.Domain.Applications;

/// <summary>Where a claim line stands. Ineligible, Rejected, Paid and Failed are terminal.</summary>
public enum LineOutcome { Eligible, Ineligible, Faulted, Rejected, Instructed, Paid, Failed }

/// <summary>The result of an on-site sample check of one line.</summary>
public enum SampleResult { Pending, Passed, Failed }

/// <summary>One beneficiary's claim inside an application, with its rule results and outcome.</summary>
public sealed class ClaimLine
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    /// <summary>The line's number in the roster as the user sees it (first data row = 1).</summary>
    public int LineNo { get; init; }
    public Guid BeneficiaryId { get; set; }
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public required string Name { get; init; }
    public required string IdNumberMasked { get; init; }
    /// <summary>The policy facts of the line (e.g. AreaMu, LandConverted) as JSON.</summary>
    public required string FactsJson { get; set; }
    /// <summary>The county-level area code (first 6 digits) read from the ID number at submission; with the birth date and
    /// gender below, the facts every <c>Fn</c> ID helper derives, kept so an impact run never decrypts an ID. Null on lines
    /// stored before these were kept (an impact run reports them as 无法测算).</summary>
    public string? IdAreaCode { get; init; }
    /// <summary>The birth date read from the ID number at submission (see <see cref="IdAreaCode"/>).</summary>
    public DateOnly? IdBirthDate { get; init; }
    /// <summary>Whether the ID number's sequence digit is odd (registered male), read at submission (see <see cref="IdAreaCode"/>).</summary>
    public bool? IdIsMale { get; init; }
    public decimal? Amount { get; set; }
    public LineOutcome Outcome { get; set; }
    public string? ReasonZh { get; set; }
    public string? ReasonEn { get; set; }
    /// <summary>Rules passed and failed, as JSON, from the rule set named by <see cref="RuleSetKey"/>.</summary>
    public required string RuleResultsJson { get; set; }
    public required string RuleSetKey { get; set; }
    /// <summary>Warnings from input validation (e.g. unknown area code, Luhn), as JSON.</summary>
    public string? WarningsJson { get; init; }
    public bool Sampled { get; set; }
    public SampleResult? SampleResult { get; set; }
    public string? SampleNote { get; set; }
    public string? SampleCheckedBy { get; set; }
    public DateTimeOffset? SampleCheckedAt { get; set; }

    public static bool IsTerminal(LineOutcome outcome) =>
        outcome is LineOutcome.Ineligible or LineOutcome.Rejected or LineOutcome.Paid or LineOutcome.Failed;

    /// <summary>A reviewer's rejection; only lines not yet sent to a bank can be rejected.</summary>
    public bool TryReject(string reasonZh, string reasonEn)
    {
        if (Outcome is not (LineOutcome.Eligible or LineOutcome.Faulted)) return false;
        Outcome = LineOutcome.Rejected;
        ReasonZh = reasonZh;
        ReasonEn = reasonEn;
        return true;
    }
}
