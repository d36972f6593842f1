namespace OneCard.Domain.Cases;

/// <summary>Where a task stands in an inbox.</summary>
public enum CaseTaskStatus { Open, Completed, Cancelled }

/// <summary>
/// A human step waiting for someone with <see cref="Role"/> in <see cref="RegionCode"/>'s scope.
/// <see cref="DueAt"/> is an exclusive end on the working-day calendar; the sweep sets
/// <see cref="OverdueAt"/> once it has passed.
/// </summary>
public sealed class CaseTask
{
    public Guid Id { get; init; }
    public Guid ApplicationId { get; init; }
    public Guid InstanceId { get; init; }
    public required string RegionCode { get; init; }
    public required string Step { get; init; }
    public required string Role { get; init; }
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
    public DateTimeOffset? CompletedAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? CompletedAction { get; set; }
}
