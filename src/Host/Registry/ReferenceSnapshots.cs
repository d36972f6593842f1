using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain;
using OneCard.Domain.Errors;
using OneCard.Domain.Privacy;
using OneCard.Domain.Registry;
using OneCard.Domain.Regions;
using OneCard.Domain.Users;
using OneCard.Host.Applications;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Persistence.Audit;

namespace OneCard.Host.Registry;

/// <summary>
/// Reference data snapshots (基础数据比对源): an administrator imports another department's data — household registry,
/// deaths, state-funded staff, other policies' recipients, account holders — from CSV (GBK or UTF-8) or xlsx, for their
/// region or below. Every row is checked and located; any bad row refuses the file whole. Rows are keyed by the same
/// blind index as beneficiaries and nothing personal is stored in clear. A snapshot is never edited, only replaced:
/// the import of the next one of the same kind, region and policy marks the current one replaced, in one transaction.
/// </summary>
public static partial class ReferenceSnapshots
{
    /// <summary>The largest file accepted (a province's registry extract of a few million rows).</summary>
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public const string ImportedCode = "ReferenceSnapshotImported";

    public sealed record SnapshotView(Guid Id, ReferenceKind Kind, string KindZh, string RegionCode, string RegionName, string PolicyCode,
        string Source, DateOnly AsOf, string FileName, string FileSha256, string Encoding, int RowCount, string ImportedBy,
        string ImportedByName, DateTimeOffset ImportedAt, Guid? ReplacedBy, DateTimeOffset? ReplacedAt)
    {
        public bool Current => ReplacedBy is null;
    }

    public sealed record SnapshotList(IReadOnlyList<SnapshotView> Items, int Count, int CurrentCount, long RowTotal, long CurrentRowTotal);

    /// <summary>Filters: kind, region (the snapshot's code starts with it), only current ones.</summary>
    public sealed record Query(ReferenceKind? Kind = null, string? Region = null, bool? Current = null);

    /// <summary>
    /// What an import came to: the stored (or, for the very same file, the existing) snapshot, or the located errors;
    /// how many data rows were read; the encoding as the page names it.
    /// </summary>
    public sealed record ImportOutcome(SnapshotView? Snapshot, LineErrors Errors, int RowCount, bool AlreadyImported = false, string? EncodingZh = null)
    {
        public bool Succeeded => Snapshot is not null;
    }

