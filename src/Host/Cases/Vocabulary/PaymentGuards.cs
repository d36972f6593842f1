using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Calendar;
using OneCard.Host.Payments;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>
/// The payment batch is covered by budget indicators: its net allocations equal its total, and no indicator it draws on is
/// overdrawn (remaining below zero). The allocation API refuses what would break it; the guard checks again at release.
/// </summary>
public sealed class WithinIndicators : IGuard
{
    public string Name => nameof(WithinIndicators);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct)
    {
        var db = context.Db;
        var batch = await db.PaymentBatches.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(b => b.Id == context.Subject.Id, ct);
        if (batch is null) return false;
        var held = await IndicatorLedger.HeldByBatchAsync(db, batch.Id, ct);
        if (held.Values.Sum() != batch.TotalAmount || held.Values.Any(v => v < 0)) return false;
        var ids = held.Keys.ToList();
        var indicators = await db.BudgetIndicators.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        var figures = await IndicatorLedger.FiguresAsync(db, indicators, ct);
        return indicators.Count == ids.Count && figures.Values.All(f => f.Remaining >= 0);
    }
}

/// <summary>
/// On entering the bank's step: the batch is released to the bank (its file may be downloaded from now on), and the bank's
/// time to confirm is the one its agreement promises (<see cref="BankAgreement.ConfirmWithinWorkingDays"/>), not the step's
/// default: the late-payment watch, the list and the bank's report all read the case's due time.
/// </summary>
public sealed class ReleaseBatch(OneCardDbContext db, AuditWriter audit, UserContext user, CalendarProvider calendars) : IStepEffect
{
    public string Name => nameof(ReleaseBatch);

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var batchId = PaymentBatchOf(context);
        var at = context.Result.At;
        var agreementDays = await (from b in db.PaymentBatches.IgnoreQueryFilters()
                                   join a in db.BankAgreements.IgnoreQueryFilters() on b.AgreementId equals a.Id
                                   where b.Id == batchId
                                   select a.ConfirmWithinWorkingDays).SingleAsync(ct);
        // Set on every entry (a retried transition computes the same instant from the same entry time).
        if (context.Step.TimeLimit is { Unit: TimeUnit.WorkingDays } && agreementDays > 0)
            context.Instance.StepDueAt = calendars.Current.Deadline(at, new TimeLimit(agreementDays, TimeUnit.WorkingDays), null).DueAt;
        // Conditional: a batch already released (a retried transition) keeps its first release time.
        var released = await db.PaymentBatches.IgnoreQueryFilters().Where(b => b.Id == batchId && b.Status == PaymentBatchStatus.Allocating)
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, PaymentBatchStatus.Instructed).SetProperty(b => b.ReleasedAt, at), ct);
        if (released == 0) return;
        var batch = await db.PaymentBatches.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.Id == batchId, ct);
        var held = await IndicatorLedger.HeldByBatchAsync(db, batchId, ct);
        await audit.AppendAsync(db, user.ActorId, "PaymentBatchReleased", SubjectKinds.PaymentBatch,
            batchId.ToString(), batch.RegionCode, new { batch.BatchNo, total = batch.TotalAmount, dueAt = context.Instance.StepDueAt, confirmWithinWorkingDays = agreementDays, indicators = held.Select(h => new { indicatorId = h.Key, amount = h.Value }) }, ct);
    }

    internal static Guid PaymentBatchOf(EffectContext context) => context.Instance.SubjectKind == SubjectKinds.PaymentBatch
        ? context.Instance.SubjectId
        : throw new InvalidOperationException($"Effect for payment batches entered on a {context.Instance.SubjectKind} ({context.Instance.DefinitionId} step {context.Step.Name}).");
}

/// <summary>
/// On reconciliation: the batch's failed amount (退票) goes back to the indicators it was drawn on, so what the indicators
/// show as paid is what the bank paid. Deterministic order: the indicators by 文号 then id (ordinal), each given back at
/// most what the batch holds on it. One Return entry per indicator and batch (its source key), so a retry writes none.
/// </summary>
public sealed class ReturnFailedAmounts(OneCardDbContext db, AuditWriter audit) : IStepEffect
{
    public string Name => nameof(ReturnFailedAmounts);

    /// <summary>The source key of the return of a reconciled batch's failed amount to one indicator.</summary>
    public static string SourceKey(Guid batchId, Guid indicatorId) => $"reconciled:{batchId:N}:{indicatorId:N}";

    public async Task RunAsync(EffectContext context, CancellationToken ct)
    {
        var batchId = ReleaseBatch.PaymentBatchOf(context);
        var batch = await db.PaymentBatches.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.Id == batchId, ct);
        var failed = (await db.PaymentInstructions.IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.BatchId == batchId && p.Status == PaymentStatus.Failed).Select(p => p.Amount).ToListAsync(ct)).Sum();
        if (failed == 0) return;
        var held = await IndicatorLedger.HeldByBatchAsync(db, batchId, ct);
        var ids = held.Keys.ToList();
        var indicators = await db.BudgetIndicators.IgnoreQueryFilters().AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        var keys = indicators.Select(i => SourceKey(batchId, i.Id)).ToList();
        if (await db.IndicatorEntries.IgnoreQueryFilters().AnyAsync(e => keys.Contains(e.SourceKey), ct)) return;
        var left = failed;
        var returned = new List<object>();
        foreach (var indicator in indicators.OrderBy(i => i.DocumentNo, StringComparer.Ordinal).ThenBy(i => i.Id))
        {
            if (left == 0) break;
            var amount = Math.Min(left, held[indicator.Id]);
            if (amount <= 0) continue;
            db.IndicatorEntries.Add(new IndicatorEntry
            {
                Id = Guid.CreateVersion7(), IndicatorId = indicator.Id, BatchId = batchId, Kind = IndicatorEntryKind.Return, Amount = amount,
                RegionCode = indicator.RegionCode, At = context.Result.At, By = Actor.System.UserId, SourceKey = SourceKey(batchId, indicator.Id),
            });
            returned.Add(new { indicator.DocumentNo, indicatorId = indicator.Id, amount });
            left -= amount;
        }
        if (returned.Count == 0) return;
        await audit.AppendAsync(db, Actor.System.UserId, "IndicatorFailedAmountReturned", SubjectKinds.PaymentBatch, batchId.ToString(), batch.RegionCode,
            new { batch.BatchNo, failed, returned, notCovered = left }, ct);
    }
}
