namespace OneCard.Domain.Applications;

/// <summary>How an application came in: a township roster (many lines) or one person's claim.</summary>
public enum ApplicationSource { Roster, Individual }

/// <summary>
/// The case: one submission for one policy and period from one township. It pins the rule set
/// and workflow versions it started under; its lines carry their own outcomes.
/// </summary>
public sealed class Application
{
    public Guid Id { get; init; }
    public required string Number { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    /// <summary>The township (9-digit) the application belongs to; its scope for every user.</summary>
    public required string RegionCode { get; init; }
    public ApplicationSource Source { get; init; }
    public required string SubmittedBy { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }
    public required string RuleSetKey { get; set; }
    public required string WorkflowKey { get; init; }
    public int LineCount { get; set; }
    public int EligibleCount { get; set; }
    /// <summary>Sum of the amounts of lines still payable (eligible and not rejected), in yuan.</summary>
    public decimal PayableAmount { get; set; }
    public DateTimeOffset? PublicityStartsAt { get; set; }
    public DateTimeOffset? PublicityEndsAt { get; set; }
    public List<ClaimLine> Lines { get; init; } = [];

    /// <summary>Rejects one of this case's lines and, if it was payable, takes it out of the totals.</summary>
    public bool Reject(ClaimLine line, string reasonZh, string reasonEn)
    {
        var wasPayable = line.Outcome == LineOutcome.Eligible;
        if (!line.TryReject(reasonZh, reasonEn)) return false;
        if (wasPayable)
        {
            EligibleCount--;
            PayableAmount -= line.Amount ?? 0m;
        }
        return true;
    }
}
