using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Payments;

namespace OneCard.Host.Cases.Vocabulary;

/// <summary>Every sampled line has its on-site check result.</summary>
public sealed class AllSampledLinesChecked : IGuard
{
    public string Name => nameof(AllSampledLinesChecked);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        !await context.Db.ClaimLines.AnyAsync(l => l.ApplicationId == context.Subject.Id && l.Sampled && l.SampleResult == SampleResult.Pending, ct);
}

/// <summary>An objection to the publicity is still open.</summary>
public sealed class HasOpenObjections : IGuard
{
    public string Name => nameof(HasOpenObjections);

    public Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) => AnyOpenAsync(context, ct);

    internal static Task<bool> AnyOpenAsync(GuardContext context, CancellationToken ct) =>
        context.Db.Objections.AnyAsync(o => o.ApplicationId == context.Subject.Id && o.Status == ObjectionStatus.Open, ct);
}

/// <summary>No objection to the publicity is open.</summary>
public sealed class NoOpenObjections : IGuard
{
    public string Name => nameof(NoOpenObjections);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) => !await HasOpenObjections.AnyOpenAsync(context, ct);
}

/// <summary>Every payment instruction of the case has a bank result (paid or failed).</summary>
public sealed class AllPaymentsTerminal : IGuard
{
    public string Name => nameof(AllPaymentsTerminal);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        !await context.Db.PaymentInstructions.AnyAsync(p => p.Status == PaymentStatus.Pending
            && context.Db.PaymentBatches.Any(b => b.Id == p.BatchId && b.ApplicationId == context.Subject.Id), ct);
}

/// <summary>Every instruction of the payment batch has its bank result (paid or failed).</summary>
public sealed class AllBatchLinesTerminal : IGuard
{
    public string Name => nameof(AllBatchLinesTerminal);

    public async Task<bool> HoldsAsync(GuardContext context, CancellationToken ct) =>
        !await context.Db.PaymentInstructions.AnyAsync(p => p.BatchId == context.Subject.Id && p.Status == PaymentStatus.Pending, ct);
}
