using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Payments;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Payments;

/// <summary>
/// The application's case moves on once every payment of it has its bank result: to 公开 (Publicized), whose effect writes the
/// public notice line of every paid line. It runs in a transaction of its own, after the import that reconciled the last
/// batch has committed, so that recorded bank results never wait for, or roll back with, the publication of a million lines.
/// The import runs it at once for a case of at most <see cref="InlineUpTo"/> eligible lines (the finance officer's answer
/// then says 已公开, as it always did), and hands a larger case to a job (<see cref="RunJobAsync"/>). It is re-entrant: the
/// engine moves the case only from the step it was read in, under the case's lock, so a job, a replayed import and the
/// sweep racing each other move it once. A publication lost to a crash between the import's commit and its own is found by
/// <see cref="CorrectionSweep"/> (every minute) and by the import's replay, which a user retries.
/// </summary>
public sealed class Publication(IServiceScopeFactory scopes, IBackgroundJobClient jobs, IConfiguration config, ILogger<Publication> log)
{
    /// <summary>Cases of at most this many eligible lines are published inside the import's request (about 15 µs a line).</summary>
    public int InlineUpTo => config.GetValue("Payments:PublishInlineUpTo", 20_000);

    /// <summary>What <see cref="AfterReconciledAsync"/> did: the case's new step if it moved now, or that its job is queued.</summary>
    public readonly record struct Outcome(string? Step, bool Queued);

    /// <summary>After an import reconciled a batch (or replayed one that had): publishes now, or queues the job.</summary>
    public async Task<Outcome> AfterReconciledAsync(Guid applicationId, CancellationToken ct)
    {
        var open = await ReadAsync(db => db.WorkflowInstances.AnyAsync(i => i.SubjectKind == SubjectKinds.Application && i.SubjectId == applicationId && !i.IsFinal, ct));
        if (!open) return default;
        var eligible = await ReadAsync(db => db.Applications.Where(a => a.Id == applicationId).Select(a => a.EligibleCount).SingleAsync(ct));
        if (eligible > InlineUpTo)
        {
            Enqueue(applicationId);
            return new Outcome(null, Queued: true);
        }
        try
        {
            return new Outcome(await RunAsync(applicationId, ct), Queued: false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The results are committed: the import succeeded. The job (and else the sweep) publishes.
            log.LogError(e, "Publication of application {ApplicationId} failed after its import; queued as a job", applicationId);
            Enqueue(applicationId);
            return new Outcome(null, Queued: true);
        }
    }

    private void Enqueue(Guid applicationId) => jobs.Enqueue<Publication>(p => p.RunJobAsync(applicationId, CancellationToken.None));

    [AutomaticRetry(Attempts = 5)]
    public Task RunJobAsync(Guid applicationId, CancellationToken ct) => RunAsync(applicationId, ct);

    /// <summary>Moves the application's case on as the system if its payments allow it now; its new step, or null if it did not move.</summary>
    public async Task<string?> RunAsync(Guid applicationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        sp.GetRequiredService<UserContext>().SetSystem();
        var db = sp.GetRequiredService<OneCardDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var engine = sp.GetRequiredService<CaseEngine>();
        var subject = CaseSubject.Application(applicationId);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var result = await engine.MoveOnAsSystemAsync(subject, ct);
        if (result is null) return null;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        engine.AfterCommit(result, subject);
        return result.ToStep;
    }

    /// <summary>
    /// The applications whose case is still open although it has batches and every one of them is reconciled (a batch is
    /// reconciled in the transaction that records its last pending result, so none of their instructions is pending): their
    /// publication was lost, or is queued now. The sweep runs each.
    /// </summary>
    public Task<List<Guid>> WaitingAsync(CancellationToken ct) =>
        ReadAsync(db => Waiting(db).OrderBy(i => i.Id).Select(i => i.SubjectId).ToListAsync(ct));

    /// <summary>Whether the application's publication is still to come (see <see cref="WaitingAsync"/>): the batch page asks it until it is done.</summary>
    public Task<bool> IsWaitingAsync(Guid applicationId, CancellationToken ct) =>
        ReadAsync(db => Waiting(db).AnyAsync(i => i.SubjectId == applicationId, ct));

    private static IQueryable<WorkflowInstance> Waiting(OneCardDbContext db) => db.WorkflowInstances.IgnoreQueryFilters()
        .Where(i => i.SubjectKind == SubjectKinds.Application && !i.IsFinal)
        .Where(i => db.PaymentBatches.IgnoreQueryFilters().Any(b => b.ApplicationId == i.SubjectId))
        .Where(i => !db.PaymentBatches.IgnoreQueryFilters().Any(b => b.ApplicationId == i.SubjectId && b.Status != PaymentBatchStatus.Reconciled));

    private async Task<T> ReadAsync<T>(Func<OneCardDbContext, Task<T>> query)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        return await query(scope.ServiceProvider.GetRequiredService<OneCardDbContext>());
    }
}
