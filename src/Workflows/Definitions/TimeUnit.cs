namespace OneCard.Workflows;

/// <summary>How a <see cref="TimeLimit"/> counts days: on the official working-day calendar or as plain calendar days.</summary>
public enum TimeUnit
{
    /// <summary>Working days (工作日) of <see cref="WorkingDayCalendar"/>: holidays skipped, make-up working days counted.</summary>
    WorkingDays,

    /// <summary>Calendar days (自然日), e.g. a 7-day 公示.</summary>
    CalendarDays,
}
