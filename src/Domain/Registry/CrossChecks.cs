namespace OneCard.Domain.Registry;

/// <summary>The named cross-checks (大数据比对) a policy's rule set may configure.</summary>
public enum CrossCheckKind
{
    /// <summary>死亡: the person died before the end of the period (Deaths snapshot, or not alive in the registry).</summary>
    Deceased,
    /// <summary>非本地户籍: not resident in the line's region per the household registry.</summary>
    NotResident,
    /// <summary>重复享受: the same person claimed for the same policy and period in another township or region.</summary>
    ClaimedElsewhere,
    /// <summary>财政供养: state-funded staff, where the policy excludes them.</summary>
    StateFunded,
    /// <summary>政策互斥: receives a mutually exclusive policy in the same period.</summary>
    ExclusivePolicy,
    /// <summary>账户非本人: the account the line is paid into is held by someone else.</summary>
    AccountHolderMismatch,
}

/// <summary>What the reviewer decided about a hit: undecided, the line rejected, or the line kept with a comment; or settled by the
/// rule set, which reads the check's result as a fact (<c>crossCheck.&lt;Kind&gt;</c>) and re-evaluated the line under it.</summary>
public enum HitDecision { Pending, Rejected, Kept, SettledByRule }

/// <summary>
/// A cross-check's finding on one claim line: the reason, the snapshot (or other claim line) it rests on, and the
/// reviewer's decision. One per line and check (a later run finds it again, it does not duplicate it).
/// </summary>
public sealed class CrossCheckHit
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public Guid ClaimLineId { get; init; }
    public int LineNo { get; init; }
    public required string RegionCode { get; init; }
    public required string PolicyCode { get; init; }
    public required string Period { get; init; }
    public CrossCheckKind Check { get; init; }
    /// <summary>The snapshot whose row matched, when the check reads one.</summary>
    public Guid? SnapshotId { get; init; }
    /// <summary>The matching row of that snapshot.</summary>
    public int? SnapshotRowNo { get; init; }
    /// <summary>The other claim line, for <see cref="CrossCheckKind.ClaimedElsewhere"/> and an exclusive policy paid by OneCard.</summary>
    public Guid? OtherClaimLineId { get; init; }
    public required string ReasonZh { get; init; }
    public required string ReasonEn { get; init; }
    /// <summary>The run that found it first.</summary>
    public Guid RunId { get; init; }
    public DateTimeOffset FoundAt { get; init; }
    public HitDecision Decision { get; set; }
    public string? Comment { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>One run of an application's configured checks: at submission, or on demand. Evidence of what was compared.</summary>
public sealed class CrossCheckRun
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public required string RegionCode { get; init; }
    /// <summary><c>Submission</c> or <c>OnDemand</c>.</summary>
    public required string Trigger { get; init; }
    public required string StartedBy { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int LinesChecked { get; set; }
    /// <summary>Hits found in this run, including those an earlier run had found.</summary>
    public int Hits { get; set; }
    public int NewHits { get; set; }
    /// <summary>The checks run, as configured in the case's rule set (JSON).</summary>
    public required string ChecksJson { get; init; }
    /// <summary>The snapshots read, by id (JSON).</summary>
    public required string SnapshotsJson { get; set; }
}
