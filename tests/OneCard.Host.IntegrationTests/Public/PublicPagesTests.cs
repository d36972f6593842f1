using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Public;

/// <summary>
/// Issue 10 items 7 and 9: the UI answers errors with Chinese pages (the API keeps problem details), a session that expired says so on
/// the login page, and /scalar and the pages name nothing outside the host (a government intranet reaches no CDN).
/// </summary>
public sealed partial class PublicPagesTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private HttpClient anonymous = null!;

    public async Task InitializeAsync()
    {
        app = await OneCardApp.StartAsync();
        anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = app.BaseAddress, AllowAutoRedirect = false });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>A resource reference that leaves the host: an absolute or protocol-relative src/href, an @import or a CSS url() of one.</summary>
    [GeneratedRegex(@"(?:\b(?:src|href)\s*=\s*[""']?\s*(?:https?:)?//)|(?:@import\s+(?:url\()?\s*[""']?\s*(?:https?:)?//)|(?:url\(\s*[""']?\s*(?:https?:)?//)|(?:fonts\.(?:googleapis|gstatic|scalar)\.com)|(?:cdn\.jsdelivr\.net)|(?:unpkg\.com)",
        RegexOptions.IgnoreCase)]
    private static partial Regex External();

    private static void AssertNothingExternal(string what, string html)
    {
        var hits = External().Matches(html).Select(m => html.Substring(Math.Max(0, m.Index - 60), Math.Min(160, html.Length - Math.Max(0, m.Index - 60)))).ToList();
        Assert.True(hits.Count == 0, $"{what} names an outside resource: {string.Join(" | ", hits)}");
    }

    [Fact]
    public async Task ScalarAndTheMainPages_NameNoResourceOutsideTheHost()
    {
        var scalar = await anonymous.GetAsync("/scalar");
        if (scalar.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently)
            scalar = await anonymous.GetAsync(scalar.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        var scalarHtml = await scalar.Content.ReadAsStringAsync();
        Assert.Contains("<script", scalarHtml, StringComparison.OrdinalIgnoreCase);
        AssertNothingExternal("/scalar", scalarHtml);

        // Every stylesheet the shell links is the host's own, and names no outside font either.
        var login = await anonymous.GetStringAsync("/login");
        AssertNothingExternal("/login", login);
        foreach (Match css in Regex.Matches(login, @"href=""([^""]+\.css)""")) AssertNothingExternal(css.Groups[1].Value, await anonymous.GetStringAsync(css.Groups[1].Value));

        foreach (var path in new[] { "/public", "/public/policies", "/no-such-page" })
            AssertNothingExternal(path, await (await anonymous.GetAsync(path)).Content.ReadAsStringAsync());
        var clerk = await app.SignInAsync("clerk");
        foreach (var path in new[] { "/inbox", "/applications", "/applications/new", "/notices" })
        {
            var response = await clerk.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertNothingExternal(path, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task UnknownRoute_IsTheChinese404Page_WhileTheApiKeepsProblemDetails()
    {
        var page = await anonymous.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("404 页面不存在", html, StringComparison.Ordinal);
        Assert.Contains("返回首页", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Status Code", html, StringComparison.Ordinal);

        var clerk = await app.SignInAsync("clerk");
        var api = await clerk.GetAsync("/api/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.NotEqual("text/html", api.Content.Headers.ContentType?.MediaType);
        var missing = await clerk.GetAsync($"/api/applications/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PageTheUsersRolesDoNotOpen_IsTheChinese403Page_NotJson()
    {
        // A township clerk opening the administrator's user page.
        var clerk = await app.SignInAsync("clerk");
        var response = await clerk.GetAsync("/admin/users");
        var first = $"{(int)response.StatusCode} {response.Headers.Location}";
        if (response.StatusCode == HttpStatusCode.Redirect) response = await clerk.GetAsync(response.Headers.Location!);
        // Razor encodes dynamic non-ASCII text as character references.
        var html = System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.True(html.Contains("403 无权访问", StringComparison.Ordinal), $"{first} → {(int)response.StatusCode}: {html[Math.Max(0, html.IndexOf("<body", StringComparison.Ordinal))..][..Math.Min(1500, html.Length - Math.Max(0, html.IndexOf("<body", StringComparison.Ordinal)))]}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("403 无权访问", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\":403", html, StringComparison.Ordinal);
        // The API still answers a bare 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await clerk.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task ExpiredSession_LeadsToTheLoginPage_SayingSo_AndBackToWhereTheUserWas()
    {
        var clerk = await app.SignInAsync("clerk");
        Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync("/inbox")).StatusCode);
        // The cookie lives 8 hours (sliding); a day later the browser still sends it and the host refuses it.
        app.Clock.Advance(TimeSpan.FromDays(1));
        var response = await clerk.GetAsync("/applications?x=1");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.Contains("/login", location, StringComparison.Ordinal);
        Assert.Contains("expired=1", location, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("/applications?x=1"), location, StringComparison.OrdinalIgnoreCase);
        var login = System.Net.WebUtility.HtmlDecode(await anonymous.GetStringAsync(location));
        Assert.Contains("登录已过期，请重新登录", login, StringComparison.Ordinal);

        // Someone who never signed in is not told a session expired.
        var fresh = await anonymous.GetAsync("/applications");
        Assert.DoesNotContain("expired=1", fresh.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
    }
}
