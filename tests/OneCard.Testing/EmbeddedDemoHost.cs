using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Platform;

namespace OneCard.Testing;

/// <summary>
/// The README's run command in a test: the host on embedded SQLite (database and Hangfire storage in a temporary folder),
/// seeded with the demo data through the real use cases, on the real clock (the demo replays it). Fresh keys per host.
/// </summary>
public sealed class EmbeddedDemoHost : IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("onecard-embedded-").FullName;

    private EmbeddedDemoHost(bool runJobs)
    {
        App = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Embedded");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("Database:ConnectionString", $"Data Source={Path.Combine(folder, "onecard.db")}");
            builder.UseSetting("Jobs:RunServer", runJobs ? "true" : "false");
            builder.UseSetting("Jobs:SqlitePath", Path.Combine(folder, "onecard-jobs.db"));
            builder.UseSetting("Demo:Seed", "true");
            builder.UseSetting("Keys:PersonalDataEncryption", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
            builder.UseSetting("Keys:PersonalDataLookup", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Keys:AuditChain", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        });
    }

    public WebApplicationFactory<Program> App { get; }

    /// <summary>Starts a host; the demo is seeded when this returns. The caller disposes it.</summary>
    /// <param name="runJobs">Whether the Hangfire server runs in the host, as it does under <c>dotnet run</c>.</param>
    public static EmbeddedDemoHost Start(bool runJobs)
    {
        var host = new EmbeddedDemoHost(runJobs);
        _ = host.App.Server;
        return host;
    }

    /// <summary>A client without a session (cookies kept, redirects not followed).</summary>
    public HttpClient Anonymous() => App.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });

    /// <summary>A client signed in as a demo user with the demo password.</summary>
    public async Task<HttpClient> SignInAsync(string userName)
    {
        var client = Anonymous();
        (await client.PostAsJsonAsync("/api/auth/sign-in", new { userName, password = Host.Demo.DemoData.Password })).EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Runs <paramref name="work"/> in a fresh scope acting as the system (no region or department limit).</summary>
    public async Task<T> AsSystemAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        return await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
