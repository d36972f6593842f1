using Microsoft.AspNetCore.Mvc;
using OneCard.Host.Platform;

namespace OneCard.Host.Components.Account;

/// <summary>
/// The sign-in form's target and sign-out, as plain form posts (antiforgery-checked): a cookie can
/// only be written from an HTTP response, not from an interactive circuit.
/// </summary>
public static class AccountEndpoints
{
    public static void MapAccount(this WebApplication app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapPost("/sign-in", async ([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
            HttpContext http, UserContext context, SignInService signIn, CancellationToken ct) =>
        {
            context.SetSystem(); // reading the user table is not region-scoped
            var outcome = string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password)
                ? SignInOutcome.Failed : await signIn.SignInAsync(userName.Trim(), password, ct);
            if (outcome.User is null)
                return Results.LocalRedirect($"~/login?failed={(outcome.LockedUntil is null ? "1" : "locked")}&userName={Uri.EscapeDataString(userName ?? "")}&returnUrl={Uri.EscapeDataString(LocalOr(returnUrl))}");
            await Auth.SignInAsync(http, outcome.User, outcome.SessionId!);
            // The remembered language follows the user to this browser (and stays on its login page after signing out).
            if (outcome.User.PreferredLanguage is { } language) Languages.SetCookie(http, language);
            return Results.LocalRedirect("~" + LocalOr(returnUrl));
        });
        // The header's (and the login page's) language switch: remember, set the cookie, reload the page it came from.
        account.MapPost("/language", async ([FromForm] string? lang, [FromForm] string? returnUrl, HttpContext http, CancellationToken ct) =>
        {
            if (Language.Normalize(lang) is { } language) await Languages.ChooseAsync(http, language, ct);
            return Results.LocalRedirect("~" + LocalPath(returnUrl));
        });
        account.MapPost("/sign-out", async (HttpContext http) =>
        {
            await Auth.SignOutAsync(http);
            return Results.LocalRedirect("~/login");
        });
    }

    /// <summary>Only a local path is followed after switching the language (no open redirect); the login page may be it.</summary>
    private static string LocalPath(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\')) ? url : "/";

    /// <summary>Only a local path is followed after sign-in (no open redirect).</summary>
    private static string LocalOr(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] is not ('/' or '\\') && !url.StartsWith("/login", StringComparison.OrdinalIgnoreCase)
            ? url : "/inbox";
}
