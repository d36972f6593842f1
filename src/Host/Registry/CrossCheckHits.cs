using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Registry;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Registry;

/// <summary>
/// An application's cross-check hits: reading them, running the checks again on demand (重新比对), and the reviewer's decision on
/// each hit — reject the line (through the case's line rejection, with the hit's reason) or keep it with a comment. Who decides
/// is who may reject lines now: the role of the case's current step, where that step allows <c>RejectLines</c>, and not the
/// user who prepared what the step checks — the rule <c>ActOnCase</c> applies to line actions.
/// </summary>
public static class CrossCheckHits
{
    public sealed record HitView(Guid Id, int LineNo, string? Name, string? IdNumberMasked, string? LineOutcome, string Check, string CheckZh,
        string ReasonZh, string ReasonEn, Guid? SnapshotId, int? SnapshotRowNo, Guid? OtherClaimLineId, DateTimeOffset FoundAt,
        string Decision, string DecisionZh, string? Comment, string? DecidedBy, DateTimeOffset? DecidedAt);
    public sealed record RunView(Guid Id, string Trigger, string StartedBy, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
        int LinesChecked, int Hits, int NewHits, string Checks, string Snapshots);
    public sealed record View(IReadOnlyList<HitView> Hits, int Pending, RunView? LastRun, bool CanDecide, bool CanRun);
    public sealed record DecisionRequest(string? Decision, string? Comment);

    /// <summary>The check's name as a reviewer reads it.</summary>
    public static string CheckZh(CrossCheckKind check) => Rules.RuleSets.FactSources.CheckZh(check);

    public static string DecisionZh(HitDecision decision) => decision switch
    {
        HitDecision.Pending => "待决定",
        HitDecision.Rejected => "已驳回该行",
        HitDecision.Kept => "已保留",
        HitDecision.SettledByRule => "已由规则判定",
        _ => decision.ToString(),
    };

    /// <summary>The checks and the handler: one line in HostSetup.</summary>
    public static IServiceCollection AddCrossChecks(this IServiceCollection services)
    {
        services.AddScoped<CrossChecks>();
        services.AddScoped<CrossCheckFacts>();
        services.AddScoped<Handler>();
        return services;
    }

