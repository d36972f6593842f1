namespace OneCard.Domain.Calendar;

/// <summary>
/// A year's official holiday notice as an administrator entered it (a year the shipped calendar file lacks).
/// Never updated: a correction of a year not yet started is a new <see cref="Revision"/>; the highest one counts.
/// </summary>
public sealed class HolidayNoticeRecord
{
    public required Guid Id { get; init; }
    public required int Year { get; init; }
    /// <summary>1 for the first entry of a year, +1 for each correction.</summary>
    public required int Revision { get; init; }
    /// <summary>The notice's document number and title as published, e.g. 国办发明电〔2025〕7号.</summary>
    public required string DocumentNumber { get; init; }
    /// <summary>The holiday ranges as JSON: <c>[{"name":"元旦","first":"2027-01-01","last":"2027-01-03"}, …]</c>.</summary>
    public required string HolidaysJson { get; init; }
    /// <summary>The make-up working days (调休上班) as a JSON array of <c>yyyy-MM-dd</c>.</summary>
    public required string MakeUpWorkdaysJson { get; init; }
    public required string EnteredBy { get; init; }
    public required DateTimeOffset EnteredAt { get; init; }
}
