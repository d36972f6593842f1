using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using OneCard.Domain.Errors;

namespace OneCard.Host.Applications;

/// <summary>One data row of a roster as the user wrote it: the spreadsheet row number and cells by header.</summary>
public sealed record RosterRow(int Row, IReadOnlyDictionary<string, string> Cells);

/// <summary>
/// Reads a roster from CSV or xlsx. A CSV's encoding is detected (BOM, else valid UTF-8, else GB18030,
/// the superset of the GBK that Chinese Excel writes) and named. An xlsx is checked as a ZIP before
/// parsing — entry count, uncompressed size, compression ratio, and no DOCTYPE in any XML part — so a
/// zip bomb or an XXE attempt is refused unread (reliability-security §6). A file that cannot be read
/// at all is refused whole (<see cref="OneCardException"/>, 422); a row that cannot be read is a
/// located error and the row is skipped.
/// </summary>
public static class RosterReader
{
    public const long MaxUploadBytes = 50L * 1024 * 1024;
    public const int MaxRows = 1_000_000;
    private const long MaxUncompressedBytes = 512L * 1024 * 1024;
    private const int MaxEntries = 1_000;
    private const double MaxCompressionRatio = 100;

    static RosterReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Reads every row, refusing the file on the first unreadable one (bank result files: small, and
    /// every row matters). Rosters use <see cref="Open"/> to collect every row's problems instead.
    /// </summary>
    public static IReadOnlyList<RosterRow> Read(Stream content, string fileName)
    {
        var file = Open(content, fileName);
        var errors = new LineErrors(keep: 1);
        var rows = file.Rows(errors).ToList();
        if (errors.Count > 0)
        {
            var e = errors[0];
            throw Invalid(e.Code, $"第{e.Row}行：{e.MessageZh}", $"Row {e.Row}: {e.MessageEn}");
        }
        return rows;
    }

    /// <summary>
    /// Opens a roster: checks the file, reads the header row; data rows are read as they are enumerated. A seekable stream
    /// (a spooled file) is read in place, never copied into memory; any other stream is first copied into memory (small
    /// inputs: bank result files, the impact page's hashing stream).
    /// </summary>
    public static RosterFile Open(Stream content, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is not (".csv" or ".xlsx")) throw UnsupportedType(extension);
        var stream = content;
        if (!content.CanSeek)
        {
            var buffer = new MemoryStream();
            content.CopyTo(buffer);
            buffer.Position = 0;
            stream = buffer;
        }
        return extension == ".csv" ? OpenCsv(stream, fileName) : OpenXlsx(stream, fileName);
    }

    /// <summary>Opens a spooled roster file; the returned roster owns the file handle (dispose it).</summary>
    public static RosterFile OpenFile(string path, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is not (".csv" or ".xlsx")) throw UnsupportedType(extension);
        // Sequential: the encoding pass and the parse each read the file once from start to end.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var roster = extension == ".csv" ? OpenCsv(stream, fileName) : OpenXlsx(stream, fileName);
            roster.Owns(stream);
            return roster;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static OneCardException UnsupportedType(string extension) =>
        Invalid("RosterFileType", $"不支持的文件类型“{LineErrors.Echo(extension)}”，请上传 .csv 或 .xlsx 文件",
            $"Unsupported file type '{LineErrors.Echo(extension)}': upload .csv or .xlsx.");

    /// <summary>The text encoding of a CSV: a BOM wins; else valid UTF-8 is UTF-8; else GB18030 (GBK, as Chinese Excel saves).</summary>
    public static (Encoding Encoding, string Name, int Skip) DetectEncoding(ReadOnlySpan<byte> bytes)
    {
        if (Bom(bytes) is { } bom) return bom;
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return (new UTF8Encoding(false), "UTF-8", 0);
        return (Encoding.GetEncoding("GB18030"), "GB18030", 0);
    }

