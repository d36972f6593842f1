using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Applications;

/// <summary>
/// Processes one <see cref="RosterImport"/>: reads the spooled file and submits it as its uploader. At-least-once safe,
/// as every Hangfire job here: it claims the import by a conditional update (Queued → Running, or a Running one whose
/// heartbeat is stale: its worker died), the case and the import's <see cref="RosterImport.ApplicationId"/> are written in
/// one transaction (so a rerun after that commit only marks the import done), and it finishes by a conditional update.
/// Progress goes to the import row in short transactions of their own, at most twice a second.
/// </summary>
public sealed class RosterImportJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<RosterImportJob> log)
{
    /// <summary>A Running import without a heartbeat for this long belongs to a dead worker and may be taken over.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Attempts before an unexpected failure is final (each earlier one is retried by Hangfire).</summary>
    public const int MaxAttempts = 3;

    /// <summary>How often progress is written (wall-clock pacing; the timestamps written come from the injected clock).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    [AutomaticRetry(Attempts = MaxAttempts - 1)]
    public async Task RunAsync(Guid importId, CancellationToken ct)
    {
        var import = await ClaimAsync(importId, ct);
        if (import is null) return;
        if (import.ApplicationId is not null)
        {
            // The case was committed by an earlier run that died before marking the import: only mark it now.
            await FinishAsync(import, RosterImportStatus.Succeeded, RosterImports.Phases.Done, null, null, ct);
            return;
        }
        if (await UploaderAsync(import.UploadedBy, ct) is not { } uploader)
        {
            await FinishAsync(import, RosterImportStatus.Failed, RosterImports.Phases.Failed, "上传人的账号已不存在，无法代其提交申报", null, ct);
            return;
        }
        if (import.SpoolPath is null || !File.Exists(import.SpoolPath))
        {
            await FinishAsync(import, RosterImportStatus.Failed, RosterImports.Phases.Failed, "上传的文件已不在暂存目录，请重新上传", null, ct);
            return;
        }

        await using var pump = new ProgressPump(scopes, import.Id, time, log);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<UserContext>().SetUser(uploader);
            var handler = scope.ServiceProvider.GetRequiredService<SubmitApplication.Handler>();
            using var roster = RosterReader.OpenFile(import.SpoolPath, import.FileName);
            await RecordHeadersAsync(import.Id, roster.Headers, ct);
            var refusals = new RefusedRows(roster.Headers);
            var outcome = await handler.SubmitRosterAsync(import.PolicyCode, import.Period, roster,
                new SubmitApplication.RosterOptions(import.Mode, import.Id, refusals, pump.Report,
                    scope.ServiceProvider.GetRequiredService<RosterSpool>().ChunkSize), ct);
            await pump.StopAsync();
            if (outcome.Result is null)
            {
                var message = $"花名册被整体退回：{outcome.Errors.Rows}行共{outcome.Errors.Total}处错误，未保存任何申报数据";
                await FinishAsync(import, RosterImportStatus.Refused, RosterImports.Phases.Refused, message, refusals, ct, outcome.ReportId, outcome.Errors.Rows, outcome.LineCount);
                return;
            }
            await FinishAsync(import, RosterImportStatus.Succeeded, RosterImports.Phases.Done, null, null, ct, rowsRead: outcome.LineCount);
        }
        catch (OneCardException e) when (e.Code == "RosterImportAlreadySubmitted")
        {
            await pump.StopAsync();
            await FinishAsync(import, RosterImportStatus.Succeeded, RosterImports.Phases.Done, null, null, ct);
        }
        catch (OneCardException e)
        {
            // The file or the submission as a whole was refused (unreadable file, no rule set in force…): located, final.
            await pump.StopAsync();
            await FinishAsync(import, RosterImportStatus.Refused, RosterImports.Phases.Refused, e.MessageZh, null, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await pump.StopAsync();
            log.LogError(e, "Roster import {ImportId} failed on attempt {Attempt}", import.Id, import.Attempts);
            if (import.Attempts >= MaxAttempts)
            {
                await FinishAsync(import, RosterImportStatus.Failed, RosterImports.Phases.Failed, "处理失败（系统错误），请稍后重新上传或联系管理员", null, ct);
                return;
            }
            // Back to the queue for Hangfire's retry, which claims it again.
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
            await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().RosterImports
                .Where(i => i.Id == import.Id && i.Status == RosterImportStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, RosterImportStatus.Queued).SetProperty(i => i.Phase, RosterImports.Phases.Retrying), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Takes the import for this run, or null when another run has it (fresh heartbeat) or it has ended.</summary>
    private async Task<RosterImport?> ClaimAsync(Guid importId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
        var now = time.GetUtcNow();
        var stale = now - HeartbeatTimeout;
        var claimed = await db.RosterImports
            .Where(i => i.Id == importId && (i.Status == RosterImportStatus.Queued
                || (i.Status == RosterImportStatus.Running && (i.HeartbeatAt == null || i.HeartbeatAt < stale))))
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, RosterImportStatus.Running).SetProperty(i => i.HeartbeatAt, now)
                .SetProperty(i => i.StartedAt, i => i.StartedAt ?? now).SetProperty(i => i.Attempts, i => i.Attempts + 1)
                .SetProperty(i => i.Phase, SubmitApplication.Handler.Reading), ct);
        if (claimed == 0) return null;
        return await db.RosterImports.AsNoTracking().SingleAsync(i => i.Id == importId, ct);
    }

