using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Cases;
using OneCard.Domain.Notices;
using OneCard.Domain.Payments;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Payments;

/// <summary>
/// The minutely, re-entrant sweep that ties bank results to corrections and notices without touching the import code:
/// (1) opens a correction case for each first failed instruction of a reconciled batch that has none; (2) moves each
/// correction awaiting re-payment whose re-payment got its result; (3) writes one payment notice (补贴信息告知) per paid
/// instruction to the outbox; (4) publishes each application whose payments all have their results but whose case has not
/// moved on (<see cref="Publication"/>: its job was lost, or is still queued). It reads ids only, and each write is keyed
/// (unique correction per original instruction, unique notice per instruction) or conditional (the case moves only from the
/// step it was read in), so a sweep killed midway, run twice or on two hosts at once does each thing once. Tests call
/// <see cref="RunAsync"/> directly.
/// </summary>
public sealed class CorrectionSweep(IServiceScopeFactory scopes, Publication publication, ILogger<CorrectionSweep> log)
{
    public const string RecurringId = "payment-correction-sweep";
    private const int NoticeChunk = 200;
    private const string Name = "Correction sweep";

    /// <summary>What one run did; <c>Failed</c> counts the items whose own work threw (logged, left for the next run).</summary>
    public sealed record Outcome(int Opened, int Moved, int Notices, int Published = 0, int Failed = 0);

