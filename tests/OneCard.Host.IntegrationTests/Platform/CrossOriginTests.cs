using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// Issue 5, finding 4: a page on another origin (even another port of the same host, which SameSite
/// treats as the same site) cannot make a signed-in user's browser change anything.
/// </summary>
public sealed class CrossOriginTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpResponseMessage> ApproveAsync(Guid id, string header, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/actions/Approve") { Content = JsonContent.Create(new { comment = "同意" }) };
        request.Headers.TryAddWithoutValidation(header, value);
        // The township's second clerk: the submitting clerk may not take township review (separation of duties).
        return await (await driver.As("clerk.review")).SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CrossOriginRefused", body.GetProperty("code").GetString());
        Assert.StartsWith("拒绝跨站请求", body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task CaseAction_IsRefused_WhenPostedFromAnotherOrigin_AndChangesNothing()
    {
        var id = await driver.SubmitAsync();
        var before = await driver.StepAsync(id);

        await AssertRefusedAsync(await ApproveAsync(id, "Origin", "http://localhost:9999"));
        await AssertRefusedAsync(await ApproveAsync(id, "Sec-Fetch-Site", "same-site"));
        await AssertRefusedAsync(await ApproveAsync(id, "Referer", "http://evil.example/page"));
        await AssertRefusedAsync(await ApproveAsync(id, "Origin", "null"));
        Assert.Equal(before, await driver.StepAsync(id));

        var sameOrigin = await ApproveAsync(id, "Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, sameOrigin.StatusCode);
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task RosterUpload_IsRefused_WhenTheBrowserSaysCrossSite_AndCreatesNothing()
    {
        HttpRequestMessage Upload(string fetchSite)
        {
            var csv = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途\n" +
                      $"张三,{CaseDriver.Id("21012419800101123")},210124101,6217991234567890124,邮储银行,10.5,否\n";
            var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "roster.csv" },
                { new StringContent("arable-land-protection"), "policyCode" },
                { new StringContent("2026"), "period" },
            };
            return new HttpRequestMessage(HttpMethod.Post, "/api/applications/roster") { Content = form, Headers = { { "Sec-Fetch-Site", fetchSite } } };
        }
        var clerk = await driver.As("clerk");

        await AssertRefusedAsync(await clerk.SendAsync(Upload("cross-site")));
        Assert.Equal(0, (await clerk.GetFromJsonAsync<JsonElement>("/api/applications")).GetArrayLength());

        Assert.Equal(HttpStatusCode.Created, (await clerk.SendAsync(Upload("same-origin"))).StatusCode);
        Assert.Equal(1, (await clerk.GetFromJsonAsync<JsonElement>("/api/applications")).GetArrayLength());
    }

    [Fact]
    public async Task SignIn_IsRefused_FromAnotherOrigin()
    {
        // Login CSRF: another page must not sign the victim's browser into an account of its choosing.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/sign-in")
        {
            Content = JsonContent.Create(new { userName = "clerk", password = Demo.DemoData.Password }),
            Headers = { { "Origin", "https://evil.example" } },
        };
        var response = await app.CreateClient().SendAsync(request);
        await AssertRefusedAsync(response);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
