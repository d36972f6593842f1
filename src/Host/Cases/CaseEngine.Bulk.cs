using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// The bulk path (批量审批) and the claim rule. Many tasks move in one action, each case on its own: its own
/// runner decision, history event, task change and Transition audit entry, as <see cref="ActAsync"/> would write them.
/// </summary>
/// <remarks>
/// Set-based where it matters (PostgreSQL): per batch one <c>FOR UPDATE</c> over the instances in id order, one read of
/// tasks, instances and histories, the runner per case in memory, then one UPDATE of the closed tasks, one of the
/// instances, and COPY of the events, new tasks and chained audit entries. A transition the set-based path cannot
/// reproduce exactly — a guard, an <c>onEnter</c> effect, or a system step that may move on at once — goes through
/// <see cref="ActAsync"/> per case instead, as do all cases on SQLite.
/// </remarks>
public sealed partial class CaseEngine
{
    /// <summary>What became of one task of a bulk action; <see cref="ReasonZh"/> says why it failed.</summary>
    public sealed record BulkOutcome(Guid TaskId, string? Reference, bool Succeeded, string? ToStep, string? Code, string? ReasonZh);

    /// <summary>The bulk path's phases (Bulk.Read, Bulk.Run, Bulk.Write, Bulk.Commit) as activities, for the benchmark's phase split.</summary>
    public const string BulkPhasesSourceName = "OneCard.Cases.Bulk";
    private static readonly ActivitySource BulkPhases = new(BulkPhasesSourceName);

    /// <summary>Cases moved per transaction: big enough for set-based writes, small enough to hold locks briefly.</summary>
    public const int DefaultBulkBatch = 1000;

