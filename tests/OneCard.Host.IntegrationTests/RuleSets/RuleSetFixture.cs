using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Host.RuleSets;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.RuleSets;

/// <summary>Rule set drafts of 耕地地力保护补贴 and the calls a policy officer makes, for the store's tests.</summary>
internal static class RuleSetFixture
{
    public const string Arable = "arable-land-protection";

    public static string ShippedPath(int version) => Path.Combine(AppContext.BaseDirectory, "rules", $"{Arable}.v{version}.json");

    /// <summary>v3: v2 with 法库县's rate (210124) changed, optionally edited further; indented, Chinese kept as written.</summary>
    public static string V3(decimal fakuRate = 100m, Action<JsonObject>? edit = null)
    {
        var v3 = JsonNode.Parse(File.ReadAllText(ShippedPath(2)))!.AsObject();
        v3["version"] = 3;
        v3["tables"]!["rates.byCounty"]!["210124"] = fakuRate;
        edit?.Invoke(v3);
        return v3.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public static Task<HttpResponseMessage> PostDraftAsync(HttpClient officer, string json, string? effectiveFrom = "2026-03-10") =>
        officer.PostAsync($"/api/rulesets/{Arable}/drafts" + (effectiveFrom is null ? "" : $"?effectiveFrom={effectiveFrom}"),
            new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<Guid> DraftAsync(HttpClient officer, string json, string effectiveFrom = "2026-03-10")
    {
        var response = await PostDraftAsync(officer, json, effectiveFrom);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"Draft failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetGuid();
    }

    public static async Task<HttpResponseMessage> ImportAsync(HttpClient officer, byte[] file, string effectiveFrom)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }, "file", $"{Arable}.v3.json" },
            { new StringContent(effectiveFrom), "effectiveFrom" },
        };
        return await officer.PostAsync("/api/rulesets/import", form);
    }

    /// <summary>Drafts a version of any policy (for the impact tests); throws with the body unless 201.</summary>
    public static async Task<Guid> DraftAsyncFor(HttpClient officer, string policy, string json, string effectiveFrom)
    {
        var response = await officer.PostAsync($"/api/rulesets/{policy}/drafts?effectiveFrom={effectiveFrom}", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"Draft failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("caseId").GetGuid();
    }

    public static async Task<JsonElement> DetailAsync(HttpClient user, int version) =>
        await user.GetFromJsonAsync<JsonElement>($"/api/rulesets/{Arable}/{version}");

    public static async Task<HttpResponseMessage> ActAsync(HttpClient officer, Guid caseId, string action, string? comment = null) =>
        await officer.PostAsJsonAsync($"/api/cases/RuleSet/{caseId}/actions/{action}", new { comment });

    /// <summary>Drafts v3 (法库县 100 元/亩 from <paramref name="effectiveFrom"/>) as policy, submits it, and policy2 approves it.</summary>
    public static async Task<Guid> ApprovedV3Async(CaseDriver driver, string effectiveFrom = "2026-03-10")
    {
        var caseId = await DraftAsync(await driver.As("policy"), V3(), effectiveFrom);
        (await (await driver.As("policy")).PostAsync($"/api/rulesets/{Arable}/3/submit", null)).EnsureSuccessStatusCode();
        (await ActAsync(await driver.As("policy2"), caseId, "Approve")).EnsureSuccessStatusCode();
        return caseId;
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="app"/>'s store shows the version with <paramref name="status"/>: the store reloads on
    /// its own — at once after an approval on the same host, by its poll on another — and this is what the tests prove.
    /// </summary>
    public static Task WaitForStoreAsync(OneCardApp app, string versionKey, RuleSetStatus status, TimeSpan? within = null) =>
        RuleSetStoreWait.ForAsync(app, versionKey, status, within);

    public static DateTimeOffset Beijing(int year, int month, int day, int hour = 9) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));
}
