using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Testing;

/// <summary>
/// The real OneCard host on a fresh PostgreSQL database, with a fake clock. By default no Hangfire
/// server runs (tests invoke jobs directly); pass <c>runJobServer</c> to test scheduling itself.
/// Demo users exist (password <see cref="Host.Demo.DemoData.Password"/>); no demo cases are made.
/// </summary>
public sealed class OneCardApp : WebApplicationFactory<Program>
{
    /// <summary>Monday 2026-03-02 09:00 in China: an ordinary working day, clear of the Spring Festival.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));

    private readonly bool runJobServer;
    private readonly bool useKestrel;
    private readonly IReadOnlyDictionary<string, string?> settings;
    private readonly Action<string>? log;
    private bool ownsDatabase;

    private OneCardApp(string connectionString, bool runJobServer, bool useKestrel, DateTimeOffset start, IReadOnlyDictionary<string, string?>? settings,
        Action<string>? log)
    {
        this.log = log;
        ConnectionString = connectionString;
        this.runJobServer = runJobServer;
        this.useKestrel = useKestrel;
        this.settings = settings ?? new Dictionary<string, string?>();
        Clock = new FakeTimeProvider(start);
        if (useKestrel) UseKestrel(0);
    }

    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }

    /// <summary>A host on a new database; <paramref name="useKestrel"/> serves on a real loopback port (browser tests).</summary>
    /// <param name="settings">Configuration applied over the test defaults, e.g. fixed <c>Keys:*</c> or <c>Database:BulkCopy</c>.</param>
    /// <param name="database">An existing database (e.g. to restart a host on it); by default a new one.</param>
    /// <param name="log">Receives each line the host logs (e.g. into the test's output, which a failed test prints).</param>
    public static async Task<OneCardApp> StartAsync(bool runJobServer = false, bool useKestrel = false, DateTimeOffset? start = null,
        IReadOnlyDictionary<string, string?>? settings = null, string? database = null, Action<string>? log = null)
    {
        var app = new OneCardApp(database ?? await TestPostgres.CreateDatabaseAsync(), runJobServer, useKestrel, start ?? DefaultStart, settings, log)
        {
            ownsDatabase = database is null,
        };
        try
        {
            if (useKestrel) app.StartServer();
            else _ = app.Server; // build the host now: migrations and seeding run here, not in the first test
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        await Host.Demo.DemoData.EnsureDemoUsersAsync(scope.ServiceProvider.GetRequiredService<OneCardDbContext>(),
            scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.IPasswordHasher<Domain.Users.User>>());
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", "Postgres");
        builder.UseSetting("Database:ConnectionString", ConnectionString);
        builder.UseSetting("Jobs:RunServer", runJobServer ? "true" : "false");
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Keys:PersonalDataEncryption", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        builder.UseSetting("Keys:PersonalDataLookup", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        builder.UseSetting("Keys:AuditChain", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        // Tests sign in and read public pages far more often per address than people do; a test sets small limits itself.
        foreach (var limit in new[] { "SignIn", "Public", "Objections" })
        {
            builder.UseSetting($"RateLimits:{limit}:PermitLimit", "100000");
            builder.UseSetting($"RateLimits:{limit}:WindowSeconds", "60");
        }
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            if (log is not null) services.AddSingleton<Serilog.Core.ILogEventSink>(new LineSink(log));
        });
    }

    /// <summary>Where the host listens: the Kestrel loopback address, or the in-memory test server's.</summary>
    public Uri BaseAddress => useKestrel
        ? new Uri(Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First())
        : ClientOptions.BaseAddress;

    /// <summary>An HTTP client signed in as a demo user (cookie kept), in memory or over Kestrel alike.</summary>
    public async Task<HttpClient> SignInAsync(string userName)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false, BaseAddress = BaseAddress });
        var response = await client.PostAsJsonAsync("/api/auth/sign-in", new { userName, password = Host.Demo.DemoData.Password });
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Runs <paramref name="work"/> in a DI scope acting as the system (jobs, direct checks).</summary>
    public async Task<T> AsSystemAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        return await work(scope.ServiceProvider);
    }

    /// <summary>Runs <paramref name="work"/> in a DI scope acting as <paramref name="user"/>, as a signed-in request would.</summary>
    public async Task<T> AsUserAsync<T>(CurrentUser user, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetUser(user);
        return await work(scope.ServiceProvider);
    }

    /// <summary>Writes each log event as one line: time, level, source, message and any exception.</summary>
    private sealed class LineSink(Action<string> write) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent)
        {
            var source = logEvent.Properties.TryGetValue("SourceContext", out var context) ? context.ToString().Trim('"') : "";
            write($"{logEvent.Timestamp:HH:mm:ss.fff} {logEvent.Level} {source}: {logEvent.RenderMessage()}"
                  + (logEvent.Exception is { } e ? Environment.NewLine + e : ""));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase) await TestPostgres.DropDatabaseAsync(ConnectionString);
    }
}