    public static void MapReferenceSnapshots(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/registry/snapshots").WithTags("Registry")
            .RequireAuthorization(p => p.RequireRole(Roles.Administrator));
        group.MapPost("", async Task<Results<Created<SnapshotView>, Ok<SnapshotView>, ProblemHttpResult>> (HttpRequest http, Handler handler, CancellationToken ct) =>
            {
                // Read here, not bound: a body over the limit throws BadHttpRequestException (413), which Errors.cs answers in Chinese.
                var form = await http.ReadFormAsync(ct);
                var file = form.Files.GetFile("file")
                    ?? throw new OneCardException(ErrorKind.Invalid, "SnapshotFileMissing", "请选择要导入的数据文件（表单字段 file）", "No file in the form field 'file'.");
                if (file.Length > MaxUploadBytes) throw new BadHttpRequestException("Snapshot too large.", StatusCodes.Status413PayloadTooLarge);
                var kind = ParseKind(form["kind"].ToString());
                if (!DateOnly.TryParse(form["asOf"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var asOf))
                    throw new OneCardException(ErrorKind.Invalid, "AsOfInvalid", $"数据截止日期“{LineErrors.Echo(form["asOf"].ToString())}”无效（字段 asOf，如 2026-11-01）",
                        "asOf is not a date (e.g. 2026-11-01).");
                await using var stream = file.OpenReadStream();
                var outcome = await handler.ImportAsync(kind, form["regionCode"].ToString(), form["policyCode"].ToString(), form["source"].ToString(),
                    asOf, stream, file.FileName, ct);
                if (!outcome.Succeeded)
                    return SubmitApplication.LineProblems(new SubmitApplication.Outcome(null, outcome.Errors, outcome.RowCount, EncodingZh: outcome.EncodingZh), rowIsIndex: false);
                return outcome.AlreadyImported
                    ? TypedResults.Ok(outcome.Snapshot!)
                    : TypedResults.Created($"/api/registry/snapshots/{outcome.Snapshot!.Id}", outcome.Snapshot);
            })
            .WithName("ImportReferenceSnapshot").WithSummary("Import a department's data as the new current snapshot (multipart: kind, regionCode, policyCode?, source, asOf, file)")
            .DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxUploadBytes + 1024 * 1024))
            .WithMetadata(new RequestTooLargeProblem(TooLarge()));
        group.MapGet("", async Task<Ok<SnapshotList>> ([AsParameters] Query query, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(query, ct)))
            .WithName("ListReferenceSnapshots").WithSummary("Snapshots of the administrator's region (filters: kind, region, current), with totals");
        group.MapGet("/{id:guid}", async Task<Ok<SnapshotView>> (Guid id, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.GetAsync(id, ct)))
            .WithName("GetReferenceSnapshot");
        group.MapGet("/template/{kind}.csv", (string kind) =>
                TypedResults.File(Template(ParseKind(kind)), "text/csv; charset=utf-8", $"{Spec(ParseKind(kind)).NameZh}-模板.csv"))
            .WithName("ReferenceSnapshotTemplate").WithSummary("The header row of a kind's file (UTF-8 with BOM)");
    }

    public static ReferenceKind ParseKind(string? text) =>
        EnumNames.TryParse<ReferenceKind>(text, out var kind, ignoreCase: true)
            ? kind
            : throw new OneCardException(ErrorKind.Invalid, "SnapshotKindUnknown",
                $"数据类别“{LineErrors.Echo(text)}”无效（字段 kind），应为 {string.Join("、", Kinds.Select(k => $"{k.Kind}（{k.NameZh}）"))}",
                $"Unknown kind '{LineErrors.Echo(text)}'.");

    private static OneCardException TooLarge() => new(ErrorKind.Invalid, "SnapshotTooLarge",
        $"文件超过{MaxUploadBytes / 1024 / 1024}MB，请按地区拆分后分别导入", $"The file is larger than {MaxUploadBytes / 1024 / 1024} MB.");

    /// <summary>The use cases; the API, the page and the cross-check tests call them.</summary>
    public sealed partial class Handler(
        OneCardDbContext db,
        UserContext user,
        RegionDirectory regions,
        PersonalDataProtector protector,
        AuditWriter audit,
        TimeProvider time)
    {
        public async Task<SnapshotList> ListAsync(Query query, CancellationToken ct)
        {
            var scope = Scope();
            var snapshots = db.ReferenceSnapshots.AsNoTracking();
            if (query.Kind is { } kind) snapshots = snapshots.Where(s => s.Kind == kind);
            if (!string.IsNullOrWhiteSpace(query.Region))
            {
                var region = query.Region.Trim();
                snapshots = snapshots.Where(s => s.RegionCode.StartsWith(region));
            }
            if (query.Current is true) snapshots = snapshots.Where(s => s.ReplacedBy == null);
            if (query.Current is false) snapshots = snapshots.Where(s => s.ReplacedBy != null);
            // Snapshots are few (a handful per kind and region a year): the region rule is applied here, not in SQL.
            var rows = (await snapshots.ToListAsync(ct)).Where(s => Visible(scope, s.RegionCode))
                .OrderBy(s => s.Kind).ThenBy(s => s.RegionCode).ThenBy(s => s.PolicyCode).ThenByDescending(s => s.ImportedAt).ToList();
            var views = await ViewsAsync(rows, ct);
            return new SnapshotList(views, views.Count, views.Count(v => v.Current), views.Sum(v => (long)v.RowCount),
                views.Where(v => v.Current).Sum(v => (long)v.RowCount));
        }

        public async Task<SnapshotView> GetAsync(Guid id, CancellationToken ct)
        {
            var scope = Scope();
            var found = await db.ReferenceSnapshots.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
            if (found is null || !Visible(scope, found.RegionCode))
                throw new OneCardException(ErrorKind.NotFound, "SnapshotNotFound", "比对源快照不存在或不在您的管辖范围内", "No such snapshot in your region.");
            return (await ViewsAsync([found], ct))[0];
        }

        /// <summary>The current snapshot of a key, if any (the page's replacement notice).</summary>
        public async Task<SnapshotView?> CurrentAsync(ReferenceKind kind, string regionCode, string? policyCode, CancellationToken ct)
        {
            Scope();
            var policy = kind == ReferenceKind.PolicyRecipients ? policyCode?.Trim() ?? "" : "";
            var found = await db.ReferenceSnapshots.AsNoTracking()
                .SingleOrDefaultAsync(s => s.Kind == kind && s.RegionCode == regionCode && s.PolicyCode == policy && s.ReplacedBy == null, ct);
            return found is null ? null : (await ViewsAsync([found], ct))[0];
        }

        /// <summary>
        /// An administrator sees the snapshots of their region and below, and those covering it from above (a county's
        /// administrator sees the province's registry its checks read) — but imports only for their region and below.
        /// </summary>
        private static bool Visible(RegionScope? scope, string regionCode) =>
            scope is null || scope.Contains(regionCode) || scope.Prefix.StartsWith(RegionScope.For(regionCode).Prefix, StringComparison.Ordinal);

        /// <summary>The administrator's scope; null for the system (tests, seeding).</summary>
        private RegionScope? Scope()
        {
            if (user.IsSystem) return null;
            var me = user.Required;
            if (!me.Holds(Roles.Administrator))
                throw new OneCardException(ErrorKind.Forbidden, "NotAdministrator", "只有系统管理员可以导入和查看比对源数据",
                    "Only an administrator can import and view reference data.");
            return me.Scope;
        }

        private async Task<List<SnapshotView>> ViewsAsync(IReadOnlyList<ReferenceSnapshot> rows, CancellationToken ct)
        {
            var ids = rows.Select(r => r.ImportedBy).Distinct().ToList();
            var names = await db.Users.AsNoTracking().IgnoreQueryFilters().Where(u => ids.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
            return [.. rows.Select(s => new SnapshotView(s.Id, s.Kind, Spec(s.Kind).NameZh, s.RegionCode, RegionName(s.RegionCode), s.PolicyCode,
                s.Source, s.AsOf, s.FileName, s.FileSha256, s.Encoding, s.RowCount, s.ImportedBy, names.GetValueOrDefault(s.ImportedBy, s.ImportedBy),
                s.ImportedAt, s.ReplacedBy, s.ReplacedAt))];
        }

        private string RegionName(string code) => regions.Find(code) is { Level: RegionLevel.Province } p ? p.Name : regions.FullName(code);

        /// <summary>Streams the upload to a private temporary file while hashing it, refusing past the cap.</summary>
        private static async Task<(FileStream File, string Sha256)> SpoolAsync(Stream content, CancellationToken ct)
        {
            var path = Path.Combine(Path.GetTempPath(), "onecard-snapshot-" + Guid.NewGuid().ToString("N"));
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                var (_, sha256) = await Uploads.CopyCappedAsync(content, file, MaxUploadBytes, ct);
                await file.FlushAsync(ct);
                return (file, sha256);
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }
    }
}
