using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Applications;

/// <summary>
/// Queues again the roster imports whose enqueue was lost: the import row is committed before its job is handed to Hangfire
/// (<see cref="RosterImports.Handler.CreateAsync"/>), so a crash or a storage fault in between leaves an import
/// <see cref="RosterImportStatus.Queued"/> that no job will ever take. An import Queued and never run
/// (<see cref="RosterImport.Attempts"/> = 0) for longer than <see cref="EnqueueTimeout"/> is enqueued again, once per timeout:
/// the sweep stamps <see cref="RosterImport.HeartbeatAt"/> by a conditional update before it enqueues, so overlapping sweeps
/// enqueue it once, and a job enqueued twice is harmless anyway (<see cref="RosterImportJob"/> claims the import first).
/// Imports back in the queue after a failed attempt (Attempts &gt; 0) are Hangfire's own retries and are left alone.
/// </summary>
public sealed class RosterImportSweep(IServiceScopeFactory scopes, IBackgroundJobClient jobs, TimeProvider time, ILogger<RosterImportSweep> log)
{
    public const string RecurringId = "roster-import-sweep";

    /// <summary>How long a never-run import may wait in the queue before its job is presumed lost.</summary>
    public static readonly TimeSpan EnqueueTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The recurring job (every minute).</summary>
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(60)]
    public Task RunJobAsync(CancellationToken ct) => RunAsync(ct);

    /// <summary>One sweep; returns the imports it enqueued again.</summary>
    public async Task<IReadOnlyList<Guid>> RunAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var now = time.GetUtcNow();
        var stale = now - EnqueueTimeout;
        var lost = db.RosterImports.Where(i => i.Status == RosterImportStatus.Queued && i.Attempts == 0
            && (i.HeartbeatAt == null ? i.CreatedAt < stale : i.HeartbeatAt < stale));
        var candidates = await lost.OrderBy(i => i.CreatedAt).Select(i => i.Id).Take(500).ToListAsync(ct);
        var enqueued = new List<Guid>();
        foreach (var id in candidates)
        {
            // Taken by this sweep only if still lost (not run meanwhile, not taken by an overlapping sweep).
            var taken = await lost.Where(i => i.Id == id).ExecuteUpdateAsync(u => u.SetProperty(i => i.HeartbeatAt, now), ct);
            if (taken == 0) continue;
            jobs.Enqueue<RosterImportJob>(j => j.RunAsync(id, CancellationToken.None));
            enqueued.Add(id);
        }
        if (enqueued.Count > 0) log.LogWarning("Re-enqueued {Count} roster imports left queued without a run", enqueued.Count);
        return enqueued;
    }
}
