using static OneCard.Workflows.Tests.TestData;

namespace OneCard.Workflows.Tests.Calendar;

public class WorkingDayCalendarTests
{
    private static readonly TimeLimit ThreeWorkingDays = new(3, TimeUnit.WorkingDays);
    private static readonly TimeLimit FiveWorkingDays = new(5, TimeUnit.WorkingDays);
    private static readonly TimeLimit OneWorkingDay = new(1, TimeUnit.WorkingDays);

    [Fact]
    public void Deadline_CountsMakeUpSaturdayAndSkipsSpringFestival_WhenStartedFriday13Feb2026()
    {
        // Counting: Sat 02-14 (make-up), [02-15..23 holiday], Tue 02-24, Wed 02-25 → ends with 02-25.
        var deadline = OfficialCalendar.Deadline(Cst(2026, 2, 13, 10), ThreeWorkingDays, null);

        Assert.Equal(Cst(2026, 2, 26), deadline.DueAt);
        Assert.Null(deadline.RemindAt);
        Assert.False(deadline.IsProvisional);
    }

    [Fact]
    public void Deadline_FiveWorkingDaysFromThursday12Feb2026_EndsWithThursday26Feb_AndRemindsADayBefore()
    {
        // Counting: Fri 02-13, Sat 02-14 (make-up), 02-24, 02-25, 02-26.
        var deadline = OfficialCalendar.Deadline(Cst(2026, 2, 12, 9), FiveWorkingDays, OneWorkingDay);

        Assert.Equal(Cst(2026, 2, 27), deadline.DueAt);
        Assert.Equal(Cst(2026, 2, 26), deadline.RemindAt);
    }

    [Fact]
    public void Deadline_SkipsNationalDay2026_AndCountsMakeUpSaturday10Oct()
    {
        // Counting: [10-01..07 holiday] Thu 10-08, Fri 10-09, Sat 10-10 (make-up), [Sun 10-11] Mon 10-12, Tue 10-13.
        var deadline = OfficialCalendar.Deadline(Cst(2026, 9, 30, 15), FiveWorkingDays, null);

        Assert.Equal(Cst(2026, 10, 14), deadline.DueAt);
    }

    [Fact]
    public void Deadline_SkipsMidAutumn2026_WhenStartedThursday24Sep()
    {
        // Counting: [Fri 09-25 holiday, 09-26, 09-27] Mon 09-28, Tue 09-29, Wed 09-30.
        var deadline = OfficialCalendar.Deadline(Cst(2026, 9, 24, 11), ThreeWorkingDays, null);

        Assert.Equal(Cst(2026, 10, 1), deadline.DueAt);
    }

    [Fact]
    public void Deadline_FromSunday_StartsCountingOnMonday()
    {
        var deadline = OfficialCalendar.Deadline(Cst(2026, 3, 8, 9), FiveWorkingDays, null);

        Assert.Equal(Cst(2026, 3, 14), deadline.DueAt); // Mon 03-09 … Fri 03-13
    }

    [Fact]
    public void Deadline_SubmittedOnMakeUpSaturday_DoesNotCountThatDay()
    {
        var deadline = OfficialCalendar.Deadline(Cst(2026, 2, 14, 11), OneWorkingDay, null);

        Assert.Equal(Cst(2026, 2, 25), deadline.DueAt); // the first working day after 02-14 is 02-24
    }

    [Fact]
    public void Deadline_TakesTheDateInChina_NotTheUtcDate()
    {
        // 2026-02-12T17:30Z is 02-13 01:30 in China: the 13th is the day that does not count.
        var afterMidnightInChina = OfficialCalendar.Deadline(new DateTimeOffset(2026, 2, 12, 17, 30, 0, TimeSpan.Zero), ThreeWorkingDays, null);
        // 2026-02-12T15:59Z is 02-12 23:59 in China: counting starts on the 13th.
        var beforeMidnightInChina = OfficialCalendar.Deadline(new DateTimeOffset(2026, 2, 12, 15, 59, 0, TimeSpan.Zero), ThreeWorkingDays, null);

        Assert.Equal(Cst(2026, 2, 26), afterMidnightInChina.DueAt);
        Assert.Equal(Cst(2026, 2, 25), beforeMidnightInChina.DueAt);
    }

