using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Policies;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.RuleSets;

/// <summary>
/// The host's <see cref="IRuleSets"/>: every version stored in <c>RuleSets</c> (the rows are the source of truth), held as a
/// snapshot that lookups read without touching the database. The snapshot is refreshed
/// <list type="bullet">
/// <item>at start-up, after the seed files are registered;</item>
/// <item>on this host right after an approval commits (<see cref="Expect"/> wakes <see cref="RuleSetRefresher"/>, which re-reads
/// until the new status shows);</item>
/// <item>on every host by a short poll (<c>RuleSets:RefreshSeconds</c>, default 5) that reads only keys, hashes, statuses and dates,
/// and parses a version's JSON once, when it is first seen;</item>
/// <item>on a miss: <see cref="Get"/> for a version this host has not seen yet (a case another host started a moment ago) re-reads
/// once before it says no.</item>
/// </list>
/// Which version is effective is computed from the dates at each lookup, so a version approved for 1 July takes over at
/// 00:00 China time on 1 July with no job.
/// </summary>
public sealed class RuleSetStore(IServiceScopeFactory scopes, ILogger<RuleSetStore> log) : IRuleSets, IDisposable
{
    /// <summary>One stored version as lookups see it.</summary>
    public sealed record Entry(RuleSet RuleSet, RuleSetStatus Status, DateOnly EffectiveFrom);

