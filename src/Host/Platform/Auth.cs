using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OneCard.Domain.Users;

namespace OneCard.Host.Platform;

/// <summary>Sign-in with a user name and password into an HttpOnly, SameSite=Strict cookie.</summary>
public static class Auth
{
    public sealed record SignInRequest(string? UserName, string? Password);
    /// <param name="Role">The first of <paramref name="Roles"/>, kept for clients written when a user had one role.</param>
    public sealed record Me(string Id, string UserName, string DisplayName, string Role, string RegionCode, string RegionName, string? Organisation,
        IReadOnlyList<string> Roles, string? DepartmentCode);

    public static IServiceCollection AddOneCardAuth(this IServiceCollection services, IConfiguration config)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request was HTTPS, as seen after a trusted proxy's X-Forwarded-Proto (see Proxy.cs).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            // A page the user's roles do not open: the Chinese 403 page (the API still answers a bare 403).
            o.AccessDeniedPath = "/error/403";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // The API answers 401/403; only pages redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => Redirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => Redirect(ctx, StatusCodes.Status403Forbidden);
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<DummyPassword>();
        services.AddSingleton(config.GetSection("RateLimits:Lockout").Get<LockoutOptions>() ?? new LockoutOptions());
        services.AddScoped<SignInService>();
        return services;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api")) ctx.Response.StatusCode = status;
        else ctx.Response.Redirect(status == StatusCodes.Status401Unauthorized && HadSession(ctx.Request) ? WithExpired(ctx.RedirectUri) : ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>The name of the sign-in cookie (chunked cookies add C1, C2… to it).</summary>
    public const string CookieName = "onecard.auth";

    /// <summary>The browser still sends a sign-in cookie the host no longer accepts: the session expired (or was ended), so the login page says so.</summary>
    public static bool HadSession(HttpRequest request) => request.Cookies.ContainsKey(CookieName) || request.Cookies.ContainsKey(CookieName + "C1");

    /// <summary>The login URL with <c>expired=1</c> added (the page shows “登录已过期，请重新登录” and returns to where the user was).</summary>
    public static string WithExpired(string loginUrl) => loginUrl + (loginUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "expired=1";

    /// <summary>The claim naming the server-side session (<see cref="UserSession"/>) a cookie belongs to.</summary>
    public const string SessionClaim = "onecard:session";

    /// <summary>A cookie whose session was ended (signed out) or never recorded is refused and cleared.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext ctx)
    {
        var sessionId = ctx.Principal?.FindFirstValue(SessionClaim);
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<SignInService>();
        if (sessionId is not null && await sessions.IsOpenAsync(sessionId, ctx.HttpContext.RequestAborted)) return;
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    public static Task SignInAsync(HttpContext http, CurrentUser user, string sessionId) =>
        http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([.. user.ToClaims(), new Claim(SessionClaim, sessionId)],
            CookieAuthenticationDefaults.AuthenticationScheme)));

    /// <summary>Ends the server-side session first, so the cookie is dead even if the browser (or a thief) keeps it.</summary>
    public static async Task SignOutAsync(HttpContext http)
    {
        await http.RequestServices.GetRequiredService<SignInService>().EndSessionAsync(http.User.FindFirstValue(SessionClaim), http.RequestAborted);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>The one answer to a refused sign-in: the same for a wrong password and an unknown name.</summary>
    public static ProblemHttpResult Refused(SignInOutcome outcome) => outcome.LockedUntil is { } until
        ? TypedResults.Problem(title: Resources.Ui.T("Problem.SignInLocked"), statusCode: StatusCodes.Status401Unauthorized,
            extensions: new Dictionary<string, object?> { ["code"] = "SignInLocked", ["lockedUntil"] = until })
        : TypedResults.Problem(title: Resources.Ui.T("Problem.SignInFailed"), statusCode: StatusCodes.Status401Unauthorized,
            extensions: new Dictionary<string, object?> { ["code"] = "SignInFailed" });

    public static void MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").AllowAnonymous().WithTags("Auth");
        auth.MapPost("/sign-in", async Task<Results<Ok<Me>, ProblemHttpResult>> (SignInRequest body, HttpContext http, UserContext context,
            SignInService signIn, RegionDirectory regions, CancellationToken ct) =>
        {
            context.SetSystem(); // reading the user table is not region-scoped
            var outcome = await signIn.SignInAsync(body.UserName ?? "", body.Password ?? "", ct);
            if (outcome.User is null) return Refused(outcome);
            await SignInAsync(http, outcome.User, outcome.SessionId!);
            return TypedResults.Ok(ToMe(outcome.User, regions));
        }).WithName("SignIn").DisableAntiforgery();
        auth.MapPost("/sign-out", async (HttpContext http) =>
        {
            await SignOutAsync(http);
            return TypedResults.NoContent();
        }).WithName("SignOut").DisableAntiforgery();
        api.MapGet("/auth/me", (UserContext user, RegionDirectory regions) => TypedResults.Ok(ToMe(user.Required, regions)))
            .WithName("Me").WithTags("Auth");
    }

    public static Me ToMe(CurrentUser u, RegionDirectory regions) =>
        new(u.Id, u.UserName, u.DisplayName, u.Roles[0], u.RegionCode, regions.FullName(u.RegionCode), u.Organisation, u.Roles, u.DepartmentCode);
}
