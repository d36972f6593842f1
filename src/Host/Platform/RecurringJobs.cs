using Hangfire;
using OneCard.Host.Applications;
using OneCard.Host.Cases;
using OneCard.Host.Notices;
using OneCard.Host.Payments;

namespace OneCard.Host.Platform;

/// <summary>
/// Registers the minutely jobs once the host runs, each on its own and each again until it is stored. Registering one takes
/// its recurring-job lock, and a host killed while it held that lock (its scheduler was triggering the job) leaves the row
/// behind until it goes stale (<c>DistributedLockTimeout</c>, a minute). Registered at start-up, the restarted host waited
/// 15 s for the lock, threw and died: the crash test saw it (seed 22). Meanwhile the jobs stay stored from the last run, so
/// waiting costs nothing; only a changed schedule waits for the lock.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager jobs, ILogger<RecurringJobs> log) : BackgroundService
{
    /// <summary>The wait between attempts: on the wall clock, as the lock goes stale on it (a test's fake clock never would).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The recurring jobs every host that runs jobs keeps: each id with its registration (every minute).</summary>
    private static readonly (string Id, Action<IRecurringJobManager> Register)[] Jobs =
    [
        (DeadlineSweepJob.RecurringId, m => m.AddOrUpdate<DeadlineSweepJob>(DeadlineSweepJob.RecurringId, j => j.RunAsync(CancellationToken.None), Cron.Minutely())),
        // The file adapter drains the outbox.
        (OutboxFileJob.RecurringId, m => m.AddOrUpdate<OutboxFileJob>(OutboxFileJob.RecurringId, j => j.RunAsync(CancellationToken.None), Cron.Minutely())),
        (CorrectionSweep.RecurringId, m => m.AddOrUpdate<CorrectionSweep>(CorrectionSweep.RecurringId, j => j.RunJobAsync(CancellationToken.None), Cron.Minutely())),
        (RosterImportSweep.RecurringId, m => m.AddOrUpdate<RosterImportSweep>(RosterImportSweep.RecurringId, j => j.RunJobAsync(CancellationToken.None), Cron.Minutely())),
    ];

    /// <summary>The ids of those jobs.</summary>
    public static IReadOnlyList<string> Ids { get; } = [.. Jobs.Select(j => j.Id)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never hold up the host's start: a lock wait blocks this thread for 15 s
        var pending = Jobs.ToList();
        while (true)
        {
            foreach (var job in pending.ToList())
            {
                try
                {
                    job.Register(jobs);
                    pending.Remove(job);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    log.LogWarning(e, "Recurring job {Id} not registered yet (its lock is held or the job storage failed); trying again in {Seconds} s",
                        job.Id, RetryAfter.TotalSeconds);
                }
            }
            if (pending.Count == 0) return;
            await Task.Delay(RetryAfter, stoppingToken);
        }
    }
}
