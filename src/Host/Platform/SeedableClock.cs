namespace OneCard.Host.Platform;

/// <summary>
/// The host's clock: the system clock, except inside <see cref="RunAsOf"/>, where the demo seeder
/// replays a case's history at the times it would have happened. The shift lives in an AsyncLocal,
/// so it never leaks into requests or jobs.
/// </summary>
public sealed class SeedableClock(TimeProvider inner) : TimeProvider
{
    private static readonly AsyncLocal<DateTimeOffset?> Pinned = new();

    public override DateTimeOffset GetUtcNow() => Pinned.Value ?? inner.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    /// <summary>Runs <paramref name="work"/> with the clock reading <paramref name="at"/>.</summary>
    public static async Task RunAsOf(DateTimeOffset at, Func<Task> work)
    {
        var before = Pinned.Value;
        Pinned.Value = at;
        try { await work(); }
        finally { Pinned.Value = before; }
    }
}
