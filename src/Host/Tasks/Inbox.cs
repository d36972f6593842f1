using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Tasks;

/// <summary>The task inbox: open tasks for the user's role in the user's region, most urgent first.</summary>
public static class Inbox
{
    public sealed record TaskView(Guid Id, Guid ApplicationId, string ApplicationNumber, string PolicyCode, string RegionName, string Step,
        string StepTitle, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, bool DueAtIsProvisional, bool IsOverdue, DateTimeOffset? OverdueAt, int LineCount, decimal PayableAmount);

    public static void MapInbox(this RouteGroupBuilder api) =>
        api.MapGet("/tasks", async Task<Ok<IReadOnlyList<TaskView>>> (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListTasks").WithSummary("My open tasks, with due time and overdue marking");

    /// <summary>The inbox query; the web UI calls it too.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, RegionDirectory regions, UserContext user, TimeProvider time)
    {
        public async Task<IReadOnlyList<TaskView>> ListAsync(CancellationToken ct)
        {
            var me = user.Required;
            var now = time.GetUtcNow();
            var rows = await (from t in db.Tasks.AsNoTracking()
                              join a in db.Applications.AsNoTracking() on t.SubjectId equals a.Id
                              join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                              where t.Status == CaseTaskStatus.Open && t.Role == me.Role && t.SubjectKind == SubjectKinds.Application
                              orderby t.DueAt
                              select new { t, a, i.DefinitionId, i.DefinitionVersion }).Take(500).ToListAsync(ct);
            // Separation of duties: a task whose step the user may not take (e.g. reviewing a roster they submitted) is not theirs.
            var separated = rows.Where(r => workflows.Get(r.DefinitionId, r.DefinitionVersion).Step(r.t.Step).SeparateFrom.Count > 0)
                .Select(r => r.t.InstanceId).ToList();
            var myActs = (await db.WorkflowEvents.AsNoTracking().Where(e => e.ActorId == me.Id && separated.Contains(e.InstanceId))
                    .Select(e => new { e.InstanceId, e.FromStep, e.ActorId }).ToListAsync(ct))
                .ToLookup(e => e.InstanceId, e => CaseEngine.ToPriorAct(e.FromStep, e.ActorId));
            rows.RemoveAll(r => workflows.Get(r.DefinitionId, r.DefinitionVersion).PreparedBy(r.t.Step, me.Id, myActs[r.t.InstanceId]).Count > 0);
            return rows.Select(r => new TaskView(r.t.Id, r.a.Id, r.a.Number, r.a.PolicyCode, regions.FullName(r.a.RegionCode), r.t.Step,
                    workflows.Get(r.DefinitionId, r.DefinitionVersion).Step(r.t.Step).TitleZh, r.t.CreatedAt, r.t.DueAt, r.t.DueAtIsProvisional,
                    r.t.OverdueAt is not null || r.t.DueAt <= now, r.t.OverdueAt, r.a.LineCount, r.a.PayableAmount))
                .ToList();
        }
    }
}
