using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace OneCard.Host.Platform;

/// <summary>
/// Hangfire's log provider: the host's own logging, as Hangfire's <c>AspNetCoreLogProvider</c> gives it, but one that outlives
/// its host. Hangfire keeps the provider in a process-wide global that the last host to configure it sets; tests and specs run
/// many hosts in one process, and once that host had stopped (its logger factory disposed) another host's first job client threw
/// <see cref="ObjectDisposedException"/> and its request answered 500 (CI on 70f1d6f). After its factory is disposed this
/// provider's loggers drop what they are given.
/// </summary>
public sealed class HangfireLogs(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name) => new Log(factory, name);

    private sealed class Log(ILoggerFactory factory, string name) : ILog
    {
        private ILogger? logger;

        bool ILog.Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception)
        {
            try
            {
                logger ??= factory.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLevel.Trace => LogLevel.Trace,
                    HangfireLevel.Debug => LogLevel.Debug,
                    HangfireLevel.Info => LogLevel.Information,
                    HangfireLevel.Warn => LogLevel.Warning,
                    HangfireLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                // No message: Hangfire asks whether the level is enabled.
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
#pragma warning disable CA2254 // Hangfire's message is already formatted
                logger.Log(level, 0, exception, messageFunc());
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
