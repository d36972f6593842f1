using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Notices;
using OneCard.Host.Components.Shared;
using OneCard.Host.Notices;
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
/// <see cref="TaskClockJob"/> per task and kind), marks late system steps and escalates them after their grace, and fires
/// timers whose jobs were lost. Each mark is a conditional update, so two hosts sweeping at once still record one event
/// per task (or case) and kind. Each task and case is its own unit of work: one that throws is logged and the sweep goes on
/// with the rest (one bad case never holds back every deadline after it, minute after minute); the run then ends by throwing,
/// so that the job shows as failed.
/// </summary>
public sealed class DeadlineSweepJob(IServiceScopeFactory scopes, TimeProvider time, TaskClockJob clock, RegionDirectory regions, ILogger<DeadlineSweepJob> log)
{
    public const string RecurringId = "deadline-sweep";

    /// <summary>A case in a System step past its due time, as the sweep read it.</summary>
    private sealed record LateStep(Guid Id, string SubjectKind, Guid SubjectId, string Reference, string? PolicyCode, string RegionCode,
        string Step, DateTimeOffset DueAt, DateTimeOffset? OverdueAt, DateTimeOffset? EscalatedAt, int Revision);

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(60)]
    public async Task RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var catalog = scope.ServiceProvider.GetRequiredService<WorkflowCatalog>();
        var items = new SweepItems("Deadline sweep", log, ct);
        // A failed item's own unsaved additions (an audit entry) must not be saved with the next item's: the context is shared.
        async Task Each(string what, Guid id, Func<Task> work)
        {
            if (!await items.RunAsync(what, id, async () => { await work(); return true; })) db.ChangeTracker.Clear();
        }

        var open = db.Tasks.AsNoTracking().Where(t => t.Status == CaseTaskStatus.Open);
        // Overdue before escalation, so that a sweep that finds both (e.g. after downtime) records them in that order.
        foreach (var id in await open.Where(t => t.RemindedAt == null && t.RemindAt != null && t.RemindAt <= now).OrderBy(t => t.RemindAt).Select(t => t.Id).ToListAsync(ct))
            await Each("reminding task", id, () => clock.RunAsync(id, TaskClockKind.Remind, ct));
        foreach (var id in await open.Where(t => t.OverdueAt == null && t.DueAt != null && t.DueAt <= now).OrderBy(t => t.DueAt).Select(t => t.Id).ToListAsync(ct))
            await Each("marking overdue task", id, () => clock.RunAsync(id, TaskClockKind.Overdue, ct));
        foreach (var id in await open.Where(t => t.EscalatedAt == null && t.EscalateAt != null && t.EscalateAt <= now).OrderBy(t => t.EscalateAt).Select(t => t.Id).ToListAsync(ct))
            await Each("escalating task", id, () => clock.RunAsync(id, TaskClockKind.Escalate, ct));

        // A late system step stays in this list until the case moves on; those already marked (and escalated, where the
        // step escalates) are skipped in memory, without a write.
        var due = await db.WorkflowInstances.AsNoTracking()
            .Where(i => !i.IsFinal && i.StepDueAt != null && i.StepDueAt <= now)
            .OrderBy(i => i.StepDueAt)
            .Select(i => new { i.Id, i.SubjectKind, i.SubjectId, i.Reference, i.PolicyCode, i.RegionCode, i.DefinitionId, i.DefinitionVersion, i.Step,
                DueAt = i.StepDueAt!.Value, i.StepOverdueAt, i.StepEscalatedAt, i.Revision })
            .ToListAsync(ct);
        var timer = scope.ServiceProvider.GetRequiredService<StepTimerJob>();
        var calendar = scope.ServiceProvider.GetRequiredService<WorkingDayCalendar>();
        foreach (var instance in due)
            await Each("the late step of case", instance.Id, async () =>
            {
                var step = catalog.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
                if (step.Kind == StepKind.Timer)
                {
                    await timer.RunAsync(instance.SubjectKind, instance.SubjectId, instance.Step, ct);
                }
                else if (step.Kind == StepKind.System)
                {
                    var late = new LateStep(instance.Id, instance.SubjectKind, instance.SubjectId, instance.Reference, instance.PolicyCode, instance.RegionCode,
                        instance.Step, instance.DueAt, instance.StepOverdueAt, instance.StepEscalatedAt, instance.Revision);
                    if (late.OverdueAt is null) await MarkOverdueAsync(scope.ServiceProvider, db, late, now, ct);
                    if (step.Escalate is { } escalate && late.EscalatedAt is null && calendar.After(late.DueAt, escalate.After) <= now)
                        await EscalateAsync(scope.ServiceProvider, db, late, step, escalate, calendar.After(late.DueAt, escalate.After), now, ct);
                }
            });
        items.ThrowIfAnyFailed();
    }

    // Each mark is a conditional update on the case as read (same step visit: same revision), and only if it changed the
    // row its audit entry (and notices), in one transaction: a second host, a retry or a case that moved on writes nothing.
    private static async Task MarkOverdueAsync(IServiceProvider services, OneCardDbContext db, LateStep late, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.WorkflowInstances.Where(i => i.Id == late.Id && i.Revision == late.Revision && i.Step == late.Step && i.StepOverdueAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.StepOverdueAt, now), ct) == 1)
        {
            await services.GetRequiredService<AuditWriter>().AppendAsync(db, Domain.Users.Roles.System, "StepOverdue", late.SubjectKind,
                late.SubjectId.ToString(), late.RegionCode, new { late.Step, StepDueAt = late.DueAt }, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    private async Task EscalateAsync(IServiceProvider services, OneCardDbContext db, LateStep late, StepDefinition step, Escalation escalate,
        DateTimeOffset escalateAt, DateTimeOffset now, CancellationToken ct)
    {
        var role = escalate.ToRole;
        var region = escalate.ToLevel == EscalationLevel.Up ? regions.Find(late.RegionCode)?.ParentCode ?? late.RegionCode : late.RegionCode;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.WorkflowInstances.Where(i => i.Id == late.Id && i.Revision == late.Revision && i.Step == late.Step && i.StepEscalatedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.StepEscalatedAt, now), ct) == 1)
        {
            await services.GetRequiredService<AuditWriter>().AppendAsync(db, Domain.Users.Roles.System, NoticeKinds.StepEscalated, late.SubjectKind,
                late.SubjectId.ToString(), late.RegionCode, new { late.Step, StepDueAt = late.DueAt, escalateAt, toRole = role, toRegion = region }, ct);
            var text = $"【逾期上报】{late.Reference} 的“{step.TitleZh}”环节（{regions.FullName(late.RegionCode)}）超过时限（{Show.ChinaTime(late.DueAt)}）"
                + $"及宽限期仍未完成，已上报{regions.FullName(region)}{RoleNames.Zh(role)}。";
            await services.GetRequiredService<NoticeCentre>().AddAsync(db,
                new NoticeCentre.Event(NoticeKinds.StepEscalated, late.SubjectKind, late.SubjectId, late.Reference, null, late.RegionCode, text, late.PolicyCode),
                role, region, ct);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }
}