    private sealed record Snapshot(IReadOnlyDictionary<string, Entry> ByKey, IReadOnlyList<RuleSet> All)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, Entry>(), []);
    }

    private volatile Snapshot snapshot = Snapshot.Empty;
    private readonly ConcurrentDictionary<string, RuleSet> parsed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (RuleSetStatus Status, DateTimeOffset Until)> expected = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly SemaphoreSlim wake = new(0);
    private volatile TaskCompletionSource published = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public IReadOnlyList<RuleSet> All => snapshot.All;

    /// <summary>The stored status and date of every known version, by version key.</summary>
    public IReadOnlyDictionary<string, Entry> Entries => snapshot.ByKey;

    /// <inheritdoc />
    public RuleSet Get(string policyCode, int version) =>
        TryGet(policyCode, version) ?? throw new KeyNotFoundException($"No rule set {policyCode}@{version}.");

    /// <summary>One stored version, or null; a miss re-reads the database once (a version another host stored just now).</summary>
    public RuleSet? TryGet(string policyCode, int version)
    {
        var key = $"{policyCode}@{version}";
        if (snapshot.ByKey.TryGetValue(key, out var entry)) return entry.RuleSet;
        // Rare (a case started on another host within the poll interval): block this request for one read.
        // Off any synchronization context (a Blazor circuit's), so the blocking wait cannot deadlock.
        Task.Run(() => ReloadAsync(CancellationToken.None)).GetAwaiter().GetResult();
        return snapshot.ByKey.GetValueOrDefault(key)?.RuleSet;
    }

    /// <inheritdoc />
    public RuleSet? EffectiveOn(string policyCode, DateOnly date) =>
        snapshot.ByKey.Values
            .Where(e => e.RuleSet.PolicyCode == policyCode && e.Status is RuleSetStatus.Approved or RuleSetStatus.Effective && e.EffectiveFrom <= date)
            .OrderBy(e => e.EffectiveFrom).ThenBy(e => e.RuleSet.Version)
            .LastOrDefault()?.RuleSet;

    /// <summary>
    /// Called inside the transaction that gives <paramref name="versionKey"/> <paramref name="status"/>: once it commits, the
    /// refresher re-reads until the snapshot shows it (for a minute at most: a rolled-back change never shows).
    /// </summary>
    public void Expect(string versionKey, RuleSetStatus status, DateTimeOffset now)
    {
        expected[versionKey] = (status, now.AddMinutes(1));
        wake.Release();
    }

    /// <summary>Whether an expected change has not shown yet (the refresher then re-reads soon).</summary>
    internal bool AwaitingChange(DateTimeOffset now)
    {
        foreach (var (key, (status, until)) in expected)
        {
            var seen = snapshot.ByKey.TryGetValue(key, out var e) && e.Status == status;
            if (seen || until < now) expected.TryRemove(key, out _);
        }
        return !expected.IsEmpty;
    }

    /// <summary>
    /// Completes when a snapshot satisfying <paramref name="condition"/> is in place (at once if the current one does): the store's
    /// own signal, set each time a reload publishes a snapshot, for whoever must act after a change has been read back.
    /// </summary>
    public async Task WhenAsync(Func<IReadOnlyDictionary<string, Entry>, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            // Take the signal before reading the snapshot: a publish in between completes it, so no change is missed.
            var next = published.Task;
            if (condition(snapshot.ByKey)) return;
            await next.WaitAsync(ct);
        }
    }

    /// <summary>Waits for <see cref="Expect"/> or for <paramref name="delay"/>.</summary>
    internal Task WaitAsync(TimeSpan delay, CancellationToken ct) => wake.WaitAsync(delay, ct);

    /// <summary>Re-reads the stored versions: keys, hashes, statuses and dates; a version's JSON only when first seen.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await reloading.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
            var rows = await db.RuleSets.AsNoTracking()
                .Select(r => new { r.VersionKey, r.Sha256, r.Status, r.EffectiveFrom }).ToListAsync(ct);
            var unseen = rows.Where(r => !parsed.ContainsKey(ParsedKey(r.VersionKey, r.Sha256))).Select(r => r.VersionKey).ToList();
            foreach (var chunk in unseen.Chunk(100))
            {
                foreach (var row in await db.RuleSets.AsNoTracking().Where(r => chunk.Contains(r.VersionKey))
                             .Select(r => new { r.VersionKey, r.Sha256, r.Json }).ToListAsync(ct))
                {
                    try
                    {
                        parsed[ParsedKey(row.VersionKey, row.Sha256)] = RuleSetLoader.Load(row.Json, row.VersionKey);
                    }
                    catch (RuleSetException e)
                    {
                        // A stored version this build cannot read is left out (and said loudly), never half-loaded.
                        log.LogError(e, "Stored rule set {VersionKey} does not load; it is left out of lookups", row.VersionKey);
                    }
                }
            }
            var byKey = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (var row in rows)
                if (parsed.TryGetValue(ParsedKey(row.VersionKey, row.Sha256), out var ruleSet))
                    byKey[row.VersionKey] = new Entry(ruleSet, row.Status, row.EffectiveFrom);
            snapshot = new Snapshot(byKey,
                [.. byKey.Values.Select(e => e.RuleSet).OrderBy(r => r.PolicyCode, StringComparer.Ordinal).ThenBy(r => r.Version)]);
            Interlocked.Exchange(ref published, NewSignal()).TrySetResult();
        }
        finally
        {
            reloading.Release();
        }
    }

    private static string ParsedKey(string versionKey, string sha256) => versionKey + "#" + sha256;

    public void Dispose()
    {
        reloading.Dispose();
        wake.Dispose();
    }
}

/// <summary>Keeps <see cref="RuleSetStore"/> current: at start, on a short poll, and at once after this host approved a version.</summary>
public sealed class RuleSetRefresher(RuleSetStore store, IConfiguration config, TimeProvider time, ILogger<RuleSetRefresher> log) : BackgroundService
{
    /// <summary>How soon a change made on this host is read back after it was expected (until its commit shows).</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.ReloadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(1, config.GetValue("RuleSets:RefreshSeconds", 5)));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Real time, not the (possibly shifted) business clock: this is a cache's refresh period.
                await store.WaitAsync(store.AwaitingChange(time.GetUtcNow()) ? Retry : poll, stoppingToken);
                await store.ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Reloading the rule sets failed; lookups keep the last snapshot");
                await Task.Delay(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
