using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Domain.Payments;
using OneCard.Domain.Users;
using OneCard.Persistence;

namespace OneCard.Host.Payments;

/// <summary>
/// Reconciliation (对账) of a case's payments, per case (by claim line, across attempts) and per batch (by instruction).
/// <para>
/// Per batch, every instruction is in exactly one state: <b>instructed = paid + failed + pending</b>, in count and in amount.
/// Of its paid, <c>Repaid</c> are re-payments (attempt &gt; 1); of its failed, <c>Closed</c> ended a correction closed unpaid.
/// </para>
/// <para>
/// Per case, each instructed line counts once, by its first instruction's amount (a re-payment pays the same amount):
/// <b>instructed = paid + failed + pending</b> (the first attempts, as the first batches say), and every returned line is
/// re-paid, closed or still in correction: <b>failed = repaid + closed + inCorrection</b>. Hence what is left outstanding is
/// <b>instructed − paid − repaid − closed = pending + inCorrection</b>. <c>Balanced</c> states both identities hold, to the
/// cent; a line paid twice or a re-payment not tied to its original would break them.
/// </para>
/// </summary>
public static class Reconciliation
{
    public sealed record Figure(int Count, decimal Amount)
    {
        public static Figure Of(IEnumerable<decimal> amounts)
        {
            var list = amounts.ToList();
            return new Figure(list.Count, list.Sum());
        }

        public static Figure operator +(Figure a, Figure b) => new(a.Count + b.Count, a.Amount + b.Amount);
    }

    public sealed record CaseFigures(Figure Instructed, Figure Paid, Figure Failed, Figure Repaid, Figure Closed, Figure Pending, Figure InCorrection,
        Figure Outstanding, bool Balanced);
    public sealed record BatchFigures(Guid Id, string BatchNo, string Kind, string AgentBankCode, string Status, Figure Instructed, Figure Paid,
        Figure Failed, Figure Pending, Figure Repaid, Figure Closed, bool Balanced);
    public sealed record Report(Guid ApplicationId, string ApplicationNo, string PolicyCode, string Period, CaseFigures Case, IReadOnlyList<BatchFigures> Batches);

    public static void MapReconciliation(this RouteGroupBuilder api)
    {
        api.MapGet("/payments/reconciliation", async (Guid applicationId, Handler h, CancellationToken ct) => TypedResults.Ok(await h.ForApplicationAsync(applicationId, ct)))
            .WithName("GetReconciliation")
            .WithSummary("Reconciliation per case and per batch: instructed, paid, failed, re-paid, pending, closed — counts and amounts, balancing to the cent")
            .RequireAuthorization(p => p.RequireRole(Roles.FinanceReviewer, Roles.Supervisor));
    }

    public sealed class Handler(OneCardDbContext db)
    {
        public async Task<Report> ForApplicationAsync(Guid applicationId, CancellationToken ct)
        {
            var application = await db.Applications.AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, ct)
                              ?? throw OneCardException.NotFound("Application", "申报");
            var batches = await db.PaymentBatches.AsNoTracking().Include(b => b.Instructions).Where(b => b.ApplicationId == applicationId)
                .OrderBy(b => b.CreatedAt).ThenBy(b => b.BatchNo).ToListAsync(ct);
            var corrections = await db.PaymentCorrections.AsNoTracking().Where(c => c.ApplicationId == applicationId)
                .Select(c => new { c.OriginalInstructionId, c.LatestInstructionId, c.Status }).ToListAsync(ct);
            return new Report(application.Id, application.Number, application.PolicyCode, application.Period,
                Compute(batches.SelectMany(b => b.Instructions).ToList(),
                    corrections.Where(c => c.Status == CorrectionStatus.Closed).Select(c => c.OriginalInstructionId).ToHashSet()),
                [.. batches.Select(b => Batch(b, corrections.Where(c => c.Status == CorrectionStatus.Closed).Select(c => c.LatestInstructionId).ToHashSet()))]);
        }

        /// <summary>The batch's own figures; <paramref name="closedLatest"/> are the last instructions of corrections closed unpaid.</summary>
        public static BatchFigures Batch(PaymentBatch b, IReadOnlySet<Guid> closedLatest)
        {
            var all = b.Instructions;
            Figure Where(Func<PaymentInstruction, bool> p) => Figure.Of(all.Where(p).Select(i => i.Amount));
            var instructed = Where(_ => true);
            var paid = Where(i => i.Status == PaymentStatus.Succeeded);
            var failed = Where(i => i.Status == PaymentStatus.Failed);
            var pending = Where(i => i.Status == PaymentStatus.Pending);
            return new BatchFigures(b.Id, b.BatchNo, b.Kind.ToString(), b.AgentBankCode, b.Status.ToString(), instructed, paid, failed, pending,
                Where(i => i.Status == PaymentStatus.Succeeded && i.Attempt > 1), Where(i => i.Status == PaymentStatus.Failed && closedLatest.Contains(i.Id)),
                instructed == paid + failed + pending && instructed.Count == b.LineCount && instructed.Amount == b.TotalAmount);
        }

        /// <summary>
        /// The case's figures from all its instructions. A line is identified by its first instruction (attempt 1); a
        /// re-payment belongs to the line of <see cref="PaymentInstruction.OriginalInstructionId"/>.
        /// </summary>
        public static CaseFigures Compute(IReadOnlyList<PaymentInstruction> instructions, IReadOnlySet<Guid> closedOriginals)
        {
            var firsts = instructions.Where(i => i.OriginalInstructionId is null).ToList();
            var repaidOriginals = instructions.Where(i => i.OriginalInstructionId is not null && i.Status == PaymentStatus.Succeeded)
                .Select(i => i.OriginalInstructionId!.Value).ToHashSet();
            Figure Of(Func<PaymentInstruction, bool> p) => Figure.Of(firsts.Where(p).Select(i => i.Amount));
            var instructed = Of(_ => true);
            var paid = Of(i => i.Status == PaymentStatus.Succeeded);
            var failed = Of(i => i.Status == PaymentStatus.Failed);
            var pending = Of(i => i.Status == PaymentStatus.Pending);
            var repaid = Of(i => i.Status == PaymentStatus.Failed && repaidOriginals.Contains(i.Id));
            var closed = Of(i => i.Status == PaymentStatus.Failed && !repaidOriginals.Contains(i.Id) && closedOriginals.Contains(i.Id));
            var inCorrection = Of(i => i.Status == PaymentStatus.Failed && !repaidOriginals.Contains(i.Id) && !closedOriginals.Contains(i.Id));
            var outstanding = pending + inCorrection;
            var balanced = instructed == paid + failed + pending && failed == repaid + closed + inCorrection
                           && instructed == paid + repaid + closed + outstanding
                           // No line paid twice: at most one paid instruction per line, across attempts.
                           && instructions.Where(i => i.Status == PaymentStatus.Succeeded).GroupBy(i => i.OriginalInstructionId ?? i.Id).All(g => g.Count() == 1);
            return new CaseFigures(instructed, paid, failed, repaid, closed, pending, inCorrection, outstanding, balanced);
        }
    }
}
