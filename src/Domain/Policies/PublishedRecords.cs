namespace OneCard.Domain.Policies;

/// <summary>
/// Where a rule set version stands. <see cref="Draft"/> → <see cref="Submitted"/> → <see cref="Approved"/> (by a second
/// policy officer, on the case engine) → in force from <see cref="RuleSetRecord.EffectiveFrom"/>; or <see cref="Rejected"/>.
/// Files shipped in <c>rules/</c> are registered as <see cref="Effective"/>. <see cref="Superseded"/> is never stored: like
/// "in force", it is read off the dates (<see cref="RuleSetRecord.StatusOn"/>).
/// </summary>
public enum RuleSetStatus { Draft, Submitted, Approved, Effective, Rejected, Superseded }

/// <summary>
/// One version of a policy's rule set (规则集), kept verbatim so that a pinned case can always be re-read. The rows are
/// the source of truth; the JSON never changes once stored (a change is a new version), only the status moves.
/// </summary>
public sealed class RuleSetRecord
{
    public required string VersionKey { get; init; }
    public required string PolicyCode { get; init; }
    public int Version { get; init; }
    public required string Sha256 { get; init; }
    public required string Json { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The stored status; see <see cref="StatusOn"/> for what it means on a given day.</summary>
    public RuleSetStatus Status { get; set; } = RuleSetStatus.Effective;

    /// <summary>The first day (China time) new cases take this version, once approved.</summary>
    public DateOnly EffectiveFrom { get; set; } = SeedEffectiveFrom;

    /// <summary>The subject id of the version's approval case (kind <c>RuleSet</c>); null for a version seeded from a file.</summary>
    public Guid? CaseId { get; init; }

    /// <summary>Who wrote the draft (a user id), or <c>system</c> for a seeded file.</summary>
    public string? AuthorId { get; init; }
    public string? SubmittedBy { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public string? RejectedBy { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }

    /// <summary>
    /// The evidence recorded when the version was last submitted (JSON): the impact runs on exactly this text (id, when, by whom,
    /// source, headline figures), or why none was needed. Null before a submission.
    /// </summary>
    public string? EvidenceJson { get; set; }

    /// <summary>When nothing says otherwise, a shipped file has always been in force.</summary>
    public static readonly DateOnly SeedEffectiveFrom = new(2000, 1, 1);

    /// <summary>Whether this version may decide new cases at all (approved or seeded), whatever the date.</summary>
    public bool IsInForceStatus => Status is RuleSetStatus.Approved or RuleSetStatus.Effective;

    /// <summary>
    /// The status as of <paramref name="day"/>, given the policy's other versions: an approved version is Effective from its
    /// date until a later one (later date, or the same date and a higher version) takes over, then Superseded.
    /// </summary>
    public RuleSetStatus StatusOn(DateOnly day, IEnumerable<RuleSetRecord> policyVersions)
    {
        ArgumentNullException.ThrowIfNull(policyVersions);
        if (!IsInForceStatus) return Status;
        if (EffectiveFrom > day) return RuleSetStatus.Approved;
        var overtaken = policyVersions.Any(o => o.PolicyCode == PolicyCode && o.Version != Version && o.IsInForceStatus && o.EffectiveFrom <= day
            && (o.EffectiveFrom > EffectiveFrom || (o.EffectiveFrom == EffectiveFrom && o.Version > Version)));
        return overtaken ? RuleSetStatus.Superseded : RuleSetStatus.Effective;
    }
}

/// <summary>A workflow definition file as published, kept verbatim for the cases pinned to it.</summary>
public sealed class WorkflowDefinitionRecord
{
    public required string VersionKey { get; init; }
    public required string DefinitionId { get; init; }
    public int Version { get; init; }
    public required string Sha256 { get; init; }
    public required string Json { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
}
