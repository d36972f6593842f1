using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Cases;
using OneCard.Domain.Inspections;
using OneCard.Host.Cases;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Inspections;

/// <summary>The guards and effects <c>workflows/inspection-*.v1.json</c> name, and the inspections' services: one line in HostSetup.</summary>
public static class InspectionSetup
{
    public static IServiceCollection AddInspections(this IServiceCollection services)
    {
        services.AddSingleton<IGuard, AllInspectionItemsClosed>();
        services.AddSingleton<IGuard, InspectionEvidenceComplete>();
        services.AddScoped<IStepEffect, DrawInspectionSample>();
        services.AddScoped<IStepEffect, ConcludeInspectionCampaign>();
        services.AddScoped<IStepEffect, CloseInspectionItem>();
        services.AddScoped<Campaigns.Handler>();
        services.AddScoped<Items.Handler>();
        return services;
    }

    public static void MapInspections(this RouteGroupBuilder api)
    {
        var inspections = api.MapGroup("/inspections")
            .RequireAuthorization(p => p.RequireRole(Domain.Users.Roles.Supervisor, Domain.Users.Roles.Inspector, Domain.Users.Roles.CountyReviewer));
        inspections.MapCampaignEndpoints();
        inspections.MapItemEndpoints();
    }

    internal static Task<InspectionCampaign> CampaignAsync(OneCardDbContext db, EffectContext context, CancellationToken ct) =>
        context.Instance.SubjectKind == SubjectKinds.InspectionCampaign
            ? db.InspectionCampaigns.IgnoreQueryFilters().SingleAsync(c => c.Id == context.Instance.SubjectId, ct)
            : throw new InvalidOperationException($"Effect for inspection campaigns entered on a {context.Instance.SubjectKind} ({context.Instance.DefinitionId} step {context.Step.Name}).");
}

/// <summary>Every item of the campaign is closed (reviewed), so the campaign may be concluded.</summary>
public sealed class AllInspectionItemsClosed : IGuard
{
    public string Name => nameof(AllInspectionItemsClosed);

    public Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        context.Db.InspectionItems.IgnoreQueryFilters().Where(i => i.CampaignId == context.Subject.Id).AllAsync(i => i.ClosedAt != null, ct);
}

/// <summary>The inspector's evidence is complete: every checklist entry checked, at least one attachment, a finding with its text.</summary>
public sealed class InspectionEvidenceComplete : IGuard
{
    public string Name => nameof(InspectionEvidenceComplete);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        (await Items.MissingEvidenceAsync(context.Db, context.Subject.Id, ct)).Count == 0;
}

