using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace OneCard.Host.IntegrationTests.TwoHosts;

/// <summary>
/// One OneCard host as a separate OS process (<c>dotnet OneCard.Host.dll</c>), configured through
/// environment variables, on a free loopback port. Its stdout and stderr are kept for the test's
/// failure report; disposing kills the process tree, also when the test failed.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly Dictionary<string, HttpClient> clients = [];

    private HostProcess(string name, Process process, Uri address, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        Settings = settings;
        this.process = process;
        Address = address;
    }

    public string Name { get; }
    public Uri Address { get; }
    /// <summary>The configuration the process started with (database, keys): what a test needs to act as the bank.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }
    public int ProcessId => process.Id;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Log
    {
        get { lock (log) return log.ToString(); }
    }

    /// <summary>Starts the host and waits until /health answers (generously: a loaded 2-core machine builds the host slowly).</summary>
    public static async Task<HostProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        var directory = HostDirectory();
        var port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "OneCard.Host.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(name, process, new Uri($"http://127.0.0.1:{port}"), settings);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitHealthyAsync(timeout);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (log) log.Append('[').Append(Name).Append("] ").AppendLine(line);
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"Host {Name} exited with {process.ExitCode} before it was healthy.\n{Log}");
            try
            {
                // Degraded (a deadline year the calendar lacks) still serves; only a refused start matters here.
                if ((await probe.GetAsync("/health")).StatusCode is HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { } // not listening yet
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Host {Name} was not healthy within {timeout}.\n{Log}");
            await Task.Delay(250);
        }
    }

    /// <summary>A client signed in on this host as a demo user; cached until <see cref="ForgetSignIns"/>.</summary>
    public async Task<HttpClient> As(string userName)
    {
        if (clients.TryGetValue(userName, out var cached)) return cached;
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromMinutes(2),
        };
        var response = await client.PostAsJsonAsync("/api/auth/sign-in", new { userName, password = Demo.DemoData.Password });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Sign-in of {userName} on host {Name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        clients[userName] = client;
        return client;
    }

    /// <summary>Drops the signed-in clients: after the shared clock moved days ahead their sessions have expired.</summary>
    public void ForgetSignIns()
    {
        foreach (var client in clients.Values) client.Dispose();
        clients.Clear();
    }

    /// <summary>
    /// Kills the process at once with SIGKILL (no shutdown, no flushing, requests in flight cut off) and waits until it
    /// is gone. The signed-in clients are kept until <see cref="DisposeAsync"/>, so requests in flight fail on the
    /// server's side, not by the test cancelling them.
    /// </summary>
    public async Task KillAsync()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(wait.Token);
    }

    /// <summary>True once the process has ended (killed or exited).</summary>
    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync()
    {
        ForgetSignIns();
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException) { } // never started or already gone
        catch (OperationCanceledException) { }
        process.Dispose();
    }

    /// <summary>
    /// The built host: next to the test assembly (the project reference copies it there with its
    /// runtimeconfig, deps and the rules, workflows and data folders), else src/Host's own output.
    /// </summary>
    private static string HostDirectory()
    {
        var here = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(here, "OneCard.Host.runtimeconfig.json")) && Directory.Exists(Path.Combine(here, "workflows"))) return here;
        var configuration = new DirectoryInfo(here).Parent?.Name ?? "Release";
        for (var dir = new DirectoryInfo(here); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Host", "bin", configuration, "net10.0");
            if (File.Exists(Path.Combine(candidate, "OneCard.Host.runtimeconfig.json"))) return candidate;
        }
        throw new InvalidOperationException($"No built OneCard.Host.dll next to {here} or under src/Host/bin/{configuration}; build the solution first.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
