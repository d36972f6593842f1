using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Domain.Regions;
using OneCard.Host.Banks;
using OneCard.Host.Payments;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>
/// On entering payment: the case's payment instructions, one batch per (agent bank of the beneficiary's one-card account,
/// region), each under the agreement (代发协议) that covers that bank, region, policy and day.
/// </summary>
public sealed class CreatePaymentBatch(OneCardDbContext db, AuditWriter audit, UserContext user, RegionDirectory regions, IServiceProvider services) : IStepEffect
{

    public string Name => nameof(CreatePaymentBatch);

    /// <summary>
    /// One instruction per payable line, paid into the beneficiary's CURRENT one-card account (bank, account, holder, type).
    /// A line is rejected here with a located reason when the account has no agent bank of the registry, when no active
    /// agreement of that bank covers the line's region, the policy and today, or when the beneficiary is already instructed
    /// or paid for this policy and period (the unique index is the guarantee behind that check). Runs once per case.
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
        var accounts = await db.BeneficiaryAccounts.IgnoreQueryFilters().AsNoTracking()
            .Where(a => beneficiaryIds.Contains(a.BeneficiaryId) && a.ValidTo == null).ToDictionaryAsync(a => a.BeneficiaryId, ct);
        var alreadyPaid = (await db.PaymentInstructions.IgnoreQueryFilters()
            .Where(p => p.PolicyCode == application.PolicyCode && p.Period == application.Period && p.Status != PaymentStatus.Failed
                        && beneficiaryIds.Contains(p.BeneficiaryId))
            .Select(p => p.BeneficiaryId).ToListAsync(ct)).ToHashSet();

        var local = result.At.ToOffset(TimeSpan.FromHours(8));
        var today = DateOnly.FromDateTime(local.DateTime);
        var agreements = await db.BankAgreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).ToListAsync(ct);
        var banks = await db.AgentBanks.AsNoTracking().ToDictionaryAsync(b => b.Code, b => b.NameZh, ct);
        AgentBankNames.Directory? directory = null;
        var covering = new Dictionary<(string Bank, string Region), BankAgreement?>();
        BankAgreement? Covering(string bank, string region)
        {
            if (!covering.TryGetValue((bank, region), out var found))
                // The narrowest region's agreement first (a county's own before its city's), then the latest.
                covering[(bank, region)] = found = agreements
                    .Where(a => a.AgentBankCode == bank && a.Covers(application.PolicyCode, region, today))
                    .OrderByDescending(a => RegionScope.For(a.RegionCode).Prefix.Length).ThenByDescending(a => a.ValidFrom).FirstOrDefault();
            return found;
        }

        var groups = new SortedDictionary<(string Bank, string Region), List<PaymentInstruction>>();
        var batchIds = new Dictionary<(string Bank, string Region), Guid>();
        foreach (var line in lines)
        {
            var beneficiary = beneficiaries[line.BeneficiaryId];
            if (!accounts.TryGetValue(line.BeneficiaryId, out var account))
            {
                // A beneficiary stored before one-card accounts were recorded: its account columns, the bank matched by name.
                if (beneficiary.BankAccountCipher is null)
                {
                    application.Reject(line, "无有效银行账户，不能生成支付指令", "No bank account on file.");
                    continue;
                }
                directory ??= await BeneficiaryAccounts.DirectoryAsync(db, ct);
                account = new BeneficiaryAccount
                {
                    BeneficiaryId = beneficiary.Id, RegionCode = beneficiary.RegionCode,
                    AgentBankCode = directory.Match(beneficiary.BankName) ?? BeneficiaryAccounts.NoBank,
                    AccountCipher = beneficiary.BankAccountCipher, AccountMasked = beneficiary.BankAccountMasked ?? "", HolderName = beneficiary.Name,
                    Type = AccountType.BankCard, Source = "Beneficiary", ChangedBy = "system",
                };
            }
            if (account.AgentBankCode == BeneficiaryAccounts.NoBank)
            {
                var named = string.IsNullOrWhiteSpace(beneficiary.BankName) ? "未填写" : $"“{beneficiary.BankName}”";
                application.Reject(line, $"开户银行{named}不是登记的代发银行，不能生成支付指令（请核实开户银行或在代发银行登记中补充其名称）",
                    $"The account's bank ({beneficiary.BankName ?? "blank"}) is no registered agent bank.");
                continue;
            }
            var agreement = Covering(account.AgentBankCode, line.RegionCode);
            if (agreement is null)
            {
                var bankName = banks.GetValueOrDefault(account.AgentBankCode, account.AgentBankCode);
                application.Reject(line,
                    $"开户银行 {bankName}（{account.AgentBankCode}）在{regions.FullName(line.RegionCode)}没有覆盖本政策、于 {today:yyyy-MM-dd} 有效的代发协议，不能生成支付指令",
                    $"No active paying agreement of {account.AgentBankCode} covers region {line.RegionCode}, policy {application.PolicyCode} on {today:yyyy-MM-dd}.");
                continue;
            }
            if (alreadyPaid.Contains(line.BeneficiaryId))
            {
                application.Reject(line, "重复发放：该对象本政策本期已有支付指令", "Duplicate payment: already instructed for this policy and period.");
                continue;
            }
            var key = (account.AgentBankCode, line.RegionCode);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
                batchIds[key] = Guid.CreateVersion7();
            }
            line.Outcome = LineOutcome.Instructed;
            group.Add(new PaymentInstruction
            {
                Id = RowIds.Next(result.At), BatchId = batchIds[key], Seq = group.Count + 1, ClaimLineId = line.Id,
                BeneficiaryId = line.BeneficiaryId, RegionCode = line.RegionCode, PolicyCode = line.PolicyCode, Period = line.Period,
                Amount = line.Amount ?? 0m, PayeeName = account.HolderName, AccountCipher = account.AccountCipher,
                AccountMasked = account.AccountMasked, AgentBankCode = account.AgentBankCode, AccountType = account.Type, Status = PaymentStatus.Pending,
            });
        }

        foreach (var ((bank, region), instructions) in groups)
        {
            var agreement = Covering(bank, region)!;
            var batch = new PaymentBatch
            {
                Id = batchIds[(bank, region)], BatchNo = await PaymentBatchNumbers.NextAsync(db, local.Year, region, bank, ct),
                ApplicationId = application.Id, RegionCode = region, AgentBankCode = bank, AgreementId = agreement.Id,
                Kind = PaymentBatchKind.First, PolicyCode = application.PolicyCode, Period = application.Period,
                CreatedAt = result.At, ReleasedAt = null, Status = PaymentBatchStatus.Allocating,
                LineCount = instructions.Count, TotalAmount = instructions.Sum(i => i.Amount), Instructions = instructions,
            };
            db.PaymentBatches.Add(batch);
            await audit.AppendAsync(db, user.ActorId, "PaymentBatchCreated", SubjectKinds.PaymentBatch, batch.Id.ToString(), region,
                new { batch.BatchNo, lines = batch.LineCount, total = batch.TotalAmount, bank, agreement = agreement.AgreementNo }, ct);
            await PaymentBatchCases.StartAsync(services, batch, ct);
        }
    }
}