/// <summary>
/// On entering Drawn: selects the population by the campaign's recorded criteria, draws per township with the recorded seed,
/// stores the population (its members, count and hash) and opens one item — with its checklist and its own case in the
/// inspectors' inbox — per key drawn, all in the transition's transaction. A campaign already drawn is left as it is.
/// </summary>
public sealed class DrawInspectionSample(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time, WorkflowCatalog workflows,
    IServiceProvider services) : IStepEffect
{
    public string Name => nameof(DrawInspectionSample);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var campaign = await InspectionSetup.CampaignAsync(db, context, ct);
        if (campaign.Status != CampaignStatus.Draft) return;
        var population = await Population.SelectAsync(db, campaign, ct);
        var strata = StratifiedDraw.Draw(population, campaign.Seed, campaign.Share, campaign.MinimumPerStratum);
        var now = time.GetUtcNow();
        var members = population.Select(m => new InspectionPopulationMember { CampaignId = campaign.Id, Key = m.Key, Stratum = m.Stratum }).ToList();
        // A province-wide post-payment campaign has a million members: COPY inside the transition's transaction, not one INSERT each.
        if (db.IsPostgres) await db.CopyAsync(members, ct);
        else db.InspectionPopulationMembers.AddRange(members);
        campaign.PopulationCount = population.Count;
        campaign.PopulationSha256 = StratifiedDraw.PopulationHash(population);
        campaign.SampleCount = strata.Sum(s => s.Drawn.Count);
        campaign.DrawnBy = user.ActorId;
        campaign.DrawnAt = now;
        campaign.Status = CampaignStatus.Drawn;

        var keys = strata.SelectMany(s => s.Drawn).ToList();
        // What each key stands for: a paid line (its application and policy) or an open case (the application itself).
        var lines = campaign.Kind == CampaignKind.PostPayment
            ? await db.ClaimLines.IgnoreQueryFilters().AsNoTracking().Where(l => keys.Contains(l.Id))
                .ToDictionaryAsync(l => l.Id, l => (l.ApplicationId, l.PolicyCode), ct)
            : await db.Applications.IgnoreQueryFilters().AsNoTracking().Where(a => keys.Contains(a.Id))
                .ToDictionaryAsync(a => a.Id, a => (ApplicationId: a.Id, a.PolicyCode), ct);
        var engine = services.GetRequiredService<CaseEngine>();
        var definition = workflows.Latest(Items.DefinitionId);
        var checklist = Checklist.ToJson(Checklist.For(campaign.Kind));
        var seq = 0;
        foreach (var stratum in strata)
            foreach (var key in stratum.Drawn)
            {
                var (applicationId, policyCode) = lines[key];
                var item = new InspectionItem
                {
                    Id = RowIds.Next(now), CampaignId = campaign.Id, Seq = ++seq, Reference = $"{campaign.Number}-{seq:000}", SampledKey = key,
                    ClaimLineId = campaign.Kind == CampaignKind.PostPayment ? key : null, ApplicationId = applicationId, Stratum = stratum.Stratum,
                    PolicyCode = policyCode, ChecklistJson = checklist, Finding = Finding.None, CreatedAt = now,
                };
                db.InspectionItems.Add(item);
                await engine.StartAsync(new CaseEngine.NewCase(Items.Subject(item.Id), item.Reference, item.Stratum, item.PolicyCode), definition, ct);
            }
        await audit.AppendAsync(db, user.ActorId, "InspectionSampleDrawn", SubjectKinds.InspectionCampaign, campaign.Id.ToString(), campaign.RegionCode, new
        {
            campaign.Number, campaign.Seed, campaign.Algorithm, campaign.Share, campaign.MinimumPerStratum, population = campaign.PopulationCount,
            populationSha256 = campaign.PopulationSha256, sample = campaign.SampleCount,
            strata = strata.Select(s => new { s.Stratum, s.Population, s.SampleSize }),
        }, ct);
    }
}

/// <summary>On conclusion: the campaign's end is recorded with its figures.</summary>
public sealed class ConcludeInspectionCampaign(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time) : IStepEffect
{
    public string Name => nameof(ConcludeInspectionCampaign);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var campaign = await InspectionSetup.CampaignAsync(db, context, ct);
        campaign.Status = CampaignStatus.Concluded;
        campaign.ConcludedAt = time.GetUtcNow();
        var findings = await db.InspectionItems.IgnoreQueryFilters().Where(i => i.CampaignId == campaign.Id).GroupBy(i => i.Finding)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        await audit.AppendAsync(db, user.ActorId, "InspectionCampaignConcluded", SubjectKinds.InspectionCampaign, campaign.Id.ToString(), campaign.RegionCode,
            new { campaign.Number, findings = findings.ToDictionary(f => f.Key.ToString(), f => f.Count) }, ct);
    }
}

/// <summary>
/// On closing an item (the reviewer approved the finding): the item is closed; a confirmed finding now marks its line (or case) on
/// the application page and is audited against the application. Recovery of what was overpaid is a later process.
/// </summary>
public sealed class CloseInspectionItem(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time) : IStepEffect
{
    public string Name => nameof(CloseInspectionItem);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        if (context.Instance.SubjectKind != SubjectKinds.InspectionItem)
            throw new InvalidOperationException($"Effect for inspection items entered on a {context.Instance.SubjectKind}.");
        var item = await db.InspectionItems.IgnoreQueryFilters().SingleAsync(i => i.Id == context.Instance.SubjectId, ct);
        item.ClosedAt = time.GetUtcNow();
        await audit.AppendAsync(db, user.ActorId, "InspectionItemClosed", SubjectKinds.InspectionItem, item.Id.ToString(), item.Stratum,
            new { item.Reference, finding = item.Finding.ToString(), item.FindingText, item.Inspector, reviewer = user.ActorId }, ct);
        if (item.Finding == Finding.Confirmed)
            await audit.AppendAsync(db, user.ActorId, "InspectionFindingConfirmed", SubjectKinds.Application, item.ApplicationId.ToString(), item.Stratum,
                new { item.Reference, line = item.ClaimLineId, item.FindingText }, ct);
    }
}
