using OneCard.Domain.Payments;
using OneCard.Host.Payments;

namespace OneCard.Host.IntegrationTests.Corrections;

/// <summary>
/// The reconciliation identities of <see cref="Reconciliation"/>, on instructions built in memory: per case
/// instructed = paid + failed + pending and failed = repaid + closed + inCorrection, to the cent; per batch
/// instructed = paid + failed + pending. A line paid twice or a batch whose lines do not add up is not balanced.
/// </summary>
public sealed class ReconciliationIdentityTests
{
    private static readonly Guid Batch1 = Guid.NewGuid(), Batch2 = Guid.NewGuid();

    private static PaymentInstruction Instruction(Guid batch, int seq, decimal amount, PaymentStatus status, PaymentInstruction? original = null) => new()
    {
        Id = Guid.NewGuid(), BatchId = batch, Seq = seq, ClaimLineId = original?.ClaimLineId ?? Guid.NewGuid(), BeneficiaryId = Guid.NewGuid(),
        RegionCode = "210124101", PolicyCode = "arable-land-protection", Period = "2026", Amount = amount, PayeeName = "张三", AccountCipher = "x",
        AccountMasked = "****1234", Status = status, Attempt = original is null ? 1 : original.Attempt + 1, OriginalInstructionId = original?.OriginalInstructionId ?? original?.Id,
    };

    [Fact]
    public void Case_Balances_WithAReturnedLinePaidAgain_AClosedLine_AndOnePending()
    {
        var paid = Instruction(Batch1, 1, 100.01m, PaymentStatus.Succeeded);
        var returned = Instruction(Batch1, 2, 50.25m, PaymentStatus.Failed);
        var closed = Instruction(Batch1, 3, 7.70m, PaymentStatus.Failed);
        var open = Instruction(Batch1, 4, 3.33m, PaymentStatus.Failed);
        var pending = Instruction(Batch1, 5, 10.10m, PaymentStatus.Pending);
        var firstRetry = Instruction(Batch2, 1, 50.25m, PaymentStatus.Failed, returned);
        var secondRetry = Instruction(Batch2, 2, 50.25m, PaymentStatus.Succeeded, firstRetry);

        var figures = Reconciliation.Handler.Compute([paid, returned, closed, open, pending, firstRetry, secondRetry], new HashSet<Guid> { closed.Id });

        Assert.Equal(new Reconciliation.Figure(5, 171.39m), figures.Instructed);
        Assert.Equal(new Reconciliation.Figure(1, 100.01m), figures.Paid);
        Assert.Equal(new Reconciliation.Figure(3, 61.28m), figures.Failed);
        Assert.Equal(new Reconciliation.Figure(1, 50.25m), figures.Repaid);
        Assert.Equal(new Reconciliation.Figure(1, 7.70m), figures.Closed);
        Assert.Equal(new Reconciliation.Figure(1, 3.33m), figures.InCorrection);
        Assert.Equal(new Reconciliation.Figure(2, 13.43m), figures.Outstanding);
        Assert.Equal(secondRetry.OriginalInstructionId, returned.Id);
        Assert.True(figures.Balanced);
    }

    [Fact]
    public void Case_IsNotBalanced_WhenALineIsPaidTwice()
    {
        var returned = Instruction(Batch1, 1, 50.25m, PaymentStatus.Failed);
        var retry = Instruction(Batch2, 1, 50.25m, PaymentStatus.Succeeded, returned);
        var duplicate = Instruction(Batch2, 2, 50.25m, PaymentStatus.Succeeded, returned);

        Assert.True(Reconciliation.Handler.Compute([returned, retry], new HashSet<Guid>()).Balanced);
        Assert.False(Reconciliation.Handler.Compute([returned, retry, duplicate], new HashSet<Guid>()).Balanced);
    }

    [Fact]
    public void Batch_IsNotBalanced_WhenItsLinesDoNotAddUpToItsTotal()
    {
        var lines = new List<PaymentInstruction> { Instruction(Batch1, 1, 10.00m, PaymentStatus.Succeeded), Instruction(Batch1, 2, 0.01m, PaymentStatus.Pending) };
        PaymentBatch Batch(decimal total) => new()
        {
            Id = Batch1, BatchNo = "PB-2026-210124-PSBC-LN-0001", RegionCode = "210124", AgentBankCode = "PSBC-LN", LineCount = 2, TotalAmount = total, Instructions = lines,
        };

        Assert.True(Reconciliation.Handler.Batch(Batch(10.01m), new HashSet<Guid>()).Balanced);
        Assert.False(Reconciliation.Handler.Batch(Batch(10.00m), new HashSet<Guid>()).Balanced);
    }
}
