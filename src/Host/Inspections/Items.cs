using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Cases;
using OneCard.Domain.Errors;
using OneCard.Domain.Inspections;
using OneCard.Domain.Privacy;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Workflows;

namespace OneCard.Host.Inspections;

/// <summary>
/// One sampled item: read it, keep its evidence checklist, record the finding, upload and download attachments, and act on its
/// case (Submit when the evidence is complete, the reviewer's Approve/Return). Evidence can change only while the item is in
/// the inspector's step and the user may act there; region scope is the item's township (404 outside).
/// </summary>
public static class Items
{
    public const string DefinitionId = "inspection-item";
    public const int MaxAttachments = 20;

    public static CaseSubject Subject(Guid id) => new(SubjectKinds.InspectionItem, id);

    public sealed record AttachmentView(Guid Id, string FileName, string ContentType, long Size, string Sha256, string UploadedBy, DateTimeOffset UploadedAt);
    public sealed record Detail(Guid Id, string Reference, Guid CampaignId, string CampaignNumber, string CampaignTitle, string CampaignKindZh, string Stratum,
        string StratumName, Guid ApplicationId, string? ApplicationNo, Guid? ClaimLineId, int? LineNo, string? NameMasked, string? PolicyCode, string? Period,
        decimal? Amount, IReadOnlyList<ChecklistEntry> Checklist, string Finding, string FindingZh, string? FindingText, string? Inspector,
        DateTimeOffset? FindingAt, DateTimeOffset? ClosedAt, IReadOnlyList<AttachmentView> Attachments, IReadOnlyList<string> MissingEvidence,
        bool CanEdit, CaseActions.CaseView Case, IReadOnlyList<string> MissingEvidenceEn, string CampaignKind);

    /// <summary>One thing that stands between the inspector and finishing, in Chinese and English.</summary>
    public sealed record MissingPiece(string Zh, string En);
    public sealed record ChecklistUpdate(IReadOnlyList<ChecklistMark>? Entries);
    public sealed record ChecklistMark(string? Key, bool Checked, string? Note);
    public sealed record FindingUpdate(string? Finding, string? Text);
    /// <summary>A finding shown on the application page: the item, its line (or the whole case), and whether it was reviewed.</summary>
    public sealed record LineFinding(Guid ItemId, string Reference, string CampaignTitle, int? LineNo, string Finding, string FindingZh, string? Text, bool Reviewed);

    public static void MapItemEndpoints(this RouteGroupBuilder inspections)
    {
        var group = inspections.MapGroup("/items");
        group.MapGet("/{id:guid}", async (Guid id, Handler h, CancellationToken ct) => TypedResults.Ok(await h.GetAsync(id, ct)))
            .WithName("GetInspectionItem").WithSummary("One sampled item: line, checklist, finding, attachments and its case");
        group.MapPut("/{id:guid}/checklist", async (Guid id, ChecklistUpdate body, Handler h, CancellationToken ct) =>
            {
                await h.SaveChecklistAsync(id, body, ct);
                return TypedResults.Ok(await h.GetAsync(id, ct));
            })
            .WithName("SaveInspectionChecklist").WithSummary("The inspector marks checklist entries checked, with notes");
        group.MapPut("/{id:guid}/finding", async (Guid id, FindingUpdate body, Handler h, CancellationToken ct) =>
            {
                await h.RecordFindingAsync(id, body, ct);
                return TypedResults.Ok(await h.GetAsync(id, ct));
            })
            .WithName("RecordInspectionFinding").WithSummary("The inspector records the finding: Confirmed (属实) or NotConfirmed (不属实), with its text");
        group.MapPost("/{id:guid}/attachments", async (Guid id, IFormFile file, Handler h, CancellationToken ct) =>
            {
                await using var stream = file.OpenReadStream();
                var attachment = await h.UploadAsync(id, file.FileName, file.Length, stream, ct);
                return TypedResults.Ok(attachment);
            })
            .WithName("UploadInspectionAttachment").WithSummary("An evidence file (PDF, JPEG or PNG by content, at most 5 MB)")
            .DisableAntiforgery();
        group.MapGet("/{id:guid}/attachments/{attachmentId:guid}", async (Guid id, Guid attachmentId, Handler h, CancellationToken ct) =>
            {
                var a = await h.DownloadAsync(id, attachmentId, ct);
                return TypedResults.File(a.Bytes, a.ContentType, a.FileName);
            })
            .WithName("DownloadInspectionAttachment").WithSummary("The stored evidence file");
        group.MapPost("/{id:guid}/actions/{action}", async Task<Ok<Detail>> (Guid id, string action, CaseActions.ActionRequest? body, Handler h, CaseEngine engine, CancellationToken ct) =>
            {
                await h.EnsureVisibleAsync(id, ct);
                try
                {
                    await engine.ActAsync(Subject(id), action, body?.Comment, ct);
                }
                catch (Workflows.WorkflowException e) when (e.Code == Workflows.WorkflowErrorCodes.GuardFailed && e.UnmetGuards.Contains(nameof(InspectionEvidenceComplete)))
                {
                    // The guard says only "not yet"; the inspector needs to know what is missing.
                    var missing = await h.MissingAsync(id, ct);
                    throw EvidenceIncomplete(missing.Select(m => m.Zh), missing.Select(m => m.En));
                }
                return TypedResults.Ok(await h.GetAsync(id, ct));
            })
            .WithName("ActOnInspectionItem").WithSummary("Submit (evidence complete), Approve or Return (the county reviewer, not the inspector)");
        group.MapGet("/of-application/{applicationId:guid}", async (Guid applicationId, Handler h, CancellationToken ct) =>
                TypedResults.Ok(await h.FindingsOfApplicationAsync(applicationId, ct)))
            .WithName("InspectionFindingsOfApplication").WithSummary("The inspection findings on an application's lines (shown on its page)");
    }

