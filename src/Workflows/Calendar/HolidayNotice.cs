using System.Globalization;

namespace OneCard.Workflows;

/// <summary>One named holiday of an official notice: the days off from <see cref="First"/> to <see cref="Last"/>, both inclusive.</summary>
public sealed record HolidayRange(string Name, DateOnly First, DateOnly Last)
{
    /// <summary>Every day of the range, in order.</summary>
    public IEnumerable<DateOnly> Days()
    {
        for (var d = First; d <= Last; d = d.AddDays(1))
        {
            yield return d;
        }
    }
}

/// <summary>One problem with an entered notice, located by <see cref="Field"/> (e.g. <c>holidays[2].last</c>); Chinese first.</summary>
public sealed record HolidayNoticeError(string Field, string Code, string MessageZh, string MessageEn);

/// <summary>
/// A year's official holiday arrangement as the State Council General Office publishes it
/// (国务院办公厅关于YYYY年部分节假日安排的通知, e.g. 国办发明电〔2025〕7号): named holiday ranges and make-up working days.
/// </summary>
public sealed record HolidayNotice(int Year, string DocumentNumber, IReadOnlyList<HolidayRange> Holidays, IReadOnlyList<DateOnly> MakeUpWorkdays)
{
    /// <summary>The longest holiday a notice has ever given is 8 days (Spring Festival, National Day); 10 leaves room.</summary>
    public const int MaxHolidayDays = 10;

    /// <summary>The longest document number or holiday name accepted.</summary>
    public const int MaxDocumentNumberLength = 64;

    private const int MaxNameLength = 16;

    /// <summary>Every problem with this notice on its own (dates, overlaps, weekday sanity); empty when it can be applied.</summary>
    public IReadOnlyList<HolidayNoticeError> Validate()
    {
        var errors = new List<HolidayNoticeError>();
        void Add(string field, string code, string zh, string en) => errors.Add(new HolidayNoticeError(field, code, zh, en));

        if (Year is < 2000 or > 2100)
        {
            Add("year", "CalendarYearInvalid", $"年份{Year}无效（应为2000—2100年）", $"Year {Year} is not between 2000 and 2100.");
        }

        if (string.IsNullOrWhiteSpace(DocumentNumber))
        {
            Add("documentNumber", "CalendarDocumentMissing", "请填写国务院办公厅通知的文号（如 国办发明电〔2025〕7号）",
                "The notice's document number is required.");
        }
        else if (DocumentNumber.Length > MaxDocumentNumberLength || DocumentNumber.Any(char.IsControl))
        {
            Add("documentNumber", "CalendarDocumentInvalid", $"文号过长（不超过{MaxDocumentNumberLength}个字）或含控制字符",
                $"The document number is longer than {MaxDocumentNumberLength} characters or holds control characters.");
        }

        if (Holidays.Count == 0)
        {
            Add("holidays", "CalendarNoHolidays", "至少须有一项放假安排", "A notice has at least one holiday.");
        }

        for (var i = 0; i < Holidays.Count; i++)
        {
            ValidateRange(i, Holidays[i], Add);
        }

        // Overlaps, reported once per pair, on the later range.
        for (var i = 0; i < Holidays.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (a, b) = (Holidays[j], Holidays[i]);
                if (a.First <= a.Last && b.First <= b.Last && b.First <= a.Last && a.First <= b.Last)
                {
                    Add($"holidays[{i}]", "CalendarHolidaysOverlap",
                        $"第{i + 1}项放假“{b.Name}”与第{j + 1}项“{a.Name}”日期重叠",
                        $"Holiday {i + 1} ({b.Name}) overlaps holiday {j + 1} ({a.Name}).");
                }
            }
        }

        var seen = new HashSet<DateOnly>();
        for (var i = 0; i < MakeUpWorkdays.Count; i++)
        {
            var day = MakeUpWorkdays[i];
            var field = $"makeUpWorkdays[{i}]";
            var label = $"第{i + 1}个调休上班日{Show(day)}";
            if (day.Year != Year)
            {
                Add(field, "CalendarDateOutsideYear", $"{label}不在{Year}年内", $"Make-up working day {i + 1} ({Show(day)}) is not in {Year}.");
            }

            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                Add(field, "CalendarMakeUpDayNotWeekend", $"{label}是{WeekdayZh(day)}，调休上班日只能是周六或周日",
                    $"Make-up working day {i + 1} ({Show(day)}) is a {day.DayOfWeek}; it must be a Saturday or Sunday.");
            }

