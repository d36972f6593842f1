using System.Globalization;

namespace OneCard.Host.RuleSets;

public sealed partial class RuleSetForm
{
    private readonly Dictionary<TableForm, GridForm> grids = [];

    /// <summary>
    /// 分档金额: the tier table read by a <c>match: floor</c> lookup (the largest lower bound not above the key fact's value).
    /// Null when <paramref name="table"/> is not such a table (then the grid shows it as key → value rows).
    /// </summary>
    public TierForm? TierFor(TableForm table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var fact = Facts.FirstOrDefault(f => f.From == table.Name);
        return fact is { Match: "floor" } && fact.KeyFacts.Count == 1 ? new TierForm(fact, table) : null;
    }

    /// <summary>
    /// 按两个键查标准（如按地区和年度）: a lookup with two key facts shown as a grid — one row per value of the first key,
    /// one column per value of the second, an empty cell meaning no entry (the line faults for a person to handle). Null when
    /// the table is not such a lookup, or a key in it is not two parts joined by “|” (then the key → value rows show it).
    /// </summary>
    public GridForm? GridFor(TableForm table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var fact = Facts.FirstOrDefault(f => f.From == table.Name);
        if (fact is null || fact.Match == "floor" || fact.KeyFacts.Count != 2 || table.Rows.Any(r => r.Key.Split('|').Length != 2))
        {
            grids.Remove(table);
            return null;
        }
        if (grids.TryGetValue(table, out var grid) && grid.Fact == fact) return grid;
        grid = new GridForm(fact, table);
        grids[table] = grid;
        return grid;
    }

    /// <summary>
    /// What the JSON cannot carry, located as the loader locates a table entry: two rows of one table with the same key (a JSON
    /// object keeps only one, so the other would be lost without a word). Checked on save before the JSON is written; the
    /// loader, the gate, the bounds and the examples check everything else.
    /// </summary>
    public IReadOnlyList<RuleSetAdmin.Located> Problems()
    {
        var problems = new List<RuleSetAdmin.Located>();
        foreach (var table in Tables)
        {
            var tier = TierFor(table) is not null;
            foreach (var twice in table.Rows.Select((r, i) => (r.Key, Line: i + 1)).GroupBy(r => r.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                var lines = string.Join("、", twice.Select(r => r.Line));
                problems.Add(new RuleSetAdmin.Located($"tables['{table.Name}']['{twice.Key}']",
                    tier ? $"档位下限 {twice.Key} 重复（第 {lines} 档），每个下限只能有一档" : $"键“{twice.Key}”重复（第 {lines} 行），每个键只能有一个值",
                    $"key \"{twice.Key}\" appears more than once (rows {lines})"));
            }
        }
        return problems;
    }

    /// <summary>Every tier table's builder, in table order.</summary>
    public IEnumerable<TierForm> Tiers() => Tables.Select(TierFor).OfType<TierForm>();

    /// <summary>
    /// The amounts of <paramref name="tier"/> when the tier's value is itself a key of a two-key standard (高龄津贴: the age
    /// tier picks a column of the city × tier table); null when the tier's value is the amount itself.
    /// </summary>
    public GridForm? TierAmounts(TierForm tier)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return Facts.Where(f => f.IsLookup && f.KeyFacts.Contains(tier.Fact.Name))
            .Select(f => Tables.FirstOrDefault(t => t.Name == f.From)).OfType<TableForm>().Select(GridFor).OfType<GridForm>().FirstOrDefault();
    }

    /// <summary>
    /// Adds a tier amount (分档金额): a decimal fact <paramref name="name"/> looked up with <c>match: floor</c> by
    /// <paramref name="keyFact"/> in a new table <c>tiers.{name}</c> with one tier (0 → 0) to fill in; the amount formula reads
    /// it when it was empty. Returns the located problem (in Chinese) instead when the name is taken or the key is not a number fact.
    /// </summary>
    public (TierForm? Tier, string? Error) AddTier(string name, string keyFact, string labelZh)
    {
        name = (name ?? "").Trim();
        if (NameProblem(name) is { } problem) return (null, problem);
        var key = Fact(keyFact);
        if (key is null) return (null, Resources.Ui.F("RuleSet.Form.TierKeyUnknown", keyFact, string.Join(Resources.Ui.T("RuleSet.Form.Separator"), FactNames)));
        if (key.Type is not ("int" or "decimal")) return (null, Resources.Ui.F("RuleSet.Form.TierKeyType", key.Name, key.Type));
        var table = new TableForm { Name = $"tiers.{name}" };
        if (Tables.Any(t => t.Name == table.Name)) return (null, Resources.Ui.F("RuleSet.Form.TableExists", table.Name));
        table.Rows.Add(new TableRow { Key = "0", Value = "0" });
        var fact = new FactRow { Name = name, Type = "decimal", LabelZh = labelZh ?? "", From = table.Name, Key = key.Name, Match = "floor" };
        Facts.Add(fact);
        Tables.Add(table);
        if (Amount.Expression.Trim().Length == 0) Amount.Expression = name;
        return (new TierForm(fact, table), null);
    }

