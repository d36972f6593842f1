using System.Globalization;

namespace OneCard.Host.RuleSets;

public sealed partial class RuleSetForm
{
    /// <summary>
    /// Imports a tier table (分档) from an xlsx stream: the first sheet, column A the lower bound (下限), column B the value
    /// (金额), the first row a header. Every bound must be a number and appear once; every value must be of
    /// <paramref name="valueType"/> (a number for int and decimal). Returns the rows or the located problems
    /// (第 N 行 X 列), never both.
    /// </summary>
    public static (List<TableRow> Rows, List<string> Errors) ReadTiersXlsx(Stream xlsx, string valueType)
    {
        var (sheet, open) = OpenSheet(xlsx);
        if (open is not null) return ([], [open]);
        var rows = new List<TableRow>();
        var errors = new List<string>();
        var bounds = new Dictionary<decimal, int>();
        for (var i = 1; i < sheet.Count; i++)
        {
            var line = i + 1;
            var cells = sheet[i];
            var bound = Cell(cells, "A");
            var value = Cell(cells, "B");
            if (bound.Length == 0 && value.Length == 0 && !Extra(cells, "A", "B")) continue;
            if (Extra(cells, "A", "B")) errors.Add($"第 {line} 行：只能有两列（A 下限，B 金额），C 列及以后应为空");
            if (bound.Length == 0) errors.Add($"第 {line} 行 A 列（下限）：为空");
            else if (!decimal.TryParse(bound, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var b))
                errors.Add($"第 {line} 行 A 列（下限）：“{bound}”不是数字（档位下限，如 80）");
            else if (bounds.TryGetValue(b, out var first)) errors.Add($"第 {line} 行 A 列（下限）：{bound} 与第 {first} 行重复");
            else bounds[b] = line;
            if (ValueProblem(value, valueType) is { } why) errors.Add($"第 {line} 行 B 列（金额）：{why}");
            rows.Add(new TableRow { Key = bound, Value = value });
        }
        if (errors.Count == 0 && rows.Count == 0) errors.Add("工作表没有数据行（第 1 行为表头，从第 2 行起每行一个下限和金额）");
        return errors.Count > 0 ? ([], errors) : (rows, errors);
    }

    /// <summary>
    /// Imports a two-key grid from an xlsx stream: the first sheet; row 1 holds the column keys from B1 on (e.g. years), column A
    /// the row keys from A2 on (e.g. county codes), each cell the value for that pair; an empty cell is no entry. Keys must be
    /// filled and unique; values of <paramref name="valueType"/>. Returns the grid or the located problems (第 N 行 X 列).
    /// </summary>
    public static (GridImport? Grid, List<string> Errors) ReadGridXlsx(Stream xlsx, string rowFact, string columnFact, string valueType)
    {
        var (sheet, open) = OpenSheet(xlsx);
        if (open is not null) return (null, [open]);
        var errors = new List<string>();
        if (sheet.Count == 0) return (null, ["工作表是空的（第 1 行从 B 列起为列键，A 列从第 2 行起为行键）"]);
        var header = sheet[0];
        var columns = new List<(string Letter, string Key)>();
        foreach (var letter in header.Keys.Where(k => k != "A").OrderBy(ColumnNumber))
        {
            var key = Cell(header, letter);
            if (key.Length == 0) continue;
            if (key.Contains('|', StringComparison.Ordinal)) errors.Add($"第 1 行 {letter} 列（{columnFact}）：“{key}”不能含“|”");
            else if (columns.FirstOrDefault(c => c.Key == key) is { Letter: not null } twice)
                errors.Add($"第 1 行 {letter} 列（{columnFact}）：{key} 与 {twice.Letter} 列重复");
            else columns.Add((letter, key));
        }
        if (columns.Count == 0) errors.Add($"第 1 行：从 B 列起应是 {columnFact} 的值（列键），实为空");
        var rows = new List<string>();
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        var rowLines = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < sheet.Count; i++)
        {
            var line = i + 1;
            var row = sheet[i];
            var key = Cell(row, "A");
            var filled = row.Keys.Where(k => k != "A" && Cell(row, k).Length > 0).ToList();
            if (key.Length == 0 && filled.Count == 0) continue;
            if (key.Length == 0) { errors.Add($"第 {line} 行 A 列（{rowFact}）：为空"); continue; }
            if (key.Contains('|', StringComparison.Ordinal)) { errors.Add($"第 {line} 行 A 列（{rowFact}）：“{key}”不能含“|”"); continue; }
            if (rowLines.TryGetValue(key, out var first)) { errors.Add($"第 {line} 行 A 列（{rowFact}）：{key} 与第 {first} 行重复"); continue; }
            rowLines[key] = line;
            rows.Add(key);
            foreach (var letter in filled.OrderBy(ColumnNumber))
            {
                var value = Cell(row, letter);
                var column = columns.FirstOrDefault(c => c.Letter == letter).Key;
                if (column is null) errors.Add($"第 {line} 行 {letter} 列：该列第 1 行没有 {columnFact} 的值，单元格“{value}”无处可放");
                else if (ValueProblem(value, valueType) is { } why) errors.Add($"第 {line} 行 {letter} 列（{key} × {column}）：{why}");
                else cells[GridForm.KeyOf(key, column)] = value;
            }
        }
        if (errors.Count == 0 && rows.Count == 0) errors.Add($"工作表没有数据行（A 列从第 2 行起为 {rowFact} 的值）");
        return errors.Count > 0 ? (null, errors) : (new GridImport(rows, [.. columns.Select(c => c.Key)], cells), errors);
    }

    /// <summary>A grid read from xlsx: row keys, column keys and the filled cells by “row|column”.</summary>
    public sealed record GridImport(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, string> Cells);

    private static (List<IDictionary<string, object?>> Sheet, string? Error) OpenSheet(Stream xlsx)
    {
        try
        {
            return ([.. MiniExcelLibs.MiniExcel.Query(xlsx, useHeaderRow: false, excelType: MiniExcelLibs.ExcelType.XLSX)
                .Select(r => (IDictionary<string, object?>)r)], null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            return ([], $"文件不是有效的 xlsx 工作簿：{e.Message}");
        }
    }

    private static bool Extra(IDictionary<string, object?> cells, params string[] allowed) =>
        cells.Keys.Where(k => !allowed.Contains(k)).Any(k => Cell(cells, k).Length > 0);

    private static int ColumnNumber(string letters) => letters.Aggregate(0, (n, c) => (n * 26) + (c - 'A' + 1));

    /// <summary>Why <paramref name="value"/> cannot be a table value of <paramref name="type"/>, or null when it can.</summary>
    private static string? ValueProblem(string value, string type) => value.Length == 0 ? "为空"
        : type switch
        {
            "decimal" when !JsonNumber().IsMatch(value) => $"“{value}”不是数字",
            "int" when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => $"“{value}”不是整数",
            "bool" when value is not ("true" or "false") => $"“{value}”应为 true 或 false",
            "date" when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => $"“{value}”不是 yyyy-MM-dd 日期",
            _ => null,
        };
}
