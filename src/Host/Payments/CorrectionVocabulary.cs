using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Cases.Vocabulary;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Payments;

/// <summary>The guards and effects <c>workflows/payment-correction.v1.json</c> names, and the correction's services: one line in HostSetup.</summary>
public static class CorrectionSetup
{
    public static IServiceCollection AddCorrections(this IServiceCollection services)
    {
        services.AddSingleton<IGuard, CorrectionProposed>();
        services.AddSingleton<IGuard, RepaymentPaid>();
        services.AddSingleton<IGuard, RepaymentReturned>();
        services.AddScoped<IStepEffect, OpenCorrectionAttempt>();
        services.AddScoped<IStepEffect, ApplyCorrectedAccount>();
        services.AddScoped<IStepEffect, CompleteCorrection>();
        services.AddScoped<IStepEffect, CloseCorrection>();
        services.AddScoped<Corrections.Handler>();
        services.AddScoped<Repayments.Handler>();
        services.AddScoped<Reconciliation.Handler>();
        services.AddTransient<CorrectionSweep>();
        services.AddTransient<Publication>();
        return services;
    }

    public static void MapCorrections(this RouteGroupBuilder api)
    {
        api.MapCorrectionEndpoints();
        api.MapRepayments();
        api.MapReconciliation();
    }

    internal static async Task<PaymentCorrection> CorrectionAsync(OneCardDbContext db, EffectContext context, CancellationToken ct) =>
        context.Instance.SubjectKind == SubjectKinds.PaymentCorrection
            ? await db.PaymentCorrections.IgnoreQueryFilters().SingleAsync(c => c.Id == context.Instance.SubjectId, ct)
            : throw new InvalidOperationException($"Effect for payment corrections entered on a {context.Instance.SubjectKind} ({context.Instance.DefinitionId} step {context.Step.Name}).");

    internal static Task<PaymentInstruction> LatestAsync(OneCardDbContext db, PaymentCorrection correction, CancellationToken ct) =>
        db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == correction.LatestInstructionId, ct);
}

/// <summary>The clerk recorded a proposal (corrected account or holder) since the case last entered verification.</summary>
public sealed class CorrectionProposed : IGuard
{
    public string Name => nameof(CorrectionProposed);

    public Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        context.Db.PaymentCorrections.IgnoreQueryFilters().AnyAsync(c => c.Id == context.Subject.Id && c.ProposedAt != null
            && context.Db.WorkflowInstances.IgnoreQueryFilters().Any(i => i.SubjectKind == context.Subject.Kind && i.SubjectId == c.Id && c.ProposedAt >= i.StepEnteredAt), ct);
}

/// <summary>The line's latest instruction — a re-payment, since the original failed — was paid.</summary>
public sealed class RepaymentPaid : IGuard
{
    public string Name => nameof(RepaymentPaid);

    public Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        context.Db.PaymentCorrections.IgnoreQueryFilters().AnyAsync(c => c.Id == context.Subject.Id
            && context.Db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.Id == c.LatestInstructionId && i.Status == PaymentStatus.Succeeded), ct);
}

/// <summary>The line's latest instruction is a re-payment the bank returned again (an attempt not yet counted).</summary>
public sealed class RepaymentReturned : IGuard
{
    public string Name => nameof(RepaymentReturned);

    public Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        context.Db.PaymentCorrections.IgnoreQueryFilters().AnyAsync(c => c.Id == context.Subject.Id
            && context.Db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.Id == c.LatestInstructionId && i.Status == PaymentStatus.Failed && i.Attempt > c.Attempts), ct);
}

/// <summary>
/// On (re-)entering verification: the correction is the clerk's again. After a failed re-payment the attempt is counted and
/// the bank's new reason shown; after the checker's return nothing else changes (the proposal stays for the clerk to revise).
/// </summary>
public sealed class OpenCorrectionAttempt(OneCardDbContext db, AuditWriter audit, UserContext user) : IStepEffect
{
    public string Name => nameof(OpenCorrectionAttempt);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var correction = await CorrectionSetup.CorrectionAsync(db, context, ct);
        var latest = await CorrectionSetup.LatestAsync(db, correction, ct);
        correction.Status = CorrectionStatus.Verifying;
        if (latest.Status == PaymentStatus.Failed && latest.Attempt > correction.Attempts)
        {
            correction.Attempts = latest.Attempt;
            correction.BankReason = latest.BankMessage ?? "";
            correction.AgentBankCode = latest.AgentBankCode ?? correction.AgentBankCode;
            await audit.AppendAsync(db, user.ActorId, "PaymentCorrectionReturnedAgain", SubjectKinds.PaymentCorrection, correction.Id.ToString(),
                correction.RegionCode, new { correction.Reference, attempts = correction.Attempts, instruction = latest.Id, reason = latest.BankMessage }, ct);
        }
    }
}

