using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Components;

namespace OneCard.Host.Platform;

/// <summary>
/// Creates the UI's components as Blazor's default activator does (constructor injection from the renderer's scope), and
/// takes AntDesign's components off the finalizer queue. <c>AntComponentBase</c> (AntDesign 1.6.2) has a finalizer that runs
/// the component's <c>Dispose(false)</c> on the finalizer thread: a <c>TabPane</c> there calls back into its <c>Tabs</c>, which
/// re-renders off the dispatcher and throws — and an exception on the finalizer thread ends the process (the browser test
/// host died this way when a host's circuits were left undisposed at its shutdown). The renderer disposes every component it
/// created (<c>Dispose(true)</c>), and none holds an unmanaged resource, so the finalizer has nothing to do but harm.
/// </summary>
public sealed class FinalizerFreeComponentActivator(IServiceProvider services) : IComponentActivator
{
    private static readonly ConcurrentDictionary<Type, ObjectFactory> Factories = new();

    [SuppressMessage("Usage", "CA1816:Dispose methods should call SuppressFinalize",
        Justification = "Deliberately on another object: AntDesign's components are disposed by the renderer; their finalizer only does harm.")]
    public IComponent CreateInstance([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type componentType)
    {
        if (!typeof(IComponent).IsAssignableFrom(componentType))
            throw new ArgumentException($"The type {componentType.FullName} does not implement {nameof(IComponent)}.", nameof(componentType));
        var factory = Factories.GetOrAdd(componentType, static t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes));
        var component = (IComponent)factory(services, null);
        if (component is AntDesign.AntComponentBase) GC.SuppressFinalize(component);
        return component;
    }
}