    /// <summary>The recurring job: a run in which any item failed ends as a failed job (after every other item was done), so it shows.</summary>
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(120)]
    public async Task RunJobAsync(CancellationToken ct)
    {
        if ((await RunAsync(ct)).Failed is var failed and > 0) throw SweepItems.Failure(Name, failed);
    }

    /// <summary>One run; each item is its own unit of work (<see cref="SweepItems"/>): one that fails is logged and counted.</summary>
    public async Task<Outcome> RunAsync(CancellationToken ct)
    {
        var items = new SweepItems(Name, log, ct);

        var opened = 0;
        foreach (var id in await ReadAsync(db => db.PaymentInstructions.IgnoreQueryFilters()
                     .Where(i => i.OriginalInstructionId == null && i.Status == PaymentStatus.Failed)
                     .Where(i => db.PaymentBatches.IgnoreQueryFilters().Any(b => b.Id == i.BatchId && b.Status == PaymentBatchStatus.Reconciled))
                     .Where(i => !db.PaymentCorrections.IgnoreQueryFilters().Any(c => c.OriginalInstructionId == i.Id))
                     .OrderBy(i => i.BatchId).ThenBy(i => i.Seq).Select(i => i.Id).ToListAsync(ct)))
            if (await items.RunAsync("opening the correction of instruction", id, () => OpenAsync(id, ct))) opened++;

        var moved = 0;
        foreach (var id in await ReadAsync(db => db.PaymentCorrections.IgnoreQueryFilters()
                     .Where(c => c.Status == CorrectionStatus.AwaitingRepayment)
                     .Where(c => db.PaymentInstructions.IgnoreQueryFilters().Any(i => i.Id == c.LatestInstructionId && i.Status != PaymentStatus.Pending))
                     .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct)))
            if (await items.RunAsync("moving correction", id, () => MoveAsync(id, ct))) moved++;

        var notices = 0;
        var unwritten = new List<Guid>(); // failed in this run: not read again
        while (true)
        {
            // The query runs (and reads the list) before this loop adds to it again.
            var ids = await ReadAsync(db => db.PaymentInstructions.IgnoreQueryFilters()
                .Where(i => i.Status == PaymentStatus.Succeeded && !db.PaymentNotices.Any(n => n.InstructionId == i.Id) && !unwritten.Contains(i.Id))
                .OrderBy(i => i.Id).Select(i => i.Id).Take(NoticeChunk).ToListAsync(ct));
            if (ids.Count == 0) break;
            var before = unwritten.Count;
            var written = await NoticesAsync(ids, unwritten, items, ct);
            notices += written;
            if (written == 0 && unwritten.Count == before) break; // another sweep took them all; the next run finds what is left
        }
        var published = 0;
        foreach (var id in await publication.WaitingAsync(ct))
            if (await items.RunAsync("publishing application", id, async () => await publication.RunAsync(id, ct) is not null)) published++;

        if (opened + moved + notices + published + items.Failed > 0)
            log.LogInformation("Correction sweep: {Opened} opened, {Moved} moved, {Notices} notices, {Published} published, {Failed} failed",
                opened, moved, notices, published, items.Failed);
        return new Outcome(opened, moved, notices, published, items.Failed);
    }

    private async Task<T> ReadAsync<T>(Func<OneCardDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        return await query(scope.ServiceProvider.GetRequiredService<OneCardDbContext>());
    }

    /// <summary>Opens the correction of one returned line and starts its case, in one transaction; false if one exists already.</summary>
    private async Task<bool> OpenAsync(Guid instructionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<UserContext>().SetSystem();
        var db = sp.GetRequiredService<OneCardDbContext>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var instruction = await db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == instructionId, ct);
            if (await db.PaymentCorrections.IgnoreQueryFilters().AnyAsync(c => c.OriginalInstructionId == instructionId, ct)) return false;
            var batch = await db.PaymentBatches.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.Id == instruction.BatchId, ct);
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            var correction = new PaymentCorrection
            {
                Id = RowIds.Next(now), Reference = $"TP-{batch.BatchNo}-{instruction.Seq}", OriginalInstructionId = instruction.Id,
                LatestInstructionId = instruction.Id, ClaimLineId = instruction.ClaimLineId, BeneficiaryId = instruction.BeneficiaryId,
                ApplicationId = batch.ApplicationId, RegionCode = instruction.RegionCode, PolicyCode = instruction.PolicyCode, Period = instruction.Period,
                Amount = instruction.Amount, AgentBankCode = instruction.AgentBankCode ?? batch.AgentBankCode, BankReason = instruction.BankMessage ?? "",
                Attempts = 1, Status = CorrectionStatus.Verifying, OpenedAt = now,
            };
            db.PaymentCorrections.Add(correction);
            await sp.GetRequiredService<AuditWriter>().AppendAsync(db, Actor.System.UserId, "PaymentCorrectionOpened", SubjectKinds.PaymentCorrection,
                correction.Id.ToString(), correction.RegionCode,
                new { correction.Reference, instruction = instruction.Id, batch = batch.BatchNo, instruction.Seq, correction.Amount, reason = correction.BankReason }, ct);
            var definition = sp.GetRequiredService<WorkflowCatalog>().Latest(Corrections.DefinitionId);
            await sp.GetRequiredService<CaseEngine>().StartAsync(
                new CaseEngine.NewCase(Corrections.Subject(correction.Id), correction.Reference, correction.RegionCode, correction.PolicyCode), definition, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await ExistsAsync(instructionId, ct)) return false; // a concurrent sweep opened it first (the unique index on the original instruction)
            throw;
        }
    }

    private Task<bool> ExistsAsync(Guid instructionId, CancellationToken ct) =>
        ReadAsync(db => db.PaymentCorrections.IgnoreQueryFilters().AnyAsync(c => c.OriginalInstructionId == instructionId, ct));

    /// <summary>Moves a correction whose re-payment has its result, as the system, from the step it is in; false if nothing moved.</summary>
    private async Task<bool> MoveAsync(Guid correctionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<UserContext>().SetSystem();
        var db = sp.GetRequiredService<OneCardDbContext>();
        var engine = sp.GetRequiredService<CaseEngine>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await engine.MoveOnAsSystemAsync(Corrections.Subject(correctionId), ct);
        if (result is null) return false;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        engine.AfterCommit(result, Corrections.Subject(correctionId));
        return true;
    }

    /// <summary>
    /// Writes the payment notice and its outbox message of each paid instruction in one transaction; if that fails (another
    /// sweep wrote one of them meanwhile: the unique index on the instruction; or one of them cannot be written), the chunk
    /// is written one by one: a notice another sweep wrote is skipped, one that fails otherwise is logged and added to
    /// <paramref name="unwritten"/> for the next run.
    /// </summary>
    private async Task<int> NoticesAsync(IReadOnlyList<Guid> instructionIds, List<Guid> unwritten, SweepItems items, CancellationToken ct)
    {
        try
        {
            return await WriteNoticesAsync(instructionIds, ct);
        }
        catch (Exception e) when (instructionIds.Count == 1 && items.Isolated(e))
        {
            var id = instructionIds[0];
            if (e is DbUpdateException && await ReadAsync(db => db.PaymentNotices.AnyAsync(n => n.InstructionId == id, ct))) return 0;
            unwritten.Add(id);
            items.Fail(e, "writing the payment notice of instruction", id);
            return 0;
        }
        catch (Exception e) when (items.Isolated(e)) { } // more than one: one by one below
        var written = 0;
        foreach (var id in instructionIds) written += await NoticesAsync([id], unwritten, items, ct);
        return written;
    }

    private async Task<int> WriteNoticesAsync(IReadOnlyList<Guid> instructionIds, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<UserContext>().SetSystem();
        var db = sp.GetRequiredService<OneCardDbContext>();
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var paid = await db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking()
            .Where(i => instructionIds.Contains(i.Id) && i.Status == PaymentStatus.Succeeded && !db.PaymentNotices.Any(n => n.InstructionId == i.Id))
            .Join(db.PaymentBatches.IgnoreQueryFilters(), i => i.BatchId, b => b.Id, (i, b) => new { Instruction = i, b.AgentBankCode, b.RegionCode })
            .ToListAsync(ct);
        if (paid.Count == 0) return 0;
        var policies = await db.Policies.IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(p => p.Code, p => p.NameZh, ct);
        var banks = await db.AgentBanks.AsNoTracking().ToDictionaryAsync(b => b.Code, b => b.NameZh, ct);
        foreach (var p in paid.OrderBy(p => p.Instruction.Id))
        {
            var i = p.Instruction;
            var bank = i.AgentBankCode ?? p.AgentBankCode;
            var text = PaymentNoticeText(policies.GetValueOrDefault(i.PolicyCode, i.PolicyCode), i.Period, i.Amount,
                banks.GetValueOrDefault(bank, bank), i.AccountMasked, i.ResultAt ?? now);
            var message = new OutboxMessage
            {
                Id = RowIds.Next(now), Channel = OutboxChannels.Sms, Recipient = BeneficiaryRecipient(i.BeneficiaryId), Text = text, CreatedAt = now,
            };
            db.OutboxMessages.Add(message);
            db.PaymentNotices.Add(new PaymentNotice
            {
                Id = RowIds.Next(now), InstructionId = i.Id, BeneficiaryId = i.BeneficiaryId, RegionCode = i.RegionCode, PolicyCode = i.PolicyCode,
                Period = i.Period, Amount = i.Amount, AgentBankCode = bank, AccountMasked = i.AccountMasked, Text = text, OutboxMessageId = message.Id, CreatedAt = now,
            });
        }
        foreach (var region in paid.GroupBy(p => p.RegionCode))
            await sp.GetRequiredService<AuditWriter>().AppendAsync(db, Actor.System.UserId, "PaymentNoticesQueued", "PaymentNotice", region.Key, region.Key,
                new { count = region.Count(), instructions = region.Select(p => p.Instruction.Id) }, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return paid.Count;
    }

    /// <summary>
    /// The outbox address of a beneficiary: beneficiaries carry no phone number yet, so the SMS adapter maps this id to the
    /// number on the one-card record when it sends.
    /// </summary>
    public static string BeneficiaryRecipient(Guid beneficiaryId) => $"beneficiary:{beneficiaryId}";

    /// <summary>补贴信息告知: policy, period, amount, bank and masked account — nothing else personal.</summary>
    public static string PaymentNoticeText(string policyName, string period, decimal amount, string bankName, string accountMasked, DateTimeOffset paidAt) =>
        $"补贴信息告知：您的{policyName}（{period}期）补贴 {amount:#,0.00} 元已于 {paidAt.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd} 由{bankName}发放至账户 {accountMasked}，请注意查收。";
}
