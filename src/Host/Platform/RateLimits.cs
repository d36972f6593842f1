using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OneCard.Host.Platform;

/// <summary>One fixed-window limit: so many requests per client address per window.</summary>
public sealed class WindowLimit
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; }
}

/// <summary>
/// Per-client-address limits (config <c>RateLimits</c>) on what anyone can call without signing in:
/// sign-in (API and form) and the public API, with a tighter one for posting objections. A global
/// limiter keyed by path, so the endpoints themselves stay unaware of it.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddOneCardRateLimits(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection("RateLimits");
        WindowLimit Read(string name, int permits, int seconds)
        {
            var limit = section.GetSection(name).Get<WindowLimit>() ?? new WindowLimit();
            return new WindowLimit
            {
                PermitLimit = limit.PermitLimit > 0 ? limit.PermitLimit : permits,
                WindowSeconds = limit.WindowSeconds > 0 ? limit.WindowSeconds : seconds,
            };
        }
        var signIn = Read("SignIn", 20, 60);
        var open = Read("Public", 120, 60);
        var objections = Read("Objections", 20, 3600);

        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http.Request) switch
            {
                Kind.SignIn => Partition("sign-in", http, signIn),
                Kind.Objection => Partition("objection", http, objections),
                Kind.Public => Partition("public", http, open),
                _ => RateLimitPartition.GetNoLimiter("none"),
            });
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "TooManyRequests",
                    "请求过于频繁，请稍后再试", "Too many requests; try again later.");
            };
        });
        return services;
    }

    private enum Kind { None, SignIn, Public, Objection }

    private static Kind Classify(HttpRequest request)
    {
        var path = request.Path;
        var post = HttpMethods.IsPost(request.Method);
        if (post && (path.Equals("/api/auth/sign-in", StringComparison.OrdinalIgnoreCase) || path.Equals("/account/sign-in", StringComparison.OrdinalIgnoreCase)))
            return Kind.SignIn;
        if (!path.StartsWithSegments("/api/public", StringComparison.OrdinalIgnoreCase)) return Kind.None;
        return post && path.Value!.TrimEnd('/').EndsWith("/objections", StringComparison.OrdinalIgnoreCase) ? Kind.Objection : Kind.Public;
    }

    /// <summary>The client's address after forwarded headers (a trusted proxy's X-Forwarded-For).</summary>
    private static RateLimitPartition<string> Partition(string name, HttpContext http, WindowLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter($"{name}|{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.WindowSeconds),
            QueueLimit = 0,
        });
}
