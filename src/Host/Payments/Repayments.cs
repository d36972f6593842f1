using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Payments;

/// <summary>
/// Re-payment (再次支付): the corrections awaiting re-payment are paid again in new batches of kind <c>Repayment</c>, one per
/// application and agent bank, each line a NEW instruction (attempt + 1) that references the first failed one and pays into
/// the beneficiary's current (corrected) one-card account under the agreement that covers the bank, region and policy.
/// </summary>
public static class Repayments
{
    public sealed record Request(Guid? ApplicationId);
    public sealed record CreatedBatch(Guid Id, string BatchNo, Guid ApplicationId, string AgentBankCode, int LineCount, decimal TotalAmount);
    /// <summary>A correction left awaiting, and why (located: its reference and the reason).</summary>
    public sealed record Skipped(Guid CorrectionId, string Reference, string Code, string MessageZh, string MessageEn);
    public sealed record Result(IReadOnlyList<CreatedBatch> Batches, IReadOnlyList<Skipped> Skipped);

    public static void MapRepayments(this RouteGroupBuilder api)
    {
        api.MapPost("/payments/repayments", async (Request? body, Handler h, CancellationToken ct) => TypedResults.Ok(await h.CreateAsync(body?.ApplicationId, ct)))
            .WithName("CreateRepaymentBatches")
            .WithSummary("Re-payment batches (one per application and bank) for the corrections awaiting re-payment; optional applicationId")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer));
    }

    public sealed class Handler(OneCardDbContext db, AuditWriter audit, UserContext user, TimeProvider time, IServiceProvider services)
    {
        public async Task<Result> CreateAsync(Guid? applicationId, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow();
            var local = now.ToOffset(TimeSpan.FromHours(8));
            var today = DateOnly.FromDateTime(local.DateTime);
            // Awaiting and none in flight: the latest instruction is the failed one (a pending re-payment is the bank's).
            var awaiting = await db.PaymentCorrections.AsNoTracking()
                .Where(c => c.Status == CorrectionStatus.AwaitingRepayment && (applicationId == null || c.ApplicationId == applicationId))
                .Where(c => db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.Id == c.LatestInstructionId && i.Status == PaymentStatus.Failed))
                .OrderBy(c => c.ApplicationId).ThenBy(c => c.OpenedAt).ToListAsync(ct);
            if (awaiting.Count == 0)
                throw new OneCardException(ErrorKind.Conflict, "NothingToRepay",
                    applicationId is null ? "没有待再次支付的退票更正" : "该申报没有待再次支付的退票更正", "No correction awaits re-payment.");

            var beneficiaryIds = awaiting.Select(c => c.BeneficiaryId).Distinct().ToList();
            var accounts = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking()
                .Where(a => beneficiaryIds.Contains(a.BeneficiaryId) && a.ValidTo == null).ToDictionaryAsync(a => a.BeneficiaryId, ct);
            var latestIds = awaiting.Select(c => c.LatestInstructionId).ToList();
            var latest = await db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking().Where(i => latestIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
            var applicationIds = awaiting.Select(c => c.ApplicationId).Distinct().ToList();
            var applications = await db.Applications.IgnoreQueryFilters().AsNoTracking().Where(a => applicationIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
            var agreements = await db.BankAgreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).OrderByDescending(a => a.ValidFrom).ToListAsync(ct);

            var skipped = new List<Skipped>();
            var created = new List<CreatedBatch>();
            var payable = new List<(PaymentCorrection Correction, BeneficiaryAccount Account, BankAgreement Agreement)>();
            foreach (var c in awaiting)
            {
                var application = applications[c.ApplicationId];
                if (!accounts.TryGetValue(c.BeneficiaryId, out var account))
                {
                    skipped.Add(new Skipped(c.Id, c.Reference, "NoCurrentAccount", $"退票更正 {c.Reference}：该对象无在册一卡通账户，不能再次支付",
                        $"Returned payment {c.Reference}: the beneficiary has no OneCard account on record, so it cannot be paid again."));
                    continue;
                }
                var agreement = agreements.FirstOrDefault(a => a.AgentBankCode == account.AgentBankCode && a.Covers(c.PolicyCode, application.RegionCode, today));
                if (agreement is null)
                {
                    skipped.Add(new Skipped(c.Id, c.Reference, "NoCoveringAgreement",
                        $"退票更正 {c.Reference}：开户银行 {account.AgentBankCode} 与 {application.RegionCode} 无覆盖政策 {c.PolicyCode} 的有效代发协议，不能再次支付",
                        $"Returned payment {c.Reference}: bank {account.AgentBankCode} has no active agreement with {application.RegionCode} covering policy {c.PolicyCode}, so it cannot be paid again."));
                    continue;
                }
                payable.Add((c, account, agreement));
            }

            foreach (var group in payable.GroupBy(p => (p.Correction.ApplicationId, p.Account.AgentBankCode)))
            {
                var application = applications[group.Key.ApplicationId];
                var agreement = group.First().Agreement;
                var batchId = Guid.CreateVersion7();
                var instructions = new List<PaymentInstruction>();
                foreach (var (c, account, _) in group)
                {
                    var previous = latest[c.LatestInstructionId];
                    var instruction = new PaymentInstruction
                    {
                        Id = RowIds.Next(now), BatchId = batchId, Seq = instructions.Count + 1, ClaimLineId = c.ClaimLineId, BeneficiaryId = c.BeneficiaryId,
                        RegionCode = previous.RegionCode, PolicyCode = c.PolicyCode, Period = c.Period, Amount = c.Amount, PayeeName = account.HolderName,
                        AccountCipher = account.AccountCipher, AccountMasked = account.AccountMasked, AgentBankCode = account.AgentBankCode,
                        AccountType = account.Type, Attempt = previous.Attempt + 1, OriginalInstructionId = c.OriginalInstructionId, Status = PaymentStatus.Pending,
                    };
                    instructions.Add(instruction);
                    // Conditional: a concurrent request that paid this correction again first leaves nothing to move here.
                    var moved = await db.PaymentCorrections.Where(x => x.Id == c.Id && x.LatestInstructionId == previous.Id && x.Status == CorrectionStatus.AwaitingRepayment)
                        .ExecuteUpdateAsync(u => u.SetProperty(x => x.LatestInstructionId, instruction.Id), ct);
                    if (moved != 1)
                        throw new OneCardException(ErrorKind.Conflict, "RepaymentInFlight", $"退票更正 {c.Reference} 已由另一请求安排再次支付，请刷新后核对",
                            "Another request paid this correction again at the same time.");
                    await db.ClaimLines.IgnoreQueryFilters().Where(l => l.Id == c.ClaimLineId)
                        .ExecuteUpdateAsync(u => u.SetProperty(l => l.Outcome, LineOutcome.Instructed), ct);
                }
                var batch = new PaymentBatch
                {
                    Id = batchId, BatchNo = await PaymentBatchNumbers.NextAsync(db, local.Year, application.RegionCode, group.Key.AgentBankCode, ct),
                    ApplicationId = application.Id, RegionCode = application.RegionCode, AgentBankCode = group.Key.AgentBankCode, AgreementId = agreement.Id,
                    Kind = PaymentBatchKind.Repayment, PolicyCode = application.PolicyCode, Period = application.Period,
                    // Like a first batch: allocating until finance allocates it to budget indicators and releases it (the failed amount
                    // went back to the indicators when the original batch reconciled).
                    CreatedAt = now, ReleasedAt = null, Status = PaymentBatchStatus.Allocating,
                    LineCount = instructions.Count, TotalAmount = instructions.Sum(i => i.Amount), Instructions = instructions,
                };
                db.PaymentBatches.Add(batch);
                await audit.AppendAsync(db, user.ActorId, "RepaymentBatchCreated", SubjectKinds.PaymentBatch, batch.Id.ToString(), batch.RegionCode, new
                {
                    batch.BatchNo, lines = batch.LineCount, total = batch.TotalAmount, bank = batch.AgentBankCode,
                    corrections = group.Select(p => p.Correction.Reference), originals = group.Select(p => p.Correction.OriginalInstructionId),
                }, ct);
                await PaymentBatchCases.StartAsync(services, batch, ct);
                created.Add(new CreatedBatch(batch.Id, batch.BatchNo, batch.ApplicationId, batch.AgentBankCode, batch.LineCount, batch.TotalAmount));
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new Result(created, skipped);
        }
    }
}
