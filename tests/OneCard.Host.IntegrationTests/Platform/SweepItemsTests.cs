using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OneCard.Host.Platform;

namespace OneCard.Host.IntegrationTests.Platform;

/// <summary>
/// A sweep's items are each their own unit of work: a failing item is counted and the rest run; an outage of the database
/// (a transient fault) or the run's cancellation ends the run at once, since every item after it would fail the same way.
/// </summary>
public sealed class SweepItemsTests
{
    [Fact]
    public async Task AFailingItem_IsCountedAndTheRestRun_AndTheRunThenThrows()
    {
        var items = new SweepItems("Test sweep", NullLogger.Instance, CancellationToken.None);
        var ran = new List<int>();
        Assert.False(await items.RunAsync("item", Guid.NewGuid(), () => throw new InvalidOperationException("a bad row")));
        Assert.True(await items.RunAsync("item", Guid.NewGuid(), () => { ran.Add(2); return Task.FromResult(true); }));
        Assert.False(await items.RunAsync("item", Guid.NewGuid(), () => throw new PostgresException("row fault", "ERROR", "ERROR", "P0001")));
        Assert.Equal([2], ran);
        Assert.Equal(2, items.Failed);
        var failure = Assert.Throws<InvalidOperationException>(items.ThrowIfAnyFailed);
        Assert.Equal("Test sweep: 2 item(s) failed (each logged); every other item was done", failure.Message);
    }

    [Fact]
    public async Task AnOutageOfTheDatabase_EndsTheRunAtOnce()
    {
        var items = new SweepItems("Test sweep", NullLogger.Instance, CancellationToken.None);
        var lost = new NpgsqlException("connection lost", new IOException("broken pipe"));
        Assert.True(lost.IsTransient);
        Assert.Same(lost, await Assert.ThrowsAsync<NpgsqlException>(() => items.RunAsync("item", Guid.NewGuid(), () => throw lost)));
        // Wrapped as EF wraps a save, and as a timeout: the same.
        await Assert.ThrowsAsync<Microsoft.EntityFrameworkCore.DbUpdateException>(() => items.RunAsync("item", Guid.NewGuid(),
            () => throw new Microsoft.EntityFrameworkCore.DbUpdateException("save failed", lost)));
        await Assert.ThrowsAsync<TimeoutException>(() => items.RunAsync("item", Guid.NewGuid(), () => throw new TimeoutException()));
        Assert.Equal(0, items.Failed);
        items.ThrowIfAnyFailed();
    }

    [Fact]
    public async Task TheRunsCancellation_EndsTheRunAtOnce()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var items = new SweepItems("Test sweep", NullLogger.Instance, cancelled.Token);
        await Assert.ThrowsAsync<OperationCanceledException>(() => items.RunAsync("item", Guid.NewGuid(), () => throw new OperationCanceledException(cancelled.Token)));
        Assert.Equal(0, items.Failed);
    }
}
