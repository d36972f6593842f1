using System.Diagnostics;
using System.Globalization;

namespace OneCard.Bench;

/// <summary>
/// CPU seconds spent between two readings by this process and by PostgreSQL (every process named <c>postgres</c> on the
/// machine: the throwaway cluster's, and any other cluster's — run on a quiet machine to read it as the benchmark's). Tells
/// which side of a COPY pipeline the time goes to when both share two cores.
/// </summary>
public sealed class CpuMeter
{
    private readonly TimeSpan _host = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly double _postgres = PostgresSeconds();

    /// <summary>"host 12.3 s, PostgreSQL 4.5 s CPU" since this meter was made.</summary>
    public string Report() => string.Create(CultureInfo.InvariantCulture,
        $"host {(Process.GetCurrentProcess().TotalProcessorTime - _host).TotalSeconds:F2} s, PostgreSQL {PostgresSeconds() - _postgres:F2} s CPU");

    // utime + stime of live processes, plus cutime + cstime: the postmaster collects its exited backends' time there.
    private static double PostgresSeconds()
    {
        const double ticksPerSecond = 100; // USER_HZ on Linux
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || stat.IndexOf("(postgres)", StringComparison.Ordinal) < 0) continue;
                // Fields after "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14–17.
                var fields = stat[(close + 2)..].Split(' ');
                for (var f = 11; f <= 14; f++) ticks += long.Parse(fields[f], CultureInfo.InvariantCulture);
            }
            catch (IOException) { } // the process ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return ticks / ticksPerSecond;
    }
}
