using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OneCard.Domain.Applications;
using OneCard.Persistence;

namespace OneCard.Host.Applications;

/// <summary>
/// The refused rows of a roster as it streams past: each with its cells as read and every reason. Rows arrive one at a
/// time, so only the current row's cells are held until a reason names it — and the rows of the chunk being prepared, which
/// a reason found later still names (a household the registry does not know, an amount out of range): the submission holds
/// each row it keeps for the chunk (<see cref="HoldCurrent"/>) and lets them go once the chunk is sent (<see cref="Release"/>).
/// At most <see cref="Keep"/> rows are kept (the counts on the import stay exact), so a hostile file of a million bad rows
/// cannot fill the host.
/// </summary>
public sealed class RefusedRows(IReadOnlyList<string> headers, int keep = RefusedRows.DefaultKeep)
{
    public const int DefaultKeep = 100_000;

    private readonly Dictionary<int, Entry> rows = [];
    private readonly Dictionary<int, RosterRow> held = [];
    private RosterRow? current;
    private (int Row, string[] Values)? raw;

    public int Keep => keep;
    public IReadOnlyList<string> Headers => headers;

    /// <summary>The row the reader just handed on: a reason for it takes its cells from here.</summary>
    public void Current(RosterRow row) => current = row;

    /// <summary>Keeps the current row's cells until <see cref="Release"/>: it is in the chunk being prepared.</summary>
    public void HoldCurrent()
    {
        if (current is { } c) held[c.Row] = c;
    }

    /// <summary>Lets the held rows go (their chunk was sent, or refused).</summary>
    public void Release() => held.Clear();

    /// <summary>A row the reader itself refused (bad quotes, short, long): its raw values in column order.</summary>
    public void Cells(int row, IReadOnlyList<string> values) => raw = (row, values.ToArray());

    public void Reason(LineError error)
    {
        if (!rows.TryGetValue(error.Row, out var entry))
        {
            if (rows.Count >= keep) return;
            rows[error.Row] = entry = new Entry(error.Row, CellsOf(error.Row), []);
        }
        entry.Reasons.Add(error.Field.Length > 0 ? $"【{error.Field}】{error.MessageZh}" : error.MessageZh);
    }

    public bool Contains(int row) => rows.ContainsKey(row);

    public int Count => rows.Count;

    private string[] CellsOf(int row)
    {
        if (raw is { } r && r.Row == row) return r.Values;
        var source = current is { } c && c.Row == row ? c : held.GetValueOrDefault(row);
        return source is null ? [] : headers.Select(h => source.Cells.TryGetValue(h, out var v) ? v : "").ToArray();
    }

    /// <summary>The kept rows as stored records of <paramref name="importId"/>, in row order.</summary>
    public IEnumerable<RosterImportRefusedRow> ToRecords(Guid importId) =>
        rows.Values.OrderBy(e => e.Row).Select(e => new RosterImportRefusedRow
        {
            ImportId = importId, Row = e.Row, CellsJson = JsonSerializer.Serialize(e.Cells, Json), ReasonsZh = string.Join("；", e.Reasons),
        });

    private sealed record Entry(int Row, string[] Cells, List<string> Reasons);

    internal static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>The refused rows of an import as an xlsx: row number, the row's own cells under its own header, every reason.</summary>
public static class RosterImportRefusals
{
    public const string RowColumn = "行号", ReasonColumn = "退回原因", OverflowColumn = "表头以外的值";

    /// <summary>
    /// Writes the xlsx to <paramref name="target"/> (a temporary file): rows come one by one from the database as MiniExcel
    /// writes them, so neither the rows nor the sheet is held whole.
    /// </summary>
    public static async Task WriteXlsxAsync(OneCardDbContext db, RosterImport import, Stream target, CancellationToken ct)
    {
        var headers = import.HeadersJson is null ? [] : JsonSerializer.Deserialize<string[]>(import.HeadersJson) ?? [];
        // A header that collides with ours keeps its own name with a mark, so no cell is lost.
        var columns = headers.Select(h => h is RowColumn or ReasonColumn or OverflowColumn ? h + "（原）" : h.Length == 0 ? "（无表头）" : h).ToArray();
        var any = await db.RosterImportRefusedRows.AnyAsync(r => r.ImportId == import.Id, ct);
        // One key set for every record (MiniExcel takes the columns from the first): ours, the roster's, the overflow, ours.
        var keys = new List<string> { RowColumn };
        foreach (var column in columns)
        {
            var name = column;
            while (keys.Contains(name)) name += "_";
            keys.Add(name);
        }
        IEnumerable<IDictionary<string, object?>> Rows()
        {
            // MiniExcel enumerates synchronously; the rows still come one by one from the open data reader (as OverdueTasks does).
            var enumerator = db.RosterImportRefusedRows.AsNoTracking().Where(r => r.ImportId == import.Id).OrderBy(r => r.Row)
                .AsAsyncEnumerable().GetAsyncEnumerator(ct);
            try
            {
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    var r = enumerator.Current;
                    var cells = JsonSerializer.Deserialize<string[]>(r.CellsJson) ?? [];
                    var record = new Dictionary<string, object?>(StringComparer.Ordinal) { [RowColumn] = r.Row };
                    for (var i = 1; i < keys.Count; i++) record[keys[i]] = i - 1 < cells.Length ? cells[i - 1] : "";
                    // A row the reader refused as too long carries values past the header: kept, in one cell.
                    record[OverflowColumn] = string.Join("，", cells.Skip(columns.Length));
                    record[ReasonColumn] = r.ReasonsZh;
                    yield return record;
                }
            }
            finally
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        var rows = Rows();
        if (!any)
            rows = [new Dictionary<string, object?> { [RowColumn] = null, [ReasonColumn] = "没有被退回的行" }];
        await target.SaveAsAsync(rows, sheetName: "退回的行", cancellationToken: ct);
    }
}
