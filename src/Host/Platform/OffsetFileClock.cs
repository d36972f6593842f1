using System.Globalization;

namespace OneCard.Host.Platform;

/// <summary>
/// TEST ONLY (<c>Clock:OffsetFile</c>, refused outside the Testing environment): the system clock
/// shifted by an offset that a test writes to a file, as a TimeSpan in invariant "c" format. Several
/// host processes reading one file agree on "now", and the test moves it for all of them at once
/// (the in-process fake clock cannot reach another process). The file is read at every call, so a
/// move is seen by the very next request or job; the test replaces it atomically (rename).
/// </summary>
public sealed class OffsetFileClock(TimeProvider inner, string path) : TimeProvider
{
    public const string Setting = "Clock:OffsetFile";

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset();

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    private TimeSpan Offset() => TimeSpan.ParseExact(File.ReadAllText(path).Trim(), "c", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="offset"/> for every host reading <paramref name="path"/>, in one rename.</summary>
    public static void Write(string path, TimeSpan offset)
    {
        var staging = path + ".next";
        File.WriteAllText(staging, offset.ToString("c", CultureInfo.InvariantCulture));
        File.Move(staging, path, overwrite: true);
    }

    /// <summary>The system clock, or the offset clock when a test configured one; refused outside the Testing environment.</summary>
    public static TimeProvider FromConfiguration(IConfiguration config, IHostEnvironment environment)
    {
        if (config[Setting] is not { Length: > 0 } path) return System;
        if (!environment.IsEnvironment("Testing"))
            throw new InvalidOperationException($"{Setting} moves the clock and is for tests only; it is refused in the {environment.EnvironmentName} environment.");
        return new OffsetFileClock(System, path);
    }
}
