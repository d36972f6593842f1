using Microsoft.Extensions.Diagnostics.HealthChecks;
using OneCard.Host.Calendar;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>
/// Degraded while the calendar in use (shipped file and administrator-entered years) lacks a year that deadlines
/// set now can reach: the State Council publishes next year's holidays each November, and until an administrator
/// enters it, time limits crossing into that year are counted Monday–Friday and marked provisional.
/// </summary>
/// <remarks>
/// "The coming year" is the next calendar year once it lies within <see cref="Horizon"/>, not all year long:
/// a check Degraded from January to November would be ignored by the time it matters.
/// </remarks>
public sealed class CalendarHealthCheck(CalendarProvider calendars, TimeProvider time) : IHealthCheck
{
    /// <summary>How far ahead a time limit set today can reach (the longest limits are about 45 working days).</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(90);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var calendar = calendars.Current;
        var now = WorkingDayCalendar.LocalDate(time.GetUtcNow());
        var until = WorkingDayCalendar.LocalDate(time.GetUtcNow() + Horizon);
        var missing = Enumerable.Range(now.Year, until.Year - now.Year + 1).Where(y => !calendar.Covers(y)).ToList();
        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy("Working-day calendar covers the next 90 days.")
            : HealthCheckResult.Degraded($"Working-day calendar lacks {string.Join(", ", missing)}: an administrator enters the State Council's holiday notice at /admin/calendar (节假日安排); deadlines into those years are provisional."));
    }
}
