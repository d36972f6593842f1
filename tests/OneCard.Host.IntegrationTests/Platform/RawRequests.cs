using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// The in-memory test server has no client address; this host (on the app's database) takes it from
/// a test-only header, ahead of everything else in the pipeline, so tests can act as several clients
/// and as a proxy.
/// </summary>
internal sealed class ClientAddresses(OneCardApp app)
{
    public const string Header = "X-Test-Client-Address";

    private readonly WebApplicationFactory<Program> host =
        app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, FromHeader>()));

    /// <summary>The services of the host these clients reach (its own singletons, e.g. the objection limiter).</summary>
    public IServiceProvider Services => host.Services;

    public HttpClient Client(string address)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Add(Header, address);
        return client;
    }

    public Task<HttpResponseMessage> SignInAsync(string from, string userName, string password, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/sign-in") { Content = JsonContent.Create(new { userName, password }) };
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return Client(from).SendAsync(request);
    }

    private sealed class FromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, then) =>
            {
                if (http.Request.Headers.Remove(Header, out var address)) http.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                return then(http);
            });
            next(app);
        };
    }
}
