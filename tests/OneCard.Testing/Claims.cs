namespace OneCard.Testing;

/// <summary>Claim lines for JSON submissions in tests: valid IDs of 法库县, accounts, facts of the arable-land rule set.</summary>
public static class Claims
{
    /// <summary>Fails the Luhn check: accepted with a warning, as real rural passbooks must be.</summary>
    public const string Account = "6217991234567890123";

    public static object Line(string name, string id, decimal area, bool converted = false, string region = "210124101",
        string account = Account) => new
    {
        name, idNumber = id, regionCode = region, bankAccount = account, bankName = "邮储银行法库县支行",
        facts = new Dictionary<string, object> { ["AreaMu"] = area, ["LandConverted"] = converted },
    };

    /// <summary>An ID number with its correct check character appended.</summary>
    public static string Id(string first17) => first17 + Domain.Identity.IdNumber.CheckCharacter(first17);

    /// <summary>Five lines of 大孤家子镇; the second is a converted plot, so four are eligible.</summary>
    public static object[] FiveLines() =>
    [
        Line("张三", Id("21012419800101123"), 12.5m),
        Line("李四", Id("21012419750505123"), 3m, converted: true),
        Line("王五", Id("21012419660303456"), 8.25m),
        Line("欧阳秀英", Id("21012419591111222"), 20m),
        Line("赵六", Id("21012419881224333"), 4.4m),
    ];
}
