// Cross-check benchmark (issue 9, item 6): the checks of one application of N lines against a registry snapshot set of M rows,
// on PostgreSQL. Setup (not timed): beneficiaries, claim lines and reference rows by raw binary COPY (BulkCopy.CopyAsync), then
// ANALYZE. Timed: a baseline in the same run — a plain count(*) of the lines hash-joined to the registry on the blind index —
// and the application's configured checks (minimum-living-allowance@2: Deceased, NotResident, ClaimedElsewhere, StateFunded,
// ExclusivePolicy) run as CrossChecks.RunAsync does at submission, in one transaction.
//
// Usage: bench/run.sh crosschecks [lines=1000000] [registry=5000000]
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Applications;
using OneCard.Domain.Beneficiaries;
using OneCard.Domain.Registry;
using OneCard.Host.Registry;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Bench;

public static class CrossCheckBench
{
    private const string Township = "210124101";
    private const int Chunk = 200_000;

    public static async Task RunAsync(string[] args)
    {
        var lines = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var registry = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000_000;
        registry = Math.Max(registry, lines);
        var deaths = Math.Max(1, lines / 100);
        var staff = Math.Max(1, lines / 100);
        Console.WriteLine($"OneCard cross-check benchmark: {lines:N0} lines of one application; household registry {registry:N0} rows, deaths {deaths:N0}, state-funded {staff:N0}.");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs (shared; figures are noisy).");

        await using var app = await OneCardApp.StartAsync();
        var applicationId = Guid.CreateVersion7();
        var setup = Stopwatch.StartNew();
        await WithDbAsync(app, async db =>
        {
            var now = app.Clock.GetUtcNow();
            db.Applications.Add(new Application
            {
                Id = applicationId, Number = "SQBENCH", PolicyCode = "minimum-living-allowance", Period = "2026", RegionCode = Township,
                SubmittedBy = "u-bench", SubmittedAt = now, RuleSetKey = "minimum-living-allowance@2", WorkflowKey = "standard-subsidy@4", LineCount = lines,
            });
            await db.SaveChangesAsync();
            for (var start = 0; start < lines; start += Chunk)
            {
                var n = Math.Min(Chunk, lines - start);
                var people = Enumerable.Range(start, n).Select(i => new Beneficiary
                {
                    Id = Guid.CreateVersion7(), IdNumberHash = Hash(i), IdNumberCipher = "x", IdNumberMasked = "210124********0000", Name = "某某",
                    BirthDate = new DateOnly(1950, 1, 1), RegionCode = Township, CreatedAt = now, UpdatedAt = now,
                }).ToList();
                await db.CopyAsync(people, default);
                await db.CopyAsync(people.Select((p, k) => new ClaimLine
                {
                    Id = Guid.CreateVersion7(), ApplicationId = applicationId, LineNo = start + k + 1, BeneficiaryId = p.Id, RegionCode = Township,
                    PolicyCode = "minimum-living-allowance", Period = "2026", Name = p.Name, IdNumberMasked = p.IdNumberMasked, FactsJson = "{}",
                    Outcome = LineOutcome.Eligible, Amount = 100m, RuleResultsJson = "[]", RuleSetKey = "minimum-living-allowance@2",
                }).ToList(), default);
            }
            var registryId = await SnapshotAsync(db, ReferenceKind.HouseholdRegistry, "210124", registry, now);
            // The first `lines` rows are the roster's people: one in a thousand registered in another county, one in a thousand not alive.
            for (var start = 0; start < registry; start += Chunk)
            {
                var n = Math.Min(Chunk, registry - start);
                await db.CopyAsync(Enumerable.Range(start, n).Select(i => new ReferenceRecord
                {
                    SnapshotId = registryId, RowNo = i + 2, IdNumberHash = Hash(i), RegionCode = i % 1000 == 7 ? "210123101" : Township,
                    Alive = i % 1000 != 3,
                }).ToList(), default);
            }
            var deathsId = await SnapshotAsync(db, ReferenceKind.Deaths, "210000", deaths, now);
            // Every hundredth person: half died within the period, half after it (near misses).
            await db.CopyAsync(Enumerable.Range(0, deaths).Select(k => new ReferenceRecord
            {
                SnapshotId = deathsId, RowNo = k + 2, IdNumberHash = Hash(k * 100 + 11), EventDate = k % 2 == 0 ? new DateOnly(2026, 5, 1) : new DateOnly(2027, 2, 1),
            }).ToList(), default);
            var staffId = await SnapshotAsync(db, ReferenceKind.StateFunded, "210100", staff, now);
            await db.CopyAsync(Enumerable.Range(0, staff).Select(k => new ReferenceRecord
            {
                SnapshotId = staffId, RowNo = k + 2, IdNumberHash = Hash(k * 100 + 53), EventDate = new DateOnly(2015, 9, 1), EndDate = k % 2 == 0 ? null : new DateOnly(2020, 1, 1),
                Detail = "某单位",
            }).ToList(), default);
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
        });
        Console.WriteLine($"setup (not timed): {setup.Elapsed.TotalSeconds:F1} s");

        // Baseline: the one join every check needs at least once, counted.
        var baseline = Stopwatch.StartNew();
        var joined = await WithDbAsync(app, db => db.Database.SqlQueryRaw<long>("""
            SELECT count(*) AS "Value" FROM "ClaimLines" cl JOIN "Beneficiaries" b ON b."Id" = cl."BeneficiaryId"
            JOIN "ReferenceRecords" r ON r."IdNumberHash" = b."IdNumberHash" WHERE cl."ApplicationId" = {0}
            """, applicationId).SingleAsync());
        baseline.Stop();
        Console.WriteLine($"baseline count(*) hash join lines × reference rows: {joined:N0} pairs in {baseline.Elapsed.TotalSeconds:F2} s");

        var timed = Stopwatch.StartNew();
        var run = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var r = await sp.GetRequiredService<CrossChecks>().RunAsync(db, applicationId, CrossChecks.OnDemand, "bench", default);
            await tx.CommitAsync();
            return r;
        });
        timed.Stop();
        Console.WriteLine($"cross-checks ({run.ChecksJson}): {run.LinesChecked:N0} lines checked, {run.Hits:N0} hits, in {timed.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"ratio checks / baseline: {timed.Elapsed.TotalSeconds / baseline.Elapsed.TotalSeconds:F2}x; target ≤ 30 s: {(timed.Elapsed.TotalSeconds <= 30 ? "met" : "NOT met")}");
        var byCheck = await WithDbAsync(app, db => db.CrossCheckHits.GroupBy(h => h.Check).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        foreach (var g in byCheck.OrderBy(g => g.Key)) Console.WriteLine($"  {g.Key}: {g.Count:N0}");
    }

    internal static string Hash(int i) => i.ToString("x64", CultureInfo.InvariantCulture);

    internal static async Task<Guid> SnapshotAsync(OneCardDbContext db, ReferenceKind kind, string region, int rows, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        db.ReferenceSnapshots.Add(new ReferenceSnapshot
        {
            Id = id, Kind = kind, RegionCode = region, Source = "bench", AsOf = new DateOnly(2026, 11, 30), FileName = "bench.csv",
            FileSha256 = new string('0', 64), Encoding = "UTF-8", RowCount = rows, ImportedBy = "u-bench", ImportedAt = now,
        });
        await db.SaveChangesAsync();
        return id;
    }

    private static Task<T> WithDbAsync<T>(OneCardApp app, Func<OneCardDbContext, Task<T>> work) =>
        app.AsSystemAsync(sp => work(sp.GetRequiredService<OneCardDbContext>()));

    private static Task WithDbAsync(OneCardApp app, Func<OneCardDbContext, Task> work) =>
        app.AsSystemAsync(async sp => { await work(sp.GetRequiredService<OneCardDbContext>()); return 0; });
}