    /// <summary>
    /// Adds a standard looked up by region and year (按地区和年度查标准): the region fact (<c>County</c> = <c>Fn.County(RegionCode)</c>
    /// for 6 digits, <c>City</c> = <c>RegionCode.Substring(0, 4)</c> for 4) and <c>Year</c> = <c>{dateFact}.Year</c> are added as
    /// computed facts unless facts of those names exist (they are reused when they compute the same), then a decimal fact
    /// <paramref name="name"/> looked up by both in a new table <c>standards.{name}</c>, shown as a grid.
    /// </summary>
    public (GridForm? Grid, string? Error) AddRegionYearStandard(string name, int regionDigits, string dateFact, string labelZh)
    {
        name = (name ?? "").Trim();
        if (NameProblem(name) is { } problem) return (null, problem);
        if (regionDigits is not (2 or 4 or 6)) return (null, Resources.Ui.T("RuleSet.Form.RegionDigits"));
        if (Fact("RegionCode") is null) return (null, Resources.Ui.T("RuleSet.Form.NeedsRegionCode"));
        if (Fact(dateFact) is not { Type: "date" }) return (null, Resources.Ui.F("RuleSet.Form.YearDate", dateFact));
        var regionName = regionDigits switch { 6 => "County", 4 => "City", _ => "Province" };
        var region = new FactRow { Name = regionName, Type = "string", LabelZh = regionDigits switch { 6 => "县", 4 => "市", _ => "省" } };
        region.Compute = regionDigits == 6 ? "Fn.County(RegionCode)" : $"RegionCode.Substring(0, {regionDigits})";
        var year = new FactRow { Name = "Year", Type = "int", LabelZh = "年度" };
        year.Compute = $"{dateFact}.Year";
        foreach (var wanted in new[] { region, year })
        {
            if (Fact(wanted.Name) is { } existing && (existing.Compute != wanted.Compute || existing.Type != wanted.Type))
                return (null, Resources.Ui.F("RuleSet.Form.FactClash", wanted.Name, wanted.Compute));
        }
        var table = new TableForm { Name = $"standards.{name}" };
        if (Tables.Any(t => t.Name == table.Name)) return (null, Resources.Ui.F("RuleSet.Form.TableExists", table.Name));
        foreach (var wanted in new[] { region, year })
            if (Fact(wanted.Name) is null) Facts.Add(wanted);
        var fact = new FactRow { Name = name, Type = "decimal", LabelZh = labelZh ?? "", From = table.Name, Key = $"{regionName}, Year" };
        Facts.Add(fact);
        Tables.Add(table);
        return (GridFor(table), null);
    }