            if (Holidays.Select((h, k) => (h, k)).FirstOrDefault(x => x.h.First <= day && day <= x.h.Last) is { h: { } inside } hit)
            {
                Add(field, "CalendarMakeUpDayInHoliday", $"{label}落在第{hit.k + 1}项放假“{inside.Name}”之内",
                    $"Make-up working day {i + 1} ({Show(day)}) falls inside holiday {hit.k + 1} ({inside.Name}).");
            }

            if (!seen.Add(day))
            {
                Add(field, "CalendarMakeUpDayDuplicate", $"{label}重复录入", $"Make-up working day {i + 1} ({Show(day)}) is entered twice.");
            }
        }

        return errors;
    }

    private void ValidateRange(int i, HolidayRange range, Action<string, string, string, string> add)
    {
        var field = $"holidays[{i}]";
        var label = $"第{i + 1}项放假“{range.Name}”";
        if (string.IsNullOrWhiteSpace(range.Name) || range.Name.Length > MaxNameLength || range.Name.Any(char.IsControl))
        {
            add(field + ".name", "CalendarHolidayNameInvalid", $"第{i + 1}项放假须填写节日名称（不超过{MaxNameLength}个字）",
                $"Holiday {i + 1} needs a name of at most {MaxNameLength} characters.");
        }

        if (range.First.Year != Year)
        {
            add(field + ".first", "CalendarDateOutsideYear", $"{label}开始日期{Show(range.First)}不在{Year}年内",
                $"Holiday {i + 1} starts on {Show(range.First)}, outside {Year}.");
        }

        if (range.Last.Year != Year)
        {
            add(field + ".last", "CalendarDateOutsideYear", $"{label}结束日期{Show(range.Last)}不在{Year}年内",
                $"Holiday {i + 1} ends on {Show(range.Last)}, outside {Year}.");
        }

        if (range.Last < range.First)
        {
            add(field + ".last", "CalendarRangeReversed", $"{label}结束日期{Show(range.Last)}早于开始日期{Show(range.First)}",
                $"Holiday {i + 1} ends ({Show(range.Last)}) before it starts ({Show(range.First)}).");
            return;
        }

        var days = range.Last.DayNumber - range.First.DayNumber + 1;
        if (days > MaxHolidayDays)
        {
            add(field + ".last", "CalendarHolidayTooLong", $"{label}共{days}天，超过{MaxHolidayDays}天，请核对日期",
                $"Holiday {i + 1} lasts {days} days, more than {MaxHolidayDays}.");
        }
        else if (range.Days().All(d => d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday))
        {
            // A "holiday" of weekend days only changes nothing: almost certainly mistyped dates.
            add(field, "CalendarHolidayOnlyWeekend", $"{label}（{Show(range.First)}至{Show(range.Last)}）全是周末，不含任何工作日，请核对日期",
                $"Holiday {i + 1} ({Show(range.First)} to {Show(range.Last)}) holds no weekday.");
        }
    }

    /// <summary>The days off and the make-up working days this notice sets, ready for <see cref="WorkingDayCalendar.With"/>.</summary>
    public (IReadOnlyList<DateOnly> Holidays, IReadOnlyList<DateOnly> Workdays) Dates() =>
        ([.. Holidays.SelectMany(h => h.Days()).Distinct().Order()], [.. MakeUpWorkdays.Distinct().Order()]);

    private static string Show(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string WeekdayZh(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Monday => "星期一",
        DayOfWeek.Tuesday => "星期二",
        DayOfWeek.Wednesday => "星期三",
        DayOfWeek.Thursday => "星期四",
        DayOfWeek.Friday => "星期五",
        DayOfWeek.Saturday => "星期六",
        _ => "星期日",
    };
}

/// <summary>Applies entered notices over the shipped calendar.</summary>
public static class HolidayNoticeCalendar
{
    /// <summary><paramref name="calendar"/> with each notice's year covered by that notice (later notices for a year win).</summary>
    public static WorkingDayCalendar With(this WorkingDayCalendar calendar, IEnumerable<HolidayNotice> notices)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(notices);
        foreach (var notice in notices)
        {
            var (holidays, workdays) = notice.Dates();
            calendar = calendar.With(notice.Year, holidays, workdays);
        }

        return calendar;
    }
}
