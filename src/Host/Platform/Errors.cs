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
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, "CaseChanged",
                "该案件已被他人处理，请刷新后重试", "The case was changed by someone else; reload and try again."),
            // A value too large for its column is bad data that validation missed, not a concurrent change.
            DbUpdateException { InnerException: System.Data.Common.DbException { SqlState: NumericOutOfRange } }
                or System.Data.Common.DbException { SqlState: NumericOutOfRange } or OverflowException => (StatusCodes.Status422UnprocessableEntity,
                "ValueOutOfRange", "数值超出可保存的范围，请核实数据", "A value is out of the range that can be stored."),
            DbUpdateException => (StatusCodes.Status409Conflict, "Conflict",
                "数据已被并发修改或与已有记录冲突，请刷新后重试", "The data changed concurrently or conflicts with an existing record."),
            // Over the endpoint's body limit (Kestrel or form reading): the endpoint's own message, in Chinese.
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(http),
            BadHttpRequestException e => (StatusCodes.Status400BadRequest, "BadRequest", "请求格式错误：" + e.Message, e.Message),
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
            : (StatusCodes.Status413PayloadTooLarge, "RequestTooLarge", "请求内容过大，超过允许的上限", "The request body is too large.");

    private static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    internal static string WorkflowMessageZh(string code) => code switch
    {
        "TransitionNotAllowed" => "当前环节不允许该操作",
        "RoleNotPermitted" => "您的角色无权执行该操作",
        "GuardFailed" => "办理条件尚未满足",
        "CommentRequired" => "该操作须填写意见",
        "SeparationOfDuties" => "您已办理本案件的前序环节，按职责分离规定不能办理本环节",
        "GuardsAmbiguous" => "流程定义有歧义：多个去向同时满足条件，请联系管理员",
        "UnknownStep" => "流程环节不存在",
        "DefinitionNotFound" => "流程定义不存在",
        _ => "流程错误：" + code,
    };
}

/// <summary>Endpoint metadata: the problem to answer when the request body is over the endpoint's size limit (413).</summary>
public sealed record RequestTooLargeProblem(OneCardException Problem);

/// <summary>Chinese first: English only when the request asks for it.</summary>
public static class Language
{
    public static bool PrefersEnglish(HttpContext http)
    {
        var accept = http.Request.Headers.AcceptLanguage.ToString();
        return accept.StartsWith("en", StringComparison.OrdinalIgnoreCase);
    }
}
