using Microsoft.AspNetCore.Http.HttpResults;
using OneCard.Domain.Errors;
using OneCard.Host.Cases;

namespace OneCard.Host.Tasks;

/// <summary>
/// 批量审批: one action on many tasks. Each case moves through the engine on its own (roles, region, separation of duties,
/// claims) and gets its own Transition audit entry; the answer says per task whether it moved and, if not, why (in Chinese).
/// </summary>
public static class BulkApprove
{
    /// <summary>At most this many tasks per request: a page of the inbox, not the whole province.</summary>
    public const int MaxTasks = 500;

    public sealed record BulkRequest(IReadOnlyList<Guid>? TaskIds, string? Action, string? Comment);
    public sealed record BulkResult(int Succeeded, int Failed, IReadOnlyList<CaseEngine.BulkOutcome> Tasks);

    public static void MapBulkApprove(this RouteGroupBuilder api) =>
        api.MapPost("/tasks/bulk", async Task<Ok<BulkResult>> (BulkRequest body, Handler handler, CancellationToken ct) =>
            TypedResults.Ok(await handler.ActAsync(body.TaskIds ?? [], body.Action ?? "Approve", body.Comment, ct)))
            .WithName("BulkActOnTasks").WithSummary("Fire one action (default Approve) on many tasks; one outcome per task");

    public sealed class Handler(CaseEngine engine)
    {
        public async Task<BulkResult> ActAsync(IReadOnlyList<Guid> taskIds, string action, string? comment, CancellationToken ct)
        {
            if (taskIds.Count == 0)
                throw new OneCardException(ErrorKind.Invalid, "NoTasks", "请选择要办理的任务", "Select at least one task.");
            if (taskIds.Count > MaxTasks)
                throw new OneCardException(ErrorKind.Invalid, "TooManyTasks", $"一次最多批量办理{MaxTasks}个任务", $"At most {MaxTasks} tasks at once.");
            var outcomes = await engine.BulkActAsync(taskIds, action, comment, ct);
            return new BulkResult(outcomes.Count(o => o.Succeeded), outcomes.Count(o => !o.Succeeded), outcomes);
        }
    }
}
