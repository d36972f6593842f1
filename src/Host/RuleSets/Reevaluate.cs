using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Policies;
using OneCard.Domain.Privacy;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Rules.Evaluation;
using OneCard.Rules.RuleSets;
using OneCard.Workflows;

namespace OneCard.Host.RuleSets;

/// <summary>
/// Re-evaluating a case under a newer rule set version (按新版本重新计算): a case keeps the version it was decided under unless a
/// county reviewer asks for this, explicitly, while the case is still under review (乡镇审核, 退回修改 or 县级审核 — before the
/// sample check and publicity, so nothing published or paid changes). Every line decided by the rules is evaluated again;
/// lines rejected by hand stay rejected. The audit entry records each line's outcome and amount before and after.
/// </summary>
public static class Reevaluate
{
    /// <summary>The steps a case may be re-evaluated in: review steps before anything is sampled, published or paid.</summary>
    public static readonly IReadOnlySet<string> Steps = new HashSet<string>(["TownshipReview", "Returned", "CountyReview"], StringComparer.Ordinal);

    public sealed record Request(int? Version);
    public sealed record LineChange(int LineNo, string BeforeOutcome, decimal? BeforeAmount, string AfterOutcome, decimal? AfterAmount);
    public sealed record Result(string From, string To, int Lines, int Changed, decimal PayableBefore, decimal PayableAfter, IReadOnlyList<LineChange> Changes);

    public static void MapReevaluate(this RouteGroupBuilder api) =>
        api.MapPost("/applications/{id:guid}/reevaluate", async Task<Ok<Result>> (Guid id, Request? request, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.RunAsync(id, request?.Version, ct)))
            .WithName("ReevaluateApplication")
            .WithSummary("Re-evaluates an application under a newer approved rule set version (default: the one in force today); audited line by line")
            .RequireAuthorization(p => p.RequireRole(Roles.CountyReviewer));

    public sealed class Handler(
        OneCardDbContext db,
        UserContext user,
        RuleSetStore ruleSets,
        RuleEvaluator evaluator,
        PersonalDataProtector protector,
        WorkflowCatalog workflows,
        AuditWriter audit,
        TimeProvider time)
    {
        public async Task<Result> RunAsync(Guid applicationId, int? version, CancellationToken ct)
        {
            var reviewer = user.Required;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var application = await db.Applications.SingleOrDefaultAsync(a => a.Id == applicationId, ct)
                ?? throw OneCardException.NotFound("Application", "申报");
            var instance = await db.WorkflowInstances.SingleAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == applicationId, ct);
            // One case action at a time: the same lock every transition takes.
            await db.LockAsync(instance, ct);
            if (!Steps.Contains(instance.Step))
            {
                var title = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).FindStep(instance.Step)?.TitleZh ?? instance.Step;
                throw new OneCardException(ErrorKind.Conflict, "ReevaluationNotAllowed",
                    $"案件处于“{title}”环节，不能按新版本重新计算（仅限乡镇审核、退回修改、县级审核环节）",
                    $"The case is in step {instance.Step}; re-evaluation is allowed only in {string.Join(", ", Steps)}.");
            }

