using OneCard.Testing;

namespace OneCard.Specs.Support;

/// <summary>One real host on a fresh PostgreSQL database per scenario, disposed after it.</summary>
[Binding]
public sealed class Hooks(ScenarioState state)
{
    [BeforeScenario]
    public async Task StartHostAsync() =>
        // Built off SpecFlow's per-step synchronization context, so nothing of the host is tied to it.
        state.App = await Task.Run(() => OneCardApp.StartAsync());

    [AfterScenario]
    public Task StopHostAsync() => Task.Run(state.DisposeAsync);
}
