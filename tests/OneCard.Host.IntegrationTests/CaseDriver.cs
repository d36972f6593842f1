using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests;

/// <summary>Moves a case through the standard workflow over the HTTP API, as the real users would.</summary>
public sealed class CaseDriver(OneCardApp app)
{
    private readonly Dictionary<string, (HttpClient Client, DateTimeOffset SignedInAt)> clients = [];

    /// <summary>A signed-in client; signs in again once the fake clock has moved past the cookie's lifetime.</summary>
    public async Task<HttpClient> As(string user)
    {
        var now = app.Clock.GetUtcNow();
        if (!clients.TryGetValue(user, out var entry) || now - entry.SignedInAt > TimeSpan.FromHours(4) || now < entry.SignedInAt)
            clients[user] = entry = (await app.SignInAsync(user), now);
        return entry.Client;
    }

    /// <summary>The roster header of 耕地地力保护补贴, as a township's spreadsheet has it.</summary>
    public const string RosterHeader = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途";

    /// <summary>Uploads a roster file as the clerk's browser would (multipart, policy 耕地地力保护补贴, period 2026).</summary>
    public async Task<HttpResponseMessage> UploadRosterAsync(byte[] content, string fileName, string user = "clerk")
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", fileName },
            { new StringContent("arable-land-protection"), "policyCode" },
            { new StringContent("2026"), "period" },
        };
        return await (await As(user)).PostAsync("/api/applications/roster", form);
    }

    /// <summary>Asserts a refused submission left nothing behind: no case, line, beneficiary, audit entry or workflow.</summary>
    public async Task AssertNothingStoredAsync()
    {
        var counts = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            return (await db.Applications.CountAsync(), await db.ClaimLines.CountAsync(), await db.Beneficiaries.CountAsync(),
                await db.AuditLog.CountAsync(), await db.WorkflowInstances.CountAsync());
        });
        Assert.Equal((0, 0, 0, 0, 0), counts);
    }

    public static object Line(string name, string id, decimal area, bool converted = false) => Claims.Line(name, id, area, converted);

    public static string Id(string first17) => Claims.Id(first17);

    public async Task<Guid> SubmitAsync(object[]? lines = null, string clerk = "clerk")
    {
        var response = await (await As(clerk)).PostAsJsonAsync("/api/applications", new { policyCode = "arable-land-protection", period = "2026", lines = lines ?? Claims.FiveLines() });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Submit failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> GetAsync(Guid id, string user = "reviewer") =>
        await (await As(user)).GetFromJsonAsync<JsonElement>($"/api/applications/{id}");

    public async Task<string> StepAsync(Guid id) => (await GetAsync(id)).GetProperty("case").GetProperty("step").GetString()!;

    public async Task ActAsync(Guid id, string user, string action, string? comment = null)
    {
        var response = await (await As(user)).PostAsJsonAsync($"/api/applications/{id}/actions/{action}", new { comment });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{action} by {user} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Drives a new case to <paramref name="target"/>: FinanceRecheck, Payment or Publicized.</summary>
    public async Task<Guid> DriveToAsync(string target, object[]? lines = null)
    {
        var id = await SubmitAsync(lines);
        // Separation of duties: the township's second clerk reviews what "clerk" submitted.
        await ActAsync(id, "clerk.review", "Approve");
        if (target == "CountyReview") return id;
        await ActAsync(id, "reviewer", "Approve");
        if (target == "SampleCheck") return id;
        var inspector = await As("inspector");
        foreach (var line in (await GetAsync(id, "inspector")).GetProperty("lines").EnumerateArray())
        {
            var r = await inspector.PostAsJsonAsync($"/api/applications/{id}/lines/{line.GetProperty("lineNo").GetInt32()}/sample-result", new { passed = true, note = "一致" });
            r.EnsureSuccessStatusCode();
        }
        await ActAsync(id, "inspector", "Complete");
        if (target == "Publicity") return id;
        app.Clock.Advance(TimeSpan.FromDays(8));
        await app.Services.GetRequiredService<StepTimerJob>().RunAsync(SubjectKinds.Application, id, "Publicity", default);
        if (target == "FinanceRecheck") return id;
        await ActAsync(id, "finance", "Approve");
        return id;
    }

    /// <summary>The application's one payment batch, ready for its bank (see <see cref="ReadyBatchesAsync"/>).</summary>
    public async Task<JsonElement> BatchAsync(Guid applicationId) => Assert.Single(await ReadyBatchesAsync(applicationId));

    /// <summary>
    /// The application's payment batches, each released to its bank so its file may be downloaded. Every test that needs a
    /// batch ready for the bank goes through here: finance allocates each batch still allocating to a budget indicator
    /// (registering one with enough left when none has) and releases it through the batch case's Release action.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> ReadyBatchesAsync(Guid applicationId)
    {
        var batches = await BatchRelease.ReadyAsync(await As("finance"), applicationId);
        Assert.All(batches, b => Assert.NotEqual("Allocating", b.GetProperty("status").GetString()));
        return batches;
    }
}
