using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// Schedules the Hangfire job a step just entered needs: a timer step's <see cref="StepTimerJob"/> at its due time, which
/// moves the case. A human task's reminder, due and escalation instants get no job of their own: the minutely sweep marks
/// them (see <see cref="TaskClockJob"/> for why), and it is the safety net for lost timer jobs too.
/// </summary>
public sealed class TimerScheduler(IBackgroundJobClient jobs, WorkflowCatalog workflows)
{
    /// <summary>After the transition's transaction committed: schedules what <paramref name="result"/>'s new step needs.</summary>
    public void AfterCommit(TransitionResult result, CaseSubject subject)
    {
        if (result.IsFinal || result.Deadline is not { } deadline) return;
        var definition = workflows.All.First(d => d.VersionKey == result.VersionKey);
        if (definition.Step(result.ToStep).Kind == StepKind.Timer) Schedule(subject, result.ToStep, deadline.DueAt);
    }

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
/// The minutely sweep: reminds, marks overdue and escalates human tasks whose instant has passed (one
/// <see cref="TaskClockJob"/> per task and kind), marks late system steps, and fires timers whose jobs were lost. Each mark
/// is a conditional update, so two hosts sweeping at once still record one event per task and kind.
/// </summary>
public sealed class DeadlineSweepJob(IServiceScopeFactory scopes, TimeProvider time, TaskClockJob clock)
{
    public const string RecurringId = "deadline-sweep";

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

        var open = db.Tasks.AsNoTracking().Where(t => t.Status == CaseTaskStatus.Open);
        // Overdue before escalation, so that a sweep that finds both (e.g. after downtime) records them in that order.
        foreach (var id in await open.Where(t => t.RemindedAt == null && t.RemindAt != null && t.RemindAt <= now).OrderBy(t => t.RemindAt).Select(t => t.Id).ToListAsync(ct))
            await clock.RunAsync(id, TaskClockKind.Remind, ct);
        foreach (var id in await open.Where(t => t.OverdueAt == null && t.DueAt != null && t.DueAt <= now).OrderBy(t => t.DueAt).Select(t => t.Id).ToListAsync(ct))
            await clock.RunAsync(id, TaskClockKind.Overdue, ct);
        foreach (var id in await open.Where(t => t.EscalatedAt == null && t.EscalateAt != null && t.EscalateAt <= now).OrderBy(t => t.EscalateAt).Select(t => t.Id).ToListAsync(ct))
            await clock.RunAsync(id, TaskClockKind.Escalate, ct);

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
                // A conditional update, and only if it changed the row the audit entry, in one transaction.
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (await db.WorkflowInstances.Where(i => i.Id == instance.Id && i.Step == instance.Step && i.StepOverdueAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(i => i.StepOverdueAt, now), ct) == 1)
                {
                    await audit.AppendAsync(db, Domain.Users.Roles.System, "StepOverdue", instance.SubjectKind, instance.SubjectId.ToString(),
                        instance.RegionCode, new { instance.Step, instance.StepDueAt }, ct);
                    await db.SaveChangesAsync(ct);
                }
                await tx.CommitAsync(ct);
            }
        }
    }
}
