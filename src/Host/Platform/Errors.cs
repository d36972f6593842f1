using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Workflows;

namespace OneCard.Host.Platform;

/// <summary>Turns domain and workflow errors into RFC 9457 problem details with a stable <c>code</c>.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // A UI page's exception is the Chinese 500 page (HostSetup re-executes /error/500), not JSON.
        if (!HostSetup.AnswersProblems(http.Request.Path) && !http.Request.Path.StartsWithSegments("/error")) return false;
        var (status, code, zh, en) = exception switch
        {
            OneCardException e => (StatusFor(e.Kind), e.Code, e.MessageZh, e.MessageEn),
            WorkflowException e => (StatusCodes.Status409Conflict, e.Code, WorkflowMessageZh(e.Code), e.Message),
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, "CaseChanged", Zh("Problem.CaseChanged"), En("Problem.CaseChanged")),
            // A value too large for its column is bad data that validation missed, not a concurrent change.
            DbUpdateException { InnerException: System.Data.Common.DbException { SqlState: NumericOutOfRange } }
                or System.Data.Common.DbException { SqlState: NumericOutOfRange } or OverflowException => (StatusCodes.Status422UnprocessableEntity,
                "ValueOutOfRange", Zh("Problem.ValueOutOfRange"), En("Problem.ValueOutOfRange")),
            DbUpdateException => (StatusCodes.Status409Conflict, "Conflict", Zh("Problem.Conflict"), En("Problem.Conflict")),
            // Over the endpoint's body limit (Kestrel or form reading): the endpoint's own message, in Chinese.
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(http),
            BadHttpRequestException e => (StatusCodes.Status400BadRequest, "BadRequest", Zh("Problem.BadRequest") + e.Message, En("Problem.BadRequest") + e.Message),
            _ => (0, "", "", ""),
        };
        if (status == 0) return false;
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http, ProblemDetails = Problems.Create(http, status, code, zh, en), Exception = exception,
        });
    }

    /// <summary>PostgreSQL's numeric_value_out_of_range.</summary>
    private const string NumericOutOfRange = "22003";

    private static (int, string, string, string) TooLarge(HttpContext http) =>
        // The middleware clears the endpoint before handlers run; its feature keeps it.
        (http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint())?.Metadata.GetMetadata<RequestTooLargeProblem>()?.Problem is { } p
            ? (StatusCodes.Status413PayloadTooLarge, p.Code, p.MessageZh, p.MessageEn)
            : (StatusCodes.Status413PayloadTooLarge, "RequestTooLarge", Zh("Problem.RequestTooLarge"), En("Problem.RequestTooLarge"));

    private static readonly System.Globalization.CultureInfo ChineseCulture = System.Globalization.CultureInfo.GetCultureInfo(Language.Chinese);
    private static readonly System.Globalization.CultureInfo EnglishCulture = System.Globalization.CultureInfo.GetCultureInfo(Language.English);
    private static string Zh(string key) => Resources.Ui.T(key, ChineseCulture);
    private static string En(string key) => Resources.Ui.T(key, EnglishCulture);

    private static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    internal static string WorkflowMessageZh(string code) => WorkflowMessage(code, ChineseCulture);

    /// <summary>A workflow refusal in <paramref name="culture"/> (Workflow.* in the resources; an unknown code is named).</summary>
    internal static string WorkflowMessage(string code, System.Globalization.CultureInfo culture) =>
        Resources.Ui.Resources.GetString("Workflow." + code, culture)
        ?? string.Format(culture, Resources.Ui.T("Workflow.Other", culture), code);
}

/// <summary>Endpoint metadata: the problem to answer when the request body is over the endpoint's size limit (413).</summary>
public sealed record RequestTooLargeProblem(OneCardException Problem);

/// <summary>
/// The request's language, one decision for the UI and the API: the signed-in user's remembered preference (the
/// <see cref="Claim"/> carried from <c>User.PreferredLanguage</c>), then the culture cookie the header's switch sets, then — for
/// the API and other machine paths only — Accept-Language, then Chinese. Request localization applies it (HostSetup), so
/// resources, AntDesign's own texts and problem titles all follow it.
/// </summary>
public static class Language
{
    public const string Chinese = "zh-CN";
    public const string English = "en";
    public static readonly IReadOnlyList<string> Supported = [Chinese, English];

    /// <summary>The claim carrying the signed-in user's preferred language (absent: none chosen).</summary>
    public const string Claim = "onecard:lang";

    /// <summary>A supported language for a tag people or browsers write ("en-US", "zh", "zh-Hans-CN"), or null.</summary>
    public static string? Normalize(string? tag)
    {
        var t = tag?.Trim();
        if (string.IsNullOrEmpty(t)) return null;
        if (t.Equals("en", StringComparison.OrdinalIgnoreCase) || t.StartsWith("en-", StringComparison.OrdinalIgnoreCase)) return English;
        if (t.Equals("zh", StringComparison.OrdinalIgnoreCase) || t.StartsWith("zh-", StringComparison.OrdinalIgnoreCase)) return Chinese;
        return null;
    }

    public static string Resolve(HttpContext http)
    {
        if (Normalize(http.User.FindFirst(Claim)?.Value) is { } preferred) return preferred;
        if (http.Request.Cookies[Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.DefaultCookieName] is { } cookie
            && Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.ParseCookieValue(cookie) is { UICultures: [var ui, ..] }
            && Normalize(ui.Value) is { } chosen)
            return chosen;
        // Not for the UI (nor its circuit, /_blazor): a browser's own language does not switch the pages from Chinese.
        if (ForMachines(http.Request.Path) && FromAcceptLanguage(http) is { } accepted) return accepted;
        return Chinese;
    }

    /// <summary>The supported language the Accept-Language header ranks highest (by quality, then order), or null.</summary>
    private static string? FromAcceptLanguage(HttpContext http)
    {
        var ranked = http.Request.GetTypedHeaders().AcceptLanguage;
        return ranked.Select((value, index) => (value, index)).Where(x => x.value.Quality is not 0)
            .OrderByDescending(x => x.value.Quality ?? 1).ThenBy(x => x.index)
            .Select(x => Normalize(x.value.Value.Value)).FirstOrDefault(l => l is not null);
    }

    private static bool ForMachines(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health") || path.StartsWithSegments("/hangfire");

    public static bool PrefersEnglish(HttpContext http) => Resolve(http) == English;

    /// <summary>The title of a zh/en pair in the request's language.</summary>
    public static string Pick(HttpContext http, string zh, string en) => PrefersEnglish(http) && !string.IsNullOrWhiteSpace(en) ? en : zh;
}
