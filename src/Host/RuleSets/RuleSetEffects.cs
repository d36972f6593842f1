using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Policies;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.RuleSets;

/// <summary>
/// The on-enter effects of <c>rule-set-approval</c>: each keeps the version's row (the source of truth) in step with its case,
/// inside the transition's transaction, and writes its audit entry.
/// </summary>
public abstract class RuleSetStatusEffect(OneCardDbContext db, AuditWriter audit) : IStepEffect
{
    public abstract string Name { get; }

    /// <summary>The transition's unit of work.</summary>
    protected OneCardDbContext Db { get; } = db;

    protected abstract RuleSetStatus Status { get; }

    /// <summary>Sets who and when for <see cref="Status"/>.</summary>
    protected abstract void Stamp(RuleSetRecord record, TransitionResult result);

    /// <summary>After the row changed; the activation tells the store what to read back.</summary>
    protected virtual void Changed(RuleSetRecord record, TransitionResult result) { }

    /// <summary>The impact evidence the audit entry names (the submission records it, the approval names it), or null.</summary>
    protected virtual Task<object?> EvidenceAsync(RuleSetRecord record, CancellationToken ct) => Task.FromResult<object?>(null);

    /// <summary>The run ids and exemption of the evidence recorded on the version, for an audit entry.</summary>
    protected static object? Named(Impact.Evidence? evidence) =>
        evidence is null ? null : new { runs = evidence.Runs.Select(r => r.Id).ToList(), sha256 = evidence.Sha256, exempt = evidence.ExemptZh };

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        if (context.Instance.SubjectKind != SubjectKinds.RuleSet)
            throw new InvalidOperationException($"Effect {Name} for rule sets entered on a {context.Instance.SubjectKind} ({context.Instance.DefinitionId} step {context.Step.Name}).");
        var record = await Db.RuleSets.SingleAsync(r => r.CaseId == context.Instance.SubjectId, ct);
        var before = record.Status;
        record.Status = Status;
        Stamp(record, context.Result);
        var evidence = await EvidenceAsync(record, ct);
        await audit.AppendAsync(Db, context.Result.ActorUserId, "RuleSet" + Status, SubjectKinds.RuleSet, context.Instance.SubjectId.ToString(),
            context.Instance.RegionCode, new
            {
                ruleSet = record.VersionKey, sha256 = record.Sha256, from = before.ToString(), to = Status.ToString(),
                effectiveFrom = record.EffectiveFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                action = context.Result.Action, comment = context.Result.Comment, evidence,
            }, ct);
        Changed(record, context.Result);
    }
}

/// <summary>
/// Review entered: the version is Submitted, by whoever fired the submission (the API, the version page or the generic case
/// action alike), with its impact evidence recorded — or the submission is refused, in its transaction, when there is none.
/// </summary>
public sealed class SubmitRuleSet(OneCardDbContext db, AuditWriter audit) : RuleSetStatusEffect(db, audit)
{
    public override string Name => nameof(SubmitRuleSet);
    protected override RuleSetStatus Status => RuleSetStatus.Submitted;

    protected override async Task<object?> EvidenceAsync(RuleSetRecord record, CancellationToken ct)
    {
        var evidence = await Impact.RequireEvidenceAsync(Db, record, ct);
        record.EvidenceJson = Impact.WriteEvidence(evidence);
        return Named(evidence);
    }

    protected override void Stamp(RuleSetRecord record, TransitionResult result)
    {
        record.SubmittedBy = result.ActorUserId;
        record.SubmittedAt = result.At;
    }
}

/// <summary>Returned to drafting: the version is a Draft again (its JSON is unchanged; a changed text is a new version).</summary>
public sealed class ReopenRuleSet(OneCardDbContext db, AuditWriter audit) : RuleSetStatusEffect(db, audit)
{
    public override string Name => nameof(ReopenRuleSet);
    protected override RuleSetStatus Status => RuleSetStatus.Draft;

    protected override void Stamp(RuleSetRecord record, TransitionResult result)
    {
        record.SubmittedBy = null;
        record.SubmittedAt = null;
    }
}

/// <summary>
/// Approved by a second officer: the version is Approved and in force from its date — or from the day of approval when that
/// date has passed, so nothing already decided is ever re-dated. "Effective" is then read off the date at each lookup.
/// </summary>
public sealed class ActivateRuleSet(OneCardDbContext db, AuditWriter audit, RuleSetStore store) : RuleSetStatusEffect(db, audit)
{
    public override string Name => nameof(ActivateRuleSet);
    protected override RuleSetStatus Status => RuleSetStatus.Approved;

    protected override void Stamp(RuleSetRecord record, TransitionResult result)
    {
        record.ApprovedBy = result.ActorUserId;
        record.ApprovedAt = result.At;
        var approvalDay = DateOnly.FromDateTime(result.At.ToOffset(WorkingDayCalendar.Offset).DateTime);
        if (record.EffectiveFrom < approvalDay) record.EffectiveFrom = approvalDay;
    }

    protected override void Changed(RuleSetRecord record, TransitionResult result) => store.Expect(record.VersionKey, Status, result.At);

    /// <summary>The approval names the evidence it was given (the runs recorded at submission).</summary>
    protected override Task<object?> EvidenceAsync(RuleSetRecord record, CancellationToken ct) => Task.FromResult(Named(Impact.ReadEvidence(record.EvidenceJson)));
}

/// <summary>Rejected or withdrawn: the version never decides a case.</summary>
public sealed class RejectRuleSet(OneCardDbContext db, AuditWriter audit) : RuleSetStatusEffect(db, audit)
{
    public override string Name => nameof(RejectRuleSet);
    protected override RuleSetStatus Status => RuleSetStatus.Rejected;

    protected override void Stamp(RuleSetRecord record, TransitionResult result)
    {
        record.RejectedBy = result.ActorUserId;
        record.RejectedAt = result.At;
    }
}