    public static void MapCrossChecks(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/{id:guid}/crosschecks", async Task<Ok<View>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetCrossCheckHits").WithSummary("The application's cross-check hits with their decisions, and the last run");
        api.MapPost("/applications/{id:guid}/crosschecks", async Task<Ok<RunView>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.RunAsync(id, ct)))
            .WithName("RunCrossChecks").WithSummary("Run the application's cross-checks again (county reviewer, or township clerk of its township)");
        api.MapPost("/applications/{id:guid}/crosschecks/{hitId:guid}/decision", async Task<Ok<HitView>> (Guid id, Guid hitId, DecisionRequest body, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.DecideAsync(id, hitId, body.Decision, body.Comment, ct)))
            .WithName("DecideCrossCheckHit").WithSummary("Reject the hit's line (Rejected) or keep it with a comment (Kept); once per hit (409 after)");
    }

    /// <summary>The queries and commands; the application page calls them too.</summary>
    public sealed class Handler(OneCardDbContext db, CrossChecks checks, CaseEngine engine, WorkflowCatalog workflows, AuditWriter audit, UserContext user, TimeProvider time)
    {
        public async Task<View> GetAsync(Guid applicationId, CancellationToken ct)
        {
            var (instance, _) = await LoadAsync(applicationId, track: false, ct);
            var hits = await (from h in db.CrossCheckHits.AsNoTracking()
                              join l in db.ClaimLines.AsNoTracking() on h.ClaimLineId equals l.Id into lines
                              from l in lines.DefaultIfEmpty()
                              where h.ApplicationId == applicationId
                              orderby h.LineNo, h.Check
                              select new { h, l.Name, l.IdNumberMasked, Outcome = (LineOutcome?)l.Outcome }).ToListAsync(ct);
            var run = await db.CrossCheckRuns.AsNoTracking().Where(r => r.ApplicationId == applicationId)
                .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct);
            return new View(
                [.. hits.Select(x => ToView(x.h, x.Name, x.IdNumberMasked, x.Outcome))],
                hits.Count(x => x.h.Decision == HitDecision.Pending && x.Outcome is LineOutcome.Eligible or LineOutcome.Faulted),
                run is null ? null : ToView(run),
                await DecisionRefusalAsync(instance, ct) is null,
                await RunRefusalAsync(instance, ct) is null);
        }

        /// <summary>Runs the application's checks again, in its own transaction; audited (the run's own entry).</summary>
        public async Task<RunView> RunAsync(Guid applicationId, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (instance, _) = await LoadAsync(applicationId, track: true, ct);
            if (await RunRefusalAsync(instance, ct) is { } refusal) throw refusal;
            var run = await checks.RunAsync(db, applicationId, CrossChecks.OnDemand, user.ActorId, ct);
            await tx.CommitAsync(ct);
            return ToView(run);
        }

        /// <summary>
        /// Decides one hit: Rejected rejects its line through <see cref="Application.Reject"/> with the hit's reason (a line
        /// already rejected stays as it is); Kept needs a comment. One audit entry; a decided hit is not decided again (409).
        /// </summary>
        public async Task<HitView> DecideAsync(Guid applicationId, Guid hitId, string? decisionText, string? comment, CancellationToken ct)
        {
            if (!EnumNames.TryParse<HitDecision>(decisionText, out var decision) || decision == HitDecision.Pending)
                throw new OneCardException(ErrorKind.Invalid, "DecisionInvalid", "决定只能是 Rejected（驳回该行）或 Kept（保留）",
                    "The decision must be Rejected or Kept.");
            comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
            if (decision == HitDecision.Kept && comment is null)
                throw new OneCardException(ErrorKind.Invalid, "CommentRequired", "保留该行须填写意见（说明核实情况）", "Keeping the line needs a comment.");
            if (comment is { Length: > 500 })
                throw new OneCardException(ErrorKind.Invalid, "CommentTooLong", "意见不能超过500字", "The comment may not exceed 500 characters.");

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (instance, application) = await LoadAsync(applicationId, track: true, ct);
            if (await DecisionRefusalAsync(instance, ct) is { } refusal) throw refusal;
            // Touching the instance makes a concurrent transition of the same case lose (revision check), as line actions do.
            instance.Revision++;
            var hit = await db.CrossCheckHits.SingleOrDefaultAsync(h => h.Id == hitId && h.ApplicationId == applicationId, ct)
                ?? throw OneCardException.NotFound("CrossCheckHit", "比对疑点");
            if (hit.Decision != HitDecision.Pending)
                throw new OneCardException(ErrorKind.Conflict, "HitAlreadyDecided",
                    $"第{hit.LineNo}行的“{CheckZh(hit.Check)}”疑点已于{hit.DecidedAt?.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm}决定为{DecisionZh(hit.Decision)}，不能再次决定",
                    $"The hit on line {hit.LineNo} ({hit.Check}) is already decided ({hit.Decision}).");
            var line = await db.ClaimLines.SingleAsync(l => l.Id == hit.ClaimLineId, ct);
            if (decision == HitDecision.Rejected && line.Outcome != LineOutcome.Rejected
                && !application!.Reject(line, $"大数据比对（{CheckZh(hit.Check)}）：{hit.ReasonZh}" + (comment is null ? "" : $"；{comment}"),
                    $"Cross-check ({hit.Check}): {hit.ReasonEn}" + (comment is null ? "" : $"; {comment}")))
                throw new OneCardException(ErrorKind.Conflict, "LineNotRejectable", $"第{line.LineNo}行已不可驳回（{line.Outcome}）",
                    $"Line {line.LineNo} cannot be rejected ({line.Outcome}).");

            hit.Decision = decision;
            hit.Comment = comment;
            hit.DecidedBy = user.ActorId;
            hit.DecidedAt = time.GetUtcNow();
            await audit.AppendAsync(db, user.ActorId, "CrossCheckHitDecided", "Application", applicationId.ToString(), application!.RegionCode,
                new { hit = hit.Id, hit.LineNo, check = hit.Check.ToString(), decision = decision.ToString(), comment, step = instance.Step, reason = hit.ReasonZh }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return ToView(hit, line.Name, line.IdNumberMasked, line.Outcome);
        }

        // In scope (the database filter) and not a third party's: an inspector sees a case only for its sample check, never its hits.
        private async Task<(WorkflowInstance Instance, Application? Application)> LoadAsync(Guid applicationId, bool track, CancellationToken ct)
        {
            if (user.User is { } u && (u.IsThirdParty || u.Roles.All(r => r == Roles.Inspector)))
                throw OneCardException.NotFound("Application", "申报");
            var application = track
                ? await db.Applications.SingleOrDefaultAsync(a => a.Id == applicationId, ct)
                : await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, ct);
            if (application is null) throw OneCardException.NotFound("Application", "申报");
            var instances = track ? db.WorkflowInstances : db.WorkflowInstances.AsNoTracking();
            var instance = await instances.SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == applicationId, ct);
            if (track) await db.LockAsync(instance, ct);
            return (instance, application);
        }

        // The rule of line actions (ActOnCase): the current step allows RejectLines, the user holds its role on this case's
        // policy, and did not prepare what the step checks.
        private async Task<OneCardException?> DecisionRefusalAsync(WorkflowInstance instance, CancellationToken ct)
        {
            var step = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
            if (instance.IsFinal || !step.LineActions.Contains(Cases.Vocabulary.RejectLines.Key))
                return new OneCardException(ErrorKind.Conflict, "TransitionNotAllowed", $"“{step.TitleZh}”环节不能决定比对疑点", $"Hits cannot be decided in step {step.Name}.");
            if (user.User is null || step.Role is null || !(await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(step.Role))
                return new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "您的角色无权决定比对疑点（须由当前环节的审核人决定）", "Your role may not decide hits.");
            try
            {
                await engine.EnsureSeparatedAsync(instance, ct);
            }
            catch (OneCardException e)
            {
                return e;
            }
            return null;
        }

        // A county reviewer, or a township clerk (the township's reviewer) of the case's own township; the database filter has
        // already kept the case inside the user's region. A finished case is not checked again.
        private async Task<OneCardException?> RunRefusalAsync(WorkflowInstance instance, CancellationToken ct)
        {
            if (user.User is not { } me) return new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "请先登录", "Sign in first.");
            var roles = await engine.RolesOnAsync(instance.PolicyCode, ct);
            var allowed = roles.Contains(Roles.CountyReviewer) || (roles.Contains(Roles.TownshipClerk) && me.RegionCode == instance.RegionCode);
            if (!allowed)
                return new OneCardException(ErrorKind.Forbidden, "RoleNotPermitted", "只有县级审核人或本乡镇经办人可以重新比对", "Only a county reviewer or the township's clerk may run the checks.");
            return instance.IsFinal
                ? new OneCardException(ErrorKind.Conflict, "CaseClosed", "案件已办结，不再比对", "The case is closed.")
                : null;
        }

        private static HitView ToView(CrossCheckHit h, string? name, string? masked, LineOutcome? outcome) => new(
            h.Id, h.LineNo, name, masked, outcome?.ToString(), h.Check.ToString(), CheckZh(h.Check), h.ReasonZh, h.ReasonEn, h.SnapshotId, h.SnapshotRowNo,
            h.OtherClaimLineId, h.FoundAt, h.Decision.ToString(), DecisionZh(h.Decision), h.Comment, h.DecidedBy, h.DecidedAt);

        private static RunView ToView(CrossCheckRun r) => new(r.Id, r.Trigger, r.StartedBy, r.StartedAt, r.FinishedAt, r.LinesChecked, r.Hits, r.NewHits,
            r.ChecksJson, r.SnapshotsJson);
    }
}
