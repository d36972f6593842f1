using Microsoft.Extensions.DependencyInjection;
using OneCard.Domain.Policies;
using OneCard.Host.RuleSets;

namespace OneCard.Testing;

/// <summary>
/// Waits, bounded, until a host's rule set store has read a change back: on the store's own signal
/// (<see cref="RuleSetStore.WhenAsync"/>), not by polling. The store reloads by itself — at once after an approval on the same
/// host, by its poll on another — and that is what the tests prove. Integration tests and specs share it.
/// </summary>
public static class RuleSetStoreWait
{
    /// <summary>Long enough for a loaded CI machine; a store that never shows the change fails the test with its reason.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    /// <summary>Until <paramref name="app"/>'s store shows <paramref name="versionKey"/> with <paramref name="status"/>.</summary>
    public static Task ForAsync(OneCardApp app, string versionKey, RuleSetStatus status, TimeSpan? within = null) =>
        UntilAsync(app, e => e.TryGetValue(versionKey, out var entry) && entry.Status == status,
            $"The store did not show {versionKey} as {status} in time.", within);

    /// <summary>Until <paramref name="app"/>'s store shows every version in <paramref name="statuses"/> with its status.</summary>
    public static Task ForAllAsync(OneCardApp app, IReadOnlyCollection<(string VersionKey, RuleSetStatus Status)> statuses, TimeSpan? within = null) =>
        UntilAsync(app, e => statuses.All(s => e.TryGetValue(s.VersionKey, out var entry) && entry.Status == s.Status),
            $"The store did not read back the stored statuses of {string.Join(", ", statuses.Select(s => s.VersionKey))} in time.", within);

    private static async Task UntilAsync(OneCardApp app, Func<IReadOnlyDictionary<string, RuleSetStore.Entry>, bool> condition, string failure, TimeSpan? within)
    {
        using var timeout = new CancellationTokenSource(within ?? Default);
        try
        {
            await app.Services.GetRequiredService<RuleSetStore>().WhenAsync(condition, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException(failure);
        }
    }
}
