using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using OneCard.Domain.Errors;

namespace OneCard.Domain.Inspections;

/// <summary>One entry of an item's evidence checklist: what to verify, whether it was, and the inspector's note.</summary>
public sealed record ChecklistEntry(string Key, string Label, bool Checked, string? Note);

/// <summary>The evidence checklist of an item, stored as JSON on the item; every entry must be checked to finish the inspection.</summary>
public static class Checklist
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The checklist each item of a campaign kind starts with.</summary>
    public static IReadOnlyList<ChecklistEntry> For(CampaignKind kind) => kind switch
    {
        CampaignKind.PostPayment =>
        [
            new("identity", "核实补贴对象身份（身份证、户口簿）", false, null),
            new("eligibility", "核实补贴条件（面积、人数等申报事实）", false, null),
            new("receipt", "核实资金到账（一卡通账户流水）", false, null),
            new("interview", "入户走访并取得对象签字", false, null),
        ],
        _ =>
        [
            new("documents", "核对申报材料完整", false, null),
            new("facts", "抽查申报事实（现场或电话核实）", false, null),
            new("procedure", "核查审核程序与时限", false, null),
        ],
    };

    public static string ToJson(IReadOnlyList<ChecklistEntry> entries) => JsonSerializer.Serialize(entries, Json);

    public static IReadOnlyList<ChecklistEntry> Parse(string json) => JsonSerializer.Deserialize<List<ChecklistEntry>>(json, Json) ?? [];

    /// <summary>The entries not yet checked (what still stands between the inspector and finishing).</summary>
    public static IReadOnlyList<ChecklistEntry> Unchecked(string json) => [.. Parse(json).Where(e => !e.Checked)];
}

/// <summary>The recorded criteria of a campaign (beyond region, policy, period and paid dates, which are columns).</summary>
public sealed record CampaignCriteria(
    [property: JsonPropertyName("minAmount")] decimal? MinAmount,
    [property: JsonPropertyName("townships")] IReadOnlyList<string>? Townships)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CampaignCriteria Parse(string json) => JsonSerializer.Deserialize<CampaignCriteria>(json, Json) ?? new(null, null);
}

/// <summary>
/// The attachment rules: at most 5 MB, and a PDF, JPEG or PNG by its first bytes (the name and the browser's content type are
/// not trusted). A refusal names the file and why, in Chinese.
/// </summary>
public static class AttachmentRules
{
    public const long MaxBytes = 5 * 1024 * 1024;

    private static readonly (string Type, byte[] Magic)[] Signatures =
    [
        ("application/pdf", "%PDF-"u8.ToArray()),
        ("image/jpeg", [0xFF, 0xD8, 0xFF]),
        ("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    ];

    /// <summary>The content type the bytes prove, or a located refusal (<c>AttachmentEmpty</c>, <c>AttachmentTooLarge</c>, <c>AttachmentType</c>).</summary>
    public static string ContentTypeOf(string fileName, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
            throw new OneCardException(ErrorKind.Invalid, "AttachmentEmpty", $"附件“{fileName}”：文件为空", $"Attachment {fileName} is empty.");
        if (bytes.Length > MaxBytes)
            throw TooLarge(fileName, bytes.Length);
        foreach (var (type, magic) in Signatures)
            if (bytes.StartsWith(magic)) return type;
        throw new OneCardException(ErrorKind.Invalid, "AttachmentType",
            $"附件“{fileName}”：只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，文件头为 {Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)])}）",
            $"Attachment {fileName}: only PDF, JPEG or PNG files are accepted (by content).");
    }

    public static OneCardException TooLarge(string fileName, long size) =>
        new(ErrorKind.Invalid, "AttachmentTooLarge", $"附件“{fileName}”：大小 {size / 1024.0 / 1024.0:0.##} MB，超过 5 MB 上限",
            $"Attachment {fileName} is {size} bytes, over the 5 MB limit.");

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
