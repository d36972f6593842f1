using OneCard.Host.Components;

namespace OneCard.Host.Platform;

/// <summary>The Blazor web UI (AntDesign, zh-CN first) on interactive server rendering.</summary>
public static class Ui
{
    public static WebApplicationBuilder AddOneCardUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddAntDesign();
        return builder;
    }

    public static WebApplication MapOneCardUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
