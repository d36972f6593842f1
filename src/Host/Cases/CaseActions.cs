using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// Any case, whatever its subject kind: read its step, open tasks and history, and fire an action through the one engine.
/// Region scope comes from the database's query filter, so a case outside the user's region is not found (404).
/// </summary>
public static class CaseActions
{
    public sealed record ActionRequest(string? Comment);
    public sealed record ActionResult(string FromStep, string Action, string ToStep, DateTimeOffset? DueAt);
    public sealed record TaskView(string Step, string StepTitle, string Role, DateTimeOffset? DueAt, bool Overdue);
    public sealed record EventView(int Seq, string FromStep, string Action, string ToStep, string ActorId, DateTimeOffset At, string? Comment);
    public sealed record CaseView(string SubjectKind, Guid SubjectId, string Reference, string RegionCode, string Workflow, string WorkflowTitle,
        int Version, string Step, string StepTitle, StepKind StepKind, DateTimeOffset? StepDueAt, bool IsFinal, IReadOnlyList<TaskView> OpenTasks,
        IReadOnlyList<string> PermittedActions, IReadOnlyList<EventView> History, int LatestVersion);

    public static void MapCaseActions(this RouteGroupBuilder api)
    {
        api.MapGet("/cases/{kind}/{id:guid}", async Task<Ok<CaseView>> (string kind, Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(new CaseSubject(kind, id), ct)))
            .WithName("GetCase").WithSummary("A case of any subject kind: step, open tasks, history and the actions the user may take now");
        api.MapPost("/cases/{kind}/{id:guid}/actions/{action}", async Task<Ok<ActionResult>> (string kind, Guid id, string action, ActionRequest? body, CaseEngine engine, CancellationToken ct) =>
        {
            var r = await engine.ActAsync(new CaseSubject(kind, id), action, body?.Comment, ct);
            return TypedResults.Ok(new ActionResult(r.FromStep, r.Action, r.ToStep, r.Deadline?.DueAt));
        }).WithName("ActOnCaseOfAnyKind").WithSummary("Fire a workflow action on a case of any subject kind (same engine, same checks)");
    }

    /// <summary>The query; the case pages call it too.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, CaseEngine engine, TimeProvider time)
    {
        public async Task<CaseView> GetAsync(CaseSubject subject, CancellationToken ct)
        {
            var instance = await db.WorkflowInstances.AsNoTracking().Include(i => i.History)
                .SingleOrDefaultAsync(i => i.SubjectKind == subject.Kind && i.SubjectId == subject.Id, ct)
                ?? throw OneCardException.NotFound(subject.Kind, CaseEngine.SubjectNameZh(subject.Kind));
            var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
            var step = definition.Step(instance.Step);
            var now = time.GetUtcNow();
            var tasks = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == instance.Id && t.Status == CaseTaskStatus.Open)
                .OrderBy(t => t.CreatedAt).ThenBy(t => t.Step).ToListAsync(ct);
            // The acts as separation of duties reads them, line corrections included, so no action is offered that the runner refuses.
            var acts = await engine.HistoryAsync(instance.Id, ct);
            return new CaseView(instance.SubjectKind, instance.SubjectId, instance.Reference, instance.RegionCode, definition.DefinitionId,
                definition.TitleZh, definition.Version, step.Name, step.TitleZh, step.Kind, instance.StepDueAt, instance.IsFinal,
                [.. tasks.Select(t => new TaskView(t.Step, definition.FindStep(t.Step)?.TitleZh ?? t.Step, t.Role, t.DueAt, t.DueAt <= now))],
                await engine.PermittedActionsAsync(instance, ct, acts),
                [.. instance.History.OrderBy(h => h.Seq).Select(h => new EventView(h.Seq, h.FromStep, h.Action, h.ToStep, h.ActorId, h.At, h.Comment))],
                workflows.Latest(definition.DefinitionId).Version);
        }
    }
}
