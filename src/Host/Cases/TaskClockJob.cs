using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Host.Components.Shared;
using OneCard.Host.Notices;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>The instants of a human task the clockwork marks.</summary>
public enum TaskClockKind { Remind, Overdue, Escalate }

/// <summary>
/// Marks one instant of one task — reminder, overdue or escalation — once it has come: a conditional update of the task,
/// and only if it changed the row, the audit entry and the notices for the people concerned, all in one transaction. Takes
/// ids only and is re-entrant: a task that is closed, not yet due or already marked is left alone, so retries, a second
/// host and the sweep running over it again record one event.
/// </summary>
/// <remarks>
/// The minutely <see cref="DeadlineSweepJob"/> runs it for every task whose instant has passed; it is not scheduled per task.
/// These instants only mark a task (the case does not move), they all fall on 00:00 +08:00 of a working-day deadline so a
/// minute's delay is immaterial, and most tasks close before them: a delayed Hangfire job per instant would be three jobs
/// per task to store and mostly discard, where the sweep finds the due ones with one indexed query per kind.
/// </remarks>
public sealed class TaskClockJob(IServiceScopeFactory scopes, TimeProvider time, RegionDirectory regions)
{
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(Guid taskId, TaskClockKind kind, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var now = time.GetUtcNow();
        var found = await (from t in db.Tasks.AsNoTracking()
                           join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                           where t.Id == taskId
                           select new { Task = t, i.Reference, i.DefinitionId, i.DefinitionVersion }).SingleOrDefaultAsync(ct);
        if (found is not { Task: { Status: CaseTaskStatus.Open } task }) return;
        var step = scope.ServiceProvider.GetRequiredService<WorkflowCatalog>().Get(found.DefinitionId, found.DefinitionVersion).Step(task.Step);

        var open = db.Tasks.Where(t => t.Id == taskId && t.Status == CaseTaskStatus.Open);
        Func<Task<int>> mark;
        string action, text, role = task.Role, region = task.RegionCode;
        var where = $"{found.Reference} 的“{step.TitleZh}”环节（{regions.FullName(task.RegionCode)}）";
        switch (kind)
        {
            case TaskClockKind.Remind when task.RemindAt <= now && task.RemindedAt is null:
                mark = () => open.Where(t => t.RemindedAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.RemindedAt, now), ct);
                (action, text) = (NoticeKinds.TaskReminded, $"【即将到期】{where}将于 {Show.ChinaTime(task.DueAt)} 到期，请及时办理。");
                break;
            case TaskClockKind.Overdue when task.DueAt <= now && task.OverdueAt is null:
                mark = () => open.Where(t => t.OverdueAt == null).ExecuteUpdateAsync(s => s.SetProperty(t => t.OverdueAt, now), ct);
                (action, text) = (NoticeKinds.TaskOverdue, $"【已超期】{where}已超过办理时限（{Show.ChinaTime(task.DueAt)}），请尽快办理。");
                break;
            case TaskClockKind.Escalate when task.EscalateAt <= now && task.EscalatedAt is null && step.Escalate is { } escalate:
                role = escalate.ToRole;
                region = escalate.ToLevel == EscalationLevel.Up ? regions.Find(task.RegionCode)?.ParentCode ?? task.RegionCode : task.RegionCode;
                mark = () => open.Where(t => t.EscalatedAt == null).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.EscalatedAt, now).SetProperty(t => t.EscalatedToRole, role).SetProperty(t => t.EscalatedToRegionCode, region), ct);
                (action, text) = (NoticeKinds.TaskEscalated,
                    $"【超期上报】{where}超过办理时限（{Show.ChinaTime(task.DueAt)}）及宽限期仍未办理，已上报{regions.FullName(region)}{RoleNames.Zh(role)}。");
                break;
            default:
                return;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LockInstanceAsync(task.InstanceId, ct);
        if (await mark() == 1)
        {
            await scope.ServiceProvider.GetRequiredService<AuditWriter>().AppendAsync(db, Domain.Users.Roles.System, action,
                task.SubjectKind, task.SubjectId.ToString(), task.RegionCode,
                new { task = task.Id, task.Step, task.Role, task.DueAt, task.EscalateAt, toRole = role, toRegion = region }, ct);
            await scope.ServiceProvider.GetRequiredService<NoticeCentre>().AddAsync(db,
                new NoticeCentre.Event(action, task.SubjectKind, task.SubjectId, found.Reference, task.Id, task.RegionCode, text, task.PolicyCode), role, region, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}