    private async Task<CurrentUser?> UploaderAsync(string userId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var user = await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().Users.AsNoTracking().Include(u => u.Roles)
            .SingleOrDefaultAsync(u => u.Id == userId, ct);
        // As the sign-in does: a user without a role acts for nobody.
        return user is null || user.Roles.Count == 0 ? null
            : new CurrentUser(user.Id, user.UserName, user.DisplayName, user.RoleNames, user.RegionCode, user.Organisation, user.DepartmentCode);
    }

    private async Task RecordHeadersAsync(Guid importId, IReadOnlyList<string> headers, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
        var json = RosterImports.Handler.HeadersJson(headers);
        await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().RosterImports.Where(i => i.Id == importId)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.HeadersJson, json), ct);
    }

    /// <summary>
    /// Ends this run's claim: the final status (and, for a refused roster, its refused rows) in one transaction, only if the
    /// import is still Running; then the spool file is deleted.
    /// </summary>
    private async Task FinishAsync(RosterImport import, RosterImportStatus status, string phase, string? messageZh, RefusedRows? refusals,
        CancellationToken ct, Guid? reportId = null, int? refusedCount = null, int? rowsRead = null)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
            var db = scope.ServiceProvider.GetRequiredService<OneCardDbContext>();
            var now = time.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var message = messageZh is null ? null : LineErrors.Echo(messageZh, RosterImport.MaxMessageLength - 1);
            var finished = await db.RosterImports.Where(i => i.Id == import.Id && i.Status == RosterImportStatus.Running)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, status).SetProperty(i => i.Phase, phase).SetProperty(i => i.MessageZh, message)
                    .SetProperty(i => i.FinishedAt, now).SetProperty(i => i.HeartbeatAt, now).SetProperty(i => i.SpoolPath, (string?)null)
                    .SetProperty(i => i.BytesRead, i => status == RosterImportStatus.Succeeded ? i.TotalBytes : i.BytesRead)
                    .SetProperty(i => i.RowsRead, i => rowsRead ?? i.RowsRead)
                    .SetProperty(i => i.ReportId, i => reportId ?? i.ReportId)
                    .SetProperty(i => i.RefusedCount, i => refusedCount ?? i.RefusedCount), ct);
            if (finished == 0) return; // another run finished it; the file is theirs to delete
            if (refusals is { Count: > 0 })
            {
                await db.RosterImportRefusedRows.Where(r => r.ImportId == import.Id).ExecuteDeleteAsync(ct);
                db.RosterImportRefusedRows.AddRange(refusals.ToRecords(import.Id));
                await db.SaveChangesAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        if (import.SpoolPath is { } path)
        {
            try { File.Delete(path); }
            catch (IOException e) { log.LogWarning(e, "Could not delete the spooled roster {Path}", path); }
        }
    }

    /// <summary>
    /// Writes the latest progress (phase, rows read, bytes read) and the heartbeat, each in a short transaction of its own,
    /// every <see cref="ProgressInterval"/>: the submission only sets three fields, never waits on the database.
    /// </summary>
    private sealed class ProgressPump : IAsyncDisposable
    {
        private readonly IServiceScopeFactory scopes;
        private readonly Guid importId;
        private readonly TimeProvider time;
        private readonly ILogger log;
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private Snapshot latest = new(SubmitApplication.Handler.Reading, 0, 0);

        public ProgressPump(IServiceScopeFactory scopes, Guid importId, TimeProvider time, ILogger log)
        {
            (this.scopes, this.importId, this.time, this.log) = (scopes, importId, time, log);
            loop = Task.Run(LoopAsync);
        }

        private sealed record Snapshot(string Phase, int Rows, long Bytes);

        public void Report(string phase, int rows, long bytes) => Volatile.Write(ref latest, new Snapshot(phase, rows, bytes));

        private async Task LoopAsync()
        {
            using var timer = new PeriodicTimer(ProgressInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token)) await WriteAsync(Volatile.Read(ref latest));
            }
            catch (OperationCanceledException) { }
        }

        private async Task WriteAsync(Snapshot s)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<UserContext>().SetSystem();
                var now = time.GetUtcNow();
                await scope.ServiceProvider.GetRequiredService<OneCardDbContext>().RosterImports
                    .Where(i => i.Id == importId && i.Status == RosterImportStatus.Running)
                    .ExecuteUpdateAsync(u => u.SetProperty(i => i.Phase, s.Phase).SetProperty(i => i.RowsRead, s.Rows)
                        .SetProperty(i => i.BytesRead, s.Bytes).SetProperty(i => i.HeartbeatAt, now), stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                // Progress is a courtesy: a failed write must not fail the import.
                log.LogWarning(e, "Could not record the progress of roster import {ImportId}", importId);
            }
        }

        public async Task StopAsync()
        {
            if (stop.IsCancellationRequested) return;
            await stop.CancelAsync();
            await loop;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            stop.Dispose();
        }
    }
}
