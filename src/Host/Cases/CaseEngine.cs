using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// The one place where a case moves. It loads the instance in the user's scope, asks the pinned
/// workflow definition (through <see cref="WorkflowRunner"/>) whether the action is allowed, and in
/// one transaction records the transition, closes and opens tasks, runs the new step's effects and
/// writes the audit trail. A stale writer loses on the instance's revision.
/// </summary>
public sealed partial class CaseEngine(
    OneCardDbContext db,
    WorkflowCatalog workflows,
    WorkflowRunner runner,
    CaseEffects effects,
    CaseVocabulary vocabulary,
    AuditWriter audit,
    TimerScheduler timers,
    UserContext user,
    TimeProvider time,
    IServiceScopeFactory scopes)
{
    /// <summary>What a new instance runs for and how staff and supervisors find it.</summary>
    public sealed record NewCase(CaseSubject Subject, string Reference, string RegionCode, string? PolicyCode);

    /// <summary>Starts the workflow of a new subject (an application, a complaint…) inside the caller's transaction.</summary>
    public async Task<WorkflowInstance> StartAsync(NewCase subject, WorkflowDefinition definition, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var first = definition.Step(definition.InitialStep);
        var deadline = runner.DeadlineFor(definition, first.Name, now);
        var instance = new WorkflowInstance
        {
            Id = Guid.CreateVersion7(),
            SubjectKind = subject.Subject.Kind,
            SubjectId = subject.Subject.Id,
            Reference = subject.Reference,
            PolicyCode = subject.PolicyCode,
            RegionCode = subject.RegionCode,
            DefinitionId = definition.DefinitionId,
            DefinitionVersion = definition.Version,
            Step = first.Name,
            StepEnteredAt = now,
            StepDueAt = deadline?.DueAt,
        };
        instance.History.Add(new WorkflowEvent
        {
            Id = Guid.CreateVersion7(), InstanceId = instance.Id, Seq = 1, FromStep = "", Action = "Submit",
            ToStep = first.Name, ActorId = user.ActorId, At = now,
        });
        db.WorkflowInstances.Add(instance);
        OpenTasks(instance, definition, first, deadline, now);
        await audit.AppendAsync(db, user.ActorId, "WorkflowStarted", instance.SubjectKind, instance.SubjectId.ToString(), instance.RegionCode,
            new { definition = definition.VersionKey, step = first.Name, dueAt = deadline?.DueAt }, ct);
        return instance;
    }

    /// <summary>
    /// What the current user may do on the case now (the UI shows exactly these). <paramref name="history"/> is the
    /// case's history when the caller has it already (see <see cref="HistoryAsync"/>); otherwise it is read here.
    /// </summary>
    public async Task<IReadOnlyList<string>> PermittedActionsAsync(WorkflowInstance instance, CancellationToken ct, IReadOnlyList<PriorAct>? history = null)
    {
        if (instance.IsFinal || user.User is null) return [];
        var actor = await ActorOnAsync(instance, ct);
        // A task someone else has claimed is theirs: offer nothing the engine would refuse (TaskClaimedByOther).
        if (await ClaimedByOtherAsync(instance, actor, ct) is not null) return [];
        var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
        history ??= await HistoryAsync(instance.Id, ct);
        var permitted = new List<string>();
        // In a Parallel step the user acts in the open branches (one task each); elsewhere in the current step.
        foreach (var step in await ActingStepsAsync(instance, definition, ct))
        {
            var guards = await EvaluateGuardsAsync(definition, step, instance.Subject, ct);
            permitted.AddRange(runner.PermittedActions(definition, step, actor, g => guards[g], history));
        }
        return [.. permitted.Distinct()];
    }

    /// <summary>
    /// The roles the current user holds on a case of <paramref name="policyCode"/>: all of them, except that a role bound to the
    /// user's department does not count on another department's case. The database filter already hides such cases from a
    /// user all of whose roles are department-bound; this matters for one who also holds a role across departments (a county
    /// 农业农村 reviewer who also rechecks for finance sees a 民政 case but may not review it).
    /// </summary>
    public async Task<IReadOnlySet<string>> RolesOnAsync(string? policyCode, CancellationToken ct)
    {
        var me = user.Required;
        if (!me.ActsPerCaseDepartment || policyCode is null) return me.RolesFor(null);
        // A policy without a row belongs to no department the user is bound to: their bound roles do not count on it.
        var department = await db.Policies.AsNoTracking().Where(p => p.Code == policyCode).Select(p => p.DepartmentCode).SingleOrDefaultAsync(ct);
        return me.RolesFor(department ?? "");
    }

    /// <summary>The current user as the workflow actor on <paramref name="instance"/> (see <see cref="RolesOnAsync"/>).</summary>
    public async Task<Actor> ActorOnAsync(WorkflowInstance instance, CancellationToken ct) =>
        new(user.Required.Id, await RolesOnAsync(instance.PolicyCode, ct));

    /// <summary>The steps a user acts in now: the current step, or the open branches of a Parallel step in definition order.</summary>
    private async Task<IReadOnlyList<string>> ActingStepsAsync(WorkflowInstance instance, WorkflowDefinition definition, CancellationToken ct)
    {
        var current = definition.Step(instance.Step);
        if (current.Kind != StepKind.Parallel) return [current.Name];
        var open = await OpenBranchesAsync(instance.Id, ct);
        return [.. current.Branches.Where(open.Contains)];
    }

    private async Task<HashSet<string>> OpenBranchesAsync(Guid instanceId, CancellationToken ct) =>
        [.. await db.Tasks.Where(t => t.InstanceId == instanceId && t.Status == CaseTaskStatus.Open).Select(t => t.Step).ToListAsync(ct)];

    /// <summary>
    /// The step <paramref name="action"/> fires from: the current step, or in a Parallel step the first open branch (in
    /// definition order) that has the action and whose role the actor holds. The join is the system's, once all are done.
    /// </summary>
    private async Task<string> FiringStepAsync(WorkflowInstance instance, WorkflowDefinition definition, string action, Actor actor, CancellationToken ct)
    {
        var current = definition.Step(instance.Step);
        if (current.Kind != StepKind.Parallel) return current.Name;
        var open = await OpenBranchesAsync(instance.Id, ct);
        if (open.Count == 0) return current.Name;
        var having = current.Branches.Where(b => open.Contains(b) && definition.TransitionsFrom(b).Any(t => t.Action == action)).ToList();
        if (having.Count == 0)
            throw new OneCardException(ErrorKind.Conflict, "BranchesOpen", $"“{current.TitleZh}”的各分支尚未全部办结",
                $"Step {current.Name} still has open branches ({string.Join(", ", open)}); action {action} is not one of theirs.");
        // The runner refuses with the right code when the actor holds none of the roles.
        return having.FirstOrDefault(b => definition.TransitionsFrom(b).Any(t => t.Action == action && (t.Role is null ? actor.IsSystem : actor.Roles.Contains(t.Role))))
            ?? having[0];
    }

    /// <summary>
    /// The case's acts as separation of duties reads them: who acted in which step, the start event being
    /// <see cref="WorkflowDefinition.Submission"/>. The inbox and line actions use it as the runner does.
    /// </summary>
    public async Task<IReadOnlyList<PriorAct>> HistoryAsync(Guid instanceId, CancellationToken ct)
    {
        var events = await db.WorkflowEvents.AsNoTracking().Where(e => e.InstanceId == instanceId)
            .Select(e => new { e.FromStep, e.ActorId }).ToListAsync(ct);
        // A clerk who corrected lines in a step (更正明细) acted in it, as whoever fired its transition did.
        var corrections = await db.LineCorrections.AsNoTracking().Where(c => c.InstanceId == instanceId)
            .Select(c => new { c.Step, c.CorrectedBy }).Distinct().ToListAsync(ct);
        return [.. events.Select(e => ToPriorAct(e.FromStep, e.ActorId)), .. corrections.Select(c => new PriorAct(c.Step, c.CorrectedBy))];
    }

    /// <summary>
    /// Whether the current user prepared something the case's current step checks (separation of duties), for
    /// the line actions of that step: the same rule the runner applies to the step's transitions.
    /// </summary>
    public async Task<IReadOnlyList<string>> PreparedByCurrentUserAsync(WorkflowInstance instance, CancellationToken ct, IReadOnlyList<PriorAct>? history = null)
    {
        if (user.User is null || instance.IsFinal) return [];
        var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
        if (definition.Step(instance.Step).SeparateFrom.Count == 0) return [];
        return definition.PreparedBy(instance.Step, user.User.Id, history ?? await HistoryAsync(instance.Id, ct));
    }

    /// <summary>Refuses a line action to the user who prepared what the current step checks (409 SeparationOfDuties).</summary>
    public async Task EnsureSeparatedAsync(WorkflowInstance instance, CancellationToken ct)
    {
        if (await PreparedByCurrentUserAsync(instance, ct) is not { Count: > 0 } prepared) return;
        var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
        var titles = string.Join("、", prepared.Select(definition.TitleZhOf));
        throw new OneCardException(ErrorKind.Conflict, WorkflowErrorCodes.SeparationOfDuties,
            $"您已办理本案件的“{titles}”环节，按职责分离规定不能办理本环节",
            $"You acted in {string.Join(", ", prepared)} on this case and may not act in step {instance.Step} (separation of duties).");
    }

    /// <summary>A history event as a <see cref="PriorAct"/>: the start event (no from-step) is the submission.</summary>
    public static PriorAct ToPriorAct(string fromStep, string actorId) =>
        new(fromStep.Length == 0 ? WorkflowDefinition.Submission : fromStep, actorId);

    /// <summary>Fires <paramref name="action"/> for the current user (or the system) in its own transaction.</summary>
    public async Task<TransitionResult> ActAsync(CaseSubject subject, string action, string? comment, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await FireAsync(subject, action, comment, expectedStep: null, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        AfterCommit(result, subject);
        return result;
    }

    /// <summary>
    /// Fires inside the caller's transaction (the caller saves and commits). With
    /// <paramref name="expectedStep"/>, a case that has moved on is left alone (re-entrant jobs).
    /// </summary>
    public async Task<TransitionResult> FireAsync(CaseSubject subject, string action, string? comment, string? expectedStep, CancellationToken ct, bool asSystem = false)
    {
        var instance = await db.WorkflowInstances.SingleOrDefaultAsync(i => i.SubjectKind == subject.Kind && i.SubjectId == subject.Id, ct)
            ?? throw OneCardException.NotFound(subject.Kind, SubjectNameZh(subject.Kind));
        await db.LockAsync(instance, ct);
        if (expectedStep is not null && instance.Step != expectedStep)
            throw new OneCardException(ErrorKind.Conflict, "CaseMovedOn", "案件已进入其他环节", "The case has moved on.");
        var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
        // The system role is never implied: only jobs that claimed it, or an explicit asSystem, act as the system.
        var actor = asSystem || (user.User is null && user.IsSystem) ? Actor.System
            : user.User is not null ? await ActorOnAsync(instance, ct)
            : throw new InvalidOperationException("No user or system claimed this unit of work.");
        var actorId = actor.IsSystem ? Actor.System.UserId : user.ActorId;

        await CheckPreconditionsAsync(instance, action, ct);
        await EnsureNotClaimedByOtherAsync(instance, actor, ct);
        var from = await FiringStepAsync(instance, definition, action, actor, ct);
        var guards = await EvaluateGuardsAsync(definition, from, subject, ct);
        var history = await HistoryAsync(instance.Id, ct);
        TransitionResult result;
        try
        {
            result = runner.Fire(definition, from, action, actor, g => guards[g], comment, history);
        }
        catch (WorkflowException e) when (e.Code == WorkflowErrorCodes.SeparationOfDuties)
        {
            // The runner's Chinese message names the earlier step; a domain error carries it to the API and the UI alike.
            // 409 like every other workflow refusal (Platform/Errors.cs).
            throw new OneCardException(ErrorKind.Conflict, e.Code, e.MessageZh ?? ProblemExceptionHandler.WorkflowMessageZh(e.Code), e.Message);
        }
        result = await ApplyAsync(instance, definition, result, comment, actorId, ct);

        // A system step whose way out is already open (e.g. nothing to pay) moves on at once.
        var next = definition.Step(result.ToStep);
        if (next.Kind == StepKind.System && !result.IsFinal)
        {
            await db.SaveChangesAsync(ct);
            var systemGuards = await EvaluateGuardsAsync(definition, next.Name, subject, ct);
            var ways = runner.PermittedActions(definition, next.Name, Actor.System, g => systemGuards[g]);
            if (ways.Count > 0)
            {
                var onward = runner.Fire(definition, next.Name, ways[0], Actor.System, g => systemGuards[g], null);
                return await ApplyAsync(instance, definition, onward, null, Actor.System.UserId, ct);
            }
        }
        return result;
    }

    /// <summary>
    /// Fires, as the system and inside the caller's transaction, the first system action the case's current step permits
    /// now (its guards evaluated against the case as it is), or does nothing and returns null. Callers that learn something
    /// changed (e.g. bank results reconciled) use it instead of naming a step or an action.
    /// </summary>
    public async Task<TransitionResult?> MoveOnAsSystemAsync(CaseSubject subject, CancellationToken ct)
    {
        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.SubjectKind == subject.Kind && i.SubjectId == subject.Id, ct);
        if (instance is null || instance.IsFinal) return null;
        var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
        if (definition.Step(instance.Step).Kind == StepKind.Parallel && (await OpenBranchesAsync(instance.Id, ct)).Count > 0) return null;
        var guards = await EvaluateGuardsAsync(definition, instance.Step, subject, ct);
        var ways = runner.PermittedActions(definition, instance.Step, Actor.System, g => guards[g]);
        if (ways.Count == 0) return null;
        try
        {
            return await FireAsync(subject, ways[0], null, expectedStep: instance.Step, ct, asSystem: true);
        }
        catch (OneCardException e) when (e.Code == "CaseMovedOn")
        {
            return null;
        }
    }

    /// <summary>Schedules the clockwork of the step just entered; the sweep is the safety net.</summary>
    public void AfterCommit(TransitionResult result, CaseSubject subject)
    {
        timers.AfterCommit(result, subject);
    }

    /// <summary>How a subject kind is named in a Chinese message (“申报不存在”).</summary>
    public static string SubjectNameZh(string kind) => kind switch
    {
        SubjectKinds.Application => "申报",
        SubjectKinds.Complaint => "投诉举报",
        SubjectKinds.PaymentBatch => "支付批次",
        SubjectKinds.PaymentCorrection => "退票更正",
        SubjectKinds.InspectionCampaign => "核查批次",
        SubjectKinds.InspectionItem => "核查事项",
        _ => "案件",
    };

    /// <summary>Records <paramref name="result"/>; returns what the case did in the end (a branch completing may join onward).</summary>
    private async Task<TransitionResult> ApplyAsync(WorkflowInstance instance, WorkflowDefinition definition,
        TransitionResult result, string? comment, string actorId, CancellationToken ct)
    {
        var branchDone = definition.CompletesBranch(result);
        var open = await db.Tasks.Where(t => t.InstanceId == instance.Id && t.Status == CaseTaskStatus.Open).ToListAsync(ct);
        // The acting step's task completes; other open tasks (the other branches, when a branch leaves the Parallel step) are
        // cancelled — unless only a branch completed, when they stay open.
        foreach (var task in open.Where(t => t.Step == result.FromStep || !branchDone))
        {
            task.Status = task.Step == result.FromStep ? CaseTaskStatus.Completed : CaseTaskStatus.Cancelled;
            task.CompletedAt = result.At;
            task.CompletedBy = actorId;
            task.CompletedAction = result.Action;
        }
        var seq = await db.WorkflowEvents.CountAsync(e => e.InstanceId == instance.Id, ct)
                  + db.ChangeTracker.Entries<WorkflowEvent>().Count(e => e.State == EntityState.Added && e.Entity.InstanceId == instance.Id);
        db.WorkflowEvents.Add(new WorkflowEvent
        {
            Id = Guid.CreateVersion7(), InstanceId = instance.Id, Seq = seq + 1, FromStep = result.FromStep,
            Action = result.Action, ToStep = result.ToStep, ActorId = actorId, At = result.At, Comment = comment,
        });
        if (branchDone) return await CompleteBranchAsync(instance, definition, result, comment, actorId, open.Count(t => t.Step != result.FromStep), ct);
        instance.Step = result.ToStep;
        instance.StepEnteredAt = result.At;
        instance.StepDueAt = result.Deadline?.DueAt;
        instance.StepOverdueAt = null;
        instance.StepEscalatedAt = null;
        instance.IsFinal = result.IsFinal;
        instance.Revision++;

        var step = definition.Step(result.ToStep);
        OpenTasks(instance, definition, step, result.Deadline, result.At);
        await audit.AppendAsync(db, actorId, "Transition", instance.SubjectKind, instance.SubjectId.ToString(), instance.RegionCode,
            new { result.FromStep, result.Action, result.ToStep, comment, workflow = definition.VersionKey, dueAt = result.Deadline?.DueAt }, ct);
        foreach (var effect in result.OnEnter)
            await effects.RunAsync(effect, instance, step, result, ct);
        return result;
    }

    /// <summary>
    /// A branch of the Parallel step is done: the case stays in the Parallel step (no effects run again). When it was the
    /// last open branch, the system takes the Parallel step's way out (the join), if its guards allow one now.
    /// </summary>
    private async Task<TransitionResult> CompleteBranchAsync(WorkflowInstance instance, WorkflowDefinition definition,
        TransitionResult result, string? comment, string actorId, int stillOpen, CancellationToken ct)
    {
        instance.Revision++;
        await audit.AppendAsync(db, actorId, "BranchCompleted", instance.SubjectKind, instance.SubjectId.ToString(), instance.RegionCode,
            new { branch = result.FromStep, result.Action, parallel = result.ToStep, comment, workflow = definition.VersionKey, stillOpen }, ct);
        if (stillOpen > 0) return result;
        await db.SaveChangesAsync(ct);
        var guards = await EvaluateGuardsAsync(definition, instance.Step, instance.Subject, ct);
        var ways = runner.PermittedActions(definition, instance.Step, Actor.System, g => guards[g]);
        if (ways.Count == 0) return result;
        var join = runner.Fire(definition, instance.Step, ways[0], Actor.System, g => guards[g], null);
        return await ApplyAsync(instance, definition, join, null, Actor.System.UserId, ct);
    }

    /// <summary>Opens the task of a Human step, or one task per branch of a Parallel step, each with its own deadline.</summary>
    private void OpenTasks(WorkflowInstance instance, WorkflowDefinition definition, StepDefinition step, StepDeadline? deadline, DateTimeOffset now)
    {
        if (step.Kind == StepKind.Human) OpenTask(instance, step, deadline, now);
        if (step.Kind != StepKind.Parallel) return;
        foreach (var branch in step.Branches)
            OpenTask(instance, definition.Step(branch), runner.DeadlineFor(definition, branch, now), now);
    }

    private void OpenTask(WorkflowInstance instance, StepDefinition step, StepDeadline? deadline, DateTimeOffset now)
    {
        if (NewTask(instance, step, deadline, now) is { } task) db.Tasks.Add(task);
    }

    /// <summary>The task a human step opens for a case (deadline, reminder, escalation); null for any other kind of step. Both paths build tasks here.</summary>
    private static CaseTask? NewTask(WorkflowInstance instance, StepDefinition step, StepDeadline? deadline, DateTimeOffset now) =>
        step.Kind != StepKind.Human ? null : new CaseTask
        {
            Id = Guid.CreateVersion7(),
            SubjectKind = instance.SubjectKind,
            SubjectId = instance.SubjectId,
            PolicyCode = instance.PolicyCode,
            InstanceId = instance.Id,
            RegionCode = instance.RegionCode,
            Step = step.Name,
            Role = step.Role ?? throw new InvalidOperationException($"Human step {step.Name} has no role."),
            CreatedAt = now,
            DueAt = deadline?.DueAt,
            DueAtIsProvisional = deadline?.IsProvisional ?? false,
            RemindAt = deadline?.RemindAt,
            EscalateAt = deadline?.EscalateAt,
            Status = CaseTaskStatus.Open,
        };

    /// <summary>Checks the case data an action needs that the definition cannot express.</summary>
    private async Task CheckPreconditionsAsync(WorkflowInstance instance, string action, CancellationToken ct)
    {
        if ((await FaultedApplicationsAsync([instance], action, ct)).Count > 0)
            throw new OneCardException(ErrorKind.Conflict, FaultedLinesPending, FaultedLinesPendingZh, "Some lines faulted in rule evaluation; reject them first.");
        if ((await PendingHitsAsync([instance], action, ct)).TryGetValue(instance.SubjectId, out var hits)) throw Registry.CrossCheckGate.Refusal(hits.Count, hits.FirstLines);
    }

    private const string FaultedLinesPending = nameof(FaultedLinesPending);
    private const string FaultedLinesPendingZh = "存在规则执行故障的明细，须先驳回或待规则修正后重新计算";

    /// <summary>
    /// Evaluates the guards the transitions out of <paramref name="step"/> name, against the case as it is in the
    /// database now; the runner asks no others.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, bool>> EvaluateGuardsAsync(WorkflowDefinition definition, string step, CaseSubject subject, CancellationToken ct)
    {
        var values = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in definition.TransitionsFrom(step).Select(t => t.Guard).OfType<string>().Distinct())
            values[name] = await GuardHoldsAsync(name, subject, ct);
        return values;
    }

    /// <summary>Whether the registered guard <paramref name="name"/> holds for the case now.</summary>
    public Task<bool> GuardHoldsAsync(string name, CaseSubject subject, CancellationToken ct) =>
        vocabulary.Guard(name).HoldsAsync(new GuardContext(subject, db), ct);
}
