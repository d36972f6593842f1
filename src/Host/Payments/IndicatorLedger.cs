using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Payments;
using OneCard.Persistence;

namespace OneCard.Host.Payments;

/// <summary>
/// Reads budget indicators' figures from their ledger, and locks indicator rows for a write that must see what is left. The
/// ledger is read whole for the indicators asked (sums in memory: SQLite stores decimals as scaled integers), across
/// region and department filters, since an indicator's figures are the same whoever reads them.
/// </summary>
public static class IndicatorLedger
{
    /// <summary>The figures of each of <paramref name="indicators"/> now.</summary>
    public static async Task<IReadOnlyDictionary<Guid, IndicatorFigures>> FiguresAsync(OneCardDbContext db, IReadOnlyCollection<BudgetIndicator> indicators,
        CancellationToken ct)
    {
        var ids = indicators.Select(i => i.Id).ToList();
        var entries = await (from e in db.IndicatorEntries.IgnoreQueryFilters().AsNoTracking()
                             join b in db.PaymentBatches.IgnoreQueryFilters() on e.BatchId equals b.Id
                             where ids.Contains(e.IndicatorId)
                             select new { e.IndicatorId, e.Kind, e.Amount, b.Status }).ToListAsync(ct);
        var byIndicator = entries.ToLookup(e => e.IndicatorId);
        return indicators.ToDictionary(i => i.Id, i => IndicatorFigures.From(i.Amount,
            byIndicator[i.Id].Select(e => (e.Kind == IndicatorEntryKind.Allocate ? e.Amount : -e.Amount, e.Status == PaymentBatchStatus.Reconciled))));
    }

    /// <summary>What the batch holds on each indicator now (net of its entries); indicators it holds nothing on are left out.</summary>
    public static async Task<IReadOnlyDictionary<Guid, decimal>> HeldByBatchAsync(OneCardDbContext db, Guid batchId, CancellationToken ct)
    {
        var entries = await db.IndicatorEntries.IgnoreQueryFilters().AsNoTracking().Where(e => e.BatchId == batchId)
            .Select(e => new { e.IndicatorId, e.Kind, e.Amount }).ToListAsync(ct);
        return entries.GroupBy(e => e.IndicatorId)
            .Select(g => (g.Key, Net: g.Sum(e => e.Kind == IndicatorEntryKind.Allocate ? e.Amount : -e.Amount)))
            .Where(x => x.Net != 0).ToDictionary(x => x.Key, x => x.Net);
    }

    /// <summary>
    /// Locks the indicator rows until the transaction ends, in id order (so two allocations drawing on the same indicators
    /// cannot deadlock); a second writer then reads the ledger as the first committed it. SQLite has one writer.
    /// </summary>
    public static async Task LockAsync(OneCardDbContext db, IEnumerable<Guid> indicatorIds, CancellationToken ct)
    {
        if (!db.IsPostgres) return;
        foreach (var id in indicatorIds.Distinct().Order())
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"BudgetIndicators\" WHERE \"Id\" = {id} FOR UPDATE", ct);
    }
}
