using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Cases;
using OneCard.Workflows;

namespace OneCard.Host.Payments;

/// <summary>Every payment batch runs as its own case on the engine, from its creation to the bank's last result.</summary>
public static class PaymentBatchCases
{
    /// <summary>The workflow every payment batch runs (<c>workflows/payment-batch.v*.json</c>).</summary>
    public const string DefinitionId = "payment-batch";

    public static CaseSubject Subject(Guid batchId) => new(SubjectKinds.PaymentBatch, batchId);

    /// <summary>
    /// Starts the batch's case on the latest definition, inside the caller's transaction (the batch row is added by the
    /// caller in the same unit of work). The engine is resolved here, not injected: a step effect that creates a batch
    /// runs inside the engine, so injecting it there would be a cycle.
    /// </summary>
    public static async Task StartAsync(IServiceProvider services, PaymentBatch batch, CancellationToken ct)
    {
        var engine = services.GetRequiredService<CaseEngine>();
        var definition = services.GetRequiredService<WorkflowCatalog>().Latest(DefinitionId);
        await engine.StartAsync(new CaseEngine.NewCase(Subject(batch.Id), batch.BatchNo, batch.RegionCode, batch.PolicyCode), definition, ct);
    }
}
