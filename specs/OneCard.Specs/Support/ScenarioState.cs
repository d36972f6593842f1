using System.Net.Http.Json;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Specs.Support;

/// <summary>
/// What one scenario shares between its binding classes (SpecFlow context injection): the host on
/// its own database, the signed-in clients, the case under test and the last answer received.
/// </summary>
public sealed class ScenarioState
{
    private readonly Dictionary<string, HttpClient> clients = new(StringComparer.Ordinal);
    private OneCardApp? app;
    private HttpClient? anonymous;

    public OneCardApp App
    {
        get => app ?? throw new InvalidOperationException("The host was not started (BeforeScenario hook).");
        set => app = value;
    }

    /// <summary>The roster as last built by a step (line 1 = spreadsheet row 2).</summary>
    public List<RosterLine> Roster { get; } = [];

    public Guid CaseId { get; set; }

    /// <summary>A line a step singled out for the steps after it ("该明细").</summary>
    public int RememberedLineNo { get; set; }

    /// <summary>The payment batch of the case, once a step has looked it up.</summary>
    public Guid BatchId { get; set; }

    /// <summary>The bank instruction file as downloaded.</summary>
    public byte[] BankFile { get; set; } = [];

    public HttpResponseMessage? LastResponse { get; set; }
    public string LastBody { get; set; } = "";

    /// <summary>A client signed in as the demo user; one per user per scenario, cookie kept.</summary>
    public async Task<HttpClient> As(string userName)
    {
        if (!clients.TryGetValue(userName, out var client))
        {
            client = await App.SignInAsync(userName);
            clients[userName] = client;
        }
        return client;
    }

    /// <summary>
    /// Moves the fake clock forward. Sessions last 8 hours on the same clock, so everyone signs in
    /// again afterwards, as they would on a later day.
    /// </summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        App.Clock.SetUtcNow(instant);
        foreach (var client in clients.Values) client.Dispose();
        clients.Clear();
    }

    /// <summary>A member of the public: no cookie.</summary>
    public HttpClient Public => anonymous ??= App.CreateClient();

    /// <summary>Remembers a response and its body for the steps that check it.</summary>
    public async Task<HttpResponseMessage> Remember(HttpResponseMessage response)
    {
        LastResponse = response;
        LastBody = await response.Content.ReadAsStringAsync();
        return response;
    }

    public JsonElement LastJson => JsonDocument.Parse(LastBody).RootElement.Clone();

    public async Task<JsonElement> GetJson(string userName, string path)
    {
        var client = await As(userName);
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} as {userName}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> Case(string userName) => await GetJson(userName, $"/api/applications/{CaseId}");

    /// <summary>POSTs JSON and fails the step unless the answer is a success.</summary>
    public async Task<JsonElement?> PostOk(string userName, string path, object? body)
    {
        var client = await As(userName);
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} as {userName}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in clients.Values) client.Dispose();
        anonymous?.Dispose();
        if (app is not null) await app.DisposeAsync();
    }
}
