namespace OneCard.Domain.Cases;

/// <summary>Where a task stands in an inbox.</summary>
public enum CaseTaskStatus { Open, Completed, Cancelled }

/// <summary>
/// A human step waiting for someone with <see cref="Role"/> in <see cref="RegionCode"/>'s scope.
/// <see cref="DueAt"/> is an exclusive end on the working-day calendar; the sweep sets
/// <see cref="OverdueAt"/> once it has passed. An instance has at most one open task per step.
/// </summary>
public sealed class CaseTask
{
    public Guid Id { get; init; }
    /// <summary>The instance's subject, copied so that inboxes and the supervisor's figures need no join.</summary>
    public required string SubjectKind { get; init; }
    public Guid SubjectId { get; init; }
    public CaseSubject Subject => new(SubjectKind, SubjectId);
    public string? PolicyCode { get; init; }
    public Guid InstanceId { get; init; }
    public required string RegionCode { get; init; }
    public required string Step { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    /// <summary>
    /// The due time counted days of a year the official calendar does not cover yet (Monday–Friday
    /// assumed); it may move when the State Council's holiday notice for that year is added.
    /// </summary>
    public bool DueAtIsProvisional { get; init; }
    public DateTimeOffset? RemindAt { get; init; }
    public DateTimeOffset? RemindedAt { get; set; }
    public DateTimeOffset? OverdueAt { get; set; }
    public CaseTaskStatus Status { get; set; }
    /// <summary>Who claimed the task (or was assigned it); null: anyone with the role in the region may take it.</summary>
    public string? AssigneeId { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    /// <summary>When an overdue task escalates (due time plus the step's grace period); null: the step does not escalate.</summary>
    public DateTimeOffset? EscalateAt { get; init; }
    public DateTimeOffset? EscalatedAt { get; set; }
    /// <summary>The role and region the task escalated to (e.g. the city supervisor).</summary>
    public string? EscalatedToRole { get; set; }
    public string? EscalatedToRegionCode { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? CompletedAction { get; set; }
}
