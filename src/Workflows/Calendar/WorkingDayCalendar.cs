using System.Globalization;
using System.Text.Json;

namespace OneCard.Workflows;

/// <summary>The official mainland-China working-day calendar (holidays 放假 and make-up working days 调休上班), in China Standard Time.</summary>
/// <remarks>
/// A day listed as a holiday is not a working day; a day listed as a make-up working day is one; any other day
/// follows the rule Monday–Friday working, Saturday–Sunday not. A year with no official notice in the data follows
/// the same Monday–Friday rule, and <see cref="Covers"/> returns false for it so that the caller can warn.
/// </remarks>
public sealed class WorkingDayCalendar
{
    /// <summary>China Standard Time: UTC+08:00 all year, no daylight saving time.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _workdays;
    private readonly HashSet<int> _years;

    private WorkingDayCalendar(HashSet<DateOnly> holidays, HashSet<DateOnly> workdays, HashSet<int> years)
    {
        _holidays = holidays;
        _workdays = workdays;
        _years = years;
    }

    /// <summary>The years the calendar has an official notice for, ascending.</summary>
    public IReadOnlyList<int> CoveredYears => [.. _years.Order()];

    /// <summary>
    /// Reads the format of <c>data/calendar-cn.json</c>:
    /// <c>{ "years": { "2026": { "holidays": ["2026-01-01", …], "workdays": ["2026-01-04", …] } } }</c>.
    /// </summary>
    /// <exception cref="FormatException">The JSON is malformed, a date is not <c>yyyy-MM-dd</c>, a date lies outside
    /// the year it is listed under, or a date is listed both as holiday and as working day.</exception>
    public static WorkingDayCalendar Load(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var holidays = new HashSet<DateOnly>();
        var workdays = new HashSet<DateOnly>();
        var years = new HashSet<int>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("years", out var yearsElement)
                || yearsElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("Calendar JSON must be an object with a \"years\" object.");
            }

