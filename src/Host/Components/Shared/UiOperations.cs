using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Workflows;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// How a component calls a use case: each operation in a fresh DI scope (its own DbContext, no
/// long-lived context in a circuit), claimed for the signed-in user before the handler is resolved.
/// </summary>
public sealed class UiOperations(IServiceScopeFactory scopes, AuthenticationStateProvider authentication)
{
    public async Task<CurrentUser?> CurrentUserAsync() =>
        CurrentUser.From((await authentication.GetAuthenticationStateAsync()).User);

    /// <summary>Runs <paramref name="work"/> with a handler resolved in a new scope acting for the signed-in user.</summary>
    public async Task<T> RunAsync<THandler, T>(Func<THandler, Task<T>> work) where THandler : notnull
    {
        var user = await CurrentUserAsync() ?? throw new InvalidOperationException("No user is signed in.");
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetUser(user);
        return await work(scope.ServiceProvider.GetRequiredService<THandler>());
    }

    public Task RunAsync<THandler>(Func<THandler, Task> work) where THandler : notnull =>
        RunAsync<THandler, bool>(async h => { await work(h); return true; });

    /// <summary>For the public pages: a new scope claimed by nobody (region-bound sets read as empty).</summary>
    public async Task<T> RunAnonymousAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>The message of a domain or workflow error in the current UI culture, or null for anything unexpected (rethrow it).</summary>
    public static string? Error(Exception exception) => exception switch
    {
        OneCardException e => Resources.Ui.Pick(e.MessageZh, e.MessageEn),
        WorkflowException e => ProblemExceptionHandler.WorkflowMessage(e.Code, System.Globalization.CultureInfo.CurrentUICulture),
        DbUpdateConcurrencyException => Resources.Ui.T("Problem.CaseChanged"),
        _ => null,
    };
}
