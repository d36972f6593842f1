using System.Globalization;
using System.Text.Json;
using OneCard.Domain.Policies;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Rules.RuleSets;

namespace OneCard.Host.RuleSets;

/// <summary>The files in <c>rules/</c> as the store's seed, and the store's composition.</summary>
public static class RuleSetSeed
{
    /// <summary>
    /// A shipped file as a stored version: in force (Effective) from its top-level <c>effectiveFrom</c> when it has one, else
    /// from <see cref="RuleSetRecord.SeedEffectiveFrom"/>; authored by the system; no approval case (it shipped reviewed).
    /// </summary>
    public static RuleSetRecord Record(RuleSet ruleSet, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        return new RuleSetRecord
        {
            VersionKey = ruleSet.VersionKey, PolicyCode = ruleSet.PolicyCode, Version = ruleSet.Version, Sha256 = ruleSet.Sha256,
            Json = ruleSet.Json, RegisteredAt = now, Status = RuleSetStatus.Effective, EffectiveFrom = DeclaredEffectiveFrom(ruleSet.Json) ?? RuleSetRecord.SeedEffectiveFrom,
            AuthorId = Domain.Users.Roles.System,
        };
    }

    /// <summary>The file's own <c>effectiveFrom</c> (yyyy-MM-dd), if the format carries one.</summary>
    public static DateOnly? DeclaredEffectiveFrom(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("effectiveFrom", out var value) && value.ValueKind == JsonValueKind.String
               && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date : null;
    }

    /// <summary>The store, its refresher, the approval effects and the handlers: one line in HostSetup.</summary>
    public static IServiceCollection AddRuleSetStore(this IServiceCollection services)
    {
        services.AddSingleton<RuleSetStore>();
        services.AddSingleton<IRuleSets>(sp => sp.GetRequiredService<RuleSetStore>());
        services.AddHostedService<RuleSetRefresher>();
        services.AddScoped<IStepEffect, SubmitRuleSet>();
        services.AddScoped<IStepEffect, ReopenRuleSet>();
        services.AddScoped<IStepEffect, ActivateRuleSet>();
        services.AddScoped<IStepEffect, RejectRuleSet>();
        // Checks a draft must pass beyond the loader's: bounds and ceiling, and its own examples on both evaluation paths.
        services.AddSingleton<IRuleSetDraftCheck, LatestVersionBoundsCheck>();
        services.AddSingleton<IRuleSetDraftCheck, ExamplesCheck>();
        services.AddScoped<RuleSetAdmin.Handler>();
        services.AddScoped<Reevaluate.Handler>();
        services.AddScoped<Impact.Handler>();
        services.AddScoped<Impact.UploadHandler>();
        return services;
    }
}

/// <summary>
/// A check a draft rule set must pass to be stored, beyond the loader's (structure, the expression gate). Each returns located
/// problems (a JSON path and the reason in Chinese).
/// </summary>
public interface IRuleSetDraftCheck
{
    IReadOnlyList<RuleSetValidationError> Check(RuleSet draft);
}

/// <summary>A draft will be the latest version, which new cases may start under: it must declare every bound and the ceiling.</summary>
public sealed class LatestVersionBoundsCheck : IRuleSetDraftCheck
{
    public IReadOnlyList<RuleSetValidationError> Check(RuleSet draft) => RuleSetCatalog.BoundsProblems(draft);
}

/// <summary>Every save runs the draft's examples (<see cref="RuleSetExamples"/>): an example whose outcome, amount or failed rules differ is a located error.</summary>
public sealed class ExamplesCheck : IRuleSetDraftCheck
{
    public IReadOnlyList<RuleSetValidationError> Check(RuleSet draft) => RuleSetExamples.Problems(draft);
}
