using System.Globalization;
using System.IO.Compression;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using OneCard.Domain.Errors;

namespace OneCard.Host.Applications;

/// <summary>One data row of a roster as the user wrote it: the spreadsheet row number and cells by header.</summary>
public sealed record RosterRow(int Row, IReadOnlyDictionary<string, string> Cells);

/// <summary>
/// Reads a roster from CSV (UTF-8, with or without BOM) or xlsx. An xlsx is checked as a ZIP
/// before parsing — entry count, uncompressed size and compression ratio — so a zip bomb is
/// refused unread (reliability-security §6).
/// </summary>
public static class RosterReader
{
    public const long MaxUploadBytes = 50L * 1024 * 1024;
    public const int MaxRows = 1_000_000;
    private const long MaxUncompressedBytes = 512L * 1024 * 1024;
    private const int MaxEntries = 1_000;
    private const double MaxCompressionRatio = 100;

    public static IReadOnlyList<RosterRow> Read(Stream content, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return extension switch
        {
            ".csv" => ReadCsv(content),
            ".xlsx" => ReadXlsx(content),
            _ => throw Invalid("RosterFileType", $"不支持的文件类型“{extension}”，请上传 .csv 或 .xlsx 文件",
                $"Unsupported file type '{extension}': upload .csv or .xlsx."),
        };
    }

    private static List<RosterRow> ReadCsv(Stream content)
    {
        using var reader = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim, BadDataFound = null };
        using var csv = new CsvReader(reader, config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
            throw Invalid("RosterEmpty", "花名册为空：第1行应为表头", "The roster is empty: row 1 must be the header.");
        var headers = csv.HeaderRecord.Select(h => h.Trim()).ToArray();
        var rows = new List<RosterRow>();
        while (csv.Read())
        {
            var row = csv.Parser.Row; // 1-based physical row, header = 1
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < headers.Length; i++) cells[headers[i]] = csv.GetField(i) ?? "";
            if (cells.Values.All(string.IsNullOrWhiteSpace)) continue;
            rows.Add(new RosterRow(row, cells));
            if (rows.Count > MaxRows) throw TooManyRows();
        }
        return rows;
    }

    private static List<RosterRow> ReadXlsx(Stream content)
    {
        var buffer = new MemoryStream();
        content.CopyTo(buffer);
        buffer.Position = 0;
        CheckZip(buffer);
        buffer.Position = 0;
        var rows = new List<RosterRow>();
        string[]? headers = null;
        var rowNo = 0;
        foreach (IDictionary<string, object?> record in buffer.Query(useHeaderRow: false))
        {
            rowNo++;
            var values = record.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "").ToArray();
            if (headers is null)
            {
                headers = values;
                continue;
            }
            if (values.All(string.IsNullOrWhiteSpace)) continue;
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < headers.Length && i < values.Length; i++)
                if (headers[i].Length > 0) cells[headers[i]] = values[i];
            rows.Add(new RosterRow(rowNo, cells));
            if (rows.Count > MaxRows) throw TooManyRows();
        }
        if (headers is null) throw Invalid("RosterEmpty", "花名册为空：第1行应为表头", "The roster is empty: row 1 must be the header.");
        return rows;
    }

    private static void CheckZip(MemoryStream buffer)
    {
        Span<byte> magic = stackalloc byte[4];
        if (buffer.Read(magic) != 4 || magic[0] != 0x50 || magic[1] != 0x4B || magic[2] != 0x03 || magic[3] != 0x04)
            throw Invalid("RosterNotXlsx", "文件不是有效的 xlsx 表格（文件头不符）", "Not an xlsx file (bad signature).");
        buffer.Position = 0;
        try
        {
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Count > MaxEntries)
                throw Invalid("RosterZipBomb", "xlsx 文件内部条目过多，已拒绝", "Too many entries in the xlsx file.");
            long total = 0;
            var hasContentTypes = false;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (entry.FullName == "[Content_Types].xml") hasContentTypes = true;
                if (entry.FullName.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase))
                    throw Invalid("RosterMacros", "xlsx 文件含宏，已拒绝", "The file contains macros.");
                if (entry.CompressedLength > 0 && (double)entry.Length / entry.CompressedLength > MaxCompressionRatio && entry.Length > 1_000_000)
                    throw Invalid("RosterZipBomb", "xlsx 文件压缩比异常，疑似压缩炸弹，已拒绝", "Suspicious compression ratio (zip bomb).");
            }
            if (total > MaxUncompressedBytes)
                throw Invalid("RosterZipBomb", "xlsx 文件解压后过大，已拒绝", "The xlsx file is too large when unpacked.");
            if (!hasContentTypes)
                throw Invalid("RosterNotXlsx", "文件不是有效的 xlsx 表格（缺少 [Content_Types].xml）", "Not an xlsx file.");
        }
        catch (InvalidDataException)
        {
            throw Invalid("RosterNotXlsx", "文件不是有效的 xlsx 表格（压缩包损坏）", "Not an xlsx file (corrupt archive).");
        }
    }

    private static OneCardException TooManyRows() =>
        Invalid("RosterTooLarge", $"花名册超过 {MaxRows:N0} 行，请分批上传", $"The roster has more than {MaxRows:N0} rows.");

    private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
}
