using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OneCard.Host.Platform;

/// <summary>
/// Behind a TLS-terminating proxy the host sees plain HTTP from the proxy's address. X-Forwarded-Proto
/// and X-Forwarded-For are believed only from the proxies named in <c>ForwardedHeaders</c> (loopback is
/// trusted by default), so that the cookie is Secure, the origin check sees https and rate limits key
/// on the real client. The proxy must pass the Host header through unchanged.
/// </summary>
public static class Proxy
{
    public static IServiceCollection AddOneCardForwardedHeaders(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection("ForwardedHeaders");
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = section.GetValue("ForwardLimit", 1);
            foreach (var proxy in section.GetSection("KnownProxies").Get<string[]>() ?? [])
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in section.GetSection("KnownNetworks").Get<string[]>() ?? [])
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        return services;
    }
}
