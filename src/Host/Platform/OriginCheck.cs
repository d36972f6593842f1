namespace OneCard.Host.Platform;

/// <summary>
/// Cross-site request forgery guard for everything that changes state (POST, PUT, PATCH, DELETE),
/// the JSON API and sign-in included: a browser says where a request comes from (Origin, else
/// Sec-Fetch-Site, else Referer), and a request from any other origin — another site, or another
/// port or host under the same site — is refused with 403. Requests with none of these headers are
/// not from a browser page (scripts, bank integrations) and carry no ambient cookie risk; they pass.
/// SameSite=Strict alone is not enough: another port of the same host is the "same site".
/// Blazor's own antiforgery tokens on its forms stay in force as well.
/// </summary>
public static class OriginCheck
{
    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (IsSafe(http.Request.Method) || IsSameOrigin(http.Request)) { await next(); return; }
        await Problems.WriteAsync(http, StatusCodes.Status403Forbidden, "CrossOriginRefused",
            "拒绝跨站请求：该操作只能从本系统页面发起", "Cross-origin request refused.");
    });

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>Whether the browser-declared source, if any, is this very origin (scheme, host, port after forwarded headers).</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.Origin.Count > 0) return Matches(request, headers.Origin.ToString());
        var fetchSite = headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0) return fetchSite is "same-origin" or "none";
        if (headers.Referer.Count > 0) return Matches(request, headers.Referer.ToString());
        return true;
    }

    private static bool Matches(HttpRequest request, string source)
    {
        // "null" (sandboxed frames, file: pages) and anything unparsable are foreign.
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return false;
        var ownPort = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.IdnHost, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == ownPort;
    }
}
