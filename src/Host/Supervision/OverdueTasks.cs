using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Users;
using OneCard.Host.Cases;
using OneCard.Host.Platform;
using OneCard.Persistence;
using OneCard.Workflows;

namespace OneCard.Host.Supervision;

/// <summary>The overdue list of a region (most overdue first), paged for the page and streamed to xlsx for the export.</summary>
public static class OverdueTasks
{
    public const int MaxPageSize = 100;
    /// <summary>The most rows one export writes; the list's filters narrow it further.</summary>
    public const int ExportCap = 100_000;

    /// <param name="Link">The case page (relative to the app base).</param>
    public sealed record Item(Guid TaskId, string SubjectKind, Guid SubjectId, string Reference, string Link, string RegionCode, string RegionName,
        string Step, string StepTitle, string? PolicyCode, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, double OverdueHours,
        DateTimeOffset? EscalatedAt, string? EscalatedToRole);

    public sealed record Page(int Total, int PageNo, int PageSize, IReadOnlyList<Item> Items);

    public static void MapOverdueTasks(this RouteGroupBuilder api)
    {
        var supervision = api.MapGroup("/supervision").RequireAuthorization(p => p.RequireRole(Roles.Supervisor, Roles.Administrator));
        supervision.MapGet("/overdue", async Task<Ok<Page>> ([AsParameters] SlaQuery query, int? page, int? pageSize, Handler handler, CancellationToken ct) =>
                TypedResults.Ok(await handler.ListAsync(query.ToFilter(), page ?? 1, pageSize ?? 20, ct)))
            .WithName("OverdueTasks").WithSummary("Overdue open tasks of a region, most overdue first, with links to the cases");
        supervision.MapGet("/overdue.xlsx", async Task<FileStreamHttpResult> ([AsParameters] SlaQuery query, Handler handler, CancellationToken ct) =>
            {
                var file = await handler.ExportAsync(query.ToFilter(), ct);
                return TypedResults.File(file.Content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file.FileName);
            })
            .WithName("ExportOverdueTasks").WithSummary("The overdue list as an xlsx workbook (Chinese headers)");
    }

    public sealed record Export(Stream Content, string FileName);

    /// <summary>One row of the workbook; the column names are what the supervisor reads.</summary>
    public sealed class Sheet
    {
        [ExcelColumnName("案件编号")] public string Reference { get; init; } = "";
        [ExcelColumnName("案件类型")] public string Kind { get; init; } = "";
        [ExcelColumnName("环节")] public string Step { get; init; } = "";
        [ExcelColumnName("地区")] public string Region { get; init; } = "";
        [ExcelColumnName("政策")] public string Policy { get; init; } = "";
        [ExcelColumnName("到达时间")] public string CreatedAt { get; init; } = "";
        [ExcelColumnName("办理时限")] public string DueAt { get; init; } = "";
        [ExcelColumnName("超期小时数")] public double OverdueHours { get; init; }
        [ExcelColumnName("已升级")] public string Escalated { get; init; } = "";
        [ExcelColumnName("案件链接")] public string Link { get; init; } = "";
    }

    public sealed class Handler(OneCardDbContext db, UserContext user, RegionDirectory regions, WorkingDayCalendar calendar,
        WorkflowCatalog workflows, TimeProvider time)
    {
        public async Task<Page> ListAsync(SlaFilter filter, int page, int pageSize, CancellationToken ct)
        {
            var scope = SlaScope.Resolve(filter, user.Required, regions, calendar, time);
            pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
            page = Math.Max(page, 1);
            var total = await scope.Overdue(db).CountAsync(ct);
            var rows = await Rows(scope).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
            return new Page(total, page, pageSize, rows.Select(r => ToItem(r, scope.Now)).ToList());
        }

        /// <summary>
        /// Writes the workbook to a temporary file as rows stream from the database (no list of rows in memory) and hands
        /// the file back for the response, which deletes it when sent.
        /// </summary>
        public async Task<Export> ExportAsync(SlaFilter filter, CancellationToken ct)
        {
            var scope = SlaScope.Resolve(filter, user.Required, regions, calendar, time);
            var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                var rows = Rows(scope).Take(ExportCap).AsAsyncEnumerable();
                await file.SaveAsAsync(ToSheet(rows, scope.Now, ct), sheetName: "超期任务", cancellationToken: ct);
                file.Position = 0;
                var stamp = WorkingDayCalendar.LocalDate(scope.Now).ToString("yyyyMMdd");
                return new Export(file, $"超期任务-{scope.Region.Code}-{stamp}.xlsx");
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
        }

        private IEnumerable<Sheet> ToSheet(IAsyncEnumerable<RowData> rows, DateTimeOffset now, CancellationToken ct)
        {
            // MiniExcel enumerates synchronously; the rows still come one by one from the open data reader.
            var enumerator = rows.GetAsyncEnumerator(ct);
            try
            {
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    var i = ToItem(enumerator.Current, now);
                    yield return new Sheet
                    {
                        Reference = i.Reference, Kind = KindZh(i.SubjectKind), Step = i.StepTitle, Region = i.RegionName, Policy = i.PolicyCode ?? "",
                        CreatedAt = China(i.CreatedAt), DueAt = i.DueAt is { } d ? China(d) : "", OverdueHours = i.OverdueHours,
                        Escalated = i.EscalatedAt is null ? "否" : "是", Link = i.Link,
                    };
                }
            }
            finally
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        private sealed record RowData(Guid Id, string SubjectKind, Guid SubjectId, string Reference, string RegionCode, string Step,
            string? PolicyCode, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, DateTimeOffset? OverdueAt, DateTimeOffset? EscalatedAt, string? EscalatedToRole);

        private IQueryable<RowData> Rows(SlaScope scope) =>
            from t in scope.Overdue(db)
            join i in db.WorkflowInstances.AsNoTracking() on t.InstanceId equals i.Id
            orderby t.DueAt, t.Id
            select new RowData(t.Id, t.SubjectKind, t.SubjectId, i.Reference, t.RegionCode, t.Step, t.PolicyCode, t.CreatedAt, t.DueAt,
                t.OverdueAt, t.EscalatedAt, t.EscalatedToRole);

        private Item ToItem(RowData r, DateTimeOffset now)
        {
            var since = r.DueAt ?? r.OverdueAt ?? now;
            return new Item(r.Id, r.SubjectKind, r.SubjectId, r.Reference, CaseLinks.For(r.SubjectKind, r.SubjectId), r.RegionCode,
                regions.FullName(r.RegionCode), r.Step, StepTitles.Of(workflows, r.Step), r.PolicyCode, r.CreatedAt, r.DueAt,
                Math.Round(Math.Max(0, (now - since).TotalHours), 1), r.EscalatedAt, r.EscalatedToRole);
        }

        private static string China(DateTimeOffset instant) => instant.ToOffset(WorkingDayCalendar.Offset).ToString("yyyy-MM-dd HH:mm");

        private static string KindZh(string kind) => kind switch
        {
            Domain.Cases.SubjectKinds.Application => "补贴申报",
            Domain.Cases.SubjectKinds.Complaint => "投诉举报",
            _ => kind,
        };
    }
}
