using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Notices;

/// <summary>The signed-in user's notice centre (通知中心): list newest first with the unread count, mark one or all read.</summary>
public static class MyNotices
{
    /// <summary>How many notices a list returns at most; older ones stay and count as unread until read.</summary>
    public const int PageSize = 100;

    public sealed record NoticeView(Guid Id, string Kind, string Text, string SubjectKind, Guid SubjectId, string Reference, string? Link,
        DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

    public sealed record NoticeList(int Unread, IReadOnlyList<NoticeView> Items);

    public static void MapNotices(this RouteGroupBuilder api)
    {
        api.MapGet("/notices", async Task<Ok<NoticeList>> (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListNotices").WithSummary("My notices, newest first, with the unread count");
        api.MapPost("/notices/{id:guid}/read", async Task<NoContent> (Guid id, Handler handler, CancellationToken ct) =>
            {
                await handler.MarkReadAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("ReadNotice").WithSummary("Marks one of my notices read");
        api.MapPost("/notices/read-all", async Task<NoContent> (Handler handler, CancellationToken ct) =>
            {
                await handler.MarkAllReadAsync(ct);
                return TypedResults.NoContent();
            })
            .WithName("ReadAllNotices").WithSummary("Marks all my notices read");
    }

    /// <summary>The notice centre's queries and marks; the bell and the page call it too.</summary>
    public sealed class Handler(OneCardDbContext db, UserContext user, TimeProvider time)
    {
        public async Task<int> UnreadAsync(CancellationToken ct)
        {
            var me = user.Required.Id;
            return await db.Notices.CountAsync(n => n.RecipientId == me && n.ReadAt == null, ct);
        }

        public async Task<NoticeList> ListAsync(CancellationToken ct)
        {
            var me = user.Required.Id;
            var rows = await db.Notices.AsNoTracking().Where(n => n.RecipientId == me)
                .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(PageSize).ToListAsync(ct);
            var items = rows.Select(n => new NoticeView(n.Id, n.Kind, n.Text, n.SubjectKind, n.SubjectId, n.Reference,
                CaseLinks.For(n.SubjectKind, n.SubjectId), n.CreatedAt, n.ReadAt)).ToList();
            return new NoticeList(await UnreadAsync(ct), items);
        }

        /// <summary>Marks a notice read once (a second mark keeps the first time). Another person's notice answers 404.</summary>
        public async Task MarkReadAsync(Guid id, CancellationToken ct)
        {
            var me = user.Required.Id;
            if (!await db.Notices.AnyAsync(n => n.Id == id && n.RecipientId == me, ct))
                throw OneCardException.NotFound("Notice", "通知");
            var now = time.GetUtcNow();
            await db.Notices.Where(n => n.Id == id && n.RecipientId == me && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        }

        public async Task<int> MarkAllReadAsync(CancellationToken ct)
        {
            var me = user.Required.Id;
            var now = time.GetUtcNow();
            return await db.Notices.Where(n => n.RecipientId == me && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        }
    }
}