            foreach (var year in yearsElement.EnumerateObject())
            {
                if (!int.TryParse(year.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var y) || y < 1900 || y > 9999)
                {
                    throw new FormatException($"Calendar year key \"{year.Name}\" is not a four-digit year.");
                }

                years.Add(y);
                ReadDates(year.Value, "holidays", y, holidays);
                ReadDates(year.Value, "workdays", y, workdays);
            }
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Calendar JSON is malformed: {ex.Message}", ex);
        }

        var both = holidays.Intersect(workdays).Order().ToList();
        if (both.Count > 0)
        {
            throw new FormatException($"Calendar lists {both[0]:yyyy-MM-dd} both as holiday and as working day.");
        }

        return new WorkingDayCalendar(holidays, workdays, years);
    }

    private static void ReadDates(JsonElement year, string property, int y, HashSet<DateOnly> into)
    {
        if (!year.TryGetProperty(property, out var list))
        {
            return;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"Calendar year {y}: \"{property}\" must be an array of yyyy-MM-dd dates.");
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String
                || !DateOnly.TryParseExact(item.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                throw new FormatException($"Calendar year {y}: \"{property}\" holds {item.GetRawText()}, not a yyyy-MM-dd date.");
            }

            if (day.Year != y)
            {
                throw new FormatException($"Calendar year {y}: {day:yyyy-MM-dd} in \"{property}\" belongs to another year.");
            }

            into.Add(day);
        }
    }

    /// <summary>
    /// This calendar with <paramref name="year"/> covered by the given holidays and make-up working days (an official notice
    /// entered after release); a year already covered is replaced whole. The receiver is not changed.
    /// </summary>
    /// <exception cref="ArgumentException">A date lies outside <paramref name="year"/>, or a date is both holiday and working day.</exception>
    public WorkingDayCalendar With(int year, IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> workdays)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        ArgumentNullException.ThrowIfNull(workdays);
        var newHolidays = holidays.ToHashSet();
        var newWorkdays = workdays.ToHashSet();
        foreach (var stray in newHolidays.Concat(newWorkdays).Where(d => d.Year != year).Order().Take(1))
        {
            throw new ArgumentException($"Calendar year {year}: {stray:yyyy-MM-dd} belongs to another year.", nameof(holidays));
        }

        foreach (var both in newHolidays.Intersect(newWorkdays).Order().Take(1))
        {
            throw new ArgumentException($"Calendar year {year}: {both:yyyy-MM-dd} is both holiday and working day.", nameof(workdays));
        }

        var h = _holidays.Where(d => d.Year != year).Concat(newHolidays).ToHashSet();
        var w = _workdays.Where(d => d.Year != year).Concat(newWorkdays).ToHashSet();
        return new WorkingDayCalendar(h, w, [.. _years, year]);
    }

    /// <summary>The holidays (放假) listed for <paramref name="year"/>, ascending; empty for a year not covered.</summary>
    public IReadOnlyList<DateOnly> HolidaysIn(int year) => [.. _holidays.Where(d => d.Year == year).Order()];

    /// <summary>The make-up working days (调休上班) listed for <paramref name="year"/>, ascending.</summary>
    public IReadOnlyList<DateOnly> MakeUpWorkdaysIn(int year) => [.. _workdays.Where(d => d.Year == year).Order()];

    /// <summary>True when the calendar has the official notice for <paramref name="year"/>; false means Monday–Friday is assumed.</summary>
    public bool Covers(int year) => _years.Contains(year);

    /// <summary>True when <paramref name="day"/> is a working day (make-up working days included, holidays excluded).</summary>
    public bool IsWorkingDay(DateOnly day)
    {
        if (_holidays.Contains(day))
        {
            return false;
        }

        return _workdays.Contains(day) || day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>
    /// The date of the <paramref name="workingDays"/>-th working day strictly after <paramref name="start"/>
    /// (<paramref name="start"/> itself never counts, whether or not it is a working day); 0 returns <paramref name="start"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workingDays"/> is negative.</exception>
    public DateOnly AddWorkingDays(DateOnly start, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        var day = start;
        for (var counted = 0; counted < workingDays;)
        {
            day = day.AddDays(1);
            if (IsWorkingDay(day))
            {
                counted++;
            }
        }

        return day;
    }

    /// <summary>
    /// The number of working days in the half-open range (<paramref name="fromExclusive"/>, <paramref name="toInclusive"/>];
    /// negative, with the same magnitude, when <paramref name="toInclusive"/> is before <paramref name="fromExclusive"/>.
    /// <c>WorkingDaysBetween(x, AddWorkingDays(x, n)) == n</c> for every n ≥ 0.
    /// </summary>
    public int WorkingDaysBetween(DateOnly fromExclusive, DateOnly toInclusive)
    {
        if (toInclusive < fromExclusive)
        {
            return -WorkingDaysBetween(toInclusive, fromExclusive);
        }

        var count = 0;
        for (var day = fromExclusive.AddDays(1); day <= toInclusive; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The calendar date of <paramref name="instant"/> in China Standard Time.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(Offset).DateTime);

    /// <summary>The instant at which local day <paramref name="day"/> ends (00:00 +08:00 of the next day), in UTC.</summary>
    public static DateTimeOffset EndOf(DateOnly day) =>
        new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), Offset).ToUniversalTime();

    /// <summary>
    /// The deadline of a step entered at <paramref name="start"/>. The local (+08:00) date of <paramref name="start"/>
    /// never counts. <see cref="TimeUnit.WorkingDays"/>: counting begins on the next working day and the deadline is
    /// the end of the N-th working day. <see cref="TimeUnit.CalendarDays"/>: the end of local date start + N.
    /// The reminder is the deadline of (N − <paramref name="remindBefore"/>) in the same unit, or null.
    /// Both instants are exclusive ends, returned in UTC.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="remindBefore"/> uses another unit than
    /// <paramref name="limit"/>, or is longer than it.</exception>
    public StepDeadline Deadline(DateTimeOffset start, TimeLimit limit, TimeLimit? remindBefore)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var from = LocalDate(start);
        var due = LastAllowedDay(from, limit.Amount, limit.Unit);

        DateTimeOffset? remindAt = null;
        if (remindBefore is not null)
        {
            if (remindBefore.Unit != limit.Unit)
            {
                throw new ArgumentException($"Reminder unit {remindBefore.Unit} differs from time limit unit {limit.Unit}.", nameof(remindBefore));
            }

            if (remindBefore.Amount > limit.Amount)
            {
                throw new ArgumentException($"Reminder {remindBefore.Amount} is longer than the time limit {limit.Amount}.", nameof(remindBefore));
            }

            remindAt = EndOf(LastAllowedDay(from, limit.Amount - remindBefore.Amount, limit.Unit));
        }

        var provisional = false;
        if (limit.Unit == TimeUnit.WorkingDays)
        {
            for (var year = from.AddDays(1).Year; year <= due.Year && !provisional; year++)
            {
                provisional = !Covers(year);
            }
        }

        return new StepDeadline(EndOf(due), remindAt, provisional);
    }

    /// <summary>
    /// The end of <paramref name="grace"/> counted from <paramref name="end"/>, an exclusive end such as a due time: the day that
    /// ended at <paramref name="end"/> never counts again, so 2 working days after a due time of Tuesday 00:00 (Monday was the
    /// last allowed day) end at Thursday 00:00 when Tuesday and Wednesday are working days. Returned in UTC.
    /// </summary>
    public DateTimeOffset After(DateTimeOffset end, TimeLimit grace)
    {
        ArgumentNullException.ThrowIfNull(grace);
        var lastDay = LocalDate(end.AddTicks(-1));
        return EndOf(LastAllowedDay(lastDay, grace.Amount, grace.Unit));
    }

    private DateOnly LastAllowedDay(DateOnly from, int amount, TimeUnit unit) => unit switch
    {
        TimeUnit.WorkingDays => AddWorkingDays(from, amount),
        TimeUnit.CalendarDays => from.AddDays(amount),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown time unit."),
    };
}