    [Fact]
    public void Deadline_ReturnsInstantsInUtc()
    {
        var deadline = OfficialCalendar.Deadline(Cst(2026, 2, 12, 9), FiveWorkingDays, OneWorkingDay);

        Assert.Equal(TimeSpan.Zero, deadline.DueAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 2, 26, 16, 0, 0, TimeSpan.Zero), deadline.DueAt);
        Assert.Equal(TimeSpan.Zero, deadline.RemindAt!.Value.Offset);
    }

    [Fact]
    public void Deadline_CalendarDays_EndsAtEndOfStartDatePlusN_ThroughHolidays()
    {
        var deadline = OfficialCalendar.Deadline(Cst(2026, 9, 30, 10), new TimeLimit(7, TimeUnit.CalendarDays), new TimeLimit(2, TimeUnit.CalendarDays));

        Assert.Equal(Cst(2026, 10, 8), deadline.DueAt); // end of 10-07, holiday or not
        Assert.Equal(Cst(2026, 10, 6), deadline.RemindAt);
        Assert.False(deadline.IsProvisional);
    }

    [Fact]
    public void Deadline_Throws_WhenReminderUsesAnotherUnit()
    {
        Assert.Throws<ArgumentException>(() =>
            OfficialCalendar.Deadline(Cst(2026, 3, 2), FiveWorkingDays, new TimeLimit(1, TimeUnit.CalendarDays)));
    }

    [Fact]
    public void Deadline_IntoUncoveredYear2027_FallsBackToMondayToFriday_AndIsProvisional()
    {
        // Counting: Tue 12-29, Wed 12-30, Thu 12-31, Fri 2027-01-01 (no 2027 notice yet: assumed working), Mon 01-04.
        var deadline = OfficialCalendar.Deadline(Cst(2026, 12, 28, 10), FiveWorkingDays, null);

        Assert.Equal(Cst(2027, 1, 5), deadline.DueAt);
        Assert.True(deadline.IsProvisional);
    }

    [Fact]
    public void Covers_IsTrueOnlyForYearsWithAnOfficialNotice()
    {
        Assert.True(OfficialCalendar.Covers(2025));
        Assert.True(OfficialCalendar.Covers(2026));
        Assert.False(OfficialCalendar.Covers(2027));
        Assert.False(OfficialCalendar.Covers(2024));
        Assert.Equal([2025, 2026], OfficialCalendar.CoveredYears);
    }

    [Theory]
    [InlineData("2027-01-01", true)]  // a Friday; its holiday status is unknown until the 2027 notice
    [InlineData("2027-01-02", false)] // Saturday
    [InlineData("2027-01-03", false)] // Sunday
    [InlineData("2027-01-04", true)]  // Monday
    public void IsWorkingDay_FallsBackToMondayToFriday_ForUncoveredYear(string day, bool expected)
    {
        Assert.Equal(expected, OfficialCalendar.IsWorkingDay(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2026-02-13", true)]  // Friday before the Spring Festival
    [InlineData("2026-02-14", true)]  // Saturday, make-up working day
    [InlineData("2026-02-15", false)] // Sunday, holiday
    [InlineData("2026-02-23", false)] // Monday, holiday
    [InlineData("2026-02-24", true)]  // Tuesday, back to work
    [InlineData("2026-02-28", true)]  // Saturday, make-up working day
    [InlineData("2026-03-07", false)] // ordinary Saturday
    [InlineData("2026-10-01", false)] // National Day
    [InlineData("2026-10-10", true)]  // Saturday, make-up working day
    [InlineData("2026-09-20", true)]  // Sunday, make-up working day
    [InlineData("2025-10-08", false)] // National Day 2025
    public void IsWorkingDay_FollowsTheOfficialNotice(string day, bool expected)
    {
        Assert.Equal(expected, OfficialCalendar.IsWorkingDay(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2026-02-13")]
    [InlineData("2026-02-15")]
    [InlineData("2026-03-07")]
    [InlineData("2027-06-15")]
    public void AddWorkingDays_Zero_ReturnsStart(string day)
    {
        var start = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(start, OfficialCalendar.AddWorkingDays(start, 0));
    }

    [Fact]
    public void AddWorkingDays_Throws_WhenNegative()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OfficialCalendar.AddWorkingDays(new DateOnly(2026, 3, 2), -1));
    }

    [Fact]
    public void WorkingDaysBetween_CountsHalfOpenRange_AndIsNegativeWhenReversed()
    {
        var from = new DateOnly(2026, 2, 13);
        var to = new DateOnly(2026, 2, 26);

        Assert.Equal(4, OfficialCalendar.WorkingDaysBetween(from, to)); // 02-14, 02-24, 02-25, 02-26
        Assert.Equal(-4, OfficialCalendar.WorkingDaysBetween(to, from));
        Assert.Equal(0, OfficialCalendar.WorkingDaysBetween(from, from));
    }

    [Fact]
    public void AddWorkingDays_AndWorkingDaysBetween_Agree_OnRandomDates()
    {
        var random = new Random(20261128);
        var origin = new DateOnly(2024, 10, 1);
        for (var i = 0; i < 2000; i++)
        {
            var start = origin.AddDays(random.Next(0, 3 * 366));
            var n = random.Next(0, 60);

            var end = OfficialCalendar.AddWorkingDays(start, n);

            Assert.Equal(n, OfficialCalendar.WorkingDaysBetween(start, end));
            if (n > 0)
            {
                // end is the first day that reaches n: a working day, one past the (n-1)-th.
                Assert.True(OfficialCalendar.IsWorkingDay(end), $"{start} + {n} = {end} is not a working day");
                Assert.Equal(n - 1, OfficialCalendar.WorkingDaysBetween(start, end.AddDays(-1)));
            }

            var other = start.AddDays(random.Next(-40, 40));
            Assert.Equal(-OfficialCalendar.WorkingDaysBetween(start, other), OfficialCalendar.WorkingDaysBetween(other, start));
        }
    }

    [Theory]
    [InlineData("""{ "years": { "2026": { "holidays": ["2025-12-31"] } } }""")]
    [InlineData("""{ "years": { "2026": { "holidays": ["2026-10-01"], "workdays": ["2026-10-01"] } } }""")]
    [InlineData("""{ "years": { "2026": { "holidays": ["1 Oct 2026"] } } }""")]
    [InlineData("""{ "years": { "twenty": { } } }""")]
    [InlineData("""{ "holidays": [] }""")]
    [InlineData("""{ "years": """)]
    public void Load_Throws_WhenCalendarIsInvalid(string json)
    {
        Assert.Throws<FormatException>(() => WorkingDayCalendar.Load(json));
    }

    [Fact]
    public void Offset_IsChinaStandardTime()
    {
        Assert.Equal(TimeSpan.FromHours(8), WorkingDayCalendar.Offset);
    }
}
