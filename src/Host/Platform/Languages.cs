using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using OneCard.Persistence;

namespace OneCard.Host.Platform;

/// <summary>
/// Choosing the language: the header's switch (a form post, then a full reload so that a new Blazor circuit starts in that
/// culture) and <c>PUT /api/auth/language</c>. Both remember the choice for the signed-in user (<c>User.PreferredLanguage</c>,
/// carried as a claim from sign-in on) and set the culture cookie, which also serves a browser nobody is signed in on.
/// </summary>
public static class Languages
{
    public sealed record LanguageRequest(string? Language);

    /// <summary>Request localization from <see cref="Language.Resolve"/>: zh-CN (default) and en.</summary>
    public static IApplicationBuilder UseOneCardLanguages(this IApplicationBuilder app)
    {
        var options = new RequestLocalizationOptions().SetDefaultCulture(Language.Chinese)
            .AddSupportedCultures([.. Language.Supported]).AddSupportedUICultures([.. Language.Supported]);
        options.RequestCultureProviders = [new CustomRequestCultureProvider(http => Task.FromResult<ProviderCultureResult?>(new(Language.Resolve(http))))];
        return app.UseRequestLocalization(options);
    }

    /// <summary>
    /// Stores <paramref name="language"/> as the signed-in user's preference (and reissues their cookie with the new claim,
    /// same session), and sets the culture cookie for this browser.
    /// </summary>
    public static async Task ChooseAsync(HttpContext http, string language, CancellationToken ct)
    {
        if (CurrentUser.From(http.User) is { } user)
        {
            var db = http.RequestServices.GetRequiredService<OneCardDbContext>();
            http.RequestServices.GetRequiredService<UserContext>().SetSystem(); // the user table is not region-scoped
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredLanguage, language), ct);
            if (http.User.FindFirstValue(Auth.SessionClaim) is { } session)
                await Auth.SignInAsync(http, user with { PreferredLanguage = language }, session);
        }
        SetCookie(http, language);
    }

    /// <summary>The culture cookie (a year; readable by the server only), as request localization's cookie provider writes it.</summary>
    public static void SetCookie(HttpContext http, string language) =>
        http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true,
                Secure = http.Request.IsHttps, Path = "/",
            });

    public static void MapLanguageApi(this RouteGroupBuilder api) =>
        api.MapPut("/auth/language", async Task<Results<NoContent, ProblemHttpResult>> (LanguageRequest body, HttpContext http, CancellationToken ct) =>
        {
            if (Language.Normalize(body.Language) is not { } language)
                return TypedResults.Problem(title: Resources.Ui.F("Problem.LanguageUnsupported", body.Language ?? ""),
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    extensions: new Dictionary<string, object?> { ["code"] = "LanguageUnsupported" });
            await ChooseAsync(http, language, ct);
            return TypedResults.NoContent();
        }).WithName("ChooseLanguage").WithTags("Auth").WithSummary("Remembers the signed-in user's language (zh-CN or en) for the UI and problem titles");
}
