using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Calendar;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Calendar;

/// <summary>
/// The working-day calendar in use: the shipped file (<c>data/calendar-cn.json</c>) plus the years an
/// administrator entered. Immutable snapshots are swapped whole, so a deadline is always counted on one calendar.
/// </summary>
public sealed class CalendarProvider(WorkingDayCalendar shipped)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private sealed record Snapshot(WorkingDayCalendar Calendar, IReadOnlyList<HolidayNoticeRecord> Entered, int Rows);

    private Snapshot snapshot = new(shipped, [], 0);

    /// <summary>The calendar as released: years here cannot be entered.</summary>
    public WorkingDayCalendar Shipped { get; } = shipped;

    /// <summary>The calendar deadlines are counted on now.</summary>
    public WorkingDayCalendar Current => Volatile.Read(ref snapshot).Calendar;

    /// <summary>The latest revision of each entered year, by year.</summary>
    public IReadOnlyList<HolidayNoticeRecord> Entered => Volatile.Read(ref snapshot).Entered;

    /// <summary>
    /// Re-reads the entered notices (a handful of rows) and swaps the calendar. Rows are only ever added, so a
    /// snapshot read from fewer rows than the current one is stale (a slower concurrent reload) and is dropped.
    /// </summary>
    public async Task ReloadAsync(OneCardDbContext db, CancellationToken ct)
    {
        var rows = await db.HolidayNotices.AsNoTracking().ToListAsync(ct);
        var latest = rows.GroupBy(r => r.Year).Select(g => g.MaxBy(r => r.Revision)!).OrderBy(r => r.Year).ToList();
        var calendar = Shipped.With(latest.Where(r => !Shipped.Covers(r.Year)).Select(ToNotice));
        var next = new Snapshot(calendar, latest, rows.Count);
        while (true)
        {
            var seen = Volatile.Read(ref snapshot);
            if (seen.Rows > next.Rows || Interlocked.CompareExchange(ref snapshot, next, seen) == seen) return;
        }
    }

    public static HolidayNotice ToNotice(HolidayNoticeRecord r) => new(r.Year, r.DocumentNumber,
        JsonSerializer.Deserialize<List<HolidayRange>>(r.HolidaysJson, Json) ?? [],
        JsonSerializer.Deserialize<List<DateOnly>>(r.MakeUpWorkdaysJson, Json) ?? []);

    public static string HolidaysToJson(IReadOnlyList<HolidayRange> holidays) => JsonSerializer.Serialize(holidays, Json);

    public static string WorkdaysToJson(IReadOnlyList<DateOnly> days) => JsonSerializer.Serialize(days, Json);
}

/// <summary>
/// Loads the entered years when the host starts and re-reads them every minute, so that a year entered on
/// another host reaches this one within a minute (the host that took the entry reloads at once).
/// </summary>
public sealed class CalendarRefresher(CalendarProvider provider, IServiceScopeFactory scopes, TimeProvider time, ILogger<CalendarRefresher> log)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before serving: a restarted host must not count deadlines on the shipped file alone.
        await ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                await ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Keep counting on the last calendar read; the next minute tries again.
                log.LogWarning(e, "Reloading the working-day calendar failed");
            }
        }
    }

    private async Task ReloadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        await provider.ReloadAsync(scope.ServiceProvider.GetRequiredService<OneCardDbContext>(), ct);
    }
}