    /// <summary>What stands between the inspector and finishing, each located; empty when the evidence is complete.</summary>
    public static async Task<IReadOnlyList<string>> MissingEvidenceAsync(OneCardDbContext db, Guid itemId, CancellationToken ct) =>
        [.. (await MissingAsync(db, itemId, ct)).Select(m => m.Zh)];

    /// <summary>The refusal to submit an item whose evidence is incomplete, naming what is missing.</summary>
    public static OneCardException EvidenceIncomplete(IEnumerable<string> missingZh, IEnumerable<string> missingEn) =>
        new(ErrorKind.Invalid, "EvidenceIncomplete", "核查记录不完整，不能提交：" + string.Join("；", missingZh),
            "The evidence is incomplete: " + string.Join("; ", missingEn));

    /// <summary>An entry's label in English (the item stores the Chinese one it started with), from the UI resources.</summary>
    public static string ChecklistLabelEn(ChecklistEntry entry) =>
        Resources.Ui.Resources.GetString("Inspection.Checklist." + entry.Key, English) ?? entry.Label;

    private static readonly System.Globalization.CultureInfo English = System.Globalization.CultureInfo.GetCultureInfo("en");

    /// <summary>What is missing, in Chinese and English.</summary>
    public static async Task<IReadOnlyList<MissingPiece>> MissingAsync(OneCardDbContext db, Guid itemId, CancellationToken ct)
    {
        var item = await db.InspectionItems.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == itemId, ct);
        var missing = Checklist.Unchecked(item.ChecklistJson)
            .Select(e => new MissingPiece($"检查项“{e.Label}”未勾选", $"checklist entry \"{ChecklistLabelEn(e)}\" is not ticked")).ToList();
        if (!await db.InspectionAttachments.AnyAsync(a => a.ItemId == itemId, ct))
            missing.Add(new("附件：至少上传一份证明材料（PDF、JPEG 或 PNG）", "attachments: upload at least one document (PDF, JPEG or PNG)"));
        if (item.Finding == Finding.None) missing.Add(new("核查结论：未选择“属实”或“不属实”", "finding: neither \"confirmed\" nor \"not confirmed\" is chosen"));
        if (string.IsNullOrWhiteSpace(item.FindingText)) missing.Add(new("核查情况说明：未填写", "explanation of the finding: not filled in"));
        return missing;
    }

    /// <summary>The use cases; the pages call them too.</summary>
    public sealed class Handler(OneCardDbContext db, AuditWriter audit, CaseEngine engine, CaseActions.Handler cases, WorkflowCatalog workflows,
        RegionDirectory regions, UserContext user, TimeProvider time)
    {
        private static OneCardException NotFound() => OneCardException.NotFound("Inspection item", "核查事项");

        public async Task EnsureVisibleAsync(Guid id, CancellationToken ct)
        {
            if (!await db.InspectionItems.AnyAsync(i => i.Id == id, ct)) throw NotFound();
        }

        public Task<IReadOnlyList<MissingPiece>> MissingAsync(Guid id, CancellationToken ct) => Items.MissingAsync(db, id, ct);

        public async Task<Detail> GetAsync(Guid id, CancellationToken ct)
        {
            var item = await db.InspectionItems.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw NotFound();
            var campaign = await db.InspectionCampaigns.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == item.CampaignId, ct);
            var line = item.ClaimLineId is { } lineId
                ? await db.ClaimLines.IgnoreQueryFilters().AsNoTracking().Where(l => l.Id == lineId).Select(l => new { l.LineNo, l.Name, l.Period, l.Amount }).SingleAsync(ct)
                : null;
            var application = await db.Applications.IgnoreQueryFilters().AsNoTracking().Where(a => a.Id == item.ApplicationId)
                .Select(a => new { a.Number, a.Period }).SingleAsync(ct);
            var attachments = await db.InspectionAttachments.AsNoTracking().Where(a => a.ItemId == id).OrderBy(a => a.UploadedAt)
                .Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, a.UploadedBy, a.UploadedAt)).ToListAsync(ct);
            var view = await cases.GetAsync(Subject(id), ct);
            var missing = await MissingAsync(id, ct);
            return new Detail(item.Id, item.Reference, campaign.Id, campaign.Number, campaign.Title, Campaigns.KindZh(campaign.Kind), item.Stratum,
                regions.FullName(item.Stratum), item.ApplicationId, application.Number, item.ClaimLineId, line?.LineNo,
                line is null ? null : Masking.Name(line.Name), item.PolicyCode, line?.Period ?? application.Period, line?.Amount,
                Checklist.Parse(item.ChecklistJson), item.Finding.ToString(), Campaigns.FindingZh(item.Finding), item.FindingText, item.Inspector,
                item.FindingAt, item.ClosedAt, attachments, [.. missing.Select(m => m.Zh)], await CanEditAsync(id, ct), view,
                [.. missing.Select(m => m.En)], campaign.Kind.ToString());
        }

        /// <summary>Whether the user may change the evidence now: the case is in a step whose role is the inspector's and the user may act in it.</summary>
        private async Task<bool> CanEditAsync(Guid id, CancellationToken ct)
        {
            var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.SubjectKind == SubjectKinds.InspectionItem && i.SubjectId == id, ct);
            if (instance is null || instance.IsFinal || user.User is null) return false;
            var step = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).Step(instance.Step);
            return step.Role == Domain.Users.Roles.Inspector && (await engine.RolesOnAsync(instance.PolicyCode, ct)).Contains(step.Role);
        }

        /// <summary>Loads the item for a change of evidence, locking its case first (the order case actions take their locks).</summary>
        private async Task<InspectionItem> ForEvidenceAsync(Guid id, CancellationToken ct)
        {
            var instance = await db.WorkflowInstances.SingleOrDefaultAsync(i => i.SubjectKind == SubjectKinds.InspectionItem && i.SubjectId == id, ct) ?? throw NotFound();
            await db.LockAsync(instance, ct);
            var item = await db.InspectionItems.SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw NotFound();
            if (!await CanEditAsync(id, ct))
            {
                var title = workflows.Get(instance.DefinitionId, instance.DefinitionVersion).TitleZhOf(instance.Step);
                throw new OneCardException(ErrorKind.Conflict, "ItemNotInInspection",
                    $"核查事项 {item.Reference} 当前为“{title}”环节，只有现场核查人员在“现场核查”环节可以修改核查记录", "The item's evidence can change only in the inspector's step.");
            }
            return item;
        }

        public async Task SaveChecklistAsync(Guid id, ChecklistUpdate body, CancellationToken ct)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var item = await ForEvidenceAsync(id, ct);
            var entries = Checklist.Parse(item.ChecklistJson).ToList();
            var marks = body.Entries ?? [];
            for (var i = 0; i < marks.Count; i++)
            {
                var mark = marks[i];
                var at = entries.FindIndex(e => e.Key == mark.Key);
                if (at < 0)
                    throw new OneCardException(ErrorKind.Invalid, "ChecklistEntryUnknown", $"检查项第 {i + 1} 项：“{mark.Key}”不在本事项的检查清单中", "Unknown checklist entry.");
                var note = (mark.Note ?? "").Trim();
                if (note.Length > 500)
                    throw new OneCardException(ErrorKind.Invalid, "ChecklistNoteTooLong", $"检查项“{entries[at].Label}”的说明：不能超过 500 个字符，实为 {note.Length} 个", "Note too long.");
                entries[at] = entries[at] with { Checked = mark.Checked, Note = note.Length == 0 ? null : note };
            }
            item.ChecklistJson = Checklist.ToJson(entries);
            item.Inspector = user.ActorId;
            await audit.AppendAsync(db, user.ActorId, "InspectionChecklistSaved", SubjectKinds.InspectionItem, item.Id.ToString(), item.Stratum,
                new { item.Reference, checklist = entries.Select(e => new { e.Key, e.Checked, e.Note }) }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        public async Task RecordFindingAsync(Guid id, FindingUpdate body, CancellationToken ct)
        {
            if (!EnumNames.TryParse<Finding>(body.Finding, out var finding) || finding == Finding.None)
                throw new OneCardException(ErrorKind.Invalid, "FindingUnknown", $"核查结论：“{body.Finding}”不存在，应为 Confirmed（属实）或 NotConfirmed（不属实）", "Unknown finding.");
            var text = (body.Text ?? "").Trim();
            if (text.Length == 0) throw new OneCardException(ErrorKind.Invalid, "FindingTextRequired", "核查情况说明：必填", "The finding needs its text.");
            if (text.Length > 1000) throw new OneCardException(ErrorKind.Invalid, "FindingTextTooLong", $"核查情况说明：不能超过 1000 个字符，实为 {text.Length} 个", "Finding text too long.");
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var item = await ForEvidenceAsync(id, ct);
            item.Finding = finding;
            item.FindingText = text;
            item.Inspector = user.ActorId;
            item.FindingAt = time.GetUtcNow();
            await audit.AppendAsync(db, user.ActorId, "InspectionFindingRecorded", SubjectKinds.InspectionItem, item.Id.ToString(), item.Stratum,
                new { item.Reference, finding = finding.ToString(), text }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        /// <summary>Stores an evidence file after reading at most 5 MB + 1 byte of it: typed by its bytes, refused with the file named otherwise.</summary>
        public async Task<AttachmentView> UploadAsync(Guid id, string fileName, long declaredLength, Stream content, CancellationToken ct)
        {
            var name = Path.GetFileName((fileName ?? "").Trim());
            if (name.Length == 0) name = "附件";
            if (name.Length > 200) throw new OneCardException(ErrorKind.Invalid, "AttachmentNameTooLong", $"附件文件名：不能超过 200 个字符，实为 {name.Length} 个", "File name too long.");
            if (declaredLength > AttachmentRules.MaxBytes) throw AttachmentRules.TooLarge(name, declaredLength);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await content.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > AttachmentRules.MaxBytes) throw AttachmentRules.TooLarge(name, buffer.Length);
            }
            var bytes = buffer.ToArray();
            var type = AttachmentRules.ContentTypeOf(name, bytes);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var item = await ForEvidenceAsync(id, ct);
            if (await db.InspectionAttachments.CountAsync(a => a.ItemId == id, ct) >= MaxAttachments)
                throw new OneCardException(ErrorKind.Invalid, "TooManyAttachments", $"附件“{name}”：每个核查事项最多 {MaxAttachments} 个附件", "Too many attachments.");
            var attachment = new InspectionAttachment
            {
                Id = Guid.CreateVersion7(), ItemId = id, FileName = name, ContentType = type, Size = bytes.Length, Sha256 = AttachmentRules.Sha256(bytes),
                Bytes = bytes, UploadedBy = user.ActorId, UploadedAt = time.GetUtcNow(),
            };
            db.InspectionAttachments.Add(attachment);
            await audit.AppendAsync(db, user.ActorId, "InspectionAttachmentAdded", SubjectKinds.InspectionItem, item.Id.ToString(), item.Stratum,
                new { item.Reference, attachment = attachment.Id, name, type, size = bytes.Length, sha256 = attachment.Sha256 }, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new AttachmentView(attachment.Id, name, type, attachment.Size, attachment.Sha256, attachment.UploadedBy, attachment.UploadedAt);
        }

        public async Task<InspectionAttachment> DownloadAsync(Guid id, Guid attachmentId, CancellationToken ct)
        {
            await EnsureVisibleAsync(id, ct);
            return await db.InspectionAttachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId && a.ItemId == id, ct)
                   ?? throw OneCardException.NotFound("Inspection attachment", "核查附件");
        }

        /// <summary>The findings on an application's lines visible to the user (the application page's panel).</summary>
        public async Task<IReadOnlyList<LineFinding>> FindingsOfApplicationAsync(Guid applicationId, CancellationToken ct)
        {
            var rows = await db.InspectionItems.AsNoTracking().Where(i => i.ApplicationId == applicationId && i.Finding != Finding.None)
                .Join(db.InspectionCampaigns.IgnoreQueryFilters(), i => i.CampaignId, c => c.Id, (i, c) => new { i, c.Title })
                .GroupJoin(db.ClaimLines.IgnoreQueryFilters(), x => x.i.ClaimLineId, l => (Guid?)l.Id, (x, ls) => new { x.i, x.Title, ls })
                .SelectMany(x => x.ls.DefaultIfEmpty(), (x, l) => new { x.i, x.Title, LineNo = (int?)l!.LineNo })
                .ToListAsync(ct);
            return [.. rows.OrderBy(r => r.LineNo ?? 0).ThenBy(r => r.i.Reference)
                .Select(r => new LineFinding(r.i.Id, r.i.Reference, r.Title, r.LineNo, r.i.Finding.ToString(), Campaigns.FindingZh(r.i.Finding), r.i.FindingText, r.i.ClosedAt is not null))];
        }
    }
}
