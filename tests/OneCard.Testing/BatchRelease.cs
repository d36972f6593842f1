using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace OneCard.Testing;

/// <summary>
/// Gets payment batches ready for their bank the way finance does over the API: each batch still allocating is allocated
/// in full to a budget indicator of its policy, region and year (one with enough left, or a new one registered for it),
/// then released through its case's <c>Release</c> action. Integration tests, specs and the two-host tests share it.
/// </summary>
public static class BatchRelease
{
    /// <summary>Allocates and releases every batch of <paramref name="applicationId"/> still allocating; returns the batches as listed after.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadyAsync(HttpClient finance, Guid applicationId)
    {
        foreach (var batch in await BatchesAsync(finance, applicationId))
            if (batch.GetProperty("status").GetString() == "Allocating")
                await AllocateAndReleaseAsync(finance, batch.GetProperty("id").GetGuid());
        return await BatchesAsync(finance, applicationId);
    }

    public static async Task<IReadOnlyList<JsonElement>> BatchesAsync(HttpClient finance, Guid applicationId) =>
        [.. (await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches?applicationId={applicationId}")).EnumerateArray()];

    /// <summary>Allocates and releases the batch if it is still allocating (a re-payment batch is allocated again, as a first one).</summary>
    public static async Task EnsureReleasedAsync(HttpClient finance, Guid batchId)
    {
        var detail = await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}");
        if (detail.GetProperty("batch").GetProperty("status").GetString() == "Allocating") await AllocateAndReleaseAsync(finance, batchId);
    }

    /// <summary>Allocates the whole batch to one indicator with enough left (registering one if none has), then releases it.</summary>
    public static async Task AllocateAndReleaseAsync(HttpClient finance, Guid batchId)
    {
        var allocation = await finance.GetFromJsonAsync<JsonElement>($"/api/payments/batches/{batchId}/allocation");
        var total = allocation.GetProperty("totalAmount").GetDecimal();
        var indicatorId = allocation.GetProperty("candidates").EnumerateArray()
            .Where(c => c.GetProperty("remaining").GetDecimal() >= total).Select(c => (Guid?)c.GetProperty("id").GetGuid()).FirstOrDefault()
            ?? await RegisterIndicatorAsync(finance, allocation, Math.Max(total, 1_000_000m));
        await EnsureAsync(await finance.PostAsJsonAsync($"/api/payments/batches/{batchId}/allocations",
            new { allocations = new[] { new { indicatorId, amount = total } } }), "Allocate");
        await EnsureAsync(await finance.PostAsJsonAsync($"/api/cases/PaymentBatch/{batchId}/actions/Release", new { comment = (string?)null }), "Release");
    }

    /// <summary>Registers an indicator (centrally funded, 直达资金) for the batch's policy, county and year.</summary>
    public static async Task<Guid> RegisterIndicatorAsync(HttpClient finance, JsonElement allocation, decimal amount, string? documentNo = null)
    {
        var year = allocation.GetProperty("year").GetInt32();
        var region = allocation.GetProperty("regionCode").GetString()![..6];
        documentNo ??= $"测试财〔{year}〕{Guid.NewGuid().ToString("N")[..8]}号";
        var response = await finance.PostAsJsonAsync("/api/payments/indicators", new
        {
            documentNo, title = "测试补贴资金指标", year, issuingLevel = "Central", centralShare = amount, provincialShare = 0m, cityShare = 0m, countyShare = 0m,
            isDirect = true, policyCode = allocation.GetProperty("policyCode").GetString(), regionCode = region, amount,
        });
        await EnsureAsync(response, "Register indicator");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{what} failed: {(int)response.StatusCode} {body}"));
    }
}
