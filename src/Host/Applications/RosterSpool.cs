using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OneCard.Domain.Errors;
using OneCard.Host.Platform;

namespace OneCard.Host.Applications;

/// <summary>
/// Where uploaded rosters wait to be read: a folder (<c>Rosters:SpoolDirectory</c>, by default <c>onecard-rosters</c> under
/// the temporary folder). A multipart body is read part by part with <see cref="MultipartReader"/> (the form is never
/// buffered), the file part streamed to a new file while it is hashed (SHA-256) and counted against a cap; over the cap
/// the partial file is deleted and the request refused with 413.
/// </summary>
public sealed class RosterSpool
{
    /// <summary>
    /// The background import's default cap. A province-wide roster of 1,000,000 lines in today's columns is about 110 MB as
    /// UTF-8 CSV (≈ 60 MB as GBK, a third of that as xlsx); 256 MB leaves room for wider rule sets (more fact columns,
    /// longer bank names) and for a UTF-8 file saved with quoted cells, while a spool folder on a 2-core host still holds
    /// several at once.
    /// </summary>
    public const long DefaultMaxUploadBytes = 256L * 1024 * 1024;

    /// <summary>The form fields besides the file, and the file's own framing: kept small, read into memory.</summary>
    private const int MaxFieldLength = 1024, MaxFields = 16;

    public RosterSpool(IConfiguration config)
    {
        var section = config.GetSection("Rosters");
        Directory = section["SpoolDirectory"] is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "onecard-rosters");
        MaxUploadBytes = section.GetValue("MaxUploadBytes", DefaultMaxUploadBytes);
        ChunkSize = section.GetValue("ChunkSize", 0);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public long MaxUploadBytes { get; }

    /// <summary>Lines per chunk of a background import (<c>Rosters:ChunkSize</c>; 0 = the submission's measured default).</summary>
    public int ChunkSize { get; }

    /// <summary>The cap's own message (413, RosterTooLarge), naming the cap.</summary>
    public static OneCardException TooLarge(long cap) => new(ErrorKind.Invalid, "RosterTooLarge",
        $"文件超过{Megabytes(cap)}MB的上限，请拆分后分批上传", $"The file is larger than the {Megabytes(cap)} MB limit.");

    private static string Megabytes(long bytes) => (bytes / 1024d / 1024d).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A new file in the spool folder (its name is ours, never the uploader's).</summary>
    public string NewPath(Guid id) => Path.Combine(Directory, $"{id:N}.roster");

    /// <summary>
    /// Reads a multipart/form-data body: the fields into memory (small), the part named <c>file</c> into a new spool file.
    /// Throws <see cref="BadHttpRequestException"/> 413 when the file passes <paramref name="cap"/> (nothing left behind).
    /// </summary>
    public async Task<SpooledUpload> ReceiveAsync(HttpRequest http, long cap, CancellationToken ct)
    {
        // Kestrel's own limit (30 MB) would answer first, in English: the body may be the cap plus the framing.
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = cap + 1024 * 1024;
        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
            throw Missing();
        var reader = new MultipartReader(boundary, http.Body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        SpooledUpload? upload = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition())
                {
                    if (name != "file" || upload is not null) { await section.Body.DrainAsync(ct); continue; }
                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                    upload = await WriteAsync(section.Body, Path.GetFileName(fileName), cap, ct);
                }
                else if (fields.Count < MaxFields)
                {
                    using var text = new StreamReader(section.Body, System.Text.Encoding.UTF8);
                    var buffer = new char[MaxFieldLength + 1];
                    var read = await text.ReadBlockAsync(buffer, ct);
                    fields[name] = new string(buffer, 0, Math.Min(read, MaxFieldLength));
                    await section.Body.DrainAsync(ct);
                }
                else await section.Body.DrainAsync(ct);
            }
        }
        catch
        {
            if (upload is not null) await upload.DisposeAsync();
            throw;
        }
        if (upload is null) throw Missing();
        upload.Fields = fields;
        return upload;
    }

    /// <summary>Writes <paramref name="content"/> to a new spool file, hashing and counting; over the cap the file is deleted.</summary>
    public async Task<SpooledUpload> WriteAsync(Stream content, string fileName, long cap, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var path = NewPath(id);
        try
        {
            // Over the cap: the same answer as a body over the endpoint's limit (413 RosterTooLarge), and nothing kept.
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            var (size, sha256) = await Uploads.CopyCappedAsync(content, file, cap, ct);
            return new SpooledUpload(id, path, fileName, size, sha256);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static OneCardException Missing() =>
        new(ErrorKind.Invalid, "RosterFileMissing", "请选择要上传的花名册文件（表单字段 file）", "No file in the form field 'file'.");
}

/// <summary>A file in the spool folder: deleted on dispose unless <see cref="Keep"/> was called (a queued import owns it then).</summary>
public sealed class SpooledUpload(Guid id, string path, string fileName, long size, string sha256) : IAsyncDisposable
{
    private bool kept;

    public Guid Id => id;
    public string Path => path;
    public string FileName => fileName;
    public long Size => size;
    public string Sha256 => sha256;
    public IReadOnlyDictionary<string, string> Fields { get; internal set; } = new Dictionary<string, string>();

    public string Field(string name) => Fields.TryGetValue(name, out var v) ? v : "";

    public void Keep() => kept = true;

    public ValueTask DisposeAsync()
    {
        if (!kept) File.Delete(path);
        return ValueTask.CompletedTask;
    }
}
