using Microsoft.Extensions.Diagnostics.HealthChecks;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>
/// Degraded while the official calendar lacks a year that deadlines set now can reach: the State
/// Council publishes next year's holidays each November, and until it is added, time limits crossing
/// into that year are counted Monday–Friday and marked provisional.
/// </summary>
public sealed class CalendarHealthCheck(WorkingDayCalendar calendar, TimeProvider time) : IHealthCheck
{
    /// <summary>How far ahead a time limit set today can reach (the longest limits are about 45 working days).</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(90);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = WorkingDayCalendar.LocalDate(time.GetUtcNow());
        var until = WorkingDayCalendar.LocalDate(time.GetUtcNow() + Horizon);
        var missing = Enumerable.Range(now.Year, until.Year - now.Year + 1).Where(y => !calendar.Covers(y)).ToList();
        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy("Working-day calendar covers the next 90 days.")
            : HealthCheckResult.Degraded($"Working-day calendar lacks {string.Join(", ", missing)}: add the State Council's holiday notice to workflows/calendar-cn.json; deadlines into those years are provisional."));
    }
}
