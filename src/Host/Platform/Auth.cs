using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Users;
using OneCard.Persistence;

namespace OneCard.Host.Platform;

/// <summary>Sign-in with a user name and password into an HttpOnly, SameSite=Strict cookie.</summary>
public static class Auth
{
    public sealed record SignInRequest(string UserName, string Password);
    public sealed record Me(string Id, string UserName, string DisplayName, string Role, string RegionCode, string RegionName, string? Organisation);

    public static IServiceCollection AddOneCardAuth(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "onecard.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.LoginPath = "/login";
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // The API answers 401/403; only pages redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => Redirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => Redirect(ctx, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        return services;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api")) ctx.Response.StatusCode = status;
        else ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Checks the password; null when the user or the password is wrong (no hint which).</summary>
    public static async Task<CurrentUser?> VerifyAsync(OneCardDbContext db, IPasswordHasher<User> hasher, string userName, string password, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName, ct);
        if (user is null || hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed) return null;
        return new CurrentUser(user.Id, user.UserName, user.DisplayName, user.Role, user.RegionCode, user.Organisation);
    }

    public static Task SignInAsync(HttpContext http, CurrentUser user) =>
        http.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(user.ToClaims(), CookieAuthenticationDefaults.AuthenticationScheme)));

    public static void MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").AllowAnonymous().WithTags("Auth");
        auth.MapPost("/sign-in", async Task<Results<Ok<Me>, ProblemHttpResult>> (SignInRequest body, HttpContext http, UserContext context,
            OneCardDbContext db, IPasswordHasher<User> hasher, RegionDirectory regions, CancellationToken ct) =>
        {
            context.SetSystem(); // reading the user table is not region-scoped
            var user = await VerifyAsync(db, hasher, body.UserName, body.Password, ct);
            if (user is null)
                return TypedResults.Problem(title: "用户名或密码错误", statusCode: StatusCodes.Status401Unauthorized,
                    extensions: new Dictionary<string, object?> { ["code"] = "SignInFailed" });
            await SignInAsync(http, user);
            return TypedResults.Ok(ToMe(user, regions));
        }).WithName("SignIn").DisableAntiforgery();
        auth.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync();
            return TypedResults.NoContent();
        }).WithName("SignOut").DisableAntiforgery();
        api.MapGet("/auth/me", (UserContext user, RegionDirectory regions) => TypedResults.Ok(ToMe(user.Required, regions)))
            .WithName("Me").WithTags("Auth");
    }

    public static Me ToMe(CurrentUser u, RegionDirectory regions) =>
        new(u.Id, u.UserName, u.DisplayName, u.Role, u.RegionCode, regions.FullName(u.RegionCode), u.Organisation);
}
