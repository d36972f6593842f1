using System.Globalization;
using System.Text;

namespace OneCard.Specs.Support;

/// <summary>One row of a township roster as a clerk fills it in.</summary>
public sealed record RosterLine(string Name, string IdNumber, string RegionCode, string BankAccount, string BankName, string AreaMu, string Converted)
{
    public static readonly string[] Header = ["姓名", "身份证号", "地区代码", "银行账号", "开户银行", "承包面积（亩）", "是否改变用途"];

    /// <summary>A valid line of 大孤家子镇 with a real-shaped ID (法库县, checksum right) and a Luhn-valid account.</summary>
    public static RosterLine Valid(string name, decimal areaMu, bool converted, int seed)
    {
        var random = new Random(seed);
        return new RosterLine(name, Host.Demo.DemoData.MakeId(random, "210124"), Host.Demo.DemoData.Township,
            Host.Demo.DemoData.MakeAccount(random), "中国邮政储蓄银行法库县支行", areaMu.ToString(CultureInfo.InvariantCulture), converted ? "是" : "否");
    }

    public string this[string column] => column switch
    {
        "姓名" => Name,
        "身份证号" => IdNumber,
        "地区代码" => RegionCode,
        "银行账号" => BankAccount,
        "开户银行" => BankName,
        "承包面积（亩）" => AreaMu,
        "是否改变用途" => Converted,
        _ => throw new ArgumentException($"No roster column '{column}'.", nameof(column)),
    };

    public RosterLine With(string column, string value) => column switch
    {
        "姓名" => this with { Name = value },
        "身份证号" => this with { IdNumber = value },
        "地区代码" => this with { RegionCode = value },
        "银行账号" => this with { BankAccount = value },
        "开户银行" => this with { BankName = value },
        "承包面积（亩）" => this with { AreaMu = value },
        "是否改变用途" => this with { Converted = value },
        _ => throw new ArgumentException($"No roster column '{column}'.", nameof(column)),
    };

    /// <summary>The roster as the CSV a clerk uploads (UTF-8 with BOM, as spreadsheet programs save it).</summary>
    public static byte[] ToCsv(IEnumerable<RosterLine> lines)
    {
        var text = new StringBuilder(string.Join(',', Header)).Append("\r\n");
        foreach (var l in lines)
            text.Append(string.Join(',', l.Name, l.IdNumber, l.RegionCode, l.BankAccount, l.BankName, l.AreaMu, l.Converted)).Append("\r\n");
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
