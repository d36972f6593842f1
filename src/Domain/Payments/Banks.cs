using System.Text;

namespace OneCard.Domain.Payments;

/// <summary>How a city or county selected an agent bank (代发金融机构的选定方式), as the procurement law names them.</summary>
public enum SelectionMethod { PublicTender, InvitedTender, CompetitiveNegotiation, CompetitiveConsultation, SingleSource, Inquiry }

public static class SelectionMethods
{
    public static string Zh(SelectionMethod method) => method switch
    {
        SelectionMethod.PublicTender => "公开招标",
        SelectionMethod.InvitedTender => "邀请招标",
        SelectionMethod.CompetitiveNegotiation => "竞争性谈判",
        SelectionMethod.CompetitiveConsultation => "竞争性磋商",
        SelectionMethod.SingleSource => "单一来源采购",
        _ => "询价",
    };
}

/// <summary>
/// The record that a city or county selected an agent bank (代发银行选定记录): when, by which procurement method, under which
/// document. An agreement of that region with that bank may be signed only once the selection is on record.
/// </summary>
public sealed class AgentBankSelection
{
    public Guid Id { get; init; }
    /// <summary>The city or county (6-digit division code) that selected the bank.</summary>
    public required string RegionCode { get; init; }
    public required string AgentBankCode { get; init; }
    public DateOnly SelectedOn { get; init; }
    public SelectionMethod Method { get; init; }
    /// <summary>The selection's document (e.g. the award notice 中标通知书 number).</summary>
    public required string DocumentNo { get; init; }
    public string? Note { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A person at an agent bank whom a region's finance bureau contacts (业务、技术、数据安全…).</summary>
public sealed class BankContact
{
    public Guid Id { get; init; }
    public required string AgentBankCode { get; init; }
    /// <summary>The city or county the contact serves.</summary>
    public required string RegionCode { get; init; }
    public required string Name { get; init; }
    /// <summary>What the contact is for, e.g. 业务联系人, 技术联系人, 数据安全负责人.</summary>
    public required string Duty { get; init; }
    public required string Phone { get; init; }
    public string? Email { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// Another name a roster may give an agent bank in its 开户银行 column (邮储银行, 邮储, 辽宁农信…). Aliases are unique
/// across banks, so a name never means two banks.
/// </summary>
public sealed class AgentBankAlias
{
    public required string Alias { get; init; }
    public required string AgentBankCode { get; init; }
}

/// <summary>
/// How a roster's 开户银行 text finds an agent bank of the registry. The text and every name are normalised (NFKC, so
/// full-width letters and brackets become half-width; white space removed; the registry's “（演示）” suffix ignored).
/// Then: a bank whose Chinese name or alias equals the text; otherwise the bank whose name or alias is the LONGEST prefix
/// of the text (a branch: “中国邮政储蓄银行法库县支行” starts with “中国邮政储蓄银行”). Two banks matching equally, or
/// none, or a blank text: no bank (null).
/// </summary>
public static class AgentBankNames
{
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var s = text.Normalize(NormalizationForm.FormKC);
        var b = new StringBuilder(s.Length);
        foreach (var c in s) if (!char.IsWhiteSpace(c)) b.Append(c);
        var result = b.ToString();
        return result.EndsWith("(演示)", StringComparison.Ordinal) ? result[..^4] : result;
    }

    /// <summary>The names to match against: each bank's code with its normalised Chinese name and aliases.</summary>
    public sealed class Directory
    {
        private readonly List<(string Name, string Code)> names = [];

        public Directory(IEnumerable<AgentBank> banks, IEnumerable<AgentBankAlias> aliases)
        {
            foreach (var bank in banks) Add(bank.NameZh, bank.Code);
            foreach (var alias in aliases) Add(alias.Alias, alias.AgentBankCode);
        }

        private void Add(string name, string code)
        {
            var n = Normalize(name);
            if (n.Length > 0 && !names.Contains((n, code))) names.Add((n, code));
        }

        /// <summary>The bank the text names, or null (blank, unknown or ambiguous).</summary>
        public string? Match(string? text)
        {
            var n = Normalize(text);
            if (n.Length == 0) return null;
            var exact = names.Where(x => x.Name == n).Select(x => x.Code).Distinct().ToList();
            if (exact.Count > 0) return exact.Count == 1 ? exact[0] : null;
            var prefixes = names.Where(x => n.StartsWith(x.Name, StringComparison.Ordinal)).ToList();
            if (prefixes.Count == 0) return null;
            var longest = prefixes.Max(x => x.Name.Length);
            var best = prefixes.Where(x => x.Name.Length == longest).Select(x => x.Code).Distinct().ToList();
            return best.Count == 1 ? best[0] : null;
        }
    }
}

/// <summary>The 账户类型 column of a roster: 社保卡 (社会保障卡) or 银行卡; blank means 银行卡.</summary>
public static class AccountTypes
{
    public const string Column = "账户类型";

    public static string Zh(AccountType type) => type == AccountType.SocialSecurityCard ? "社保卡" : "银行卡";

    /// <summary>The type a cell names, or null when it names none of them (blank is a bank card).</summary>
    public static AccountType? Parse(string? text)
    {
        var n = AgentBankNames.Normalize(text);
        return n switch
        {
            "" or "银行卡" or "银行卡账户" or "银行账户" or "BankCard" => AccountType.BankCard,
            "社保卡" or "社会保障卡" or "社保卡账户" or "社会保障卡账户" or "SocialSecurityCard" => AccountType.SocialSecurityCard,
            _ => null,
        };
    }
}
