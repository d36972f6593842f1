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
            if (Extra(cells, "A", "B")) errors.Add(Resources.Ui.F("RuleSet.Xlsx.TierColumns", line));
            if (bound.Length == 0) errors.Add(Resources.Ui.F("RuleSet.Xlsx.BoundEmpty", line));
            else if (!decimal.TryParse(bound, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var b))
                errors.Add(Resources.Ui.F("RuleSet.Xlsx.BoundNumber", line, bound));
            else if (bounds.TryGetValue(b, out var first)) errors.Add(Resources.Ui.F("RuleSet.Xlsx.BoundTwice", line, bound, first));
            else bounds[b] = line;
            if (ValueProblem(value, valueType) is { } why) errors.Add(Resources.Ui.F("RuleSet.Xlsx.Amount", line, why));
            rows.Add(new TableRow { Key = bound, Value = value });
        }
        if (errors.Count == 0 && rows.Count == 0) errors.Add(Resources.Ui.T("RuleSet.Xlsx.NoTierRows"));
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
        if (sheet.Count == 0) return (null, [Resources.Ui.T("RuleSet.Xlsx.EmptyGrid")]);
        var header = sheet[0];
        var columns = new List<(string Letter, string Key)>();
        foreach (var letter in header.Keys.Where(k => k != "A").OrderBy(ColumnNumber))
        {
            var key = Cell(header, letter);
            if (key.Length == 0) continue;
            if (key.Contains('|', StringComparison.Ordinal)) errors.Add(Resources.Ui.F("RuleSet.Xlsx.ColumnBar", letter, columnFact, key));
            else if (columns.FirstOrDefault(c => c.Key == key) is { Letter: not null } twice)
                errors.Add(Resources.Ui.F("RuleSet.Xlsx.ColumnTwice", letter, columnFact, key, twice.Letter));
            else columns.Add((letter, key));
        }
        if (columns.Count == 0) errors.Add(Resources.Ui.F("RuleSet.Xlsx.NoColumns", columnFact));
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
            if (key.Length == 0) { errors.Add(Resources.Ui.F("RuleSet.Xlsx.RowEmpty", line, rowFact)); continue; }
            if (key.Contains('|', StringComparison.Ordinal)) { errors.Add(Resources.Ui.F("RuleSet.Xlsx.RowBar", line, rowFact, key)); continue; }
            if (rowLines.TryGetValue(key, out var first)) { errors.Add(Resources.Ui.F("RuleSet.Xlsx.RowTwice", line, rowFact, key, first)); continue; }
            rowLines[key] = line;
            rows.Add(key);
            foreach (var letter in filled.OrderBy(ColumnNumber))
            {
                var value = Cell(row, letter);
                var column = columns.FirstOrDefault(c => c.Letter == letter).Key;
                if (column is null) errors.Add(Resources.Ui.F("RuleSet.Xlsx.CellNoColumn", line, letter, columnFact, value));
                else if (ValueProblem(value, valueType) is { } why) errors.Add(Resources.Ui.F("RuleSet.Xlsx.Cell", line, letter, key, column, why));
                else cells[GridForm.KeyOf(key, column)] = value;
            }
        }
        if (errors.Count == 0 && rows.Count == 0) errors.Add(Resources.Ui.F("RuleSet.Xlsx.NoGridRows", rowFact));
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
            return ([], Resources.Ui.F("RuleSet.Xlsx.NotXlsx", e.Message));
        }
    }

    private static bool Extra(IDictionary<string, object?> cells, params string[] allowed) =>
        cells.Keys.Where(k => !allowed.Contains(k)).Any(k => Cell(cells, k).Length > 0);

    private static int ColumnNumber(string letters) => letters.Aggregate(0, (n, c) => (n * 26) + (c - 'A' + 1));

    /// <summary>Why <paramref name="value"/> cannot be a table value of <paramref name="type"/>, or null when it can.</summary>
    private static string? ValueProblem(string value, string type) => value.Length == 0 ? Resources.Ui.T("RuleSet.Xlsx.Empty")
        : type switch
        {
            "decimal" when !JsonNumber().IsMatch(value) => Resources.Ui.F("RuleSet.Xlsx.NotNumber", value),
            "int" when !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => Resources.Ui.F("RuleSet.Xlsx.NotInteger", value),
            "bool" when value is not ("true" or "false") => Resources.Ui.F("RuleSet.Xlsx.NotBool", value),
            "date" when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) => Resources.Ui.F("RuleSet.Xlsx.NotDate", value),
            _ => null,
        };
}
