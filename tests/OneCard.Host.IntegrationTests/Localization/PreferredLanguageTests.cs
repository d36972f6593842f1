using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Localization;

/// <summary>
/// A user's language is remembered and applied: chosen once (PUT /api/auth/language), stored on the user, carried into every
/// later sign-in, and the API's problem titles follow it with no Accept-Language; another user stays in Chinese.
/// </summary>
public sealed class PreferredLanguageTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static async Task<string?> NotFoundTitleAsync(HttpClient client)
    {
        var response = await client.GetAsync($"/api/applications/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.RequestMessage!.Headers.AcceptLanguage.FirstOrDefault());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString();
    }

    [Fact]
    public async Task UserWhoChoseEnglish_GetsEnglishProblemTitles_InALaterSession_WithoutAcceptLanguage()
    {
        var before = await app.SignInAsync("clerk");
        Assert.Equal("未找到申报", await NotFoundTitleAsync(before));

        var chosen = await before.PutAsJsonAsync("/api/auth/language", new { language = "en" });
        Assert.Equal(HttpStatusCode.NoContent, chosen.StatusCode);
        // The same session follows the choice at once (its cookie was reissued with the preference).
        Assert.Equal("Application not found", await NotFoundTitleAsync(before));

        // Stored on the user…
        var stored = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().Users.AsNoTracking()
            .Where(u => u.UserName == "clerk").Select(u => u.PreferredLanguage).SingleAsync());
        Assert.Equal("en", stored);

        // …and applied in a new session: a fresh client with no cookie but the sign-in's, no Accept-Language.
        var later = await app.SignInAsync("clerk");
        Assert.Equal("Application not found", await NotFoundTitleAsync(later));

        // Another user has chosen nothing: Chinese.
        Assert.Equal("未找到申报", await NotFoundTitleAsync(await app.SignInAsync("clerk.review")));

        // Back to Chinese, remembered the same way.
        Assert.Equal(HttpStatusCode.NoContent, (await later.PutAsJsonAsync("/api/auth/language", new { language = "zh-CN" })).StatusCode);
        Assert.Equal("未找到申报", await NotFoundTitleAsync(await app.SignInAsync("clerk")));
    }

    [Fact]
    public async Task UnsupportedLanguage_IsRefused_InTheUsersLanguage()
    {
        var client = await app.SignInAsync("clerk");
        var response = await client.PutAsJsonAsync("/api/auth/language", new { language = "fr" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("LanguageUnsupported", problem.GetProperty("code").GetString());
        Assert.Equal("不支持的语言“fr”，可选：zh-CN、en", problem.GetProperty("title").GetString());
    }
}
