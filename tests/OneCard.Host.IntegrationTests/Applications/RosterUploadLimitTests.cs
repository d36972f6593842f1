using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 5, finding 6: the upload limit is the app's, with its own Chinese message. Over real Kestrel,
/// whose own 30 MB default used to answer first, in English.
/// </summary>
public sealed class RosterUploadLimitTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync(useKestrel: true);
    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<HttpResponseMessage> UploadAsync(int bytes)
    {
        var client = await app.SignInAsync("clerk");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(new byte[bytes]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, "file", "roster.xlsx" },
            { new StringContent("arable-land-protection"), "policyCode" },
            { new StringContent("2026"), "period" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/applications/roster") { Content = form };
        // The server answers before reading an oversized body; the client then need not send it.
        request.Headers.ExpectContinue = true;
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Upload_OverTheLimit_IsRefusedWithTheAppsChineseProblem()
    {
        var response = await UploadAsync(60 * 1024 * 1024);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("RosterTooLarge", problem.GetProperty("code").GetString());
        Assert.Contains("文件超过50MB", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_Of40Megabytes_ReachesTheApp_PastKestrelsDefaultLimit()
    {
        // 40 MB of zeros named .xlsx: the app reads it and refuses it as not an xlsx, not Kestrel as too large.
        var response = await UploadAsync(40 * 1024 * 1024);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("RosterNotXlsx", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }
}
