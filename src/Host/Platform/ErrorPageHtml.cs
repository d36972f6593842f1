using System.Globalization;
using System.Net;
using OneCard.Host.Components.Pages.Errors;

namespace OneCard.Host.Platform;

/// <summary>
/// The UI's error answer outside Blazor (an unknown route, a status with no body, an exception while rendering a page): a page in the request's language (Chinese first)
/// with a way home, styled by the host's own stylesheets (nothing from outside the host). The API keeps problem details.
/// </summary>
public static class ErrorPageHtml
{
    public static async Task WriteAsync(HttpContext http, int status)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        // Written outside request localization (before it, or after the pipeline unwound): the language is decided here from the same source.
        var culture = CultureInfo.GetCultureInfo(Language.Resolve(http));
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        string title, detail;
        try
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, culture);
            (title, detail) = (WebUtility.HtmlEncode(ErrorNotice.TitleOf(status)), WebUtility.HtmlEncode(ErrorNotice.SubTitleOf(status)));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
        string T(string key) => WebUtility.HtmlEncode(Resources.Ui.T(key, culture));
        await http.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="{{culture.Name}}">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1.0" />
                <link rel="icon" href="data:," />
                <title>{{title}} - {{T("App.TitleSuffix")}}</title>
                <link href="/_content/AntDesign/css/ant-design-blazor.css" rel="stylesheet" />
                <link href="/app.css" rel="stylesheet" />
            </head>
            <body>
                <div class="public-shell">
                    <header class="public-header"><a href="/public" class="public-brand">{{T("Public.Brand")}}</a></header>
                    <main class="public-main">
                        <div class="error-page" data-testid="error-page" data-status="{{status}}">
                            <div class="ant-result">
                                <div class="ant-result-title">{{title}}</div>
                                <div class="ant-result-subtitle">{{detail}}</div>
                                <div class="ant-result-extra">
                                    <a href="/" class="ant-btn ant-btn-primary" data-testid="error-home">{{T("Error.Home")}}</a>
                                    <a href="/public" class="ant-btn" style="margin-left:8px">{{T("Menu.Public")}}</a>
                                </div>
                            </div>
                        </div>
                    </main>
                </div>
            </body>
            </html>
            """, http.RequestAborted);
    }
}
