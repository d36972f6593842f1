using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Publications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Publicity;

/// <summary>
/// The public surface: notices (公示 and 公开) and objections. It reads only the notice tables,
/// which hold masked values alone, so no code path here can return an unmasked ID or account.
/// </summary>
public static class PublicNotices
{
    /// <param name="Status">Where the notice stands today, from its dates (never a stored tag): 未开始, 公示中 or 公示期满 for a 公示, 已公开 for a 公开.</param>
    /// <param name="AcceptsObjections">True while the publicity period runs: the form is offered and the API takes objections.</param>
    public sealed record NoticeSummary(Guid Id, string Kind /* 公示 or 公开 */, string RegionName, string PolicyName, string Period, DateTimeOffset PublishedAt,
        DateTimeOffset? ObjectionsCloseAt, int LineCount, decimal TotalAmount, string Status, bool AcceptsObjections);
    public sealed record NoticeLineView(int LineNo, string Name, string IdNumber, string? Account, decimal? Quantity, decimal Amount, string Status);
    public sealed record NoticeDetail(NoticeSummary Notice, IReadOnlyList<NoticeLineView> Lines);
    public sealed record ObjectionRequest(int? LineNo, string Text, string? Contact);
    /// <summary>What the objector keeps: the receipt number to quote, the line objected to (null: the whole notice) and when. The contact is not echoed.</summary>
    public sealed record ObjectionReceipt(Guid Id, string ReceiptNo, int? LineNo, DateTimeOffset LodgedAt);

    public const string NotStarted = "未开始", Open = "公示中", Ended = "公示期满", Published = "已公开";

    /// <summary>The kind as the notice views carry it (the API's Chinese value): 公示 (with objections) or 公开.</summary>
    public const string PublicityKind = "公示", PublicationKind = "公开";

    /// <summary>A notice's status on <paramref name="now"/>, from its dates.</summary>
    public static string StatusOf(PublicNotice n, DateTimeOffset now) =>
        n.Kind != NoticeKind.Publicity ? Published
        : now < n.PublishedAt ? NotStarted
        : n.ObjectionsCloseAt is { } close && now >= close ? Ended
        : Open;

    public static void MapPublicNotices(this RouteGroupBuilder api)
    {
        var open = api.MapGroup("/public").AllowAnonymous().WithTags("Public");
        open.MapGet("/notices", async (Handler handler, CancellationToken ct) => TypedResults.Ok(await handler.ListAsync(ct)))
            .WithName("ListPublicNotices").WithSummary("Publicity and publication notices (masked)");

        open.MapGet("/notices/{id:guid}", async Task<Results<Ok<NoticeDetail>, NotFound>> (Guid id, Handler handler, CancellationToken ct) =>
            await handler.GetAsync(id, ct) is { } notice ? TypedResults.Ok(notice) : TypedResults.NotFound())
            .WithName("GetPublicNotice").WithSummary("One notice with its masked lines");

        open.MapPost("/notices/{id:guid}/objections", async Task<Created<ObjectionReceipt>> (Guid id, ObjectionRequest body, Handler handler, CancellationToken ct) =>
        {
            var receipt = await handler.LodgeAsync(id, body, ct);
            return TypedResults.Created($"/api/public/notices/{id}/objections/{receipt.Id}", receipt);
        }).WithName("LodgeObjection").WithSummary("Lodge an objection during the publicity period").DisableAntiforgery();
    }

    private static NoticeSummary Summarize(PublicNotice n, DateTimeOffset now)
    {
        var status = StatusOf(n, now);
        return new(n.Id, n.Kind == NoticeKind.Publicity ? PublicityKind : PublicationKind, n.RegionName,
            n.PolicyNameZh, n.Period, n.PublishedAt, n.ObjectionsCloseAt, n.LineCount, n.TotalAmount, status, status == Open);
    }

