using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Notices;
using OneCard.Domain.Payments;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Supervision;

/// <summary>
/// Each agent bank's performance per month (银行履约): batches released to it, their lines, how long it took to confirm them
/// (release → reconciled), how many lines it failed, and how many batches it let go late (marked late by the deadline sweep)
/// or so late that they escalated. A batch counts in the month (China time) it was released.
/// </summary>
public static class BankPerformance
{
    /// <summary>The audit action of the sweep's late mark on a System step (see <c>DeadlineSweepJob</c>).</summary>
    public const string LateMark = "StepOverdue";

    /// <param name="Year">The calendar year (China time); null: this year.</param>
    /// <param name="Region">A region (6- or 9-digit code) inside the user's scope; null: the whole scope.</param>
    /// <param name="Bank">An agent bank's code; null: every bank.</param>
    public sealed record Filter(int? Year = null, string? Region = null, string? Bank = null);

    /// <summary>One bank's figures for one month, or (<see cref="Month"/> null) for the whole year.</summary>
    /// <param name="Month">1–12; null on a bank's total row.</param>
    /// <param name="Confirmed">Batches with every line's result (reconciled).</param>
    /// <param name="AverageConfirmHours">Mean hours from release to reconciliation over the confirmed batches, one decimal; null when none.</param>
    /// <param name="MaxConfirmHours">The longest of those, one decimal; null when none.</param>
    /// <param name="FailureRate">Failed lines over lines with a result (paid + failed), 0–1 to four places; null when no line has one.</param>
    /// <param name="Late">Batches the sweep marked late (not confirmed within the time limit).</param>
    /// <param name="Escalated">Batches still unconfirmed after the grace, escalated to the supervisors.</param>
    public sealed record Row(string AgentBankCode, string BankName, int? Month, int Batches, int Lines, decimal Amount, int Confirmed,
        double? AverageConfirmHours, double? MaxConfirmHours, int Paid, int Failed, double? FailureRate, int Late, int Escalated);

    public sealed record Report(int Year, IReadOnlyList<Row> Rows, IReadOnlyList<Row> Totals);

    public static void MapBankPerformance(this RouteGroupBuilder api)
    {
        var supervision = api.MapGroup("/supervision").RequireAuthorization(p => p.RequireRole(Roles.Supervisor, Roles.Administrator, Roles.FinanceReviewer));
        supervision.MapGet("/bank-performance", async Task<Ok<Report>> (int? year, string? region, string? bank, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(new Filter(year, region, bank), ct)))
            .WithName("BankPerformance").WithSummary("Per agent bank and month: batches, lines, time to confirm, failure rate, late and escalated batches");
    }

    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, TimeProvider time)
    {
        public async Task<Report> GetAsync(Filter filter, CancellationToken ct)
        {
            var year = filter.Year ?? WorkingDayCalendar.LocalDate(time.GetUtcNow()).Year;
            if (year is < 2000 or > 2100)
                throw new OneCardException(ErrorKind.Invalid, "YearOutOfRange", $"参数 year：年份 {year} 超出范围（2000–2100）", $"Year {year} is out of range.");
            var prefix = LatePayments.ScopePrefix(filter.Region, user.Required, regions);
            var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, WorkingDayCalendar.Offset);
            var to = from.AddYears(1);

            // The query filters keep batches and instructions to the user's region (and department).
            var batches = db.PaymentBatches.AsNoTracking().Where(b => b.ReleasedAt != null && b.ReleasedAt >= from && b.ReleasedAt < to);
            if (prefix is not null) batches = batches.Where(b => b.RegionCode.StartsWith(prefix));
            if (!string.IsNullOrWhiteSpace(filter.Bank)) batches = batches.Where(b => b.AgentBankCode == filter.Bank);

            var rows = await batches.Select(b => new { b.Id, b.AgentBankCode, ReleasedAt = b.ReleasedAt!.Value, b.ReconciledAt, b.LineCount, b.TotalAmount })
                .ToListAsync(ct);
            var results = await (from i in db.PaymentInstructions.AsNoTracking()
                                  join b in batches on i.BatchId equals b.Id
                                  where i.Status != PaymentStatus.Pending
                                  group i by new { i.BatchId, i.Status } into g
                                  select new { g.Key.BatchId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
            var ids = rows.Select(r => r.Id.ToString()).ToList();
            var marks = await db.AuditLog.AsNoTracking()
                .Where(a => a.EntityType == SubjectKinds.PaymentBatch && (a.Action == LateMark || a.Action == NoticeKinds.StepEscalated) && ids.Contains(a.EntityId))
                .Select(a => new { a.EntityId, a.Action }).Distinct().ToListAsync(ct);
            var late = marks.Where(m => m.Action == LateMark).Select(m => Guid.Parse(m.EntityId)).ToHashSet();
            var escalated = marks.Where(m => m.Action == NoticeKinds.StepEscalated).Select(m => Guid.Parse(m.EntityId)).ToHashSet();
            var paid = results.Where(r => r.Status == PaymentStatus.Succeeded).ToDictionary(r => r.BatchId, r => r.Count);
            var failed = results.Where(r => r.Status == PaymentStatus.Failed).ToDictionary(r => r.BatchId, r => r.Count);
            var names = await LatePayments.BankNamesAsync(db, [.. rows.Select(r => r.AgentBankCode).Distinct()], ct);

            var figures = rows.Select(r => new Batch(r.AgentBankCode, WorkingDayCalendar.LocalDate(r.ReleasedAt).Month, r.LineCount, r.TotalAmount,
                r.ReconciledAt is { } at ? (at - r.ReleasedAt).TotalHours : null, paid.GetValueOrDefault(r.Id), failed.GetValueOrDefault(r.Id),
                late.Contains(r.Id), escalated.Contains(r.Id))).ToList();
            Row Sum(string bank, int? month, IReadOnlyCollection<Batch> group)
            {
                var confirm = group.Where(b => b.ConfirmHours is not null).Select(b => b.ConfirmHours!.Value).ToList();
                int p = group.Sum(b => b.Paid), f = group.Sum(b => b.Failed);
                return new Row(bank, names.GetValueOrDefault(bank, bank), month, group.Count, group.Sum(b => b.Lines), group.Sum(b => b.Amount), confirm.Count,
                    confirm.Count == 0 ? null : Math.Round(confirm.Average(), 1), confirm.Count == 0 ? null : Math.Round(confirm.Max(), 1), p, f,
                    p + f == 0 ? null : Math.Round((double)f / (p + f), 4), group.Count(b => b.Late), group.Count(b => b.Escalated));
            }

            var byMonth = figures.GroupBy(b => (b.Bank, b.Month)).OrderBy(g => g.Key.Bank, StringComparer.Ordinal).ThenBy(g => g.Key.Month)
                .Select(g => Sum(g.Key.Bank, g.Key.Month, [.. g])).ToList();
            var totals = figures.GroupBy(b => b.Bank).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Sum(g.Key, null, [.. g])).ToList();
            return new Report(year, byMonth, totals);
        }

        private sealed record Batch(string Bank, int Month, int Lines, decimal Amount, double? ConfirmHours, int Paid, int Failed, bool Late, bool Escalated);
    }
}
