using System.Globalization;
using OneCard.Workflows;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// How the UI writes a time limit: the last day of it, in China time, as people say it ("12月9日（星期三）内办结").
/// A deadline is stored as the exclusive instant it ends (00:00 of the next day, China time), so an instant at midnight
/// reads as the day before; any other instant reads as its own day. The one formatter for due dates on the case pages.
/// </summary>
public static class DueDates
{
    private static readonly string[] Weekdays = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];

    /// <summary>The last calendar day (China time) on which the work is still in time.</summary>
    public static DateOnly LastDay(DateTimeOffset dueAt)
    {
        var local = dueAt.ToOffset(WorkingDayCalendar.Offset);
        var day = DateOnly.FromDateTime(local.DateTime);
        return local.TimeOfDay == TimeSpan.Zero ? day.AddDays(-1) : day;
    }

    /// <summary>"12月9日（星期三）"; with the year ("2027年1月4日（星期一）") when it is not the year of <paramref name="now"/>.</summary>
    public static string Day(DateTimeOffset dueAt, DateTimeOffset now)
    {
        var day = LastDay(dueAt);
        var year = now.ToOffset(WorkingDayCalendar.Offset).Year;
        var text = day.Year == year
            ? string.Create(CultureInfo.InvariantCulture, $"{day.Month}月{day.Day}日")
            : string.Create(CultureInfo.InvariantCulture, $"{day.Year}年{day.Month}月{day.Day}日");
        return $"{text}（{Weekdays[(int)day.DayOfWeek]}）";
    }

    /// <summary>"12月9日（星期三）内办结", or "—" when the step has no time limit.</summary>
    public static string Text(DateTimeOffset? dueAt, DateTimeOffset now) => dueAt is { } due ? Day(due, now) + "内办结" : "—";

    /// <summary>The exact instant, for a tooltip: "截止时间 2026-12-10 00:00（北京时间）".</summary>
    public static string Exact(DateTimeOffset? dueAt) => dueAt is null ? "" : $"截止时间 {Show.ChinaTime(dueAt)}（北京时间）";
}
