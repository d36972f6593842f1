using System.Data.Common;

namespace OneCard.Host.Platform;

/// <summary>
/// The items of one sweep run (<see cref="Cases.DeadlineSweepJob"/>, <see cref="Payments.CorrectionSweep"/>), each its own
/// unit of work: an item whose work throws is logged and counted, and the run goes on with the rest, so that one bad row
/// never holds back every item after it, minute after minute. Not when the database itself is out (a transient fault: the
/// connection lost, a timeout): every item after it would fail the same way, so that ends the run at once, and the job's
/// retry or the next run takes it up. A run with failed items ends by throwing (<see cref="ThrowIfAnyFailed"/>), so that the
/// job shows as failed.
/// </summary>
public sealed class SweepItems(string sweep, ILogger log, CancellationToken ct)
{
    /// <summary>Items whose work threw in this run.</summary>
    public int Failed { get; private set; }

    /// <summary>Runs one item's work; false if it failed (logged and counted) or did nothing.</summary>
    public async Task<bool> RunAsync(string what, Guid id, Func<Task<bool>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (Isolated(e))
        {
            Fail(e, what, id);
            return false;
        }
    }

    /// <summary>Whether a failure stays with its item: not a cancellation of the run, not an outage of the database.</summary>
    public bool Isolated(Exception e) => !(e is OperationCanceledException && ct.IsCancellationRequested) && !IsOutage(e);

    /// <summary>Records an item that failed (for callers that catch it themselves).</summary>
    public void Fail(Exception e, string what, Guid id)
    {
        Failed++;
        log.LogError(e, "{Sweep}: {What} {Id} failed; the sweep goes on with the rest", sweep, what, id);
    }

    public void ThrowIfAnyFailed()
    {
        if (Failed > 0) throw Failure(sweep, Failed);
    }

    /// <summary>What a run with failed items ends by throwing.</summary>
    public static InvalidOperationException Failure(string sweep, int failed) =>
        new($"{sweep}: {failed} item(s) failed (each logged); every other item was done");

    /// <summary>The database is out rather than the item at fault: a transient provider error or a timeout, at any depth.</summary>
    public static bool IsOutage(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is DbException { IsTransient: true } or TimeoutException) return true;
        return false;
    }
}
