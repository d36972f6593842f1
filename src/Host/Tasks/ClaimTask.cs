using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Tasks;

/// <summary>
/// Claiming, releasing and assigning a task (认领、退回认领、指派). A claimed task is its assignee's: the engine refuses
/// others (<see cref="CaseEngine.ClaimedByOtherCode"/>). Each change is a conditional update, so of two people claiming
/// at once one wins and the other gets 409; each is audited.
/// </summary>
/// <remarks>
/// Who may assign: the current assignee (delegating their task), or a supervisor whose region covers the task (assigning
/// or re-assigning any open task there). The new assignee holds the task's role, works in a region that covers the
/// task, and is not barred from the step by separation of duties.
/// </remarks>
public static class ClaimTask
{
    public sealed record AssignRequest(string UserId);
    public sealed record ClaimResult(Guid TaskId, string? AssigneeId, DateTimeOffset? AssignedAt);

    public static void MapClaimTask(this RouteGroupBuilder api)
    {
        api.MapPost("/tasks/{id:guid}/claim", async Task<Ok<ClaimResult>> (Guid id, Handler handler, CancellationToken ct) =>
            TypedResults.Ok(await handler.ClaimAsync(id, ct))).WithName("ClaimTask").WithSummary("Claim an open task (409 if someone else has it)");
        api.MapPost("/tasks/{id:guid}/release", async Task<Ok<ClaimResult>> (Guid id, Handler handler, CancellationToken ct) =>
            TypedResults.Ok(await handler.ReleaseAsync(id, ct))).WithName("ReleaseTask").WithSummary("Give a claimed task back to the pool");
        api.MapPost("/tasks/{id:guid}/assign", async Task<Ok<ClaimResult>> (Guid id, AssignRequest body, Handler handler, CancellationToken ct) =>
            TypedResults.Ok(await handler.AssignAsync(id, body.UserId, ct))).WithName("AssignTask").WithSummary("Assign or delegate a task to a colleague with its role in its region");
    }

    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, CaseEngine engine, AuditWriter audit, UserContext user, TimeProvider time)
    {
        public async Task<ClaimResult> ClaimAsync(Guid taskId, CancellationToken ct)
        {
            var me = user.Required;
            var task = await LoadAsync(taskId, ct);
            if (!(await engine.RolesOnAsync(task.PolicyCode, ct)).Contains(task.Role))
                throw new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "您的角色不能办理该任务", "Your role may not take this task.");
            if (task.AssigneeId == me.Id) return new ClaimResult(task.Id, task.AssigneeId, task.AssignedAt);
            await EnsureMayTakeAsync(task, me.Id, ct);
            var now = time.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var won = await db.Tasks.Where(t => t.Id == taskId && t.Status == CaseTaskStatus.Open && t.AssigneeId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.AssigneeId, me.Id).SetProperty(t => t.AssignedAt, now), ct);
            if (won == 0)
            {
                // The same user claiming twice at once: the second call finds the task already theirs.
                var holder = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.AssigneeId, t.AssignedAt }).SingleAsync(ct);
                if (holder.AssigneeId == me.Id) return new ClaimResult(taskId, me.Id, holder.AssignedAt);
                throw await RefusalAsync(taskId, ct);
            }
            await audit.AppendAsync(db, me.Id, "TaskClaimed", task.SubjectKind, task.SubjectId.ToString(), task.RegionCode,
                new { task = task.Id, task.Step }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ClaimResult(task.Id, me.Id, now);
        }

        public async Task<ClaimResult> ReleaseAsync(Guid taskId, CancellationToken ct)
        {
            var me = user.Required;
            var task = await LoadAsync(taskId, ct);
            var supervising = me.Holds(Roles.Supervisor);
            if (task.AssigneeId is null) return new ClaimResult(task.Id, null, null);
            if (task.AssigneeId != me.Id && !supervising)
                throw new OneCardException(ErrorKind.Conflict, "TaskNotYours", "该任务不是您认领的，不能退回", "You have not claimed this task.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var holder = task.AssigneeId;
            var done = await db.Tasks.Where(t => t.Id == taskId && t.Status == CaseTaskStatus.Open && t.AssigneeId == holder)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.AssigneeId, (string?)null).SetProperty(t => t.AssignedAt, (DateTimeOffset?)null), ct);
            if (done == 0) throw await RefusalAsync(taskId, ct);
            await audit.AppendAsync(db, me.Id, "TaskReleased", task.SubjectKind, task.SubjectId.ToString(), task.RegionCode,
                new { task = task.Id, task.Step, from = holder }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ClaimResult(task.Id, null, null);
        }

        public async Task<ClaimResult> AssignAsync(Guid taskId, string userId, CancellationToken ct)
        {
            var me = user.Required;
            var task = await LoadAsync(taskId, ct);
            if (task.AssigneeId != me.Id && !me.Holds(Roles.Supervisor))
                throw new OneCardException(ErrorKind.Forbidden, "AssignNotPermitted", "只有任务的认领人或本地区的监管人员可以指派任务",
                    "Only the task's assignee or a supervisor of the region may assign it.");
            var target = await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.Id == userId || u.UserName == userId, ct)
                ?? throw new OneCardException(ErrorKind.Invalid, "AssigneeNotFound", "被指派人不存在", "No such user.");
            // The colleague must hold the task's role in its region and, for a department-bound role, in the case's department.
            var targetDepartmentFits = !Roles.IsDepartmentBound(task.Role) || target.DepartmentCode is null || task.PolicyCode is null
                || await db.Policies.AsNoTracking().AnyAsync(p => p.Code == task.PolicyCode && p.DepartmentCode == target.DepartmentCode, ct);
            if (!target.Holds(task.Role) || !targetDepartmentFits || !RegionScope.For(target.RegionCode).Contains(task.RegionCode))
                throw new OneCardException(ErrorKind.Invalid, "AssigneeNotEligible", $"{target.DisplayName}不是本地区{(targetDepartmentFits ? "" : "本案件所属部门")}“{Components.Shared.RoleNames.Zh(task.Role)}”角色的人员，不能接收该任务",
                    "The user does not hold the task's role in its region (and, for a department-bound role, the case's department).");
            await EnsureMayTakeAsync(task, target.Id, ct);
            var now = time.GetUtcNow();
            var previous = task.AssigneeId;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var done = await db.Tasks.Where(t => t.Id == taskId && t.Status == CaseTaskStatus.Open && t.AssigneeId == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.AssigneeId, target.Id).SetProperty(t => t.AssignedAt, now), ct);
            if (done == 0) throw await RefusalAsync(taskId, ct);
            await audit.AppendAsync(db, me.Id, "TaskAssigned", task.SubjectKind, task.SubjectId.ToString(), task.RegionCode,
                new { task = task.Id, task.Step, from = previous, to = target.Id }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new ClaimResult(task.Id, target.Id, now);
        }

        private async Task<CaseTask> LoadAsync(Guid taskId, CancellationToken ct)
        {
            var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, ct)
                ?? throw OneCardException.NotFound("Task", "任务");
            if (task.Status != CaseTaskStatus.Open)
                throw new OneCardException(ErrorKind.Conflict, "TaskClosed", "任务已办结", "The task is closed.");
            return task;
        }

        /// <summary>Separation of duties: nobody claims or receives a step that checks what they prepared on the case.</summary>
        private async Task EnsureMayTakeAsync(CaseTask task, string userId, CancellationToken ct)
        {
            var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.Id == task.InstanceId, ct);
            var definition = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
            if (definition.Step(task.Step).SeparateFrom.Count == 0) return;
            var prepared = definition.PreparedBy(task.Step, userId, await engine.HistoryAsync(instance.Id, ct));
            if (prepared.Count > 0)
                throw new OneCardException(ErrorKind.Conflict, "SeparationOfDuties",
                    $"已办理本案件“{string.Join("、", prepared.Select(definition.TitleZhOf))}”环节的人员按职责分离规定不能办理本环节",
                    "Separation of duties: the user prepared what this step checks.");
        }

        private async Task<OneCardException> RefusalAsync(Guid taskId, CancellationToken ct)
        {
            var now = await db.Tasks.AsNoTracking().Where(t => t.Id == taskId).Select(t => new { t.Status, t.AssigneeId }).SingleAsync(ct);
            if (now.Status != CaseTaskStatus.Open)
                return new OneCardException(ErrorKind.Conflict, "TaskClosed", "任务已办结", "The task is closed.");
            var name = await db.Users.AsNoTracking().Where(u => u.Id == now.AssigneeId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
            return new OneCardException(ErrorKind.Conflict, CaseEngine.ClaimedByOtherCode, $"该任务已由{name ?? "他人"}认领",
                "Someone else claimed the task first.");
        }
    }
}
