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
    private readonly Dictionary<int, (long Running, long Waiting)> _backends = Backends();

    /// <summary>"host 12.3 s, PostgreSQL 4.5 s CPU" since this meter was made.</summary>
    public string Report() => string.Create(CultureInfo.InvariantCulture,
        $"host {(Process.GetCurrentProcess().TotalProcessorTime - _host).TotalSeconds:F2} s, PostgreSQL {PostgresSeconds() - _postgres:F2} s CPU");

    /// <summary>
    /// The busiest PostgreSQL process since this meter was made (a transaction's work is one backend's, so this is the
    /// server's side of a roster store): "43.1 s on a core, 4.0 s runnable waiting for one" from <c>/proc/[pid]/schedstat</c>.
    /// What is left of the wall time the backend waited for the client. Null where the kernel keeps no schedstat.
    /// </summary>
    public string? BusiestBackend()
    {
        var busiest = Backends()
            .Select(b => (Running: b.Value.Running - _backends.GetValueOrDefault(b.Key).Running, Waiting: b.Value.Waiting - _backends.GetValueOrDefault(b.Key).Waiting))
            .OrderByDescending(b => b.Running).FirstOrDefault();
        return busiest.Running == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{busiest.Running / 1e9:F2} s on a core, {busiest.Waiting / 1e9:F2} s runnable waiting for one");
    }

    // Each live postgres process's nanoseconds on a CPU and runnable on a run queue (the first two fields of schedstat).
    private static Dictionary<int, (long Running, long Waiting)> Backends()
    {
        var backends = new Dictionary<int, (long, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres") continue;
                var fields = File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ');
                backends[pid] = (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
            }
            catch (IOException) { } // the process ended meanwhile, or the kernel keeps no schedstat
            catch (UnauthorizedAccessException) { }
        }
        return backends;
    }

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
