using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Payments;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>On entering payment: one batch of payment instructions for the case.</summary>
public sealed class CreatePaymentBatch(OneCardDbContext db, AuditWriter audit, UserContext user, PaymentOptions payments, IServiceProvider services) : IStepEffect
{

    public string Name => nameof(CreatePaymentBatch);

    /// <summary>
    /// One instruction per payable line. A beneficiary already instructed or paid for this policy and
    /// period is rejected here with a reason; the unique index is the guarantee behind the check.
    /// </summary>
    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var result = context.Result;
        var application = await context.ApplicationAsync(db, ct);
        if (await db.PaymentBatches.AnyAsync(b => b.ApplicationId == application.Id, ct)) return;
        var lines = await db.ClaimLines.Where(l => l.ApplicationId == application.Id && l.Outcome == LineOutcome.Eligible)
            .OrderBy(l => l.LineNo).ToListAsync(ct);
        var beneficiaryIds = lines.Select(l => l.BeneficiaryId).ToList();
        var beneficiaries = await db.Beneficiaries.IgnoreQueryFilters().Where(b => beneficiaryIds.Contains(b.Id)).ToDictionaryAsync(b => b.Id, ct);
        var alreadyPaid = (await db.PaymentInstructions.IgnoreQueryFilters()
            .Where(p => p.PolicyCode == application.PolicyCode && p.Period == application.Period && p.Status != PaymentStatus.Failed
                        && beneficiaryIds.Contains(p.BeneficiaryId))
            .Select(p => p.BeneficiaryId).ToListAsync(ct)).ToHashSet();

        var local = result.At.ToOffset(TimeSpan.FromHours(8));
        var agreement = (await db.BankAgreements.Where(a => a.AgentBankCode == payments.DefaultAgentBank && a.Status == AgreementStatus.Active)
                .OrderByDescending(a => a.ValidFrom).ToListAsync(ct))
            .FirstOrDefault(a => a.Covers(application.PolicyCode, application.RegionCode, DateOnly.FromDateTime(local.DateTime)));
        var batchId = Guid.CreateVersion7();
        var instructions = new List<PaymentInstruction>();
        foreach (var line in lines)
        {
            var beneficiary = beneficiaries[line.BeneficiaryId];
            if (beneficiary.BankAccountCipher is null)
            {
                application.Reject(line, "无有效银行账户，不能生成支付指令", "No bank account on file.");
                continue;
            }
            if (agreement is null)
            {
                application.Reject(line, "开户银行与本地区无有效代发协议，不能生成支付指令", "No paying agreement with the account's bank covers this region and policy.");
                continue;
            }
            if (alreadyPaid.Contains(line.BeneficiaryId))
            {
                application.Reject(line, "重复发放：该对象本政策本期已有支付指令", "Duplicate payment: already instructed for this policy and period.");
                continue;
            }
            line.Outcome = LineOutcome.Instructed;
            instructions.Add(new PaymentInstruction
            {
                Id = Guid.CreateVersion7(), BatchId = batchId, Seq = instructions.Count + 1, ClaimLineId = line.Id,
                BeneficiaryId = line.BeneficiaryId, RegionCode = line.RegionCode, PolicyCode = line.PolicyCode, Period = line.Period,
                Amount = line.Amount ?? 0m, PayeeName = line.Name, AccountCipher = beneficiary.BankAccountCipher,
                AccountMasked = beneficiary.BankAccountMasked ?? "", AgentBankCode = payments.DefaultAgentBank, Status = PaymentStatus.Pending,
            });
        }
        if (instructions.Count == 0) return;
        var batch = new PaymentBatch
        {
            Id = batchId, BatchNo = await PaymentBatchNumbers.NextAsync(db, local.Year, application.RegionCode, payments.DefaultAgentBank, ct),
            ApplicationId = application.Id, RegionCode = application.RegionCode, AgentBankCode = payments.DefaultAgentBank, AgreementId = agreement!.Id,
            Kind = PaymentBatchKind.First, PolicyCode = application.PolicyCode, Period = application.Period,
            CreatedAt = result.At, ReleasedAt = null, Status = PaymentBatchStatus.Allocating,
            LineCount = instructions.Count, TotalAmount = instructions.Sum(i => i.Amount), Instructions = instructions,
        };
        db.PaymentBatches.Add(batch);
        await audit.AppendAsync(db, user.ActorId, "PaymentBatchCreated", SubjectKinds.PaymentBatch, batch.Id.ToString(), application.RegionCode,
            new { batch.BatchNo, lines = batch.LineCount, total = batch.TotalAmount, bank = batch.AgentBankCode }, ct);
        await PaymentBatchCases.StartAsync(services, batch, ct);
    }
}
