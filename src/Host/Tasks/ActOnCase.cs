using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Tasks;

/// <summary>
/// Acting on a case: a workflow action (approve, return, reject, complete…) or a line action
/// allowed in the current step (reject lines, record a sample result, resolve an objection).
/// </summary>
public static class ActOnCase
{
    public sealed record ActionRequest(string? Comment);
    public sealed record ActionResult(string FromStep, string Action, string ToStep, DateTimeOffset? DueAt);
    public sealed record RejectLinesRequest(IReadOnlyList<int> LineNos, string Reason);
    public sealed record SampleResultRequest(bool Passed, string? Note);
    public sealed record ResolveObjectionRequest(bool Uphold, string Resolution);
    /// <summary>Resolve the named objections together; no ids: every open objection of the case.</summary>
    public sealed record ResolveObjectionsRequest(IReadOnlyList<Guid>? ObjectionIds, bool Uphold, string Resolution);
    public sealed record ResolveObjectionsResult(int Resolved);

    public static void MapActOnCase(this RouteGroupBuilder api)
    {
        api.MapPost("/applications/{id:guid}/actions/{action}", async Task<Ok<ActionResult>> (Guid id, string action, ActionRequest? body, CaseEngine engine, CancellationToken ct) =>
        {
            var r = await engine.ActAsync(CaseSubject.Application(id), action, body?.Comment, ct);
            return TypedResults.Ok(new ActionResult(r.FromStep, r.Action, r.ToStep, r.Deadline?.DueAt));
        }).WithName("ActOnApplication").WithSummary("Fire a workflow action (Approve, Return, Reject, Complete, Resubmit, Withdraw)");

        api.MapPost("/applications/{id:guid}/lines/reject", async Task<NoContent> (Guid id, RejectLinesRequest body, Handler handler, CancellationToken ct) =>
        {
            await handler.RejectLinesAsync(id, body.LineNos, body.Reason, ct);
            return TypedResults.NoContent();
        }).WithName("RejectLines").WithSummary("Reject lines of the case with a reason (review steps)");

        api.MapPost("/applications/{id:guid}/lines/{lineNo:int}/sample-result", async Task<NoContent> (Guid id, int lineNo, SampleResultRequest body, Handler handler, CancellationToken ct) =>
        {
            await handler.RecordSampleResultAsync(id, lineNo, body.Passed, body.Note, ct);
            return TypedResults.NoContent();
        }).WithName("RecordSampleResult").WithSummary("Record the on-site check result of a sampled line");

        api.MapPost("/applications/{id:guid}/objections/{objectionId:guid}/resolve", async Task<NoContent> (Guid id, Guid objectionId, ResolveObjectionRequest body, Handler handler, CancellationToken ct) =>
        {
            await handler.ResolveObjectionAsync(id, objectionId, body.Uphold, body.Resolution, ct);
            return TypedResults.NoContent();
        }).WithName("ResolveObjection").WithSummary("Uphold (reject the line) or dismiss an objection");

        api.MapPost("/applications/{id:guid}/objections/resolve", async Task<Ok<ResolveObjectionsResult>> (Guid id, ResolveObjectionsRequest body, Handler handler, CancellationToken ct) =>
            TypedResults.Ok(new ResolveObjectionsResult(await handler.ResolveObjectionsAsync(id, body.ObjectionIds, body.Uphold, body.Resolution ?? "", ct))))
            .WithName("ResolveObjections").WithSummary("Uphold or dismiss many objections at once (all open ones when no ids are given), one transaction");
    }

