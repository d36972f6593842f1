using System.Text.Json;
using System.Text.RegularExpressions;

namespace OneCard.Domain.Payments;

/// <summary>What an instruction file column carries.</summary>
public enum InstructionField { BatchNo, Seq, PayeeName, Account, AccountType, Amount, PolicyCode, Period, AgentBankCode }

/// <summary>What a result file (回盘) column carries.</summary>
public enum ResultField { BatchNo, Seq, Amount, ResultCode, Message }

/// <summary>What a bank result code means: the line was paid, it failed (the bank's text says why), or the file is refused.</summary>
public enum ResultMeaning { Paid, Failed, Refuse }

public sealed record BankFileColumn<TField>(string Header, TField Field) where TField : struct, Enum;

/// <summary>
/// One bank's file mapping (<c>bankformats/{code}.json</c>), named by <see cref="BankAgreement.FileFormat"/>: the columns of the
/// instruction file we write and of the result file the bank returns, the bank's result codes, the text encoding and delimiter.
/// </summary>
public sealed record BankFileFormat(
    string Code, string Name, string Encoding, char Delimiter,
    IReadOnlyList<BankFileColumn<InstructionField>> InstructionColumns,
    IReadOnlyList<BankFileColumn<ResultField>> ResultColumns,
    IReadOnlyDictionary<string, ResultMeaning> ResultCodes,
    ResultMeaning OtherCodes)
{
    public static readonly IReadOnlyList<string> Encodings = ["UTF-8", "GB18030"];

    /// <summary>What a result code means: the mapped meaning, else <see cref="OtherCodes"/> (Failed with the bank's text, or Refuse).</summary>
    public ResultMeaning Meaning(string code) => ResultCodes.TryGetValue(code, out var m) ? m : OtherCodes;

    /// <summary>The code that means paid, and one that means failed (the demo bank writes them).</summary>
    public string PaidCode => ResultCodes.First(c => c.Value == ResultMeaning.Paid).Key;
    public string FailedCode => ResultCodes.FirstOrDefault(c => c.Value == ResultMeaning.Failed).Key ?? "9999";
}

/// <summary>A problem in a bank format file, located by file and JSON path.</summary>
public sealed record BankFormatError(string File, string Path, string MessageZh)
{
    public override string ToString() => $"{File}：{Path}：{MessageZh}";
}

/// <summary>The format files were refused; every problem is listed, located.</summary>
public sealed class BankFormatException(IReadOnlyList<BankFormatError> errors)
    : Exception("银行文件格式配置有误：\n" + string.Join("\n", errors))
{
    public IReadOnlyList<BankFormatError> Errors { get; } = errors;
}

/// <summary>The bank file formats loaded and checked at start: a format with any problem stops the host, each problem located.</summary>
public sealed partial class BankFormatCatalog
{
    private readonly Dictionary<string, BankFileFormat> formats;

    private BankFormatCatalog(Dictionary<string, BankFileFormat> formats) => this.formats = formats;

    public IReadOnlyCollection<BankFileFormat> All => formats.Values;

    public bool Contains(string code) => formats.ContainsKey(code);

    /// <summary>The format an agreement names; an unknown code is a configuration error stated in Chinese.</summary>
    public BankFileFormat Get(string code) => formats.TryGetValue(code, out var f) ? f
        : throw new KeyNotFoundException($"银行文件格式“{code}”未配置（已有：{string.Join("、", formats.Keys.Order(StringComparer.Ordinal))}）");

    public static BankFormatCatalog LoadFromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new BankFormatException([new BankFormatError(directory, "$", "银行文件格式目录不存在")]);
        var files = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList();
        return Load(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }

    /// <summary>Parses and checks every file; throws <see cref="BankFormatException"/> with every problem of every file.</summary>
    public static BankFormatCatalog Load(IEnumerable<(string FileName, string Json)> files)
    {
        var errors = new List<BankFormatError>();
        var formats = new Dictionary<string, BankFileFormat>(StringComparer.Ordinal);
        foreach (var (fileName, json) in files)
        {
            var format = Parse(fileName, json, errors);
            if (format is null) continue;
            if (!formats.TryAdd(format.Code, format))
                errors.Add(new BankFormatError(fileName, "$.code", $"格式代码“{format.Code}”与另一文件重复"));
        }
        if (formats.Count == 0 && errors.Count == 0)
            errors.Add(new BankFormatError("bankformats", "$", "没有任何银行文件格式（至少需要 onecard-csv-v1）"));
        if (errors.Count > 0) throw new BankFormatException(errors);
        return new BankFormatCatalog(formats);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,47}$")]
    private static partial Regex CodePattern();

