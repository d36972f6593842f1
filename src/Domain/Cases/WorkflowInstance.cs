namespace OneCard.Domain.Cases;

/// <summary>
/// The running workflow of one subject (an application, a complaint…): the definition version it is
/// pinned to, the step it is in, and the absolute due time of that step. Deadlines are data; clocks only read them.
/// </summary>
public sealed class WorkflowInstance
{
    public Guid Id { get; init; }
    /// <summary>The kind of subject (<see cref="SubjectKinds"/>); one instance per subject.</summary>
    public required string SubjectKind { get; init; }
    public Guid SubjectId { get; init; }
    public CaseSubject Subject => new(SubjectKind, SubjectId);
    /// <summary>The subject's number as staff know it (an application's 申报编号), for inboxes and lists.</summary>
    public required string Reference { get; init; }
    /// <summary>The policy the subject belongs to, when it belongs to one (the supervisor's figures slice by it).</summary>
    public string? PolicyCode { get; init; }
    public required string RegionCode { get; init; }
    public required string DefinitionId { get; init; }
    public int DefinitionVersion { get; set; }
    public required string Step { get; set; }
    public DateTimeOffset StepEnteredAt { get; set; }
    /// <summary>When the current step is due (exclusive end); null for steps without a time limit.</summary>
    public DateTimeOffset? StepDueAt { get; set; }
    /// <summary>When the sweep found the current step past its due time (a system step: late-payment watch).</summary>
    public DateTimeOffset? StepOverdueAt { get; set; }
    /// <summary>
    /// When the sweep escalated the current (System) step, its grace after the due time passed (a bank that has not
    /// confirmed: the supervisors were told); null while it has not. Cleared, like <see cref="StepOverdueAt"/>, on every move.
    /// </summary>
    public DateTimeOffset? StepEscalatedAt { get; set; }
    public bool IsFinal { get; set; }
    /// <summary>Bumped on every transition; a stale writer loses (optimistic concurrency).</summary>
    public int Revision { get; set; }
    public List<WorkflowEvent> History { get; init; } = [];
}

/// <summary>One transition of a workflow instance: who moved it, when, from where to where, and why.</summary>
public sealed class WorkflowEvent
{
    public Guid Id { get; init; }
    public Guid InstanceId { get; init; }
    public int Seq { get; init; }
    public required string FromStep { get; init; }
    public required string Action { get; init; }
    public required string ToStep { get; init; }
    public required string ActorId { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Comment { get; init; }
}
