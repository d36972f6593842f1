using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Notices;

/// <summary>Where the file adapter writes (<c>Outbox:Directory</c>) and how much it takes per claim.</summary>
public sealed class OutboxOptions
{
    public string Directory { get; set; } = "outbox";
    public int BatchSize { get; set; } = 500;
    /// <summary>How long a claim is held; a host that dies holding one releases it when it expires.</summary>
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// The outbox's file adapter, standing in for an SMS or e-mail gateway (none is reachable here): a recurring job that
/// claims unsent messages, appends them as JSON lines to one file per claim in <see cref="OutboxOptions.Directory"/>, and
/// marks them sent. The claim is a conditional update (unsent and unclaimed or claim expired), so two hosts draining at
/// once take disjoint messages — on PostgreSQL the second update waits on the first's row locks and then re-checks its
/// condition — and each message is written once. A host that dies between writing and marking leaves a file whose
/// messages are written again after the claim expires (at least once; the file name carries the claim id).
/// </summary>
public sealed class OutboxFileJob(IServiceScopeFactory scopes, TimeProvider time, OutboxOptions options)
{
    public const string RecurringId = "outbox-file";

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Drains claimable messages, one claim after another; returns how many it wrote.</summary>
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(60)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var written = 0;
        for (int n; (n = await DrainOnceAsync(ct)) > 0;) written += n;
        return written;
    }

    /// <summary>Claims up to one batch, writes it and marks it sent; 0 when nothing was left to claim.</summary>
    public async Task<int> DrainOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var now = time.GetUtcNow();
        var claim = Guid.CreateVersion7();

        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.SentAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.CreatedAt).Select(m => m.Id).Take(options.BatchSize).ToListAsync(ct);
        if (candidates.Count == 0) return 0;
        var until = now + options.ClaimFor;
        var claimed = await db.OutboxMessages
            .Where(m => candidates.Contains(m.Id) && m.SentAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimId, claim).SetProperty(m => m.ClaimedUntil, until)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
        // Another host claimed all of these first: try the next ones (the caller loops while anything was claimable).
        if (claimed == 0) return candidates.Count == options.BatchSize ? await DrainOnceAsync(ct) : 0;

        var messages = await db.OutboxMessages.AsNoTracking().Where(m => m.ClaimId == claim).OrderBy(m => m.CreatedAt).ToListAsync(ct);
        Directory.CreateDirectory(options.Directory);
        var file = Path.Combine(options.Directory, $"outbox-{now.ToOffset(Workflows.WorkingDayCalendar.Offset):yyyyMMdd-HHmmss}-{claim:N}.jsonl");
        var text = new StringBuilder();
        foreach (var m in messages)
            text.AppendLine(JsonSerializer.Serialize(new { id = m.Id, channel = m.Channel, recipient = m.Recipient, text = m.Text, createdAt = m.CreatedAt }, Json));
        await File.WriteAllTextAsync(file, text.ToString(), new UTF8Encoding(false), ct);

        var sentAt = time.GetUtcNow();
        await db.OutboxMessages.Where(m => m.ClaimId == claim && m.SentAt == null).ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, sentAt), ct);
        return messages.Count;
    }
}
