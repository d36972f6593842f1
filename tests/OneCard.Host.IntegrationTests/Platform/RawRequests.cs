using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>Requests built on the test server's HttpContext, so a test can say which address they come from.</summary>
internal static class RawRequests
{
    public static Task<HttpContext> PostJsonAsync(OneCardApp app, string path, object body, string? from = null, params (string Name, string Value)[] headers) =>
        app.Server.SendAsync(ctx =>
        {
            ctx.Request.Method = HttpMethods.Post;
            ctx.Request.Scheme = "http";
            ctx.Request.Host = new HostString("localhost");
            ctx.Request.Path = path;
            if (from is not null) ctx.Connection.RemoteIpAddress = IPAddress.Parse(from);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
            ctx.Request.Body = new MemoryStream(bytes);
            ctx.Request.ContentType = "application/json";
            ctx.Request.ContentLength = bytes.Length;
            foreach (var (name, value) in headers) ctx.Request.Headers[name] = value;
        });

    public static Task<HttpContext> SignInAsync(OneCardApp app, string userName, string password, string? from = null, params (string Name, string Value)[] headers) =>
        PostJsonAsync(app, "/api/auth/sign-in", new { userName, password }, from, headers);

    public static async Task<JsonElement> BodyAsync(HttpContext ctx) => await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Response.Body);
}
