using System.Net;
using OneCard.Host.Components.Pages.Errors;

namespace OneCard.Host.Platform;

/// <summary>
/// The UI's error answer outside Blazor (an unknown route, a status with no body, an exception while rendering a page): a Chinese page
/// with a way home, styled by the host's own stylesheets (nothing from outside the host). The API keeps problem details.
/// </summary>
public static class ErrorPageHtml
{
    public static async Task WriteAsync(HttpContext http, int status)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        var title = WebUtility.HtmlEncode(ErrorNotice.TitleOf(status));
        var detail = WebUtility.HtmlEncode(ErrorNotice.SubTitleOf(status));
        await http.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1.0" />
                <link rel="icon" href="data:," />
                <title>{{title}} - 一卡通</title>
                <link href="/_content/AntDesign/css/ant-design-blazor.css" rel="stylesheet" />
                <link href="/app.css" rel="stylesheet" />
            </head>
            <body>
                <div class="public-shell">
                    <header class="public-header"><a href="/public" class="public-brand">惠民惠农财政补贴资金“一卡通”</a></header>
                    <main class="public-main">
                        <div class="error-page" data-testid="error-page" data-status="{{status}}">
                            <div class="ant-result">
                                <div class="ant-result-title">{{title}}</div>
                                <div class="ant-result-subtitle">{{detail}}</div>
                                <div class="ant-result-extra">
                                    <a href="/" class="ant-btn ant-btn-primary" data-testid="error-home">返回首页</a>
                                    <a href="/public" class="ant-btn" style="margin-left:8px">公示公开</a>
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
