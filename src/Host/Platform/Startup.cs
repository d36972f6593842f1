using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OneCard.Domain.Policies;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Persistence;
using OneCard.Persistence.Seeding;
using OneCard.Rules.RuleSets;
using OneCard.Rules.Evaluation;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>
/// What runs once before the host serves: migrations, the region list, the shipped rule sets and
/// workflow definitions (each version registered once and never changed), and demo data if asked.
/// </summary>
public static class Startup
{
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        // Before anything is registered: a definition naming an unknown guard, effect or line action never becomes a published version.
        scope.ServiceProvider.GetRequiredService<WorkflowVocabularyCheck>().EnsureKnown(scope.ServiceProvider.GetRequiredService<WorkflowCatalog>().All);
        // Hosts starting together on one database take turns: seeding and registration check, then insert.
        await using var turn = await StartupTurn.TakeAsync(db);
        // EF reads its migrations history before it creates the table, and logs that failed read as an error on every first
        // start (dotnet/efcore#37328): an operator would chase it. EF's own create-if-not-exists script first, so the read succeeds.
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript());
        await db.Database.MigrateAsync();
        await RegionSeed.EnsureSeededAsync(db);
        await RegisterPublishedVersionsAsync(db, scope.ServiceProvider.GetRequiredService<RuleSetCatalog>(),
            scope.ServiceProvider.GetRequiredService<WorkflowCatalog>(), time);
        // Departments, the province policy lists and the policy rows from policies/ (every host, not only the demo).
        await scope.ServiceProvider.GetRequiredService<Policies.PolicySeed>().EnsureSeededAsync(db, time);
        // Lookups read the database's versions (the seed plus everything approved since), not the files.
        await scope.ServiceProvider.GetRequiredService<RuleSets.RuleSetStore>().ReloadAsync(CancellationToken.None);
        await Demo.DemoData.EnsureReferenceDataAsync(db, scope.ServiceProvider.GetRequiredService<Domain.Privacy.PersonalDataProtector>(), time.GetUtcNow());
        if (app.Configuration.GetValue<bool>("Demo:Seed"))
            await Demo.DemoData.EnsureDemoCasesAsync(scope.ServiceProvider);
    }

    /// <summary>
    /// A PostgreSQL session advisory lock held on the context's connection while one host prepares the
    /// database; another host starting at the same moment waits, then finds everything in place.
    /// SQLite is embedded: one host per file.
    /// </summary>
    private sealed class StartupTurn(OneCardDbContext db) : IAsyncDisposable
    {
        private const long LockId = 0x0_1C_5A_27_0D;

        public static async Task<StartupTurn?> TakeAsync(OneCardDbContext db)
        {
            if (!db.IsPostgres) return null;
            await db.Database.OpenConnectionAsync();
            // The other host may be migrating and seeding for longer than a command's usual 30 s (a first start applies every
            // migration): wait for it as long as a start may take, then go on with the usual timeout.
            var usual = db.Database.GetCommandTimeout();
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({LockId})");
            db.Database.SetCommandTimeout(usual);
            return new StartupTurn(db);
        }

        public async ValueTask DisposeAsync()
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({LockId})");
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A version once registered is immutable: a shipped file whose content changed under the same
    /// version stops the host, since cases pinned to that version would silently change meaning.
    /// </summary>
    private static async Task RegisterPublishedVersionsAsync(OneCardDbContext db, RuleSetCatalog ruleSets, WorkflowCatalog workflows, TimeProvider time)
    {
        var now = time.GetUtcNow();
        // The files in rules/ are the seed: each registered once, in force from its date (RuleSetSeed).
        await RegisterAsync(db.RuleSets, r => r.VersionKey, r => r.Sha256, "Rule set", ruleSets.All.Select(r => RuleSets.RuleSetSeed.Record(r, now)));
        await RegisterAsync(db.WorkflowDefinitions, r => r.VersionKey, r => r.Sha256, "Workflow", workflows.All.Select(d => new WorkflowDefinitionRecord
        {
            VersionKey = d.VersionKey, DefinitionId = d.DefinitionId, Version = d.Version, Sha256 = d.Sha256, Json = d.Json, RegisteredAt = now,
        }));
        await db.SaveChangesAsync();
    }

    private static async Task RegisterAsync<TRecord>(DbSet<TRecord> registered, Func<TRecord, string> key, Func<TRecord, string> sha256,
        string kind, IEnumerable<TRecord> shipped) where TRecord : class
    {
        var known = (await registered.AsNoTracking().ToListAsync()).ToDictionary(key, sha256);
        foreach (var record in shipped)
        {
            if (!known.TryGetValue(key(record), out var stored)) registered.Add(record);
            else if (stored != sha256(record))
                throw new InvalidOperationException($"{kind} {key(record)} changed after it was published (stored {stored}, file {sha256(record)}). Publish a new version instead.");
        }
    }
}