    private string? NameProblem(string name)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Z][A-Za-z0-9]{0,63}$"))
            return Resources.Ui.F("RuleSet.Form.FactName", name);
        return Fact(name) is not null ? Resources.Ui.F("RuleSet.Form.FactExists", name) : null;
    }

    /// <summary>A tier amount (分档金额) over its lookup fact and table: each row is 下限 (the table key) → 金额 (the value).</summary>
    public sealed class TierForm(FactRow fact, TableForm table)
    {
        public FactRow Fact { get; } = fact;
        public TableForm Table { get; } = table;

        /// <summary>The fact whose value picks the tier (e.g. Age).</summary>
        public string KeyFact
        {
            get => Fact.Key;
            set => Fact.Key = value;
        }

        public List<TableRow> Rows => Table.Rows;

        public void Add(string bound = "", string value = "") => Table.Rows.Add(new TableRow { Key = bound, Value = value });

        /// <summary>Orders the tiers by lower bound (numbers first, in order; anything else after, as typed).</summary>
        public void Sort()
        {
            var sorted = Table.Rows.OrderBy(r => Bound(r.Key) is null).ThenBy(r => Bound(r.Key) ?? 0).ToList();
            Table.Rows.Clear();
            Table.Rows.AddRange(sorted);
        }

        /// <summary>What the tiers mean, in words (shown beside the builder): “Age ≥ 80 → 100；Age ≥ 90 → 200”.</summary>
        public string Describe(string separator = "；") => string.Join(separator, Table.Rows.Where(r => Bound(r.Key) is not null).OrderBy(r => Bound(r.Key))
            .Select(r => $"{KeyFact} ≥ {r.Key} → {r.Value}"));

        /// <summary>The lookup as the rule set writes it (for experts).</summary>
        public string Expression => $"{{\"name\": \"{Fact.Name}\", \"from\": \"{Table.Name}\", \"key\": \"{KeyFact}\", \"match\": \"floor\"}}";

        /// <summary>Replaces the tiers with imported rows.</summary>
        public void Replace(IEnumerable<TableRow> rows)
        {
            Table.Rows.Clear();
            Table.Rows.AddRange(rows);
        }

        private static decimal? Bound(string key) =>
            decimal.TryParse(key, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>A two-key lookup table as a grid: <see cref="RowKeys"/> × <see cref="ColumnKeys"/>, cells read and written
    /// straight through to the table's “row|column” entries (an emptied cell removes the entry).</summary>
    public sealed class GridForm
    {
        internal GridForm(FactRow fact, TableForm table)
        {
            Fact = fact;
            Table = table;
            foreach (var parts in table.Rows.Select(r => r.Key.Split('|')))
            {
                if (!RowKeys.Contains(parts[0])) RowKeys.Add(parts[0]);
                if (!ColumnKeys.Contains(parts[1])) ColumnKeys.Add(parts[1]);
            }
        }

        public FactRow Fact { get; }
        public TableForm Table { get; }
        public string RowFact => Fact.KeyFacts[0];
        public string ColumnFact => Fact.KeyFacts[1];
        public List<string> RowKeys { get; } = [];
        public List<string> ColumnKeys { get; } = [];

        public static string KeyOf(string row, string column) => $"{row}|{column}";

        public string Cell(string row, string column) => Table.Rows.FirstOrDefault(r => r.Key == KeyOf(row, column))?.Value ?? "";

        public void SetCell(string row, string column, string? value)
        {
            value = (value ?? "").Trim();
            var key = KeyOf(row, column);
            var existing = Table.Rows.FirstOrDefault(r => r.Key == key);
            if (value.Length == 0)
            {
                if (existing is not null) Table.Rows.Remove(existing);
                return;
            }
            if (existing is not null) existing.Value = value;
            else Table.Rows.Add(new TableRow { Key = key, Value = value });
        }

        /// <summary>Adds a row (a value of the first key, e.g. a county code); "" or a duplicate is refused with its reason.</summary>
        public string? AddRow(string key) => Add(RowKeys, key, RowFact);

        /// <summary>Adds a column (a value of the second key, e.g. a year).</summary>
        public string? AddColumn(string key) => Add(ColumnKeys, key, ColumnFact);

        public void RemoveRow(string key)
        {
            RowKeys.Remove(key);
            Table.Rows.RemoveAll(r => r.Key.Split('|')[0] == key);
        }

        public void RemoveColumn(string key)
        {
            ColumnKeys.Remove(key);
            Table.Rows.RemoveAll(r => r.Key.Split('|') is [_, var c] && c == key);
        }

        /// <summary>Replaces the whole grid with imported keys and cells.</summary>
        public void Replace(IReadOnlyList<string> rows, IReadOnlyList<string> columns, IReadOnlyDictionary<string, string> cells)
        {
            RowKeys.Clear();
            RowKeys.AddRange(rows);
            ColumnKeys.Clear();
            ColumnKeys.AddRange(columns);
            Table.Rows.Clear();
            foreach (var r in rows)
                foreach (var c in columns)
                    if (cells.TryGetValue(KeyOf(r, c), out var v) && v.Length > 0) Table.Rows.Add(new TableRow { Key = KeyOf(r, c), Value = v });
        }

        /// <summary>The lookup as the rule set writes it (for experts).</summary>
        public string Expression => $"{{\"name\": \"{Fact.Name}\", \"from\": \"{Table.Name}\", \"key\": [\"{RowFact}\", \"{ColumnFact}\"]}}";

        private static string? Add(List<string> keys, string key, string fact)
        {
            key = (key ?? "").Trim();
            if (key.Length == 0) return Resources.Ui.F("RuleSet.Form.KeyMissing", fact);
            if (key.Contains('|', StringComparison.Ordinal)) return Resources.Ui.F("RuleSet.Form.KeyBar", fact);
            if (keys.Contains(key)) return Resources.Ui.F("RuleSet.Form.KeyTaken", fact, key);
            keys.Add(key);
            return null;
        }
    }
}
