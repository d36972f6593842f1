using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases;

/// <summary>
/// Moving a running case to a newer version of its definition (流程版本迁移): an explicit, audited act with a step mapping.
/// Refused where a step the case is in or could still reach has no counterpart in the new version; never re-runs a step:
/// the history stays, the case stands in the mapped step, on-enter effects do not run again, and open tasks keep their
/// due times under the new step name and role.
/// </summary>
public static class MigrateCase
{
    /// <summary>
    /// <paramref name="StepMap"/>: old step name → new step name. A step not named maps to the same-named step of the new
    /// version, if it has one.
    /// </summary>
    public sealed record MigrateRequest(int ToVersion, IReadOnlyDictionary<string, string>? StepMap);
    public sealed record MigrateResult(string Workflow, int FromVersion, int ToVersion, string FromStep, string ToStep, IReadOnlyDictionary<string, string> Mapping);

    public static void MapMigrateCase(this RouteGroupBuilder api) =>
        api.MapPost("/cases/{kind}/{id:guid}/migrate", async Task<Ok<MigrateResult>> (string kind, Guid id, MigrateRequest body, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.MigrateAsync(new CaseSubject(kind, id), body.ToVersion, body.StepMap ?? new Dictionary<string, string>(), ct)))
            .WithName("MigrateCase").WithSummary("Move a running case to a newer definition version with a step mapping (supervisors and administrators)");

    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, AuditWriter audit, UserContext user, TimeProvider time)
    {
        /// <summary>Who may migrate: supervisors and administrators, within their region (the query filter scopes the case).</summary>
        public bool MayMigrate => user.User?.HoldsAny(Roles.Supervisor, Roles.Administrator) == true;

        /// <summary>
        /// The full mapping the migration would apply for every step the case is in or could still reach (same-named steps
        /// filled in), and the steps that would be lost; the confirmation dialog shows it before anything changes.
        /// </summary>
        public static (Dictionary<string, string> Mapping, List<string> Lost) Plan(WorkflowDefinition from, WorkflowDefinition to, string currentStep,
            IReadOnlyDictionary<string, string> stepMap)
        {
            var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
            var lost = new List<string>();
            foreach (var step in StillReachable(from, currentStep))
            {
                var target = stepMap.TryGetValue(step, out var named) ? named : step;
                if (to.FindStep(target) is null) lost.Add(step);
                else mapping[step] = target;
            }
            return (mapping, lost);
        }

        /// <summary>The current step and every step of <paramref name="def"/> reachable from it (a Parallel step reaches its branches).</summary>
        public static List<string> StillReachable(WorkflowDefinition def, string current)
        {
            var seen = new List<string> { current };
            for (var i = 0; i < seen.Count; i++)
            {
                var next = def.TransitionsFrom(seen[i]).Select(t => t.To).Concat(def.Step(seen[i]).Branches);
                seen.AddRange(next.Distinct().Where(n => !seen.Contains(n)).ToList());
            }
            return seen;
        }

        public async Task<MigrateResult> MigrateAsync(CaseSubject subject, int toVersion, IReadOnlyDictionary<string, string> stepMap, CancellationToken ct)
        {
            if (!MayMigrate)
                throw new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "只有监管人员或系统管理员可以迁移流程版本", "Only supervisors and administrators may migrate a case.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var instance = await db.WorkflowInstances.SingleOrDefaultAsync(i => i.SubjectKind == subject.Kind && i.SubjectId == subject.Id, ct)
                ?? throw OneCardException.NotFound(subject.Kind, CaseEngine.SubjectNameZh(subject.Kind));
            await db.LockAsync(instance, ct);
            if (instance.IsFinal)
                throw new OneCardException(ErrorKind.Conflict, "CaseFinal", "案件已办结，不能迁移流程版本", "The case is closed.");
            var from = workflows.Get(instance.DefinitionId, instance.DefinitionVersion);
            if (toVersion <= from.Version || workflows.All.FirstOrDefault(d => d.DefinitionId == from.DefinitionId && d.Version == toVersion) is not { } to)
                throw new OneCardException(ErrorKind.Invalid, "VersionInvalid",
                    $"toVersion：{from.TitleZh}没有比第{from.Version}版更新的第{toVersion}版", $"toVersion: {from.DefinitionId} has no version {toVersion} newer than {from.Version}.");

            var (mapping, lost) = Plan(from, to, instance.Step, stepMap);
            if (lost.Count > 0)
                throw new OneCardException(ErrorKind.Invalid, "StepWouldBeLost",
                    "迁移会丢失环节：" + string.Join("；", lost.Select(s => $"stepMap.{s}：“{from.Step(s).TitleZh}”在第{to.Version}版中没有对应环节" +
                        (stepMap.TryGetValue(s, out var n) ? $"（映射到的“{n}”不存在）" : ""))),
                    $"A step would be lost: {string.Join(", ", lost)} has no step in version {to.Version}.");
            var newStep = to.Step(mapping[instance.Step]);
            var oldStep = from.Step(instance.Step);
            if (newStep.Kind != oldStep.Kind)
                throw new OneCardException(ErrorKind.Invalid, "StepKindDiffers",
                    $"stepMap.{oldStep.Name}：当前环节“{oldStep.TitleZh}”（{oldStep.Kind}）不能映射到不同类型的环节“{newStep.TitleZh}”（{newStep.Kind}）",
                    $"The current step {oldStep.Name} ({oldStep.Kind}) cannot map to {newStep.Name} ({newStep.Kind}).");

            // The open tasks stay the same tasks (due times, reminders, claims kept), re-keyed to the new step and role.
            var tasks = await db.Tasks.Where(t => t.InstanceId == instance.Id && t.Status == CaseTaskStatus.Open).ToListAsync(ct);
            foreach (var task in tasks)
            {
                var target = to.Step(mapping.GetValueOrDefault(task.Step, task.Step));
                task.Step = target.Name;
                task.Role = target.Role ?? task.Role;
            }
            var now = time.GetUtcNow();
            var seq = await db.WorkflowEvents.CountAsync(e => e.InstanceId == instance.Id, ct);
            db.WorkflowEvents.Add(new WorkflowEvent
            {
                Id = Guid.CreateVersion7(), InstanceId = instance.Id, Seq = seq + 1, FromStep = oldStep.Name, Action = "Migrate", ToStep = newStep.Name,
                ActorId = user.ActorId, At = now, Comment = $"流程版本迁移：{from.VersionKey} → {to.VersionKey}",
            });
            var fromVersion = instance.DefinitionVersion;
            instance.DefinitionVersion = to.Version;
            instance.Step = newStep.Name;
            instance.Revision++;
            await audit.AppendAsync(db, user.ActorId, "CaseMigrated", instance.SubjectKind, instance.SubjectId.ToString(), instance.RegionCode,
                new { from = from.VersionKey, to = to.VersionKey, fromStep = oldStep.Name, toStep = newStep.Name, mapping, tasks = tasks.Count }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new MigrateResult(from.DefinitionId, fromVersion, to.Version, oldStep.Name, newStep.Name, mapping);
        }
    }
}
