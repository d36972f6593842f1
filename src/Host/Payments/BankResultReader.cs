using CsvHelper;
using OneCard.Domain.Payments;

namespace OneCard.Host.Payments;

/// <summary>
/// A located problem of a bank result file (回盘): <see cref="Row"/> is the row of the opened CSV (header = 1), 0 for the file
/// itself (its envelope, signature, batch or totals); <see cref="Field"/> names the column or header field.
/// </summary>
public sealed record BankFileError(int Row, string Field, string Code, string MessageZh, string MessageEn)
{
    public static BankFileError File(string field, string code, string zh, string en) => new(0, field, code, zh, en);
}

/// <summary>
/// The located errors of one result file, kept up to <see cref="Kept"/>: a bank's broken file of a million lines must not make
/// the host hold a million errors. <see cref="Total"/> counts every error found; the list holds the first ones, which are all
/// a page or a refusal shows (<see cref="BankFiles.ErrorsShown"/>).
/// </summary>
public sealed class BankFileErrors : IReadOnlyList<BankFileError>
{
    public const int Kept = BankFiles.ErrorsShown;

    private readonly List<BankFileError> kept = [];
    private readonly HashSet<string> codes = new(StringComparer.Ordinal);

    /// <summary>Every error found, kept or not.</summary>
    public int Total { get; private set; }

    /// <summary>The distinct codes of every error found, kept or not.</summary>
    public IReadOnlyCollection<string> Codes => codes;

    public void Add(BankFileError error)
    {
        Total++;
        codes.Add(error.Code);
        if (kept.Count < Kept) kept.Add(error);
    }

    public static BankFileErrors Of(IEnumerable<BankFileError> errors)
    {
        var all = new BankFileErrors();
        foreach (var e in errors) all.Add(e);
        return all;
    }

    public int Count => kept.Count;
    public BankFileError this[int index] => kept[index];
    public IEnumerator<BankFileError> GetEnumerator() => kept.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>One row of a result file, as the bank wrote it (cells trimmed).</summary>
public readonly record struct BankResultRow(int Row, string BatchNo, string Seq, string Amount, string ResultCode, string Message);

/// <summary>
/// Reads the clear CSV of a result file in its format, row by row (nothing is held): checks the header names the format's
/// result columns, then yields each row's cells by field. Its own reader and errors, not the roster's.
/// </summary>
public sealed class BankResultReader : IDisposable
{
    private readonly StreamReader text;
    private readonly CsvParser parser;
    private readonly int[] index;

    private BankResultReader(StreamReader text, CsvParser parser, int[] index)
    {
        this.text = text;
        this.parser = parser;
        this.index = index;
    }

    /// <summary>Opens the clear content; a header that does not match the format is a list of located errors.</summary>
    public static (BankResultReader? Reader, IReadOnlyList<BankFileError> Errors) Open(Stream clear, BankFileFormat format)
    {
        var text = new StreamReader(clear, BankFileSetup.EncodingOf(format), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var parser = new CsvParser(text, BankFileSetup.CsvConfig(format));
        var errors = new List<BankFileError>();
        if (!parser.Read())
        {
            errors.Add(BankFileError.File("表头", "HeaderMissing", "回盘文件为空，缺少表头", "The result file is empty."));
            parser.Dispose(); text.Dispose();
            return (null, errors);
        }
        var header = parser.Record!.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var index = new int[Enum.GetValues<ResultField>().Length];
        Array.Fill(index, -1);
        foreach (var column in format.ResultColumns)
        {
            var at = header.IndexOf(column.Header);
            if (at < 0)
                errors.Add(new BankFileError(1, column.Header, "HeaderMissing",
                    $"表头缺少“{column.Header}”列（格式 {format.Code} 的回盘列：{string.Join("、", format.ResultColumns.Select(c => c.Header))}）", $"Missing column '{column.Header}'."));
            index[(int)column.Field] = at;
        }
        if (errors.Count > 0) { parser.Dispose(); text.Dispose(); return (null, errors); }
        return (new BankResultReader(text, parser, index), []);
    }

    public IEnumerable<BankResultRow> Rows()
    {
        while (parser.Read())
        {
            var record = parser.Record!;
            if (record.Length == 1 && record[0].Length == 0) continue; // a blank line
            string Cell(ResultField f) => index[(int)f] is var i && i >= 0 && i < record.Length ? record[i].Trim() : "";
            yield return new BankResultRow(parser.Row, Cell(ResultField.BatchNo), Cell(ResultField.Seq), Cell(ResultField.Amount),
                Cell(ResultField.ResultCode), Cell(ResultField.Message));
        }
    }

    public void Dispose()
    {
        parser.Dispose();
        text.Dispose();
    }
}
