namespace OneCard.Workflows;

/// <summary>A step's deadline as absolute instants: <see cref="DueAt"/> is an exclusive end, <see cref="RemindAt"/> when to remind.</summary>
/// <param name="DueAt">
/// The instant the allowed time ends, exclusive: work done strictly before it is on time, work at or after it is late.
/// Always 00:00 China Standard Time of the day after the last allowed day, expressed in UTC (offset zero).
/// </param>
/// <param name="RemindAt">When to send the "due soon" reminder (same rule as <paramref name="DueAt"/>), or null for none.</param>
/// <param name="IsProvisional">
/// True when a counted day fell in a year the calendar has no official notice for (Monday–Friday was assumed);
/// recompute once that year's notice has been added to the calendar.
/// </param>
/// <param name="EscalateAt">When an overdue task escalates (the due time plus the step's grace period, same rule), or null for never.</param>
public sealed record StepDeadline(DateTimeOffset DueAt, DateTimeOffset? RemindAt, bool IsProvisional = false, DateTimeOffset? EscalateAt = null);