    /// <summary>
    /// <see cref="DetectEncoding(ReadOnlySpan{byte})"/> over a seekable stream without holding it: the BOM from its first
    /// bytes, else one pass of a strict UTF-8 decoder over the whole stream in 64 KB chunks (a GBK file usually fails in its
    /// first chunk; a UTF-8 one is read to the end, about 0.1 s for 100 MB). The stream is left at its start.
    /// </summary>
    public static (Encoding Encoding, string Name, int Skip) DetectEncoding(Stream stream)
    {
        var start = stream.Position;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        var chars = System.Buffers.ArrayPool<char>.Shared.Rent(1 << 16);
        try
        {
            var head = stream.ReadAtLeast(buffer.AsSpan(0, 3), 3, throwOnEndOfStream: false);
            stream.Position = start;
            if (Bom(buffer.AsSpan(0, head)) is { } bom) return bom;
            var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
            try
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                    decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
                // An incomplete sequence at the very end is invalid too.
                decoder.GetChars([], 0, 0, chars, 0, flush: true);
                return (new UTF8Encoding(false), "UTF-8", 0);
            }
            catch (DecoderFallbackException)
            {
                return (Encoding.GetEncoding("GB18030"), "GB18030", 0);
            }
        }
        finally
        {
            stream.Position = start;
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            System.Buffers.ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static (Encoding Encoding, string Name, int Skip)? Bom(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return (new UTF8Encoding(false), "UTF-8", 3);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return (new UnicodeEncoding(false, false), "UTF-16", 2);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return (new UnicodeEncoding(true, false), "UTF-16", 2);
        return null;
    }

    private static RosterFile OpenCsv(Stream stream, string fileName)
    {
        var start = stream.Position;
        var total = stream.Length - start;
        var (encoding, name, skip) = DetectEncoding(stream);
        stream.Position = start + skip;
        var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        var badDataRow = 0;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            // Both only note the row; the row loop reports it with its number and skips it.
            BadDataFound = args => badDataRow = args.Context.Parser?.Row ?? -1,
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
        };
        var csv = new CsvReader(reader, config);
        string[] headers;
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null) throw Empty();
            headers = csv.HeaderRecord.Select(h => h.Trim()).ToArray();
        }
        catch (CsvHelperException)
        {
            throw Unreadable(fileName, 1);
        }
        CheckHeaders(headers);

        var counted = new RowCounter();
        IEnumerable<RosterRow> Rows(LineErrors errors)
        {
            using var _ = csv;
            var read = 0;
            while (true)
            {
                RosterRow? next = null;
                bool more;
                var row = 0;
                try
                {
                    more = csv.Read();
                    row = csv.Parser.Row; // 1-based row, header = 1
                    if (more) next = CsvRow(csv, headers, row, badDataRow == row, errors, counted);
                }
                catch (CsvHelperException)
                {
                    throw Unreadable(fileName, row == 0 ? csv.Parser.Row : row);
                }
                if (!more) yield break;
                if (next is null) continue;
                if (++read > MaxRows) throw TooManyRows();
                yield return next;
            }
        }
        return new RosterFile(fileName, headers, name, Rows, () => counted.Read, total, () => Math.Clamp(stream.Position - start, 0, total));
    }

    /// <summary>One CSV record as a row, or null (blank, or malformed: reported to <paramref name="errors"/>).</summary>
    private static RosterRow? CsvRow(CsvReader csv, string[] headers, int row, bool badData, LineErrors errors, RowCounter counted)
    {
        var count = csv.Parser.Count;
        var fields = new string[count];
        for (var i = 0; i < count; i++) fields[i] = csv.Parser[i] ?? "";
        if (fields.All(string.IsNullOrWhiteSpace)) return null;
        counted.Read++;
        if (badData || count < headers.Length) errors.Refusals?.Cells(row, fields);
        if (badData)
        {
            errors.Add(row, "", "RosterBadQuote", "本行引号不成对（单元格内的英文双引号须成对出现）",
                "Unbalanced quotes in this row.");
            return null;
        }
        if (count < headers.Length)
        {
            errors.Add(row, "", "RosterRowShort", $"本行只有{count}列，少于表头的{headers.Length}列（缺少逗号，或单元格内有未加引号的换行）",
                $"The row has {count} fields, fewer than the header's {headers.Length}.");
            return null;
        }
        return ToRow(row, headers, fields, errors);
    }

    /// <summary>Cells by header; a value under no header is an error (a stray comma shifts a row, so nothing in it can be trusted).</summary>
    private static RosterRow? ToRow(int row, IReadOnlyList<string> headers, IReadOnlyList<string> values, LineErrors errors)
    {
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            var header = i < headers.Count ? headers[i] : "";
            if (header.Length > 0) cells[header] = values[i];
            else if (!string.IsNullOrWhiteSpace(values[i]))
            {
                errors.Refusals?.Cells(row, values);
                errors.Add(row, ColumnName(i), "RosterRowLong", $"第{ColumnName(i)}列有数据但没有表头（多出的逗号或列）",
                    $"Column {ColumnName(i)} has data but no header.");
                return null;
            }
        }
        return new RosterRow(row, cells);
    }

    /// <summary>A duplicated header would silently take one of the two columns: refuse it, naming both places.</summary>
    private static void CheckHeaders(IReadOnlyList<string> headers)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].Length == 0) continue;
            if (headers[i].Length > 100 || headers[i].Any(char.IsControl))
                throw Invalid("RosterHeaderInvalid", $"第1行第{ColumnName(i)}列的表头过长或含控制字符", $"Header in column {ColumnName(i)} is too long or has control characters.");
            if (first.TryGetValue(headers[i], out var at))
                throw Invalid("RosterDuplicateHeader",
                    $"表头“{LineErrors.Echo(headers[i])}”重复：第{ColumnName(at)}列和第{ColumnName(i)}列，请删除或改名其中一列",
                    $"Header '{LineErrors.Echo(headers[i])}' appears twice: columns {ColumnName(at)} and {ColumnName(i)}.");
            first[headers[i]] = i;
        }
    }

    /// <summary>A spreadsheet column letter (A, B, …, AA) for messages.</summary>
    public static string ColumnName(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    /// <summary>
    /// An xlsx read in place: the ZIP checks read its central directory and each XML part's prolog; MiniExcel's query then
    /// streams the sheet's rows (the sheet XML is inflated as it is read, never whole).
    /// </summary>
    private static RosterFile OpenXlsx(Stream buffer, string fileName)
    {
        var start = buffer.Position;
        var total = buffer.Length - start;
        CheckZip(buffer);
        buffer.Position = start;
        IEnumerator<IDictionary<string, object?>> records;
        string[] headers;
        try
        {
            records = buffer.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().GetEnumerator();
            if (!records.MoveNext()) throw Empty();
            headers = Values(records.Current);
        }
        catch (Exception e) when (e is not OneCardException)
        {
            throw Unreadable(fileName, 1);
        }
        CheckHeaders(headers);

        var counted = new RowCounter();
        IEnumerable<RosterRow> Rows(LineErrors errors)
        {
            using var _ = records;
            var rowNo = 1;
            var read = 0;
            while (true)
            {
                bool more;
                // MiniExcel trusts the sheet's declared dimension and may throw past it: locate, never 500.
                try { more = records.MoveNext(); }
                catch (Exception e) when (e is not OneCardException) { throw Unreadable(fileName, rowNo + 1); }
                if (!more) yield break;
                rowNo++;
                var values = Values(records.Current);
                if (values.All(string.IsNullOrWhiteSpace)) continue;
                counted.Read++;
                if (ToRow(rowNo, headers, values, errors) is not { } row) continue;
                if (++read > MaxRows) throw TooManyRows();
                yield return row;
            }
        }
        return new RosterFile(fileName, headers, null, Rows, () => counted.Read, total, () => Math.Clamp(buffer.Position - start, 0, total));
    }

    private static string[] Values(IDictionary<string, object?> record) =>
        record.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "").ToArray();

    private static void CheckZip(Stream buffer)
    {
        var start = buffer.Position;
        Span<byte> magic = stackalloc byte[4];
        if (buffer.ReadAtLeast(magic, 4, throwOnEndOfStream: false) != 4 || magic[0] != 0x50 || magic[1] != 0x4B || magic[2] != 0x03 || magic[3] != 0x04)
            throw Invalid("RosterNotXlsx", "文件不是有效的 xlsx 表格（文件头不符）", "Not an xlsx file (bad signature).");
        buffer.Position = start;
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
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)
                                                      || e.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase)))
                CheckNoDoctype(entry);
        }
        catch (InvalidDataException)
        {
            throw Invalid("RosterNotXlsx", "文件不是有效的 xlsx 表格（压缩包损坏）", "Not an xlsx file (corrupt archive).");
        }
    }

    /// <summary>
    /// Office never writes a DOCTYPE; one in a part is an XXE or entity-expansion attempt. The prolog is
    /// read up to the root element with external resolution off and no entity expansion allowed.
    /// </summary>
    private static void CheckNoDoctype(ZipArchiveEntry entry)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Parse, XmlResolver = null, MaxCharactersFromEntities = 1, MaxCharactersInDocument = 0,
            IgnoreComments = true, IgnoreWhitespace = true,
        };
        try
        {
            using var stream = entry.Open();
            using var xml = XmlReader.Create(stream, settings);
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.DocumentType)
                    throw Invalid("RosterXmlDoctype", $"xlsx 文件的“{LineErrors.Echo(entry.FullName, 60)}”含 DOCTYPE 声明（可能是 XXE 攻击），已拒绝",
                        $"'{entry.FullName}' in the xlsx contains a DOCTYPE (possible XXE); refused.");
                if (xml.NodeType == XmlNodeType.Element) return;
            }
        }
        catch (XmlException)
        {
            throw Invalid("RosterXmlDoctype", $"xlsx 文件的“{LineErrors.Echo(entry.FullName, 60)}”不是有效的 XML 或含 DTD，已拒绝",
                $"'{entry.FullName}' in the xlsx is not valid XML or contains a DTD; refused.");
        }
    }

    private static OneCardException Empty() => Invalid("RosterEmpty", "花名册为空：第1行应为表头", "The roster is empty: row 1 must be the header.");

    private static OneCardException Unreadable(string fileName, int row) =>
        Invalid("RosterUnreadable", $"文件“{LineErrors.Echo(Path.GetFileName(fileName), 60)}”无法读取：第{row}行附近格式损坏，请用 Excel 打开后重新另存",
            $"The file '{Path.GetFileName(fileName)}' cannot be read: damaged near row {row}.");

    private static OneCardException TooManyRows() =>
        Invalid("RosterTooLarge", $"花名册超过 {MaxRows:N0} 行，请分批上传", $"The roster has more than {MaxRows:N0} rows.");

    private static OneCardException Invalid(string code, string zh, string en) => new(ErrorKind.Invalid, code, zh, en);
}

