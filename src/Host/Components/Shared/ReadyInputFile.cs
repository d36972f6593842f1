using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// Blazor's <see cref="InputFile"/> that says when it can take a file: <see cref="OnReady"/> runs once its JavaScript has
/// attached the change listener (the set-up call of its first after-render has completed). A page that marks itself interactive
/// earlier (its own first after-render) can be shown as ready while the listener is still on its way, and a file picked in
/// that moment is never seen: the roster page's browser test lost one that way on a loaded machine.
/// </summary>
public sealed class ReadyInputFile : InputFile
{
    /// <summary>Runs once, when a picked file will reach <see cref="InputFile.OnChange"/>.</summary>
    [Parameter] public EventCallback OnReady { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        await base.OnAfterRenderAsync(firstRender);
        if (firstRender) await OnReady.InvokeAsync();
    }
}
