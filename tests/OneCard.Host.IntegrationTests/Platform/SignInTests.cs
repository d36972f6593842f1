using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using OneCard.Domain.Users;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>Issue 5, finding 2: lockout with back-off, no user-name oracle, server-side sign-out, Secure behind a proxy.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private static readonly string Password = Demo.DemoData.Password;
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?>
    {
        ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.5",
    });
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(HttpStatusCode Status, string? Code)> SignInAsync(string userName, string password)
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/sign-in", new { userName, password });
        var body = await response.Content.ReadAsStringAsync();
        var code = response.IsSuccessStatusCode ? null : JsonDocument.Parse(body).RootElement.GetProperty("code").GetString();
        return (response.StatusCode, code);
    }

    [Fact]
    public async Task RightPassword_IsRefused_AfterFiveWrongOnes_UntilTheLockEnds()
    {
        for (var i = 0; i < 4; i++) Assert.Equal((HttpStatusCode.Unauthorized, "SignInFailed"), await SignInAsync("clerk", "wrong" + i));
        Assert.Equal((HttpStatusCode.Unauthorized, "SignInLocked"), await SignInAsync("clerk", "wrong4"));

        Assert.Equal((HttpStatusCode.Unauthorized, "SignInLocked"), await SignInAsync("clerk", Password));
        app.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal((HttpStatusCode.Unauthorized, "SignInLocked"), await SignInAsync("clerk", Password));
        app.Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("clerk", Password)).Status);
        // Another account was never affected.
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("reviewer", Password)).Status);
    }

    [Fact]
    public async Task Lock_LastsLonger_EachTimeFailuresGoOn()
    {
        for (var i = 0; i < 5; i++) await SignInAsync("clerk", "wrong");
        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++) Assert.Equal((HttpStatusCode.Unauthorized, "SignInFailed"), await SignInAsync("clerk", "wrong"));
        Assert.Equal((HttpStatusCode.Unauthorized, "SignInLocked"), await SignInAsync("clerk", "wrong"));

        // The second lock is five minutes, not one.
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal((HttpStatusCode.Unauthorized, "SignInLocked"), await SignInAsync("clerk", Password));
        app.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("clerk", Password)).Status);
    }

    [Fact]
    public async Task Success_ResetsTheCountOfFailures()
    {
        for (var i = 0; i < 4; i++) await SignInAsync("clerk", "wrong");
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("clerk", Password)).Status);
        for (var i = 0; i < 4; i++) Assert.Equal((HttpStatusCode.Unauthorized, "SignInFailed"), await SignInAsync("clerk", "wrong"));
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync("clerk", Password)).Status);
    }

    [Fact]
    public async Task UnknownUserName_GetsExactlyTheAnswersAKnownOneGets_LockIncluded()
    {
        var known = new List<(HttpStatusCode, string?)>();
        var unknown = new List<(HttpStatusCode, string?)>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(await SignInAsync("clerk", "wrong"));
            unknown.Add(await SignInAsync("no-such-clerk", "wrong"));
        }
        Assert.Equal(known, unknown);
        Assert.Contains((HttpStatusCode.Unauthorized, "SignInLocked"), unknown);
    }

    [Fact]
    public async Task UnknownUserName_CostsAPasswordHashVerification_LikeAKnownOne()
    {
        var hasher = new CountingHasher();
        await using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<User>>(hasher)));
        var client = host.CreateClient();

        await client.PostAsJsonAsync("/api/auth/sign-in", new { userName = "clerk", password = "wrong" });
        Assert.Equal(1, hasher.Verifications);
        await client.PostAsJsonAsync("/api/auth/sign-in", new { userName = "no-such-clerk", password = "wrong" });
        Assert.Equal(2, hasher.Verifications);
    }

    [Fact]
    public async Task Cookie_IsRefused_AfterSignOut_EvenWhenReplayed()
    {
        var client = app.CreateClient(new() { HandleCookies = false, AllowAutoRedirect = false });
        var signIn = await client.PostAsJsonAsync("/api/auth/sign-in", new { userName = "clerk", password = Password });
        signIn.EnsureSuccessStatusCode();
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("onecard.auth=")).Split(';')[0];
        HttpRequestMessage WithCookie(HttpMethod method, string path) => new(method, path) { Headers = { { "Cookie", cookie } } };
        var otherSession = await app.SignInAsync("clerk");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WithCookie(HttpMethod.Get, "/api/auth/me"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(WithCookie(HttpMethod.Post, "/api/auth/sign-out"))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(WithCookie(HttpMethod.Get, "/api/auth/me"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(WithCookie(HttpMethod.Get, "/api/applications"))).StatusCode);
        // Signing out ends that session only: the same user's other browser stays signed in.
        Assert.Equal(HttpStatusCode.OK, (await otherSession.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Cookie_IsSecure_BehindATrustedProxyThatTerminatedTls_AndOnlyThen()
    {
        var clients = new ClientAddresses(app);
        var viaProxy = await clients.SignInAsync("10.0.0.5", "clerk", Password, ("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "198.51.100.20"));
        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.Contains("secure", string.Join("\n", viaProxy.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);

        // Anyone else claiming https is not believed.
        var spoofed = await clients.SignInAsync("203.0.113.7", "clerk", Password, ("X-Forwarded-Proto", "https"));
        Assert.Equal(HttpStatusCode.OK, spoofed.StatusCode);
        Assert.DoesNotContain("secure", string.Join("\n", spoofed.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    private sealed class CountingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> inner = new();
        private int verifications;
        public int Verifications => verifications;
        public string HashPassword(User user, string password) => inner.HashPassword(user, password);
        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
