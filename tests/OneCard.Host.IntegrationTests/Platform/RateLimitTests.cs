using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Platform;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>Issue 5, findings 2 and 3: what anyone may call unsigned is limited per client address.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>
    {
        ["RateLimits:SignIn:PermitLimit"] = "3",
        ["RateLimits:SignIn:WindowSeconds"] = "3600",
        ["RateLimits:Public:PermitLimit"] = "10",
        ["RateLimits:Public:WindowSeconds"] = "3600",
        ["RateLimits:Objections:PermitLimit"] = "2",
        ["RateLimits:Objections:WindowSeconds"] = "3600",
        ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.5",
    });
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task SignIn_Answers429InChineseWithRetryAfter_OnceOneAddressExceedsItsLimit()
    {
        var clients = new ClientAddresses(app);
        // Different names each time: the per-address limit, not an account's lockout, is what answers.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await clients.SignInAsync("198.51.100.1", $"guess{i}", "wrong")).StatusCode);

        var refused = await clients.SignInAsync("198.51.100.1", "clerk", Demo.DemoData.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("TooManyRequests", body.GetProperty("code").GetString());
        Assert.Equal("请求过于频繁，请稍后再试", body.GetProperty("title").GetString());

        // Another address is unaffected, also when it arrives through the trusted proxy.
        Assert.Equal(HttpStatusCode.OK, (await clients.SignInAsync("198.51.100.2", "clerk", Demo.DemoData.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clients.SignInAsync("10.0.0.5", "clerk", Demo.DemoData.Password, ("X-Forwarded-For", "198.51.100.3"))).StatusCode);
    }

    [Fact]
    public async Task FormSignIn_SharesTheSignInLimit()
    {
        for (var i = 0; i < 3; i++) await app.CreateClient().PostAsJsonAsync("/api/auth/sign-in", new { userName = $"guess{i}", password = "wrong" });
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var form = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "clerk", ["password"] = Demo.DemoData.Password,
        }));
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
    }

    [Fact]
    public async Task ObjectionPosts_AreLimitedPerAddress_MoreTightlyThanPublicReads()
    {
        var citizen = new ClientAddresses(app).Client("198.51.100.9");
        var notice = Guid.NewGuid();
        for (var i = 0; i < 2; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await citizen.PostAsJsonAsync($"/api/public/notices/{notice}/objections",
                new { lineNo = 1, text = "此户并未耕种", contact = $"1380000000{i}" })).StatusCode);

        var flood = await citizen.PostAsJsonAsync($"/api/public/notices/{notice}/objections", new { lineNo = 2, text = "此户并未耕种", contact = "13800000009" });
        Assert.Equal(HttpStatusCode.TooManyRequests, flood.StatusCode);
        Assert.Equal("TooManyRequests", (await flood.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // Reading notices has its own, looser limit.
        Assert.Equal(HttpStatusCode.OK, (await citizen.GetAsync("/api/public/notices")).StatusCode);
    }

    [Fact]
    public async Task ObjectionForm_OnThePublicPage_DrawsOnTheSameBudgetAsTheApi()
    {
        // The page's circuit asks ObjectionLimiter with the address it was opened from; the API's middleware draws on it too.
        var clients = new ClientAddresses(app);
        var limiter = clients.Services.GetRequiredService<ObjectionLimiter>();
        var notice = Guid.NewGuid();
        var api = clients.Client("198.51.100.20");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await api.PostAsJsonAsync($"/api/public/notices/{notice}/objections",
            new { lineNo = 1, text = "此户并未耕种", contact = "13800000001" })).StatusCode);
        using (var page = limiter.Acquire(IPAddress.Parse("198.51.100.20"))) Assert.True(page.IsAcquired);

        using (var third = limiter.Acquire(IPAddress.Parse("198.51.100.20"))) Assert.False(third.IsAcquired);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsJsonAsync($"/api/public/notices/{notice}/objections",
            new { lineNo = 2, text = "此户并未耕种", contact = "13800000002" })).StatusCode);
        // Another address keeps its own budget on both ways in.
        using (var other = limiter.Acquire(IPAddress.Parse("198.51.100.21"))) Assert.True(other.IsAcquired);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await clients.Client("198.51.100.21").PostAsJsonAsync($"/api/public/notices/{notice}/objections",
            new { lineNo = 1, text = "此户并未耕种", contact = "13800000003" })).StatusCode);
    }

    [Fact]
    public async Task PublicReads_AreLimitedPerAddress()
    {
        var client = app.CreateClient();
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/public/notices")).StatusCode);
        var refused = await client.GetAsync("/api/public/notices");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("TooManyRequests", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
    }
}
