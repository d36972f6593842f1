using Microsoft.AspNetCore.Mvc;

namespace OneCard.Host.Platform;

/// <summary>Problem details written from middleware (no endpoint ran), in the shape Errors.cs gives endpoints.</summary>
public static class Problems
{
    /// <summary>OneCard's problem shape: the status, the title in the request's language (<see cref="Language.Resolve"/>), a stable <c>code</c>.</summary>
    public static ProblemDetails Create(HttpContext http, int status, string code, string zh, string en)
    {
        var details = new ProblemDetails
        {
            Status = status,
            Title = Language.Pick(http, zh, en),
            Type = $"https://onecard.example/problems/{code}",
        };
        details.Extensions["code"] = code;
        return details;
    }

    public static async Task WriteAsync(HttpContext http, int status, string code, string zh, string en)
    {
        http.Response.StatusCode = status;
        var details = Create(http, status, code, zh, en);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details }))
            await http.Response.WriteAsJsonAsync(details, options: null, contentType: "application/problem+json");
    }
}
