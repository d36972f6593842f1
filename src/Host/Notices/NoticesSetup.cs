using OneCard.Host.Cases;

namespace OneCard.Host.Notices;

/// <summary>The notice centre, the outbox and its file adapter, and the task clock that raises their events.</summary>
public static class NoticesSetup
{
    public static IServiceCollection AddNotices(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Outbox").Get<OutboxOptions>() ?? new OutboxOptions());
        services.AddSingleton<NoticeCentre>();
        services.AddScoped<MyNotices.Handler>();
        services.AddScoped<NoticeBellState>();
        services.AddTransient<TaskClockJob>();
        services.AddTransient<OutboxFileJob>();
        return services;
    }
}

/// <summary>Per circuit: lets the notice page tell the bell that the unread count changed.</summary>
public sealed class NoticeBellState
{
    public event Action? Changed;

    public void NotifyChanged() => Changed?.Invoke();
}