    /// <summary>Receipt numbers: no 0/O, 1/I/L, so a number read out over the phone is not misheard.</summary>
    private const string ReceiptAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string NewReceiptNo(DateTimeOffset now)
    {
        Span<char> tail = stackalloc char[6];
        for (var i = 0; i < tail.Length; i++) tail[i] = ReceiptAlphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(ReceiptAlphabet.Length)];
        return $"YY{now.ToOffset(TimeSpan.FromHours(8)):yyyyMMdd}-{tail}";
    }

    /// <summary>Reading notices and lodging objections; the public web pages call it too.</summary>
    public sealed class Handler(OneCardDbContext db, AuditWriter audit, PersonalDataProtector protector, TimeProvider time)
    {
        /// <summary>
        /// A contact is required: the county must be able to answer the objector, and it keys "one open
        /// objection per line (or per whole notice) and contact". Digits only, an optional leading +.
        /// </summary>
        private static string NormalizedContact(string? contact)
        {
            var value = new string((contact ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
            if (value.Length == 0)
                throw new OneCardException(ErrorKind.Invalid, "ContactRequired", "请留下联系电话，以便答复异议", "A contact phone number is required.");
            var digits = value.StartsWith('+') ? value[1..] : value;
            if (digits.Length is < 7 or > 20 || !digits.All(char.IsAsciiDigit))
                throw new OneCardException(ErrorKind.Invalid, "ContactInvalid", "联系电话应为7至20位数字", "The contact must be a phone number of 7 to 20 digits.");
            return value;
        }

        private static OneCardException AlreadyOpen(int? lineNo) => new(ErrorKind.Conflict, "ObjectionAlreadyOpen",
            lineNo is { } n ? $"您对第{n}条明细提出的异议正在处理中，请勿重复提交" : "您对本公示提出的异议正在处理中，请勿重复提交",
            "Your objection to this line is still open; it is not lodged twice.");

        private static bool IsOneOpenViolation(DbUpdateException e) =>
            e.InnerException?.Message is { } m && (m.Contains("UX_Objections_OneOpen", StringComparison.Ordinal) || m.Contains("Objections.ContactHash", StringComparison.Ordinal));

        public async Task<IReadOnlyList<NoticeSummary>> ListAsync(CancellationToken ct) =>
            (await db.PublicNotices.AsNoTracking().OrderByDescending(n => n.PublishedAt).Take(200).ToListAsync(ct)).Select(n => Summarize(n, time.GetUtcNow())).ToList();

        public async Task<NoticeDetail?> GetAsync(Guid id, CancellationToken ct)
        {
            var notice = await db.PublicNotices.AsNoTracking().Include(n => n.Lines).SingleOrDefaultAsync(n => n.Id == id, ct);
            return notice is null ? null : new NoticeDetail(Summarize(notice, time.GetUtcNow()), notice.Lines.OrderBy(l => l.LineNo)
                .Select(l => new NoticeLineView(l.LineNo, l.NameMasked, l.IdNumberMasked, l.AccountMasked, l.Quantity, l.Amount, l.StatusZh)).ToList());
        }

        /// <summary>Lodging an objection: only against a publicity notice whose period is still open, one open objection per line and contact.</summary>
        public async Task<ObjectionReceipt> LodgeAsync(Guid noticeId, ObjectionRequest body, CancellationToken ct)
        {
            var text = body.Text?.Trim() ?? "";
            if (text.Length is < 5 or > 2000)
                throw new OneCardException(ErrorKind.Invalid, "ObjectionTextLength", "异议内容须为5至2000字", "The text must be 5 to 2,000 characters.");
            var notice = await db.PublicNotices.AsNoTracking().SingleOrDefaultAsync(n => n.Id == noticeId && n.Kind == NoticeKind.Publicity, ct)
                ?? throw OneCardException.NotFound("Publicity notice", "公示");
            var now = time.GetUtcNow();
            switch (StatusOf(notice, now))
            {
                case Ended:
                    throw new OneCardException(ErrorKind.Conflict, "PublicityClosed",
                        $"公示期已于{notice.ObjectionsCloseAt!.Value.ToOffset(TimeSpan.FromHours(8)):yyyy年M月d日 HH:mm}结束，不再受理异议", "The publicity period has ended.");
                case NotStarted:
                    throw new OneCardException(ErrorKind.Conflict, "PublicityNotStarted",
                        $"公示将于{notice.PublishedAt.ToOffset(TimeSpan.FromHours(8)):yyyy年M月d日 HH:mm}开始，开始后方可提出异议", "The publicity period has not begun.");
            }
            if (body.LineNo is { } lineNo && !await db.PublicNoticeLines.AnyAsync(l => l.NoticeId == noticeId && l.LineNo == lineNo, ct))
                throw new OneCardException(ErrorKind.Invalid, "LineNotInNotice", $"公示中没有第{lineNo}条", $"Line {lineNo} is not in the notice.");

            var contact = NormalizedContact(body.Contact);
            var contactHash = protector.LookupHash("objection-contact:" + contact);
            string receiptNo;
            do receiptNo = NewReceiptNo(now);
            while (await db.Objections.IgnoreQueryFilters().AnyAsync(o => o.ReceiptNo == receiptNo, ct));

            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var objection = new Objection
            {
                Id = RowIds.Next(now), ApplicationId = notice.ApplicationId, RegionCode = notice.RegionCode, LineNo = body.LineNo,
                Text = text, ContactMasked = Masking.Phone(contact), ContactHash = contactHash, ContactCipher = protector.Encrypt(contact),
                ReceiptNo = receiptNo, LodgedAt = now, Status = ObjectionStatus.Open,
            };
            // The audit append serialises writers (advisory lock on PostgreSQL), so this check sees every earlier objection;
            // the partial unique indexes are the guarantee if anything bypasses it.
            await audit.AppendAsync(db, "public", "ObjectionLodged", "Application", notice.ApplicationId.ToString(), notice.RegionCode,
                new { objection = objection.Id, receipt = receiptNo, body.LineNo }, ct);
            if (await db.Objections.AnyAsync(o => o.ApplicationId == notice.ApplicationId && o.LineNo == body.LineNo
                    && o.ContactHash == contactHash && o.Status == ObjectionStatus.Open, ct))
                throw AlreadyOpen(body.LineNo);
            db.Objections.Add(objection);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (IsOneOpenViolation(e))
            {
                throw AlreadyOpen(body.LineNo);
            }
            await tx.CommitAsync(ct);
            return new ObjectionReceipt(objection.Id, receiptNo, body.LineNo, now);
        }
    }
}
