using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Applications;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;
using OneCard.Persistence;

namespace OneCard.Host.Applications;

/// <summary>
/// The full error report of a refused submission: stored when the submission is refused, downloaded by
/// its uploader (and nobody else) as CSV for <see cref="Lifetime"/>. The 422 itself carries the first
/// <see cref="ShownInResponse"/> errors, the totals and the report's address.
/// </summary>
public static class SubmissionReports
{
    public const int ShownInResponse = 100;
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public static string Url(Guid id) => $"/api/applications/reports/{id}";

    public static void MapSubmissionReports(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/reports/{id:guid}", async Task<Results<FileContentHttpResult, NotFound>> (
            Guid id, OneCardDbContext db, UserContext user, TimeProvider time, CancellationToken ct) =>
        {
            var me = user.Required.Id;
            var now = time.GetUtcNow();
            var report = await db.SubmissionReports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id && r.UserId == me, ct);
            if (report is null || report.ExpiresAt <= now) throw OneCardException.NotFound("Submission report", "错误报告（或已过期）");
            await using var gzip = new GZipStream(new MemoryStream(report.ContentGzip), CompressionMode.Decompress);
            using var csv = new MemoryStream();
            await gzip.CopyToAsync(csv, ct);
            return TypedResults.File(csv.ToArray(), "text/csv; charset=utf-8", $"错误报告-{Path.GetFileNameWithoutExtension(report.FileName)}.csv");
        }).WithName("DownloadSubmissionReport").WithSummary("Download the full error report of a refused submission (its uploader only)");
    }

    /// <summary>Stores the report of a refused submission for <paramref name="userId"/>; expired reports are swept on the way.</summary>
    public static async Task<Guid> StoreAsync(OneCardDbContext db, string userId, string fileName, LineErrors errors, int rowCount,
        DateTimeOffset now, CancellationToken ct)
    {
        await db.SubmissionReports.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var report = new SubmissionReport
        {
            Id = Guid.CreateVersion7(), UserId = userId, FileName = LineErrors.Echo(Path.GetFileName(fileName), 100), CreatedAt = now,
            ExpiresAt = now + Lifetime, ErrorCount = errors.Total, RowCount = rowCount, ContentGzip = Gzip(Csv(errors, rowCount)),
        };
        db.SubmissionReports.Add(report);
        await db.SaveChangesAsync(ct);
        return report.Id;
    }

    /// <summary>The report as Excel opens it: UTF-8 with BOM, one error a line, cells neutralised against formula injection.</summary>
    public static byte[] Csv(LineErrors errors, int rowCount)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture)
               { InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape }))
        {
            foreach (var header in new[] { "行", "字段", "错误代码", "原因" }) csv.WriteField(header);
            csv.NextRecord();
            foreach (var e in errors)
            {
                csv.WriteField(e.Row);
                csv.WriteField(e.Field);
                csv.WriteField(e.Code);
                csv.WriteField(e.MessageZh);
                csv.NextRecord();
            }
            if (errors.Truncated)
            {
                csv.WriteField("");
                csv.WriteField("");
                csv.WriteField("TooManyErrors");
                csv.WriteField($"错误过多，仅列出前{errors.Count}处（共{errors.Total}处错误，涉及{errors.Rows}行；共读取{rowCount}行）");
                csv.NextRecord();
            }
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(content);
        return buffer.ToArray();
    }
}
