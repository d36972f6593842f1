namespace OneCard.Host.Cases;

/// <summary>Registers the subject-generic case endpoints (read, act, migrate) and their handlers: one line each in HostSetup.</summary>
public static class CaseEndpoints
{
    public static IServiceCollection AddCaseEndpoints(this IServiceCollection services)
    {
        services.AddScoped<CaseActions.Handler>();
        services.AddScoped<MigrateCase.Handler>();
        return services;
    }

    public static void MapCaseEndpoints(this RouteGroupBuilder api)
    {
        api.MapCaseActions();
        api.MapMigrateCase();
    }
}
