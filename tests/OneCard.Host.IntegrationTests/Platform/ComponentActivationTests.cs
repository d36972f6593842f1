using System.Runtime.CompilerServices;
using AntDesign;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OneCard.Host.Platform;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// The UI's component activator: AntDesign components it creates are never finalized (AntDesign 1.6.2's finalizer runs component
/// logic on the finalizer thread, which crashed the browser test host), components still get constructor injection, and the
/// host's UI registers it. No database.
/// </summary>
public sealed class ComponentActivationTests
{
    /// <summary>An AntDesign component that counts the finalizer's Dispose(false) calls, per test run.</summary>
    public sealed class Probe : AntComponentBase
    {
        private static int finalized;

        public static int Finalized => Volatile.Read(ref finalized);

        protected override void Dispose(bool disposing)
        {
            if (!disposing) Interlocked.Increment(ref finalized);
            base.Dispose(disposing);
        }
    }

    public sealed class NeedsAService(TimeProvider time) : ComponentBase
    {
        public TimeProvider Time { get; } = time;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateAndDrop(Func<IComponent> create, int count)
    {
        for (var i = 0; i < count; i++) _ = create();
    }

    private static int FinalizedAfter(Func<IComponent> create)
    {
        var before = Probe.Finalized;
        CreateAndDrop(create, 200);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Probe.Finalized - before;
    }

    [Fact]
    public void AntDesignComponents_CreatedByTheActivator_AreNotFinalized_WhileOnesMadeByNewAre()
    {
        using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        var activator = new FinalizerFreeComponentActivator(services);

        // The control proves the probe sees the finalizer at all: plain construction leaves the finalizer armed.
        Assert.True(FinalizedAfter(() => new Probe()) > 0);
        Assert.Equal(0, FinalizedAfter(() => activator.CreateInstance(typeof(Probe))));
    }

    [Fact]
    public void Components_GetTheirConstructorServices_AndANonComponentIsRefused()
    {
        using var services = new ServiceCollection().AddSingleton(TimeProvider.System).BuildServiceProvider();
        var activator = new FinalizerFreeComponentActivator(services);

        var component = Assert.IsType<NeedsAService>(activator.CreateInstance(typeof(NeedsAService)));
        Assert.Same(TimeProvider.System, component.Time);
        Assert.Throws<ArgumentException>(() => activator.CreateInstance(typeof(string)));
    }

    [Fact]
    public void TheUi_RegistersTheActivator_PerRendererScope()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddOneCardUi();
        using var provider = builder.Services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        Assert.IsType<FinalizerFreeComponentActivator>(scope.ServiceProvider.GetRequiredService<IComponentActivator>());
    }
}