    private static BankFileFormat? Parse(string file, string json, List<BankFormatError> errors)
    {
        var before = errors.Count;
        void Error(string path, string zh) => errors.Add(new BankFormatError(file, path, zh));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            Error($"第{(e.LineNumber ?? 0) + 1}行", "不是有效的 JSON：" + e.Message);
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { Error("$", "应为对象"); return null; }
            var known = new HashSet<string>(["code", "name", "encoding", "delimiter", "instructionColumns", "resultColumns", "resultCodes", "otherCodes"]);
            foreach (var p in root.EnumerateObject())
                if (!known.Contains(p.Name)) Error($"$.{p.Name}", $"未知属性（可用：{string.Join("、", known)}）");

            string? Text(string name, bool required = true)
            {
                if (!root.TryGetProperty(name, out var v)) { if (required) Error($"$.{name}", "缺少此项"); return null; }
                if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())) { Error($"$.{name}", "应为非空字符串"); return null; }
                return v.GetString()!.Trim();
            }

            var code = Text("code");
            if (code is not null && !CodePattern().IsMatch(code)) Error("$.code", $"“{code}”不合规：只可用小写字母、数字和连字符，2–48 个字符");
            var expectedFile = code + ".json";
            if (code is not null && !string.Equals(file, expectedFile, StringComparison.Ordinal) && !file.Contains('/'))
                Error("$.code", $"格式代码“{code}”须与文件名一致（应为 {expectedFile}）");
            var name = Text("name");
            var encoding = Text("encoding");
            if (encoding is not null && !BankFileFormat.Encodings.Contains(encoding))
                Error("$.encoding", $"“{encoding}”不受支持（可用：{string.Join("、", BankFileFormat.Encodings)}）");
            var delimiterText = Text("delimiter", required: false) ?? ",";
            char[] delimiters = [',', '|', '\t', ';'];
            if (delimiterText.Length != 1 || !delimiters.Contains(delimiterText[0]))
                Error("$.delimiter", $"“{delimiterText}”不受支持：应为单个字符 , | ; 或制表符");

            var instruction = Columns<InstructionField>(root, "instructionColumns", [InstructionField.BatchNo, InstructionField.Seq, InstructionField.PayeeName, InstructionField.Account, InstructionField.Amount], Error);
            var result = Columns<ResultField>(root, "resultColumns", [ResultField.BatchNo, ResultField.Seq, ResultField.Amount, ResultField.ResultCode], Error);

            var codes = new Dictionary<string, ResultMeaning>(StringComparer.Ordinal);
            if (!root.TryGetProperty("resultCodes", out var codesElement) || codesElement.ValueKind != JsonValueKind.Object)
                Error("$.resultCodes", "缺少此项或不是对象（返回码 → Paid / Failed）");
            else
            {
                foreach (var p in codesElement.EnumerateObject())
                {
                    if (string.IsNullOrWhiteSpace(p.Name)) { Error("$.resultCodes", "返回码不能为空"); continue; }
                    if (p.Value.ValueKind != JsonValueKind.String || !EnumNames.TryParse<ResultMeaning>(p.Value.GetString(), out var meaning) || meaning == ResultMeaning.Refuse)
                    { Error($"$.resultCodes.{p.Name}", $"“{p.Value}”应为 Paid 或 Failed"); continue; }
                    codes[p.Name.Trim()] = meaning;
                }
                if (!codes.ContainsValue(ResultMeaning.Paid)) Error("$.resultCodes", "至少须有一个表示成功（Paid）的返回码");
            }
            var other = ResultMeaning.Refuse;
            if (Text("otherCodes", required: false) is { } otherText && (!EnumNames.TryParse(otherText, out other) || other == ResultMeaning.Paid))
                Error("$.otherCodes", $"“{otherText}”应为 Failed（其余返回码按失败处理，附银行说明）或 Refuse（拒收整个文件）");

            if (errors.Count > before) return null;
            return new BankFileFormat(code!, name!, encoding!, delimiterText[0], instruction!, result!, codes, other);
        }
    }

    private static List<BankFileColumn<TField>>? Columns<TField>(JsonElement root, string property, TField[] required, Action<string, string> error)
        where TField : struct, Enum
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            error($"$.{property}", "缺少此项或不是非空数组");
            return null;
        }
        var columns = new List<BankFileColumn<TField>>();
        var headers = new HashSet<string>(StringComparer.Ordinal);
        var fields = new HashSet<TField>();
        var ok = true;
        var i = 0;
        foreach (var c in array.EnumerateArray())
        {
            var path = $"$.{property}[{i++}]";
            var header = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("header", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()!.Trim() : "";
            var fieldText = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
            if (header.Length == 0) { error(path + ".header", "列名不能为空"); ok = false; }
            else if (!headers.Add(header)) { error(path + ".header", $"列名“{header}”重复"); ok = false; }
            if (!EnumNames.TryParse<TField>(fieldText, out var field))
            {
                error(path + ".field", $"“{fieldText}”不是已知字段（可用：{string.Join("、", Enum.GetNames<TField>())}）");
                ok = false;
                continue;
            }
            if (!fields.Add(field)) { error(path + ".field", $"字段 {field} 重复"); ok = false; }
            columns.Add(new BankFileColumn<TField>(header, field));
        }
        foreach (var r in required.Where(r => !fields.Contains(r)))
        {
            error($"$.{property}", $"缺少必需字段 {r}");
            ok = false;
        }
        return ok ? columns : null;
    }
}