/// <summary>
/// On approval (maker-checker done): the proposed account becomes the beneficiary's current one-card account — the current
/// row is closed and the next added (history), and the beneficiary's account fields follow — audited with maker and checker.
/// </summary>
public sealed class ApplyCorrectedAccount(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time) : IStepEffect
{
    public string Name => nameof(ApplyCorrectedAccount);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var correction = await CorrectionSetup.CorrectionAsync(db, context, ct);
        if (correction.ProposedAccountCipher is null || correction.ProposedHolderName is null || correction.ProposedBankCode is null)
            throw new InvalidOperationException($"Correction {correction.Reference} was approved without a proposal.");
        var now = time.GetUtcNow();
        var beneficiary = await db.Beneficiaries.IgnoreQueryFilters().SingleAsync(b => b.Id == correction.BeneficiaryId, ct);
        var current = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking()
            .SingleOrDefaultAsync(a => a.BeneficiaryId == correction.BeneficiaryId && a.ValidTo == null, ct);
        // Closed first, by a statement of its own: the index allows one current row, and the insert must not race the close.
        if (current is not null)
            await db.BeneficiaryAccounts.IgnoreQueryFilters().Where(a => a.Id == current.Id && a.ValidTo == null)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.ValidTo, now), ct);
        var account = new BeneficiaryAccount
        {
            Id = Guid.CreateVersion7(), BeneficiaryId = correction.BeneficiaryId, RegionCode = beneficiary.RegionCode,
            AgentBankCode = correction.ProposedBankCode, AccountCipher = correction.ProposedAccountCipher,
            AccountMasked = correction.ProposedAccountMasked ?? "", HolderName = correction.ProposedHolderName,
            Type = correction.ProposedAccountType ?? AccountType.BankCard, ValidFrom = now, Source = "Correction", SourceId = correction.Id,
            ChangedBy = correction.ProposedBy ?? user.ActorId,
            Reason = $"退票更正 {correction.Reference}：{correction.BankReason}；复核人 {user.ActorId}",
        };
        db.BeneficiaryAccounts.Add(account);
        beneficiary.BankAccountCipher = account.AccountCipher;
        beneficiary.BankAccountMasked = account.AccountMasked;
        beneficiary.BankName = await db.AgentBanks.AsNoTracking().Where(b => b.Code == account.AgentBankCode).Select(b => b.NameZh).SingleOrDefaultAsync(ct)
                               ?? account.AgentBankCode;
        beneficiary.UpdatedAt = now;
        correction.Status = CorrectionStatus.AwaitingRepayment;
        await audit.AppendAsync(db, user.ActorId, "BeneficiaryAccountCorrected", SubjectKinds.PaymentCorrection, correction.Id.ToString(), correction.RegionCode, new
        {
            correction.Reference, beneficiary = correction.BeneficiaryId, previous = current?.Id, account = account.Id, bank = account.AgentBankCode,
            masked = account.AccountMasked, holder = Domain.Privacy.Masking.Name(account.HolderName), type = account.Type.ToString(),
            maker = correction.ProposedBy, checker = user.ActorId,
        }, ct);
    }
}

/// <summary>On the re-payment's success: the correction is done and its line paid.</summary>
public sealed class CompleteCorrection(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time) : IStepEffect
{
    public string Name => nameof(CompleteCorrection);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var correction = await CorrectionSetup.CorrectionAsync(db, context, ct);
        correction.Status = CorrectionStatus.Repaid;
        correction.ClosedAt = time.GetUtcNow();
        await db.ClaimLines.IgnoreQueryFilters().Where(l => l.Id == correction.ClaimLineId && l.Outcome != LineOutcome.Paid)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Paid), ct);
        await audit.AppendAsync(db, user.ActorId, "PaymentCorrectionRepaid", SubjectKinds.PaymentCorrection, correction.Id.ToString(), correction.RegionCode,
            new { correction.Reference, instruction = correction.LatestInstructionId, attempts = correction.Attempts + 1, correction.Amount }, ct);
    }
}

/// <summary>On closing unpaid: the correction and its claim line end with the clerk's reason (the comment of Close).</summary>
public sealed class CloseCorrection(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time) : IStepEffect
{
    public string Name => nameof(CloseCorrection);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var correction = await CorrectionSetup.CorrectionAsync(db, context, ct);
        // The reason is the comment of the Close action: the event the engine has just added in this unit of work.
        var reason = db.ChangeTracker.Entries<WorkflowEvent>().Select(e => e.Entity)
            .Where(e => e.InstanceId == context.Instance.Id && e.ToStep == context.Step.Name).OrderByDescending(e => e.Seq).FirstOrDefault()?.Comment ?? "";
        correction.Status = CorrectionStatus.Closed;
        correction.ClosedReason = reason;
        correction.ClosedAt = time.GetUtcNow();
        await db.ClaimLines.IgnoreQueryFilters().Where(l => l.Id == correction.ClaimLineId).ExecuteUpdateAsync(u => u
            .SetProperty(l => l.Outcome, LineOutcome.Failed)
            .SetProperty(l => l.ReasonZh, "退票无法支付，已办结：" + reason)
            .SetProperty(l => l.ReasonEn, "Returned by the bank and closed unpaid: " + reason), ct);
        await audit.AppendAsync(db, user.ActorId, "PaymentCorrectionClosed", SubjectKinds.PaymentCorrection, correction.Id.ToString(), correction.RegionCode,
            new { correction.Reference, reason, attempts = correction.Attempts, correction.Amount }, ct);
    }
}
