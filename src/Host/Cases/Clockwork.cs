using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>Schedules a step's timer as a Hangfire job that carries ids only.</summary>
public sealed class TimerScheduler(IBackgroundJobClient jobs)
{
    public void Schedule(CaseSubject subject, string step, DateTimeOffset dueAt) =>
        jobs.Schedule<StepTimerJob>(j => j.RunAsync(subject.Kind, subject.Id, step, CancellationToken.None), dueAt);
}

/// <summary>
/// Fires a timer step's system action when it is due. Re-entrant: a case that has left the step, or
/// whose step is not yet due, is left alone, so a retried or early job does nothing.
/// </summary>
public sealed class StepTimerJob(IServiceScopeFactory scopes, TimeProvider time)
{
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(string subjectKind, Guid subjectId, string step, CancellationToken ct)
    {
        var subject = new CaseSubject(subjectKind, subjectId);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.SubjectKind == subjectKind && i.SubjectId == subjectId, ct);
        if (instance is null || instance.IsFinal || instance.Step != step || instance.StepDueAt > time.GetUtcNow()) return;

        var engine = scope.ServiceProvider.GetRequiredService<CaseEngine>();
        var runner = scope.ServiceProvider.GetRequiredService<WorkflowRunner>();
        var definition = scope.ServiceProvider.GetRequiredService<WorkflowCatalog>().Get(instance.DefinitionId, instance.DefinitionVersion);
        var guards = await engine.EvaluateGuardsAsync(definition, step, subject, ct);
        var actions = runner.PermittedActions(definition, step, Actor.System, g => guards[g]);
        if (actions.Count == 0) return;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var result = await engine.FireAsync(subject, actions[0], null, expectedStep: step, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            engine.AfterCommit(result, subject);
        }
        catch (OneCardException e) when (e.Code == "CaseMovedOn") { }
        catch (DbUpdateConcurrencyException) { } // another worker moved it first: that is the one effect
    }
}

/// <summary>
/// The minutely sweep: marks overdue tasks and late system steps, sends reminders, and fires
/// timers whose jobs were lost. Each mark is a conditional update, so two hosts sweeping at once
/// still record one overdue event per task.
/// </summary>
public sealed class DeadlineSweepJob(IServiceScopeFactory scopes, TimeProvider time)
{
    public const string RecurringId = "deadline-sweep";

    /// <summary>
    /// Applies a conditional update and, only if it changed the row, records the event — in one
    /// transaction, so a mark and its audit entry exist together or not at all.
    /// </summary>
    private static async Task MarkOnceAsync(OneCardDbContext db, AuditWriter audit, Func<Task<int>> conditionalUpdate, string action,
        CaseSubject subject, string regionCode, object data, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await conditionalUpdate() == 1)
        {
            await audit.AppendAsync(db, Domain.Users.Roles.System, action, subject.Kind, subject.Id.ToString(), regionCode, data, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(60)]
    public async Task RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditWriter>();
        var catalog = scope.ServiceProvider.GetRequiredService<WorkflowCatalog>();

        var overdue = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == CaseTaskStatus.Open && t.OverdueAt == null && t.DueAt != null && t.DueAt <= now)
            .Select(t => new { t.Id, t.SubjectKind, t.SubjectId, t.RegionCode, t.Step, t.Role, t.DueAt }).ToListAsync(ct);
        foreach (var task in overdue)
            await MarkOnceAsync(db, audit, () => db.Tasks.Where(t => t.Id == task.Id && t.OverdueAt == null && t.Status == CaseTaskStatus.Open)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.OverdueAt, now), ct),
                "TaskOverdue", new CaseSubject(task.SubjectKind, task.SubjectId), task.RegionCode, new { task = task.Id, task.Step, task.Role, task.DueAt }, ct);

        var remind = await db.Tasks.AsNoTracking()
            .Where(t => t.Status == CaseTaskStatus.Open && t.RemindedAt == null && t.RemindAt != null && t.RemindAt <= now)
            .Select(t => new { t.Id, t.SubjectKind, t.SubjectId, t.RegionCode, t.Step, t.Role, t.DueAt }).ToListAsync(ct);
        foreach (var task in remind)
            await MarkOnceAsync(db, audit, () => db.Tasks.Where(t => t.Id == task.Id && t.RemindedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.RemindedAt, now), ct),
                "TaskReminded", new CaseSubject(task.SubjectKind, task.SubjectId), task.RegionCode, new { task = task.Id, task.Step, task.Role, task.DueAt }, ct);

        var due = await db.WorkflowInstances.AsNoTracking()
            .Where(i => !i.IsFinal && i.StepDueAt != null && i.StepDueAt <= now)
            .Select(i => new { i.Id, i.SubjectKind, i.SubjectId, i.RegionCode, i.DefinitionId, i.DefinitionVersion, i.Step, i.StepDueAt, i.StepOverdueAt })
            .ToListAsync(ct);
        var timer = scope.ServiceProvider.GetRequiredService<StepTimerJob>();
        foreach (var instance in due)
        {
            var kind = catalog.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step).Kind;
            if (kind == StepKind.Timer)
            {
                await timer.RunAsync(instance.SubjectKind, instance.SubjectId, instance.Step, ct);
            }
            else if (kind == StepKind.System && instance.StepOverdueAt is null)
            {
                await MarkOnceAsync(db, audit, () => db.WorkflowInstances
                        .Where(i => i.Id == instance.Id && i.Step == instance.Step && i.StepOverdueAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(i => i.StepOverdueAt, now), ct),
                    "StepOverdue", new CaseSubject(instance.SubjectKind, instance.SubjectId), instance.RegionCode, new { instance.Step, instance.StepDueAt }, ct);
            }
        }
    }
}
