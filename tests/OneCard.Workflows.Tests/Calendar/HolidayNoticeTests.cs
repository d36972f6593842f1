using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Calendar;

/// <summary>An administrator-entered notice: what is refused (and where), and the calendar it makes.</summary>
public class HolidayNoticeTests
{
    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static HolidayRange R(string name, string first, string last) => new(name, D(first), D(last));

    /// <summary>A plausible 2027 notice (the dates are made up for the tests, the shape is the real one).</summary>
    private static HolidayNotice Notice2027(IReadOnlyList<HolidayRange>? holidays = null, IReadOnlyList<DateOnly>? makeUp = null) => new(
        2027, "国办发明电〔2026〕9号",
        holidays ??
        [
            R("元旦", "2027-01-01", "2027-01-03"), R("春节", "2027-02-06", "2027-02-13"), R("清明节", "2027-04-03", "2027-04-05"),
            R("劳动节", "2027-05-01", "2027-05-05"), R("端午节", "2027-06-09", "2027-06-09"), R("中秋节", "2027-09-15", "2027-09-15"),
            R("国庆节", "2027-10-01", "2027-10-07"),
        ],
        makeUp ?? [D("2027-02-20"), D("2027-04-25"), D("2027-05-08"), D("2027-09-26"), D("2027-10-09")]);

    [Fact]
    public void Validate_AcceptsAWholeYearsNotice()
    {
        Assert.Empty(Notice2027().Validate());
    }

    [Fact]
    public void Validate_LocatesOverlappingRanges_OnTheLaterOne()
    {
        var errors = Notice2027([R("劳动节", "2027-05-01", "2027-05-05"), R("端午节", "2027-05-04", "2027-05-06")], []).Validate();

        var error = Assert.Single(errors);
        Assert.Equal(("holidays[1]", "CalendarHolidaysOverlap"), (error.Field, error.Code));
        Assert.Contains("第2项放假“端午节”与第1项“劳动节”日期重叠", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesMakeUpDayOnAWeekday_NamingTheWeekday()
    {
        var errors = Notice2027(makeUp: [D("2027-02-20"), D("2027-02-17")]).Validate();

        var error = Assert.Single(errors);
        Assert.Equal(("makeUpWorkdays[1]", "CalendarMakeUpDayNotWeekend"), (error.Field, error.Code));
        Assert.Contains("2027-02-17是星期三", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesMakeUpDayInsideAHoliday()
    {
        var errors = Notice2027(makeUp: [D("2027-10-02")]).Validate();

        var error = Assert.Single(errors);
        Assert.Equal(("makeUpWorkdays[0]", "CalendarMakeUpDayInHoliday"), (error.Field, error.Code));
        Assert.Contains("国庆节", error.MessageZh);
    }

    [Fact]
    public void Validate_RefusesDatesOutsideTheYear_ReversedTooLongAndWeekendOnlyRanges()
    {
        var errors = Notice2027(
        [
            R("元旦", "2026-12-31", "2027-01-01"),   // starts in 2026
            R("春节", "2027-02-13", "2027-02-06"),   // reversed
            R("国庆节", "2027-10-01", "2027-10-12"), // 12 days
            R("清明节", "2027-04-03", "2027-04-04"), // Saturday and Sunday only
        ], []).Validate();

        Assert.Equal(
            [("holidays[0].first", "CalendarDateOutsideYear"), ("holidays[1].last", "CalendarRangeReversed"),
             ("holidays[2].last", "CalendarHolidayTooLong"), ("holidays[3]", "CalendarHolidayOnlyWeekend")],
            errors.Select(e => (e.Field, e.Code)));
    }

    [Fact]
    public void Validate_RequiresDocumentNumberAndHolidayNames()
    {
        var notice = Notice2027([R(" ", "2027-01-01", "2027-01-01")], []) with { DocumentNumber = "" };

        Assert.Equal([("documentNumber", "CalendarDocumentMissing"), ("holidays[0].name", "CalendarHolidayNameInvalid")],
            notice.Validate().Select(e => (e.Field, e.Code)));
    }

    [Fact]
    public void With_CoversTheYear_SoDeadlinesIntoItAreFinal_AndCountedOnItsHolidays()
    {
        var fiveWorkingDays = new TimeLimit(5, TimeUnit.WorkingDays);
        var before = OfficialCalendar.Deadline(Cst(2026, 12, 28, 9), fiveWorkingDays, null);

        var calendar = OfficialCalendar.With([Notice2027()]);
        var after = calendar.Deadline(Cst(2026, 12, 28, 9), fiveWorkingDays, null);

        // Mon–Fri assumed: 12-29, 12-30, 12-31, 01-01, 01-04. Entered: 2027-01-01 is 元旦, so 01-05 is the fifth.
        Assert.True(before.IsProvisional);
        Assert.Equal(Cst(2027, 1, 5), before.DueAt);
        Assert.False(after.IsProvisional);
        Assert.Equal(Cst(2027, 1, 6), after.DueAt);
        Assert.True(calendar.IsWorkingDay(D("2027-02-20")));   // a make-up Saturday
        Assert.False(calendar.IsWorkingDay(D("2027-10-07")));  // a Thursday in 国庆节
        Assert.False(OfficialCalendar.Covers(2027));           // the shipped calendar is unchanged
        Assert.Equal([2025, 2026, 2027], calendar.CoveredYears);
    }

    [Fact]
    public void With_ReplacesAYearWhole_WhenACorrectionIsApplied()
    {
        var first = OfficialCalendar.With([Notice2027()]);
        var corrected = first.With([Notice2027([R("元旦", "2027-01-01", "2027-01-01")], [])]);

        Assert.False(corrected.IsWorkingDay(D("2027-01-01")));
        Assert.True(corrected.IsWorkingDay(D("2027-10-04")));
        Assert.False(corrected.IsWorkingDay(D("2027-02-20")));
        Assert.False(first.IsWorkingDay(D("2027-10-04")));
    }

    [Fact]
    public void With_Throws_WhenADateLiesOutsideTheYear_OrIsBothHolidayAndWorkingDay()
    {
        Assert.Throws<ArgumentException>(() => OfficialCalendar.With(2027, [D("2026-12-31")], []));
        Assert.Throws<ArgumentException>(() => OfficialCalendar.With(2027, [D("2027-01-02")], [D("2027-01-02")]));
    }
}
