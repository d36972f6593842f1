using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Domain.Users;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Applications;

/// <summary>
/// A roster uploaded to be processed in the background (a province-wide roster takes longer than a request should): the
/// file is streamed to the spool folder under <see cref="RosterSpool.MaxUploadBytes"/>, an import row is recorded, a
/// <see cref="RosterImportJob"/> is queued, and the answer is 202 with the address to poll. The job submits the roster as
/// the uploader; the status shows its phase and progress, the case it made, and the rows it refused (as xlsx).
/// </summary>
public static class RosterImports
{
    public sealed record Queued(Guid Id, string StatusUrl);

    /// <summary>The phases the job stores (in Chinese, as the import's record); the page names them in the current language.</summary>
    public static class Phases
    {
        public const string Waiting = "排队等候处理", Done = "完成", Refused = "已退回", Failed = "失败", Retrying = "出错，等待重试";
    }

    public sealed record View(Guid Id, string FileName, string PolicyCode, string Period,
        [property: JsonConverter(typeof(JsonStringEnumConverter<RosterImportMode>))] RosterImportMode Mode,
        [property: JsonConverter(typeof(JsonStringEnumConverter<RosterImportStatus>))] RosterImportStatus Status, string Phase,
        int RowsRead, long BytesRead, long TotalBytes, int Percent, Guid? ApplicationId, string? ApplicationNumber, int RefusedCount,
        string? RefusedUrl, string? ReportUrl, string? MessageZh, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
    {
        /// <summary>Succeeded, Refused or Failed: the job will not change it again.</summary>
        public bool Done => Status is RosterImportStatus.Succeeded or RosterImportStatus.Refused or RosterImportStatus.Failed;
    }

    public sealed record RefusedRowView(int Row, string ReasonsZh);

    public static string StatusUrl(Guid id) => $"/api/roster-imports/{id}";
    public static string RefusedUrl(Guid id) => $"/api/roster-imports/{id}/refused.xlsx";

    public static IServiceCollection AddRosterImports(this IServiceCollection services)
    {
        services.AddSingleton<RosterSpool>();
        services.AddScoped<Handler>();
        services.AddTransient<RosterImportJob>();
        services.AddTransient<RosterImportSweep>();
        return services;
    }

    public static void MapRosterImports(this RouteGroupBuilder api)
    {
        var cap = ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<RosterSpool>().MaxUploadBytes;
        api.MapPost("/roster-imports", async Task<Accepted<Queued>> (HttpRequest http, RosterSpool spool, Handler handler, CancellationToken ct) =>
        {
            await using var upload = await spool.ReceiveAsync(http, spool.MaxUploadBytes, ct);
            var queued = await handler.CreateAsync(upload, upload.Field("policyCode"), upload.Field("period"), upload.Field("mode"), ct);
            return TypedResults.Accepted(queued.StatusUrl, queued);
        }).WithName("ImportRoster")
          .WithSummary("Upload a roster (CSV or xlsx, multipart: file, policyCode, period, mode = RefuseWhole | AcceptValid) to be processed in the background; 202 with the status address")
          .RequireAuthorization(p => p.RequireRole(Roles.TownshipClerk)).DisableAntiforgery()
          .WithMetadata(new RequestTooLargeProblem(RosterSpool.TooLarge(cap)));

        api.MapGet("/roster-imports/{id:guid}", (Guid id, Handler handler, CancellationToken ct) => handler.GetAsync(id, ct))
            .WithName("GetRosterImport").WithSummary("A roster import's status, progress and result (its uploader, or reviewers of its township)");

        api.MapGet("/roster-imports/{id:guid}/refused.xlsx", async (Guid id, Handler handler, CancellationToken ct) =>
        {
            var (file, name) = await handler.RefusedXlsxAsync(id, ct);
            return TypedResults.File(file, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
        }).WithName("DownloadRosterImportRefusals").WithSummary("The rows a roster import refused, each with its cells and every reason (xlsx)");
    }

    public sealed class Handler(OneCardDbContext db, UserContext user, IBackgroundJobClient jobs, RosterSpool spool, TimeProvider time)
    {
        public long MaxUploadBytes => spool.MaxUploadBytes;

        /// <summary>Records the import of a spooled file and queues its job; the import owns the file from here.</summary>
        public async Task<Queued> CreateAsync(SpooledUpload upload, string policyCode, string period, string? mode, CancellationToken ct)
        {
            var clerk = user.Required;
            if (clerk.RegionCode.Length != 9)
                throw new OneCardException(ErrorKind.Forbidden, "NotTownshipUser", "只有乡镇（街道）经办人可以提交申报", "Only a township clerk can submit.");
            var extension = Path.GetExtension(upload.FileName).ToLowerInvariant();
            if (extension is not (".csv" or ".xlsx"))
                throw new OneCardException(ErrorKind.Invalid, "RosterFileType", $"不支持的文件类型“{LineErrors.Echo(extension)}”，请上传 .csv 或 .xlsx 文件",
                    $"Unsupported file type '{LineErrors.Echo(extension)}': upload .csv or .xlsx.");
            var importMode = ParseMode(mode);
            period = period.Trim();
            if (period.Length is 0 or > 16)
                throw new OneCardException(ErrorKind.Invalid, "PeriodInvalid", "期次无效（例如 2026）", "Period is invalid (e.g. 2026).");
            // The rest (rule set in force, department) is the submission's to check, as for any roster; an unknown policy is
            // refused now so that a typo does not wait in the queue.
            if (!await db.Policies.AnyAsync(p => p.Code == policyCode, ct))
                throw new OneCardException(ErrorKind.Invalid, "PolicyUnknown", $"补贴政策“{LineErrors.Echo(policyCode)}”不存在", $"Unknown policy '{LineErrors.Echo(policyCode)}'.");

            var import = new RosterImport
            {
                Id = upload.Id, UploadedBy = clerk.Id, RegionCode = clerk.RegionCode, PolicyCode = policyCode, Period = period, Mode = importMode,
                FileName = LineErrors.Echo(upload.FileName, RosterImport.MaxFileNameLength - 1), SizeBytes = upload.Size, Sha256 = upload.Sha256,
                SpoolPath = upload.Path, Status = RosterImportStatus.Queued, Phase = Phases.Waiting, TotalBytes = upload.Size, CreatedAt = time.GetUtcNow(),
            };
            db.RosterImports.Add(import);
            await db.SaveChangesAsync(ct);
            upload.Keep();
            jobs.Enqueue<RosterImportJob>(j => j.RunAsync(import.Id, CancellationToken.None));
            return new Queued(import.Id, StatusUrl(import.Id));
        }

        public async Task<View> GetAsync(Guid id, CancellationToken ct)
        {
            var import = await VisibleAsync(id, ct);
            // The case through the region- and department-filtered set: a reader who may not see it gets no number.
            var number = import.ApplicationId is { } applicationId
                ? await db.Applications.Where(a => a.Id == applicationId).Select(a => a.Number).SingleOrDefaultAsync(ct)
                : null;
            var percent = import.Status == RosterImportStatus.Succeeded ? 100
                : import.TotalBytes <= 0 ? 0 : (int)Math.Clamp(import.BytesRead * 100 / import.TotalBytes, 0, 99);
            return new View(import.Id, import.FileName, import.PolicyCode, import.Period, import.Mode, import.Status, import.Phase, import.RowsRead,
                import.BytesRead, import.TotalBytes, percent, import.ApplicationId, number, import.RefusedCount,
                import.RefusedCount > 0 && import.Status is RosterImportStatus.Succeeded or RosterImportStatus.Refused ? RefusedUrl(import.Id) : null,
                import.ReportId is { } report && import.UploadedBy == user.Required.Id ? SubmissionReports.Url(report) : null,
                import.MessageZh, import.CreatedAt, import.FinishedAt);
        }

        /// <summary>The first refused rows (row and reasons), for the result page; the xlsx has them all.</summary>
        public async Task<IReadOnlyList<RefusedRowView>> RefusedPreviewAsync(Guid id, int take, CancellationToken ct)
        {
            var import = await VisibleAsync(id, ct);
            return await db.RosterImportRefusedRows.AsNoTracking().Where(r => r.ImportId == import.Id).OrderBy(r => r.Row).Take(take)
                .Select(r => new RefusedRowView(r.Row, r.ReasonsZh)).ToListAsync(ct);
        }

        /// <summary>The refused rows as xlsx, written to a temporary file that is deleted when the response is sent.</summary>
        public async Task<(Stream File, string Name)> RefusedXlsxAsync(Guid id, CancellationToken ct)
        {
            var import = await VisibleAsync(id, ct);
            var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await RosterImportRefusals.WriteXlsxAsync(db, import, file, ct);
                file.Position = 0;
                return (file, $"退回的行-{Path.GetFileNameWithoutExtension(import.FileName)}.xlsx");
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }

        /// <summary>
        /// The uploader's own import, or one of their township's (or county's) imports for a clerk or county reviewer of the
        /// policy's department; anything else is not found (its existence is not confirmed).
        /// </summary>
        private async Task<RosterImport> VisibleAsync(Guid id, CancellationToken ct)
        {
            var me = user.Required;
            var import = await db.RosterImports.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
            var visible = import is not null && (import.UploadedBy == me.Id
                || (me.HoldsAny(Roles.TownshipClerk, Roles.CountyReviewer) && import.RegionCode.StartsWith(me.Scope.Prefix, StringComparison.Ordinal)
                    && (me.DepartmentCode is null
                        || await db.Policies.AnyAsync(p => p.Code == import.PolicyCode && p.DepartmentCode == me.DepartmentCode, ct))));
            if (!visible) throw OneCardException.NotFound("Roster import", "花名册导入");
            return import!;
        }

        public static RosterImportMode ParseMode(string? mode) => mode?.Trim() switch
        {
            null or "" or nameof(RosterImportMode.RefuseWhole) => RosterImportMode.RefuseWhole,
            nameof(RosterImportMode.AcceptValid) => RosterImportMode.AcceptValid,
            _ => throw new OneCardException(ErrorKind.Invalid, "RosterImportModeInvalid",
                $"处理方式“{LineErrors.Echo(mode)}”无效，应为 RefuseWhole（整体退回）或 AcceptValid（只受理正确的行）",
                $"Mode '{LineErrors.Echo(mode)}' is neither RefuseWhole nor AcceptValid."),
        };

        /// <summary>The import's header row, recorded by the job once read (the columns of the refused-rows download).</summary>
        internal static string HeadersJson(IReadOnlyList<string> headers) => JsonSerializer.Serialize(headers, RefusedRows.Json);
    }
}
