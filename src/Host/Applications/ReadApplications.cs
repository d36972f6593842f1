using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Applications;

/// <summary>Reading cases in the user's scope: the list, and one case with its lines, history and allowed actions.</summary>
public static class ReadApplications
{
    public sealed record Summary(Guid Id, string Number, string PolicyCode, string Period, string RegionCode, string RegionName,
        string Step, string StepTitle, DateTimeOffset SubmittedAt, int LineCount, int EligibleCount, decimal PayableAmount, bool IsFinal);
    public sealed record LineView(Guid Id, int LineNo, string Name, string IdNumberMasked, JsonElement Facts, decimal? Amount, string Outcome,
        string? ReasonZh, JsonElement RuleResults, string RuleSetKey, JsonElement? Warnings, bool Sampled, string? SampleResult, string? SampleNote);
    public sealed record EventView(int Seq, string FromStep, string Action, string ToStep, string ActorId, DateTimeOffset At, string? Comment);
    public sealed record ObjectionView(Guid Id, int? LineNo, string Text, DateTimeOffset LodgedAt, string Status, string? Resolution, string? ContactMasked = null);
    public sealed record Detail(Summary Case, string RuleSetKey, string WorkflowKey, DateTimeOffset? StepDueAt, bool StepOverdue,
        IReadOnlyList<string> PermittedActions, IReadOnlyList<string> LineActions, DateTimeOffset? PublicityEndsAt,
        IReadOnlyList<LineView> Lines, IReadOnlyList<EventView> History, IReadOnlyList<ObjectionView> Objections, object? SampleDraw);

    public static void MapReadApplications(this RouteGroupBuilder api)
    {
        api.MapGet("/applications", async (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListApplications").WithSummary("Applications in the user's region");
        api.MapGet("/applications/{id:guid}", async Task<Ok<Detail>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetApplication").WithSummary("One application with lines, rule results, history and allowed actions (404 outside the user's region)");
    }

    /// <summary>The queries; the web UI calls them too.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, CaseEngine engine, RegionDirectory regions, UserContext user, TimeProvider time)
    {
        /// <summary>
        /// A third party (an inspector, or anyone from an outside organisation) sees a case only during its check; a government
        /// user who holds the inspector's role beside another keeps what the other role sees.
        /// </summary>
        private bool CheckScoped => user.User is { } u && (u.IsThirdParty || u.Roles.All(r => r == Roles.Inspector));

        /// <summary>
        /// Whether a check-scoped user may see a case in <paramref name="instance"/>'s current step: only while the step is
        /// theirs to take (its role is the user's role, e.g. Inspector). The definition says which step that is, so a
        /// renamed step in a newer version still works.
        /// </summary>
        private bool CheckOpenFor(Domain.Cases.WorkflowInstance instance) =>
            !instance.IsFinal && user.User is { } u && workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step).Role is { } role && u.Holds(role);

        /// <summary>Every step name, in any loaded definition, whose role the user holds: narrows the list query in SQL.</summary>
        private List<string> StepsOfUsersRole() =>
            [.. workflows.All.SelectMany(d => d.Steps).Where(s => s.Role is not null && user.User?.Holds(s.Role) == true).Select(s => s.Name).Distinct()];

        public async Task<IReadOnlyList<Summary>> ListAsync(CancellationToken ct)
        {
            var query = from a in db.Applications.AsNoTracking()
                        join i in db.WorkflowInstances.AsNoTracking().Where(i => i.SubjectKind == SubjectKinds.Application) on a.Id equals i.SubjectId
                        select new { a, i };
            // A third-party inspector sees the cases waiting for their check, and nothing else.
            var scoped = CheckScoped;
            if (scoped)
            {
                var steps = StepsOfUsersRole();
                query = query.Where(r => !r.i.IsFinal && steps.Contains(r.i.Step));
            }
            var rows = await query.OrderByDescending(r => r.a.SubmittedAt).Take(500).ToListAsync(ct);
            // The SQL filter is by step name only; the definition each case is pinned to decides.
            if (scoped) rows = [.. rows.Where(r => CheckOpenFor(r.i))];
            return rows.Select(r => ToSummary(r.a, r.i)).ToList();
        }

        public async Task<Detail> GetAsync(Guid id, CancellationToken ct)
        {
            var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            var instance = await db.WorkflowInstances.AsNoTracking().Include(i => i.History).SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == id, ct);
            var inspector = CheckScoped;
            // Only while the sample check is open: before it and after it the case does not exist for a third party.
            if (inspector && !CheckOpenFor(instance))
                throw OneCardException.NotFound("Application", "申报");
            var linesQuery = db.ClaimLines.AsNoTracking().Where(l => l.ApplicationId == id);
            // A third-party inspector sees only the lines drawn for the check, nothing else of the case.
            if (inspector) linesQuery = linesQuery.Where(l => l.Sampled);
            var lines = await linesQuery.OrderBy(l => l.LineNo).ToListAsync(ct);
            var objections = inspector ? [] :
                await db.Objections.AsNoTracking().Where(o => o.ApplicationId == id).OrderBy(o => o.LodgedAt).ToListAsync(ct);
            var draw = await db.SampleDraws.AsNoTracking().SingleOrDefaultAsync(d => d.ApplicationId == id, ct);
            var step = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
            // The history is loaded with the instance: separation of duties reads it from there, not again.
            var acts = instance.History.Select(e => CaseEngine.ToPriorAct(e.FromStep, e.ActorId)).ToList();
            var permitted = await engine.PermittedActionsAsync(instance, ct, acts);
            var lineActions = user.User is not null && step.Role is { } stepRole && !instance.IsFinal
                && (await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(stepRole)
                && (await engine.PreparedByCurrentUserAsync(instance, ct, acts)).Count == 0 ? step.LineActions : [];
            return new Detail(
                ToSummary(application, instance), application.RuleSetKey, $"{instance.DefinitionId}@{instance.DefinitionVersion}", instance.StepDueAt,
                instance.StepDueAt is { } due && due <= time.GetUtcNow() && !instance.IsFinal, permitted, lineActions, application.PublicityEndsAt,
                lines.Select(l => new LineView(l.Id, l.LineNo, l.Name, l.IdNumberMasked, Parse(l.FactsJson), l.Amount, l.Outcome.ToString(), l.ReasonZh,
                    Parse(l.RuleResultsJson), l.RuleSetKey, l.WarningsJson is null ? null : Parse(l.WarningsJson), l.Sampled, l.SampleResult?.ToString(),
                    l.SampleNote)).ToList(),
                instance.History.Where(_ => !inspector).OrderBy(h => h.Seq).Select(h => new EventView(h.Seq, h.FromStep, h.Action, h.ToStep, h.ActorId, h.At, h.Comment)).ToList(),
                objections.Select(o => new ObjectionView(o.Id, o.LineNo, o.Text, o.LodgedAt, o.Status.ToString(), o.Resolution, o.ContactMasked)).ToList(),
                draw is null ? null : new { draw.Seed, draw.Share, draw.Minimum, draw.PopulationCount, draw.SampleCount, draw.Algorithm, draw.DrawnAt });
        }

        private Summary ToSummary(Application a, Domain.Cases.WorkflowInstance i) => new(
            a.Id, a.Number, a.PolicyCode, a.Period, a.RegionCode, regions.FullName(a.RegionCode), i.Step,
            workflows.Get(i.DefinitionId, i.DefinitionVersion).Step(i.Step).TitleZh, a.SubmittedAt, a.LineCount, a.EligibleCount,
            a.PayableAmount, i.IsFinal);

        private static JsonElement Parse(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
    }
}