    /// <summary>Line actions; each checks that the current step allows it for the user's role.</summary>
    public sealed class Handler(OneCardDbContext db, WorkflowCatalog workflows, CaseEngine engine, AuditWriter audit, UserContext user, TimeProvider time)
    {
        public async Task RejectLinesAsync(Guid applicationId, IReadOnlyList<int> lineNos, string reason, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(reason))
                throw new OneCardException(ErrorKind.Invalid, "ReasonRequired", "驳回明细须填写理由", "A reason is required.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (instance, application) = await LoadForLineActionAsync(applicationId, Cases.Vocabulary.RejectLines.Key, ct);
            var lines = await db.ClaimLines.Where(l => l.ApplicationId == applicationId && lineNos.Contains(l.LineNo)).ToListAsync(ct);
            var missing = lineNos.Except(lines.Select(l => l.LineNo)).ToList();
            if (missing.Count > 0)
                throw new OneCardException(ErrorKind.Invalid, "LineNotFound", $"明细序号不存在：{string.Join("、", missing)}", $"No such lines: {string.Join(", ", missing)}");
            var refused = lines.Where(l => !application.Reject(l, "审核驳回：" + reason.Trim(), "Rejected in review: " + reason.Trim())).Select(l => l.LineNo).ToList();
            if (refused.Count > 0)
                throw new OneCardException(ErrorKind.Conflict, "LineNotRejectable", $"明细已不可驳回：{string.Join("、", refused)}", $"Lines cannot be rejected: {string.Join(", ", refused)}");
            await audit.AppendAsync(db, user.ActorId, "LinesRejected", "Application", applicationId.ToString(), application.RegionCode,
                new { step = instance.Step, lineNos, reason }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        public async Task RecordSampleResultAsync(Guid applicationId, int lineNo, bool passed, string? note, CancellationToken ct)
        {
            if (!passed && string.IsNullOrWhiteSpace(note))
                throw new OneCardException(ErrorKind.Invalid, "NoteRequired", "抽查不符须写明核查情况", "A note is required when the check fails.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (_, application) = await LoadForLineActionAsync(applicationId, Cases.Vocabulary.RecordSampleResult.Key, ct);
            var line = await db.ClaimLines.SingleOrDefaultAsync(l => l.ApplicationId == applicationId && l.LineNo == lineNo && l.Sampled, ct)
                ?? throw new OneCardException(ErrorKind.NotFound, "LineNotSampled", $"第{lineNo}条明细未被抽中", $"Line {lineNo} was not sampled.");
            if (line.SampleResult != SampleResult.Pending)
                throw new OneCardException(ErrorKind.Conflict, "SampleAlreadyRecorded", $"第{lineNo}条明细的抽查结果已登记", "Already recorded.");
            line.SampleResult = passed ? SampleResult.Passed : SampleResult.Failed;
            line.SampleNote = note?.Trim();
            line.SampleCheckedBy = user.ActorId;
            line.SampleCheckedAt = time.GetUtcNow();
            if (!passed)
            {
                application.Reject(line, "现场抽查不符：" + note!.Trim(), "Failed the on-site check: " + note.Trim());
            }
            await audit.AppendAsync(db, user.ActorId, "SampleResultRecorded", "Application", applicationId.ToString(), application.RegionCode,
                new { lineNo, passed, note, organisation = user.User?.Organisation }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        public Task ResolveObjectionAsync(Guid applicationId, Guid objectionId, bool uphold, string resolution, CancellationToken ct) =>
            ResolveObjectionsAsync(applicationId, [objectionId], uphold, resolution, ct);

        /// <summary>
        /// Resolves many objections at once (all open ones when <paramref name="objectionIds"/> is empty), in one
        /// transaction, one audit entry each. Refused whole if any named objection is unknown or already resolved.
        /// Upholding rejects each objected line once, however many objections name it.
        /// </summary>
        public async Task<int> ResolveObjectionsAsync(Guid applicationId, IReadOnlyList<Guid>? objectionIds, bool uphold, string resolution, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(resolution))
                throw new OneCardException(ErrorKind.Invalid, "ResolutionRequired", "须填写异议处理意见", "A resolution is required.");
            resolution = resolution.Trim();
            if (resolution.Length > 500)
                throw new OneCardException(ErrorKind.Invalid, "ResolutionTooLong", "处理意见不能超过500字", "The resolution may not exceed 500 characters.");
            var ids = objectionIds?.Distinct().ToList() ?? [];
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (_, application) = await LoadForLineActionAsync(applicationId, Cases.Vocabulary.ResolveObjection.Key, ct);
            var objections = ids.Count == 0
                ? await db.Objections.Where(o => o.ApplicationId == applicationId && o.Status == ObjectionStatus.Open).OrderBy(o => o.LodgedAt).ToListAsync(ct)
                : await db.Objections.Where(o => o.ApplicationId == applicationId && ids.Contains(o.Id)).OrderBy(o => o.LodgedAt).ToListAsync(ct);
            if (ids.Count > 0 && objections.Count != ids.Count)
                throw OneCardException.NotFound("Objection", "异议");
            if (objections.Count == 0)
                throw new OneCardException(ErrorKind.Conflict, "NoOpenObjections", "没有待处理的异议", "There are no open objections.");
            if (objections.Count(o => o.Status != ObjectionStatus.Open) is var closed and > 0)
                throw new OneCardException(ErrorKind.Conflict, "ObjectionClosed", $"所选异议中有{closed}条已处理，请刷新后重选", "Some objections are already resolved.");

            var now = time.GetUtcNow();
            var lineNos = uphold ? objections.Where(o => o.LineNo is not null).Select(o => o.LineNo!.Value).Distinct().ToList() : [];
            var lines = await db.ClaimLines.Where(l => l.ApplicationId == applicationId && lineNos.Contains(l.LineNo)).ToListAsync(ct);
            foreach (var line in lines)
                application.Reject(line, "公示异议成立：" + resolution, "Objection upheld: " + resolution);
            foreach (var objection in objections)
            {
                objection.Status = uphold ? ObjectionStatus.Upheld : ObjectionStatus.Dismissed;
                objection.Resolution = resolution;
                objection.ResolvedBy = user.ActorId;
                objection.ResolvedAt = now;
                await audit.AppendAsync(db, user.ActorId, "ObjectionResolved", "Application", applicationId.ToString(), application.RegionCode,
                    new { objection = objection.Id, uphold, resolution, objection.LineNo, bulk = objections.Count > 1 }, ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return objections.Count;
        }

        private async Task<(WorkflowInstance, Application)> LoadForLineActionAsync(Guid applicationId, string lineAction, CancellationToken ct)
        {
            var instance = await db.WorkflowInstances.SingleOrDefaultAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == applicationId, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            await db.LockAsync(instance, ct);
            var step = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
            if (instance.IsFinal || !step.LineActions.Contains(lineAction))
                throw new OneCardException(ErrorKind.Conflict, "TransitionNotAllowed", $"“{step.TitleZh}”环节不能执行该操作", $"Not allowed in step {step.Name}.");
            if (user.User is null || step.Role is null || !(await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(step.Role))
                throw new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "您的角色无权执行该操作", "Your role may not do this.");
            await engine.EnsureSeparatedAsync(instance, ct);
            // Touching the instance makes a concurrent transition of the same case lose (revision check).
            instance.Revision++;
            return (instance, await db.Applications.SingleAsync(a => a.Id == applicationId, ct));
        }
    }
}
