using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Policies;
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
        await db.Database.MigrateAsync();
        await RegionSeed.EnsureSeededAsync(db);
        await RegisterPublishedVersionsAsync(db, scope.ServiceProvider.GetRequiredService<RuleSetCatalog>(),
            scope.ServiceProvider.GetRequiredService<WorkflowCatalog>(), time);
        await Demo.DemoData.EnsureReferenceDataAsync(db);
        if (app.Configuration.GetValue<bool>("Demo:Seed"))
            await Demo.DemoData.EnsureDemoCasesAsync(scope.ServiceProvider);
    }

    /// <summary>
    /// A version once registered is immutable: a shipped file whose content changed under the same
    /// version stops the host, since cases pinned to that version would silently change meaning.
    /// </summary>
    private static async Task RegisterPublishedVersionsAsync(OneCardDbContext db, RuleSetCatalog ruleSets, WorkflowCatalog workflows, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var knownRules = await db.RuleSets.ToDictionaryAsync(r => r.VersionKey, r => r.Sha256);
        foreach (var ruleSet in ruleSets.All)
        {
            if (knownRules.TryGetValue(ruleSet.VersionKey, out var sha))
            {
                if (sha != ruleSet.Sha256)
                    throw new InvalidOperationException($"Rule set {ruleSet.VersionKey} changed after it was published (stored {sha}, file {ruleSet.Sha256}). Publish a new version instead.");
                continue;
            }
            db.RuleSets.Add(new RuleSetRecord { VersionKey = ruleSet.VersionKey, PolicyCode = ruleSet.PolicyCode, Version = ruleSet.Version, Sha256 = ruleSet.Sha256, Json = ruleSet.Json, RegisteredAt = now });
        }
        var knownFlows = await db.WorkflowDefinitions.ToDictionaryAsync(r => r.VersionKey, r => r.Sha256);
        foreach (var definition in workflows.All)
        {
            if (knownFlows.TryGetValue(definition.VersionKey, out var sha))
            {
                if (sha != definition.Sha256)
                    throw new InvalidOperationException($"Workflow {definition.VersionKey} changed after it was published (stored {sha}, file {definition.Sha256}). Publish a new version instead.");
                continue;
            }
            db.WorkflowDefinitions.Add(new WorkflowDefinitionRecord { VersionKey = definition.VersionKey, DefinitionId = definition.DefinitionId, Version = definition.Version, Sha256 = definition.Sha256, Json = definition.Json, RegisteredAt = now });
        }
        await db.SaveChangesAsync();
    }
}
