namespace OneCard.Workflows;

/// <summary>An amount of days in a unit, e.g. 5 working days: a step's time limit (时限) or how long before it to remind; never negative.</summary>
public sealed record TimeLimit(int Amount, TimeUnit Unit)
{
    /// <summary>The number of days, zero or more.</summary>
    public int Amount { get; } = Amount >= 0
        ? Amount
        : throw new ArgumentOutOfRangeException(nameof(Amount), Amount, "A time limit cannot be negative.");

    /// <summary>How the days are counted.</summary>
    public TimeUnit Unit { get; } = Enum.IsDefined(Unit)
        ? Unit
        : throw new ArgumentOutOfRangeException(nameof(Unit), Unit, "Unknown time unit.");
}
