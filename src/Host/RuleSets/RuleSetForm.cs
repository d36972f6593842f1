using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OneCard.Host.RuleSets;

/// <summary>
/// A rule set as a form (规则集表单): read from a rule set's JSON, edited field by field, written back to JSON with nothing
/// lost — every property the form does not show is kept, and a field left as it was read writes the very node it was read
/// from (so every file in <c>rules/</c> round-trips to the same <see cref="JsonNode"/> tree). The form never validates: the
/// JSON it writes goes through the drafts handler, where the loader, the expression gate, the bounds and the examples decide.
/// </summary>
public sealed partial class RuleSetForm
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonObject root;

    private RuleSetForm(JsonObject root) => this.root = root;

    public string PolicyCode { get; set; } = "";
    public string Version { get; set; } = "";
    public string NameZh { get; set; } = "";
    public string NameEn { get; set; } = "";
    public string Year { get; set; } = "";
    public string Basis { get; set; } = "";
    public string Notes { get; set; } = "";
    public List<FactRow> Facts { get; } = [];
    public List<TableForm> Tables { get; } = [];
    public List<RuleRow> Rules { get; } = [];
    public AmountForm Amount { get; } = new(null);
    public List<ExampleRow> Examples { get; } = [];

    /// <summary>Reads a rule set's JSON (it must be a JSON object; anything else is refused with its reason).</summary>
    public static RuleSetForm Read(string json)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException(Resources.Ui.F("RuleSet.Form.NotJson", e.Message), e);
        }
        if (parsed is not JsonObject root) throw new FormatException(Resources.Ui.T("RuleSet.Form.NotObject"));

        var form = new RuleSetForm(root)
        {
            PolicyCode = Text(root["policyCode"]),
            Version = Text(root["version"]),
            NameZh = Text(root["name"]?["zh-CN"]),
            NameEn = Text(root["name"]?["en"]),
            Year = Text(root["year"]),
            Basis = Text(root["basis"]),
            Notes = Text(root["notes"]),
        };
        foreach (var fact in Items(root["facts"])) form.Facts.Add(FactRow.Load(fact));
        if (root["tables"] is JsonObject tables)
        {
            foreach (var (name, table) in tables)
            {
                var t = new TableForm { Name = name, OriginalName = name, Original = table?.DeepClone() };
                if (table is JsonObject entries)
                    foreach (var (key, value) in entries)
                        t.Rows.Add(new TableRow { Key = key, Value = Text(value), Original = value?.DeepClone(), OriginalKey = key });
                form.Tables.Add(t);
            }
        }
        foreach (var rule in Items(root["eligibility"])) form.Rules.Add(RuleRow.From(rule, form.TypeOf));
        form.Amount.Load(root["amount"] as JsonObject);
        foreach (var example in Items(root["examples"])) form.Examples.Add(ExampleRow.From(example));
        return form;
    }

    /// <summary>The rule set as JSON (indented, Chinese unescaped): the read document with every form field written over it.</summary>
    public string ToJson() => ToNode().ToJsonString(Indented);

    public JsonObject ToNode()
    {
        var o = (JsonObject)root.DeepClone();
        Set(o, "policyCode", Str(PolicyCode, root["policyCode"]));
        Set(o, "version", Num(Version, root["version"]));
        var name = o["name"] as JsonObject ?? [];
        Set(name, "zh-CN", Str(NameZh, root["name"]?["zh-CN"]));
        Set(name, "en", Str(NameEn, root["name"]?["en"]));
        Set(o, "name", name);
        Set(o, "year", Num(Year, root["year"]));
        Set(o, "basis", Str(Basis, root["basis"]));
        Set(o, "notes", Str(Notes, root["notes"]));
        if (root["facts"] is not null || Facts.Count > 0) Set(o, "facts", new JsonArray([.. Facts.Select(f => (JsonNode)f.ToNode())]));
        if (root["tables"] is not null || Tables.Count > 0)
        {
            var tables = new JsonObject();
            foreach (var t in Tables)
            {
                var entries = new JsonObject();
                var type = Facts.FirstOrDefault(f => f.From == t.Name)?.Type;
                foreach (var row in t.Rows)
                {
                    entries[row.Key] = row.Original is not null && row.Value == Text(row.Original)
                        ? row.Original.DeepClone()
                        : type == "string" ? JsonValue.Create(row.Value) : Literal(row.Value);
                }
                tables[t.Name] = t.Original is JsonObject original && JsonNode.DeepEquals(original, entries) ? original.DeepClone() : entries;
            }
            Set(o, "tables", tables);
        }
        if (root["eligibility"] is not null || Rules.Count > 0) Set(o, "eligibility", new JsonArray([.. Rules.Select(r => (JsonNode)r.ToNode(TypeOf(r.Fact)))]));
        if (root["amount"] is not null) Set(o, "amount", Amount.ToNode());
        if (root["examples"] is not null || Examples.Count > 0) Set(o, "examples", new JsonArray([.. Examples.Select(e => (JsonNode)e.ToNode(this))]));
        return o;
    }

    /// <summary>The known fact names, in declaration order (for the pickers).</summary>
    public IReadOnlyList<string> FactNames => [.. Facts.Select(f => f.Name).Where(n => n.Length > 0)];

    public FactRow? Fact(string? name) => Facts.FirstOrDefault(f => f.Name == name);

    /// <summary>
    /// Imports a table's rows from an xlsx stream: the first sheet, two columns (键 key, 值 value), the first row a header.
    /// Returns the rows or the located problems (工作表第 N 行), never both.
    /// </summary>
    public static (List<TableRow> Rows, List<string> Errors) ReadTableXlsx(Stream xlsx)
    {
        var rows = new List<TableRow>();
        var errors = new List<string>();
        var (sheet, unreadable) = OpenSheet(xlsx);
        if (unreadable is not null) return ([], [unreadable]);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < sheet.Count; i++)
        {
            var line = i + 1;
            var cells = sheet[i];
            var key = Cell(cells, "A");
            var value = Cell(cells, "B");
            if (key.Length == 0 && value.Length == 0) continue;
            if (Extra(cells, "A", "B"))
                errors.Add(Resources.Ui.F("RuleSet.Xlsx.TableColumns", line));
            if (key.Length == 0) errors.Add(Resources.Ui.F("RuleSet.Xlsx.KeyEmpty", line));
            else if (!keys.Add(key)) errors.Add(Resources.Ui.F("RuleSet.Xlsx.KeyTwice", line, key));
            if (value.Length == 0) errors.Add(Resources.Ui.F("RuleSet.Xlsx.ValueEmpty", line));
            rows.Add(new TableRow { Key = key, Value = value });
        }
        if (errors.Count == 0 && rows.Count == 0) errors.Add(Resources.Ui.T("RuleSet.Xlsx.NoTableRows"));
        return errors.Count > 0 ? ([], errors) : (rows, errors);
    }

    private static string Cell(IDictionary<string, object?> cells, string column) => cells.TryGetValue(column, out var v) && v is not null
        ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!.Trim()
        : "";

    // ---- JSON helpers -------------------------------------------------------------------------------------------------

    private static IEnumerable<JsonObject?> Items(JsonNode? node) => node is JsonArray a ? a.Select(x => x as JsonObject) : [];

    /// <summary>The text a field shows: a string's value, any other node's JSON, "" when absent.</summary>
    internal static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>Sets <paramref name="key"/> in place (its order kept), or removes it when <paramref name="value"/> is null.</summary>
    internal static void Set(JsonObject o, string key, JsonNode? value)
    {
        if (value is null)
        {
            o.Remove(key);
            return;
        }
        if (value.Parent is not null) value = value.DeepClone();
        o[key] = value;
    }

    /// <summary>A text field: the original node when unchanged, absent when emptied and absent before, else the string.</summary>
    internal static JsonNode? Str(string? text, JsonNode? original)
    {
        text ??= "";
        if (original is not null && text == Text(original)) return original.DeepClone();
        return text.Length == 0 && original is null ? null : JsonValue.Create(text);
    }

    /// <summary>A number field: the original node when unchanged, absent when empty, else the number (or the text, which the loader refuses with its place).</summary>
    internal static JsonNode? Num(string? text, JsonNode? original)
    {
        text = (text ?? "").Trim();
        if (original is not null && text == Text(original)) return original.DeepClone();
        if (text.Length == 0) return null;
        return JsonNumber().IsMatch(text) ? JsonNode.Parse(text) : JsonValue.Create(text);
    }

    /// <summary>A table value typed into the grid: a JSON number or true/false as such, anything else as a string.</summary>
    internal static JsonNode? Literal(string? text)
    {
        text = (text ?? "").Trim();
        return JsonNumber().IsMatch(text) || text is "true" or "false" ? JsonNode.Parse(text) : JsonValue.Create(text);
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    // ---- sections -----------------------------------------------------------------------------------------------------

    /// <summary>One declared fact (事实).</summary>
    public sealed partial class FactRow
    {
        private JsonObject original = [];
        public string Name { get; set; } = "";
        public string Type { get; set; } = "string";
        public string LabelZh { get; set; } = "";
        public string Minimum { get; set; } = "";
        public string Maximum { get; set; } = "";
        public string MaxLength { get; set; } = "";
        public bool Personal { get; set; }
        public string From { get; set; } = "";
        /// <summary>The lookup key fact(s), comma-separated (several → a multi-key lookup written as an array).</summary>
        public string Key { get; set; } = "";
        public string KeyLength { get; set; } = "";
        public string Match { get; set; } = "";
        /// <summary>The registry source (households, issue 9: <c>household.memberCount</c>, <c>crossCheck.Deceased</c>); empty for a roster column.</summary>
        public string Source { get; set; } = "";

        public bool IsLookup => From.Trim().Length > 0;

        /// <summary>How policy staff read the source (“来源：家庭户底册 户人口数”), or null.</summary>
        public string? SourceZh => Source.Trim().Length == 0 ? null : "来源：" + OneCard.Rules.RuleSets.FactSources.Zh(Source.Trim());

        internal static FactRow Load(JsonObject? o)
        {
            o ??= [];
            return new FactRow
            {
                original = (JsonObject)o.DeepClone(),
                Name = Text(o["name"]), Type = Text(o["type"]), LabelZh = Text(o["labelZh"]), Minimum = Text(o["minimum"]),
                Maximum = Text(o["maximum"]), MaxLength = Text(o["maxLength"]), Personal = o["personal"] is JsonValue p && p.GetValueKind() == JsonValueKind.True,
                From = Text(o["from"]), Key = o["key"] is JsonArray keys ? string.Join(", ", keys.Select(Text)) : Text(o["key"]),
                KeyLength = Text(o["keyLength"]), Match = Text(o["match"]), Compute = Text(o["compute"]), Source = Text(o["source"]),
            };
        }

        internal JsonObject ToNode()
        {
            var o = (JsonObject)original.DeepClone();
            Set(o, "name", Str(Name, original["name"]));
            Set(o, "type", Str(Type, original["type"]));
            Set(o, "labelZh", Str(LabelZh, original["labelZh"]));
            Set(o, "minimum", Num(Minimum, original["minimum"]));
            Set(o, "maximum", Num(Maximum, original["maximum"]));
            Set(o, "maxLength", Num(MaxLength, original["maxLength"]));
            Set(o, "personal", Personal ? JsonValue.Create(true) : original["personal"] is null ? null : (JsonNode?)JsonValue.Create(false));
            Set(o, "from", Str(From, original["from"]));
            var keys = Key.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var wasArray = original["key"] is JsonArray;
            JsonNode? key = keys.Length == 0 ? null
                : keys.Length > 1 || wasArray ? new JsonArray([.. keys.Select(k => (JsonNode)JsonValue.Create(k))]) : JsonValue.Create(keys[0]);
            Set(o, "key", original["key"] is { } k0 && key is not null && JsonNode.DeepEquals(k0, key) ? k0.DeepClone() : key);
            Set(o, "keyLength", Num(KeyLength, original["keyLength"]));
            Set(o, "match", Str(Match, original["match"]));
            Set(o, "compute", Str(Compute, original["compute"]));
            Set(o, "source", Str(Source, original["source"]));
            return o;
        }
    }

    /// <summary>A table of standards (标准表): key → value rows.</summary>
    public sealed class TableForm
    {
        public string Name { get; set; } = "";
        internal string? OriginalName { get; init; }
        internal JsonNode? Original { get; init; }
        public List<TableRow> Rows { get; } = [];
    }

    public sealed class TableRow
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
        internal JsonNode? Original { get; init; }
        internal string? OriginalKey { get; init; }
    }

    /// <summary>The amount (金额).</summary>
    public sealed class AmountForm(JsonObject? original)
    {
        private JsonObject original = original ?? [];
        public string Expression { get; set; } = "";
        public string Rounding { get; set; } = "";
        public string Decimals { get; set; } = "";
        public string Ceiling { get; set; } = "";
        public string Note { get; set; } = "";

        internal void Load(JsonObject? o)
        {
            original = (JsonObject?)o?.DeepClone() ?? [];
            Expression = Text(original["expression"]);
            Rounding = Text(original["rounding"]);
            Decimals = Text(original["decimals"]);
            Ceiling = Text(original["ceiling"]);
            Note = Text(original["note"]);
        }

        internal JsonObject ToNode()
        {
            var o = (JsonObject)original.DeepClone();
            Set(o, "expression", Str(Expression, original["expression"]));
            Set(o, "rounding", Str(Rounding, original["rounding"]));
            Set(o, "decimals", Num(Decimals, original["decimals"]));
            Set(o, "ceiling", Num(Ceiling, original["ceiling"]));
            Set(o, "note", Str(Note, original["note"]));
            return o;
        }
    }
}