            var current = RuleSetVersionKey.Parse(application.RuleSetKey);
            var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(WorkingDayCalendar.Offset).DateTime);
            var target = version is { } v ? InForce(application.PolicyCode, v, today) : ruleSets.EffectiveOn(application.PolicyCode, today);
            if (target is null || target.Version <= current.Version)
                throw new OneCardException(ErrorKind.Conflict, "NoNewerRuleSet",
                    $"没有比本案件所用版本（v{current.Version}）更新的已批准规则集" + (version is null ? $"在今天（{today:yyyy-MM-dd}）生效" : ""),
                    $"No approved rule set newer than v{current.Version} for {application.PolicyCode}.");

            var lines = await db.ClaimLines.Where(l => l.ApplicationId == applicationId).OrderBy(l => l.LineNo).ToListAsync(ct);
            var decided = lines.Where(l => l.Outcome is LineOutcome.Eligible or LineOutcome.Ineligible or LineOutcome.Faulted).ToList();
            var beneficiaryIds = decided.Select(l => l.BeneficiaryId).Distinct().ToList();
            var idCiphers = await db.Beneficiaries.IgnoreQueryFilters().Where(b => beneficiaryIds.Contains(b.Id))
                .ToDictionaryAsync(b => b.Id, b => b.IdNumberCipher, ct);
            // The evaluation date the case was decided on: its submission day (China time), as at submission.
            var asOf = DateOnly.FromDateTime(application.SubmittedAt.ToOffset(WorkingDayCalendar.Offset).DateTime);
            var facts = decided.Select(l => StoredFacts.Bind(target, l.FactsJson, protector.Decrypt(idCiphers[l.BeneficiaryId]), l.RegionCode, asOf)).ToList();
            var evaluations = evaluator.EvaluateMany(target, facts);

            var changes = new List<LineChange>(decided.Count);
            var payableBefore = application.PayableAmount;
            for (var i = 0; i < decided.Count; i++)
            {
                var line = decided[i];
                var (beforeOutcome, beforeAmount) = (line.Outcome, line.Amount);
                Apply(line, evaluations[i]);
                changes.Add(new LineChange(line.LineNo, beforeOutcome.ToString(), beforeAmount, line.Outcome.ToString(), line.Amount));
            }
            application.RuleSetKey = target.VersionKey;
            application.EligibleCount = lines.Count(l => l.Outcome == LineOutcome.Eligible);
            application.PayableAmount = lines.Where(l => l.Outcome == LineOutcome.Eligible).Sum(l => l.Amount ?? 0m);

            await audit.AppendAsync(db, reviewer.Id, "ApplicationReevaluated", SubjectKinds.Application, applicationId.ToString(), application.RegionCode, new
            {
                number = application.Number, step = instance.Step, from = $"{current.PolicyCode}@{current.Version}", to = target.VersionKey, toSha256 = target.Sha256,
                payableBefore, payableAfter = application.PayableAmount,
                lines = changes.Select(c => new
                {
                    line = c.LineNo,
                    before = new { outcome = c.BeforeOutcome, amount = c.BeforeAmount },
                    after = new { outcome = c.AfterOutcome, amount = c.AfterAmount },
                }),
            }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Result($"{current.PolicyCode}@{current.Version}", target.VersionKey, decided.Count,
                changes.Count(c => c.BeforeOutcome != c.AfterOutcome || c.BeforeAmount != c.AfterAmount), payableBefore, application.PayableAmount, changes);
        }

        /// <summary>A named version that is approved and in force by today (a draft, or a version not yet in force, never decides a case).</summary>
        private RuleSet InForce(string policy, int version, DateOnly today)
        {
            if (!ruleSets.Entries.TryGetValue($"{policy}@{version}", out var entry) || entry.Status is not (RuleSetStatus.Approved or RuleSetStatus.Effective))
                throw new OneCardException(ErrorKind.Invalid, "RuleSetNotApproved", $"规则集 {policy} v{version} 不存在或尚未批准",
                    $"{policy}@{version} does not exist or is not approved.");
            return entry.EffectiveFrom <= today ? entry.RuleSet
                : throw new OneCardException(ErrorKind.Invalid, "RuleSetNotYetEffective", $"规则集 {policy} v{version} 自 {entry.EffectiveFrom:yyyy-MM-dd} 起生效，今天还不能按它重新计算",
                    $"{policy}@{version} takes effect on {entry.EffectiveFrom:yyyy-MM-dd}.");
        }

        /// <summary>The new outcome, amount, reasons and rule results, as a submission records them.</summary>
        internal static void Apply(ClaimLine line, ClaimEvaluation evaluation)
        {
            (line.Outcome, line.ReasonZh, line.ReasonEn) = evaluation.Outcome switch
            {
                EvaluationOutcome.Eligible => (LineOutcome.Eligible, (string?)null, (string?)null),
                EvaluationOutcome.Ineligible => (LineOutcome.Ineligible,
                    string.Join("；", evaluation.Rules.Where(r => !r.Passed).Select(r => r.MessageZh)),
                    string.Join("; ", evaluation.Rules.Where(r => !r.Passed).Select(r => r.MessageEn))),
                _ => (LineOutcome.Faulted, "规则执行故障：" + evaluation.Fault, "Rule evaluation fault: " + evaluation.Fault),
            };
            line.Amount = evaluation.Outcome == EvaluationOutcome.Eligible ? evaluation.Amount : null;
            line.RuleResultsJson = JsonSerializer.Serialize(evaluation.Rules, Json);
            line.RuleSetKey = evaluation.RuleSetVersionKey;
        }

        private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