    /// <summary>Fires <paramref name="action"/> for the current user on the case of each task; one outcome per task, in order.</summary>
    public async Task<IReadOnlyList<BulkOutcome>> BulkActAsync(IReadOnlyList<Guid> taskIds, string action, string? comment, CancellationToken ct,
        int batchSize = DefaultBulkBatch, int parallelism = DefaultBulkParallelism)
    {
        var me = user.Required;
        var ids = taskIds.Distinct().ToList();
        var outcomes = new Dictionary<Guid, BulkOutcome>();
        // The scope filter applies: a task outside the user's region is "not found", as on every other path.
        var known = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.Id)).OrderBy(t => t.InstanceId).Select(t => t.Id).ToListAsync(ct);
        foreach (var id in ids.Except(known))
            outcomes[id] = Failed(id, null, "TaskNotFound", "任务不存在或不在您的管辖范围内");
        var chunks = known.Chunk(Math.Max(1, batchSize)).ToList();
        if (!db.IsPostgres || chunks.Count == 1 || parallelism <= 1)
        {
            foreach (var chunk in chunks)
                await BulkBatchAsync(chunk, action, comment, me, outcomes, ct);
        }
        else
        {
            // Batches in flight on their own connections: while one batch's writes run in the database, the next is read and
            // decided. Batches are disjoint runs of cases in id order, so a worker waits for another only on a case split
            // across two batches (locked lowest id first, so no deadlock) and on the audit chain's lock.
            var queue = new System.Collections.Concurrent.ConcurrentQueue<Guid[]>(chunks);
            await Task.WhenAll(Enumerable.Range(0, parallelism).Select(async _ =>
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<UserContext>().SetUser(me);
                var engine = scope.ServiceProvider.GetRequiredService<CaseEngine>();
                var mine = new Dictionary<Guid, BulkOutcome>();
                while (queue.TryDequeue(out var chunk))
                    await engine.BulkBatchAsync(chunk, action, comment, me, mine, ct);
                lock (outcomes)
                    foreach (var (id, outcome) in mine) outcomes[id] = outcome;
            }));
        }
        return [.. ids.Select(id => outcomes[id])];
    }

    /// <summary>Batches written at once by the bulk path, each on its own connection and transaction.</summary>
    public const int DefaultBulkParallelism = 2;

    private async Task BulkBatchAsync(Guid[] taskIds, string action, string? comment, CurrentUser me, Dictionary<Guid, BulkOutcome> outcomes, CancellationToken ct)
    {
        var oneByOne = new List<(Guid TaskId, string Step, WorkflowInstance Instance)>();
        var moved = new List<(CaseSubject Subject, TransitionResult Result)>();
        if (!db.IsPostgres)
        {
            // SQLite: every case through the single path (one writer; no COPY).
            foreach (var r in await (from t in db.Tasks.AsNoTracking() where taskIds.Contains(t.Id)
                                     join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
                                     select new { Task = t, Instance = i }).ToListAsync(ct))
            {
                if (r.Task.Status != CaseTaskStatus.Open)
                    outcomes[r.Task.Id] = Failed(r.Task.Id, r.Instance.Reference, "TaskClosed", "任务已办结");
                else
                    oneByOne.Add((r.Task.Id, r.Task.Step, r.Instance));
            }
        }
        else
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var phase = BulkPhases.StartActivity("Bulk.Read");
            // The rows of a batch are a few thousand scattered ids: probing the primary keys beats scanning the tables,
            // which the planner's default (spinning-disk) page costs would pick for tables of a few hundred thousand rows.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL random_page_cost = 1.1", ct);
            var rows = await ReadBatchAsync(taskIds, ct);
            // Several roles, some bound to the user's department: which count depends on each case's policy (RolesOnAsync).
            var departments = me.ActsPerCaseDepartment
                ? await db.Policies.AsNoTracking().ToDictionaryAsync(p => p.Code, p => p.DepartmentCode, ct)
                : null;
            Actor ActorOn(WorkflowInstance instance) => departments is null || instance.PolicyCode is null
                ? me.ActorFor(null)
                : me.ActorFor(departments.GetValueOrDefault(instance.PolicyCode) ?? "");

            var candidates = new List<(BatchTask Task, WorkflowInstance Instance, WorkflowDefinition Definition)>();
            var taken = new HashSet<Guid>();
            foreach (var r in rows)
            {
                var definition = workflows.Get(r.Instance.DefinitionId, r.Instance.DefinitionVersion);
                if (r.Task.Status != CaseTaskStatus.Open)
                    outcomes[r.Task.Id] = Failed(r.Task.Id, r.Instance.Reference, "TaskClosed", "任务已办结");
                else if (r.Instance.IsFinal || r.Instance.Step != r.Task.Step)
                    outcomes[r.Task.Id] = Failed(r.Task.Id, r.Instance.Reference, "CaseMovedOn", "案件已进入其他环节");
                else if (r.Task.AssigneeId is { } other && other != me.Id)
                    outcomes[r.Task.Id] = Failed(r.Task.Id, r.Instance.Reference, ClaimedByOtherCode, "任务已由他人认领");
                else if (!IsSetBased(definition, r.Instance.Step, action) || !taken.Add(r.Instance.Id))
                    oneByOne.Add((r.Task.Id, r.Task.Step, r.Instance));
                else
                    candidates.Add((r.Task, r.Instance, definition));
            }

            var faulted = await FaultedApplicationsAsync(candidates.Select(c => c.Instance).ToList(), action, ct);
            var pendingHits = await PendingHitsAsync(candidates.Select(c => c.Instance).ToList(), action, ct);
            phase?.Dispose();
            phase = BulkPhases.StartActivity("Bulk.Run");

            var events = new List<WorkflowEvent>(candidates.Count);
            // The task each moved case leaves: a set-based step has exactly one open task, the one acted on.
            var closing = new List<Guid>(candidates.Count);
            var drafts = new List<AuditWriter.Draft>(candidates.Count);
            var toOpen = new List<(WorkflowInstance Instance, StepDefinition Step, TransitionResult Result)>(candidates.Count);
            foreach (var (task, instance, definition) in candidates)
            {
                if (faulted.Contains(instance.SubjectId))
                {
                    outcomes[task.Id] = Failed(task.Id, instance.Reference, FaultedLinesPending, FaultedLinesPendingZh);
                    continue;
                }
                if (pendingHits.TryGetValue(instance.SubjectId, out var hits))
                {
                    outcomes[task.Id] = Failed(task.Id, instance.Reference, Registry.CrossCheckGate.Code, Registry.CrossCheckGate.MessageZh(hits.Count, hits.FirstLines));
                    continue;
                }
                TransitionResult result;
                try
                {
                    result = runner.Fire(definition, instance.Step, action, ActorOn(instance),
                        g => throw new InvalidOperationException($"Guard {g} reached the set-based path."), comment,
                        task.History);
                }
                catch (WorkflowException e)
                {
                    outcomes[task.Id] = Failed(task.Id, instance.Reference, e.Code, e.MessageZh ?? ProblemExceptionHandler.WorkflowMessageZh(e.Code));
                    continue;
                }
                events.Add(new WorkflowEvent
                {
                    Id = RowIds.Next(result.At), InstanceId = instance.Id, Seq = task.LastSeq + 1,
                    FromStep = result.FromStep, Action = result.Action, ToStep = result.ToStep, ActorId = me.Id, At = result.At, Comment = comment,
                });
                drafts.Add(new AuditWriter.Draft(me.Id, "Transition", instance.SubjectKind, instance.SubjectId.ToString(), instance.RegionCode,
                    new { result.FromStep, result.Action, result.ToStep, comment, workflow = definition.VersionKey, dueAt = result.Deadline?.DueAt }));
                moved.Add((instance.Subject, result));
                closing.Add(task.Id);
                toOpen.Add((instance, definition.Step(result.ToStep), result));
                outcomes[task.Id] = new BulkOutcome(task.Id, instance.Reference, true, result.ToStep, null, null);
            }
            phase?.Dispose();
            phase = BulkPhases.StartActivity("Bulk.OpenTasks");
            // The single path's own task builder, so both paths open the same task (deadline, reminder, escalation).
            var opened = new List<CaseTask>(toOpen.Count);
            foreach (var (instance, step, result) in toOpen)
                if (NewTask(instance, step, result.Deadline, result.At) is { } task) opened.Add(task);
            phase?.Dispose();
            phase = BulkPhases.StartActivity("Bulk.Write");

            if (moved.Count > 0)
            {
                var movedIds = events.Select(e => e.InstanceId).ToArray();
                using (BulkPhases.StartActivity("Bulk.Write.CloseTasks")) await CompleteTasksAsync([.. closing], [.. events.Select(e => e.At)], action, me.Id, ct);
                using (BulkPhases.StartActivity("Bulk.Write.Instances")) await MoveInstancesAsync(movedIds, [.. moved.Select(m => m.Result)], ct);
                using (BulkPhases.StartActivity("Bulk.Write.Events")) await db.CopyAsync(events, ct);
                using (BulkPhases.StartActivity("Bulk.Write.NewTasks")) await db.CopyAsync(opened, ct);
                using (BulkPhases.StartActivity("Bulk.Write.Audit")) await audit.AppendManyAsync(db, drafts, ct);
            }
            phase?.Dispose();
            using (BulkPhases.StartActivity("Bulk.Commit")) await tx.CommitAsync(ct);
        }
        using (BulkPhases.StartActivity("Bulk.Schedule"))
            foreach (var (subject, result) in moved) AfterCommit(result, subject);

        foreach (var (taskId, step, instance) in oneByOne)
        {
            try
            {
                // As ActAsync, but only in the task's step: a case that moved on meanwhile is not acted on in its new step.
                TransitionResult result;
                await using (var tx = await db.Database.BeginTransactionAsync(ct))
                {
                    result = await FireAsync(instance.Subject, action, comment, expectedStep: step, ct);
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                }
                AfterCommit(result, instance.Subject);
                outcomes[taskId] = new BulkOutcome(taskId, instance.Reference, true, result.ToStep, null, null);
            }
            catch (Exception e) when (e is OneCardException or WorkflowException or DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                outcomes[taskId] = e switch
                {
                    OneCardException o => Failed(taskId, instance.Reference, o.Code, o.MessageZh),
                    WorkflowException w => Failed(taskId, instance.Reference, w.Code, w.MessageZh ?? ProblemExceptionHandler.WorkflowMessageZh(w.Code)),
                    _ => Failed(taskId, instance.Reference, "CaseChanged", "该案件已被他人处理，请刷新后重试"),
                };
            }
        }
    }

    /// <summary>A task of a batch as the set-based path needs it: its state, its case, and the case's history.</summary>
    private sealed record BatchTask(Guid Id, CaseTaskStatus Status, string Step, string? AssigneeId, int LastSeq, IReadOnlyList<PriorAct> History);

    /// <summary>
    /// One statement per batch: locks the cases in id order (two bulk runs over overlapping cases wait for each other
    /// instead of deadlocking) and reads each task with its case and the case's history (separation of duties, with line corrections as acts; next seq).
    /// The ids come from the caller's scoped query, so the region scope has already been applied.
    /// </summary>
    private async Task<List<(BatchTask Task, WorkflowInstance Instance)>> ReadBatchAsync(Guid[] taskIds, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand("""
            SELECT t."Id", t."Status", t."Step", t."AssigneeId",
                   i."Id", i."SubjectKind", i."SubjectId", i."Reference", i."PolicyCode", i."RegionCode",
                   i."DefinitionId", i."DefinitionVersion", i."Step", i."IsFinal", i."Revision",
                   coalesce(h.seq, 0), coalesce(h.from_steps, '{}'), coalesce(h.actors, '{}'),
                   coalesce(c.steps, '{}'), coalesce(c.actors, '{}')
            FROM unnest(@ids) AS u(id)
            JOIN "Tasks" t ON t."Id" = u.id
            JOIN "WorkflowInstances" i ON i."Id" = t."InstanceId"
            LEFT JOIN LATERAL (
                SELECT max(e."Seq") AS seq, array_agg(e."FromStep" ORDER BY e."Seq") AS from_steps, array_agg(e."ActorId" ORDER BY e."Seq") AS actors
                FROM "WorkflowEvents" e WHERE e."InstanceId" = i."Id") h ON true
            -- Who corrected lines in which step (更正明细) acted in it, as HistoryAsync counts them for the single path.
            LEFT JOIN LATERAL (
                SELECT array_agg(d."Step") AS steps, array_agg(d."CorrectedBy") AS actors
                FROM (SELECT DISTINCT x."Step", x."CorrectedBy" FROM "LineCorrections" x WHERE x."InstanceId" = i."Id") d) c ON true
            ORDER BY i."Id"
            FOR UPDATE OF i
            """, connection, db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction);
        command.Parameters.Add(Array("ids", taskIds, NpgsqlDbType.Uuid));
        var rows = new List<(BatchTask, WorkflowInstance)>(taskIds.Length);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var fromSteps = reader.GetFieldValue<string[]>(16);
            var actors = reader.GetFieldValue<string[]>(17);
            var correctedIn = reader.GetFieldValue<string[]>(18);
            var correctors = reader.GetFieldValue<string[]>(19);
            var history = new PriorAct[fromSteps.Length + correctedIn.Length];
            for (var k = 0; k < fromSteps.Length; k++) history[k] = ToPriorAct(fromSteps[k], actors[k]);
            for (var k = 0; k < correctedIn.Length; k++) history[fromSteps.Length + k] = new PriorAct(correctedIn[k], correctors[k]);
            var task = new BatchTask(reader.GetGuid(0), Enum.Parse<CaseTaskStatus>(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(15), history);
            var instance = new WorkflowInstance
            {
                Id = reader.GetGuid(4), SubjectKind = reader.GetString(5), SubjectId = reader.GetGuid(6), Reference = reader.GetString(7),
                PolicyCode = reader.IsDBNull(8) ? null : reader.GetString(8), RegionCode = reader.GetString(9),
                DefinitionId = reader.GetString(10), DefinitionVersion = reader.GetInt32(11), Step = reader.GetString(12),
                IsFinal = reader.GetBoolean(13), Revision = reader.GetInt32(14),
            };
            rows.Add((task, instance));
        }
        return rows;
    }

    private static BulkOutcome Failed(Guid taskId, string? reference, string code, string reasonZh) => new(taskId, reference, false, null, code, reasonZh);

    /// <summary>
    /// Whether every way <paramref name="action"/> leads out of <paramref name="step"/> is one the set-based path writes exactly
    /// as the single path: no guard to ask the database, no effect to run, no system step that might move on at once.
    /// </summary>
    private static bool IsSetBased(WorkflowDefinition definition, string step, string action) =>
        definition.TransitionsFrom(step).Where(t => t.Action == action).All(t =>
            t.Guard is null && definition.Step(t.To) is { OnEnter.Count: 0, Kind: StepKind.Human or StepKind.Final or StepKind.Timer });

    /// <summary>Applications an approval must refuse (faulted lines); the single path asks it for one case, the bulk path for a batch.</summary>
    private async Task<HashSet<Guid>> FaultedApplicationsAsync(IReadOnlyList<WorkflowInstance> instances, string action, CancellationToken ct)
    {
        if (action != "Approve") return [];
        var applicationIds = instances.Where(i => i.SubjectKind == SubjectKinds.Application).Select(i => i.SubjectId).ToList();
        if (applicationIds.Count == 0) return [];
        return [.. await db.ClaimLines.AsNoTracking().Where(l => applicationIds.Contains(l.ApplicationId) && l.Outcome == LineOutcome.Faulted)
            .Select(l => l.ApplicationId).Distinct().ToListAsync(ct)];
    }

    /// <summary>Applications an approval must refuse for undecided cross-check hits (<see cref="Registry.CrossCheckGate"/>); both paths ask it.</summary>
    private async Task<Dictionary<Guid, (int Count, IReadOnlyList<int> FirstLines)>> PendingHitsAsync(IReadOnlyList<WorkflowInstance> instances, string action, CancellationToken ct) =>
        action != "Approve" ? [] : await Registry.CrossCheckGate.PendingAsync(db, [.. instances.Where(i => i.SubjectKind == SubjectKinds.Application).Select(i => i.SubjectId)], ct);

    /// <summary>Closes the tasks acted on, by primary key (their cases are locked, so they are still open).</summary>
    private Task CompleteTasksAsync(Guid[] taskIds, DateTimeOffset[] at, string action, string actorId, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("""
            UPDATE "Tasks" AS t SET "Status" = 'Completed', "CompletedAt" = u.at, "CompletedBy" = @actor, "CompletedAction" = @action
            FROM unnest(@ids, @at) AS u(id, at)
            WHERE t."Id" = u.id AND t."Status" = 'Open'
            """,
            [Array("ids", taskIds, NpgsqlDbType.Uuid), Array("at", Utc(at), NpgsqlDbType.TimestampTz),
             new NpgsqlParameter("actor", actorId), new NpgsqlParameter("action", action)], ct);

    private Task MoveInstancesAsync(Guid[] instanceIds, TransitionResult[] results, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("""
            UPDATE "WorkflowInstances" AS i SET "Step" = u.step, "StepEnteredAt" = u.at, "StepDueAt" = u.due, "StepOverdueAt" = NULL, "StepEscalatedAt" = NULL,
                "IsFinal" = u.final, "Revision" = i."Revision" + 1
            FROM unnest(@ids, @steps, @at, @due, @final) AS u(id, step, at, due, final)
            WHERE i."Id" = u.id
            """,
            [Array("ids", instanceIds, NpgsqlDbType.Uuid), Array("steps", results.Select(r => r.ToStep).ToArray(), NpgsqlDbType.Text),
             Array("at", Utc(results.Select(r => r.At)), NpgsqlDbType.TimestampTz),
             Array("due", results.Select(r => r.Deadline?.DueAt.ToUniversalTime()).ToArray(), NpgsqlDbType.TimestampTz),
             Array("final", results.Select(r => r.IsFinal).ToArray(), NpgsqlDbType.Boolean)], ct);

    private static NpgsqlParameter Array(string name, object values, NpgsqlDbType type) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };

    private static DateTimeOffset[] Utc(IEnumerable<DateTimeOffset> values) => [.. values.Select(v => v.ToUniversalTime())];

    /// <summary>The error code of an action refused because someone else has claimed the task.</summary>
    public const string ClaimedByOtherCode = "TaskClaimedByOther";

    /// <summary>
    /// A task claimed by (or assigned to) someone else is theirs: others may not act on the case in that step
    /// (409 <see cref="ClaimedByOtherCode"/>). The system (timers, sweeps) is never held back by a claim.
    /// </summary>
    private async Task EnsureNotClaimedByOtherAsync(WorkflowInstance instance, Actor actor, CancellationToken ct)
    {
        if (await ClaimedByOtherAsync(instance, actor, ct) is not { } claimer) return;
        var name = await db.Users.AsNoTracking().Where(u => u.Id == claimer).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? claimer;
        throw new OneCardException(ErrorKind.Conflict, ClaimedByOtherCode, $"该任务已由{name}认领，您不能办理",
            $"The task is claimed by {claimer}; you may not act on it.");
    }

    /// <summary>Who other than <paramref name="actor"/> has claimed the task of the case's current step; null if nobody (or the system acts).</summary>
    private async Task<string?> ClaimedByOtherAsync(WorkflowInstance instance, Actor actor, CancellationToken ct) =>
        actor.IsSystem ? null : await db.Tasks.AsNoTracking()
            .Where(t => t.InstanceId == instance.Id && t.Step == instance.Step && t.Status == CaseTaskStatus.Open
                        && t.AssigneeId != null && t.AssigneeId != actor.UserId)
            .Select(t => t.AssigneeId).FirstOrDefaultAsync(ct);
}
