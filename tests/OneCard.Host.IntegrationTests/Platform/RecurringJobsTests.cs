using System.Net;
using Hangfire;
using Hangfire.Storage;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// A host that runs jobs starts and serves while another host holds a recurring job's lock, as a host killed mid-trigger
/// leaves it; it registers that job once the lock is free. Registered at start-up, the job's lock wait (15 s) threw and the
/// restarted host died (the crash test, seed 22, on CI).
/// </summary>
public sealed class RecurringJobsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AHostThatRunsJobs_StartsWhileARecurringJobsLockIsHeld_AndRegistersThatJobOnceTheLockIsFree()
    {
        // The first host runs no jobs: it makes the database and Hangfire's schema, and plays the killed host that holds the lock.
        await using var holder = await OneCardApp.StartAsync();
        var storage = holder.Services.GetRequiredService<JobStorage>();
        using var holding = storage.GetConnection();
        IDisposable? held = holding.AcquireDistributedLock("lock:recurring-job:" + RosterImportSweep.RecurringId, TimeSpan.FromSeconds(30));
        try
        {
            await using var host = await OneCardApp.StartAsync(runJobServer: true, database: holder.ConnectionString);
            using var client = host.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

            // The jobs whose locks are free are registered; the one whose lock is held is not, however often it is tried.
            var others = RecurringJobs.Ids.Where(id => id != RosterImportSweep.RecurringId).ToList();
            var stored = await UntilAsync(storage, ids => others.All(ids.Contains), "the jobs whose locks are free");
            Assert.DoesNotContain(RosterImportSweep.RecurringId, stored);

            held.Dispose();
            held = null;
            await UntilAsync(storage, ids => ids.Contains(RosterImportSweep.RecurringId), "the job whose lock was freed");
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>The stored recurring jobs' ids once <paramref name="condition"/> holds; polled, within <see cref="Patience"/>.</summary>
    private static async Task<IReadOnlySet<string>> UntilAsync(JobStorage storage, Func<IReadOnlySet<string>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var connection = storage.GetConnection();
            var ids = connection.GetRecurringJobs().Select(j => j.Id).ToHashSet();
            if (condition(ids)) return ids;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Within {Patience.TotalMinutes} min, {what} were not registered; stored: {string.Join(", ", ids.Order())}.");
            await Task.Delay(200);
        }
    }
}
