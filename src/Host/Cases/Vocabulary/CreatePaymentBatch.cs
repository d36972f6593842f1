using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>On entering payment: one batch of payment instructions for the case.</summary>
public sealed class CreatePaymentBatch(OneCardDbContext db, AuditWriter audit, UserContext user, PaymentOptions payments, IServiceProvider services) : IStepEffect
{
    /// <summary>The workflow every payment batch runs (<c>workflows/payment-batch.v*.json</c>).</summary>
    public const string BatchDefinitionId = "payment-batch";

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
                AccountMasked = beneficiary.BankAccountMasked ?? "", Status = PaymentStatus.Pending,
            });
        }
        if (instructions.Count == 0) return;
        var local = result.At.ToOffset(TimeSpan.FromHours(8));
        var batch = new PaymentBatch
        {
            Id = batchId, BatchNo = await PaymentBatchNumbers.NextAsync(db, local.Year, application.RegionCode, payments.DefaultAgentBank, ct),
            ApplicationId = application.Id, RegionCode = application.RegionCode, AgentBankCode = payments.DefaultAgentBank,
            Kind = PaymentBatchKind.First, PolicyCode = application.PolicyCode, Period = application.Period,
            CreatedAt = result.At, ReleasedAt = result.At, Status = PaymentBatchStatus.Instructed,
            LineCount = instructions.Count, TotalAmount = instructions.Sum(i => i.Amount), Instructions = instructions,
        };
        db.PaymentBatches.Add(batch);
        await audit.AppendAsync(db, user.ActorId, "PaymentBatchCreated", SubjectKinds.PaymentBatch, batch.Id.ToString(), application.RegionCode,
            new { batch.BatchNo, lines = batch.LineCount, total = batch.TotalAmount, bank = batch.AgentBankCode }, ct);
        await StartBatchCaseAsync(batch, ct);
    }

    /// <summary>
    /// Starts the batch's own case (<see cref="BatchDefinitionId"/>) in the same transaction. The engine is resolved here,
    /// not injected: it runs this effect, so injecting it would be a cycle.
    /// </summary>
    private async Task StartBatchCaseAsync(PaymentBatch batch, CancellationToken ct)
    {
        var engine = services.GetRequiredService<CaseEngine>();
        var definition = services.GetRequiredService<WorkflowCatalog>().Latest(BatchDefinitionId);
        await engine.StartAsync(new CaseEngine.NewCase(new CaseSubject(SubjectKinds.PaymentBatch, batch.Id), batch.BatchNo, batch.RegionCode, batch.PolicyCode),
            definition, ct);
    }
}
