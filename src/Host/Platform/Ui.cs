using OneCard.Host.Components;
using OneCard.Host.Components.Account;
using OneCard.Host.Components.Shared;

namespace OneCard.Host.Platform;

/// <summary>The Blazor web UI (AntDesign, zh-CN first) on interactive server rendering.</summary>
public static class Ui
{
    public static WebApplicationBuilder AddOneCardUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddAntDesign();
        // AntDesign components off the finalizer queue (a finalized TabPane re-renders off the dispatcher and ends the process).
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.IComponentActivator>(sp => new FinalizerFreeComponentActivator(sp));
        builder.Services.AddScoped<UiOperations>();
        // _content/AntDesign/* comes from the package's static web assets. Outside a publish they are
        // found through the build's manifest, which the host only reads in Development unless asked:
        // the browser tests run the host as "Testing" and would get 404 for every CSS and JS file.
        if (!builder.Environment.IsDevelopment()) builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapOneCardUi(this WebApplication app)
    {
        // The culture is set earlier, after authentication (Languages.UseOneCardLanguages). AntDesign takes its component
        // locale (empty tables, pagination, modal buttons) from the current UI culture: zh-CN, or en (its en-US texts).
        app.MapStaticAssets();
        app.MapAccount();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