/// <summary>How many non-blank data rows a reader has met, malformed ones included.</summary>
internal sealed class RowCounter
{
    public int Read;
}

/// <summary>An opened roster: its header row, the encoding its text was read in (null for xlsx), and its data rows.</summary>
public sealed class RosterFile(string fileName, IReadOnlyList<string> headers, string? encoding, Func<LineErrors, IEnumerable<RosterRow>> rows,
    Func<int> dataRows, long totalBytes = 0, Func<long>? bytesRead = null) : IDisposable
{
    private IDisposable? owned;

    /// <summary>Non-blank data rows read so far, malformed ones included.</summary>
    public int DataRows => dataRows();

    /// <summary>The file's size in bytes (0 when unknown).</summary>
    public long TotalBytes => totalBytes;

    /// <summary>How far into the file the reader is (bytes, read ahead by its buffer): the progress bar's measure.</summary>
    public long BytesRead => bytesRead?.Invoke() ?? 0;

    public string FileName => fileName;
    public IReadOnlyList<string> Headers => headers;

    /// <summary>"UTF-8", "UTF-16" or "GB18030"; null for xlsx (no text encoding to guess).</summary>
    public string? Encoding => encoding;

    /// <summary>How the page and the API name the encoding to the user.</summary>
    public string? EncodingZh => encoding switch
    {
        null => null,
        "GB18030" => "已按 GB18030（GBK）编码读取",
        _ => $"已按 {encoding} 编码读取",
    };

    /// <summary>The data rows, read once as enumerated; malformed rows are reported to <paramref name="errors"/> and skipped.</summary>
    public IEnumerable<RosterRow> Rows(LineErrors errors) => rows(errors);

    internal void Owns(IDisposable resource) => owned = resource;

    public void Dispose() => owned?.Dispose();
}
