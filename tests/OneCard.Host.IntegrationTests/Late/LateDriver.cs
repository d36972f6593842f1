using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Late;

/// <summary>
/// The late-payment tests' steps in one place: a batch released to its bank, the sweep, the bank's confirmation (result file)
/// and the batch case as the database holds it. The confirmation is the one step the bank-file format decides; it lives here.
/// </summary>
internal sealed class LateDriver(OneCardApp app)
{
    public CaseDriver Cases { get; } = new(app);

    private int cases;

    /// <summary>
    /// A new case of four eligible lines (beneficiaries of its own, so one case never claims another's) driven to payment;
    /// its first batch, released to the bank at the clock's time.
    /// </summary>
    public async Task<Guid> ReleasedBatchAsync()
    {
        var n = ++cases;
        object[] lines = [.. Enumerable.Range(1, 4).Select(i => CaseDriver.Line($"逾期{n}{i}", CaseDriver.Id($"21012419900101{n}{i}1"), 10m))];
        var id = await Cases.DriveToAsync("Payment", lines);
        var batches = await Cases.ReadyBatchesAsync(id);
        return batches[0].GetProperty("id").GetGuid();
    }

    public Task SweepAsync() => app.Services.GetRequiredService<DeadlineSweepJob>().RunAsync(default);

    /// <summary>The bank confirms every line of the batch (its result file imported by finance), failing line <paramref name="failSeq"/> (0: none).</summary>
    public async Task ConfirmAsync(Guid batchId, int failSeq = 0)
    {
        var finance = await Cases.As("finance");
        var file = await finance.GetByteArrayAsync($"/api/payments/batches/{batchId}/bank-file");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await Host.Demo.DemoBank.RespondAsync(app.Services, file, failSeq == 0 ? [] : [failSeq])) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "results.onecard" },
        };
        var response = await finance.PostAsync($"/api/payments/batches/{batchId}/results", form);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Import failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public Task<WorkflowInstance> InstanceAsync(Guid batchId) => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().WorkflowInstances.AsNoTracking()
        .SingleAsync(i => i.SubjectKind == SubjectKinds.PaymentBatch && i.SubjectId == batchId));

    public Task<int> AuditCountAsync(string action, Guid batchId) => app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog
        .CountAsync(a => a.Action == action && a.EntityType == SubjectKinds.PaymentBatch && a.EntityId == batchId.ToString()));

    public async Task<JsonElement> GetAsync(string user, string url)
    {
        var response = await (await Cases.As(user)).GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url} as {user}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
