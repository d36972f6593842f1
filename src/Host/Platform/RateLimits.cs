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
        var objections = new ObjectionLimiter(Read("Objections", 20, 3600));
        services.AddSingleton(objections);
        services.AddScoped<ClientAddress>();

        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Classify(http.Request) switch
            {
                Kind.SignIn => Partition("sign-in", http, signIn),
                // The objection form on the public page draws on the same per-address budget (ObjectionLimiter).
                Kind.Objection => RateLimitPartition.Get($"objection|{http.Connection.RemoteIpAddress}",
                    _ => objections.For(http.Connection.RemoteIpAddress)),
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

/// <summary>
/// The per-address budget for objections (config <c>RateLimits:Objections</c>), one for both ways in: the API's middleware
/// draws on it through <see cref="For"/>, the public notice page (a Blazor circuit, where no request passes the middleware)
/// through <see cref="Acquire"/> with the address its circuit was opened from (<see cref="ClientAddress"/>).
/// </summary>
public sealed class ObjectionLimiter(WindowLimit limit) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.WindowSeconds),
            QueueLimit = 0,
        }));

    /// <summary>One objection's permit for <paramref name="address"/>; the caller refuses when the lease is not acquired.</summary>
    public RateLimitLease Acquire(System.Net.IPAddress? address) => limiter.AttemptAcquire(Key(address));

    /// <summary>What is left of one address's budget in the current window.</summary>
    public RateLimiterStatistics? Statistics(System.Net.IPAddress? address) => limiter.GetStatistics(Key(address));

    /// <summary>The budget of one address as a limiter the rate-limiting middleware can hold (it keeps no state of its own).</summary>
    internal RateLimiter For(System.Net.IPAddress? address) => new OneAddress(limiter, Key(address));

    private static string Key(System.Net.IPAddress? address) => address?.ToString() ?? "unknown";

    public void Dispose() => limiter.Dispose();

    private sealed class OneAddress(PartitionedRateLimiter<string> inner, string key) : RateLimiter
    {
        // Stateless: the middleware may drop and re-create it at will; the budget lives in the inner limiter.
        public override TimeSpan? IdleDuration => TimeSpan.Zero;
        public override RateLimiterStatistics? GetStatistics() => inner.GetStatistics(key);
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(key, permitCount);
        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            inner.AcquireAsync(key, permitCount, cancellationToken);
    }
}

/// <summary>
/// The client address of the current Blazor circuit: taken from the request that prerendered the page (after forwarded
/// headers) and carried into the circuit as persisted component state (<c>Routes.razor</c>), which the server protects.
/// </summary>
public sealed class ClientAddress
{
    public System.Net.IPAddress? Value { get; set; }
}
