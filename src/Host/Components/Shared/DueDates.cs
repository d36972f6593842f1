using System.Globalization;
using OneCard.Host.Resources;
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

    private static readonly CultureInfo EnglishDates = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>
    /// "12月9日（星期三）"; with the year ("2027年1月4日（星期一）") when it is not the year of <paramref name="now"/>.
    /// In English: "Wed 9 Dec" ("Mon 4 Jan 2027").
    /// </summary>
    public static string Day(DateTimeOffset dueAt, DateTimeOffset now)
    {
        var day = LastDay(dueAt);
        var year = now.ToOffset(WorkingDayCalendar.Offset).Year;
        if (Ui.English)
            return day.ToString(day.Year == year ? "ddd d MMM" : "ddd d MMM yyyy", EnglishDates);
        var text = day.Year == year
            ? string.Create(CultureInfo.InvariantCulture, $"{day.Month}月{day.Day}日")
            : string.Create(CultureInfo.InvariantCulture, $"{day.Year}年{day.Month}月{day.Day}日");
        return $"{text}（{Weekdays[(int)day.DayOfWeek]}）";
    }

    /// <summary>"12月9日（星期三）内办结" ("due by Wed 9 Dec"), or "—" when the step has no time limit.</summary>
    public static string Text(DateTimeOffset? dueAt, DateTimeOffset now) => dueAt is { } due ? Ui.F("Due.By", Day(due, now)) : "—";

    /// <summary>The exact instant, for a tooltip: "截止时间 2026-12-10 00:00（北京时间）" ("Deadline 2026-12-10 00:00 (China time)").</summary>
    public static string Exact(DateTimeOffset? dueAt) => dueAt is null ? "" : Ui.F("Due.Exact", Show.ChinaTime(dueAt));
}
