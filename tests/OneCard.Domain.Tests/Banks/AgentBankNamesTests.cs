using OneCard.Domain.Payments;

namespace OneCard.Domain.Tests.Banks;

/// <summary>How a roster's 开户银行 text finds an agent bank (AgentBankNames) and how 账户类型 is read (AccountTypes).</summary>
public sealed class AgentBankNamesTests
{
    private static readonly AgentBankNames.Directory Directory = new(
        [
            new AgentBank { Code = "PSBC-LN", NameZh = "中国邮政储蓄银行辽宁省分行（演示）", NameEn = "PSBC" },
            new AgentBank { Code = "LNRCU", NameZh = "辽宁省农村信用社联合社", NameEn = "LNRCU" },
            new AgentBank { Code = "BANK-A", NameZh = "甲银行", NameEn = "A" },
            new AgentBank { Code = "BANK-B", NameZh = "乙银行", NameEn = "B" },
        ],
        [
            new AgentBankAlias { Alias = "中国邮政储蓄银行", AgentBankCode = "PSBC-LN" },
            new AgentBankAlias { Alias = "邮储", AgentBankCode = "PSBC-LN" },
            new AgentBankAlias { Alias = "邮储银行", AgentBankCode = "PSBC-LN" },
            new AgentBankAlias { Alias = "辽宁农信", AgentBankCode = "LNRCU" },
            new AgentBankAlias { Alias = "联合", AgentBankCode = "BANK-A" },
            new AgentBankAlias { Alias = "联合", AgentBankCode = "BANK-B" },
        ]);

    [Theory]
    [InlineData("邮储", "PSBC-LN")]                                  // an alias, exactly
    [InlineData("中国邮政储蓄银行辽宁省分行", "PSBC-LN")]              // the name without the registry's （演示）
    [InlineData(" 中国邮政储蓄银行 法库县支行 ", "PSBC-LN")]             // a branch: the alias is its prefix; white space ignored
    [InlineData("邮储银行法库县支行", "PSBC-LN")]                      // the longest prefix wins (邮储银行 over 邮储)
    [InlineData("辽宁农信法库县联社", "LNRCU")]
    [InlineData("辽宁省农村信用社联合社", "LNRCU")]
    public void Match_FindsTheBank_ByNameAliasOrBranchPrefix(string text, string code) => Assert.Equal(code, Directory.Match(text));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("某某村镇银行")]          // unknown
    [InlineData("储蓄银行")]              // only a part of a name, not its prefix
    [InlineData("联合")]                  // two banks give this name: ambiguous, so none
    [InlineData("联合支行")]
    public void Match_FindsNoBank_WhenBlankUnknownOrAmbiguous(string? text) => Assert.Null(Directory.Match(text));

    [Fact]
    public void Normalize_MakesFullWidthHalfWidth_AndDropsWhiteSpaceAndTheDemoSuffix() =>
        Assert.Equal("ABC银行(沈阳)", AgentBankNames.Normalize(" ＡＢＣ银行 （沈阳）（演示）"));

    [Theory]
    [InlineData(null, AccountType.BankCard)]
    [InlineData("", AccountType.BankCard)]
    [InlineData("银行卡", AccountType.BankCard)]
    [InlineData("社保卡", AccountType.SocialSecurityCard)]
    [InlineData(" 社会保障卡 ", AccountType.SocialSecurityCard)]
    public void AccountType_IsRead_BlankMeaningBankCard(string? text, AccountType expected) => Assert.Equal(expected, AccountTypes.Parse(text));

    [Fact]
    public void AccountType_IsNull_ForAnythingElse() => Assert.Null(AccountTypes.Parse("信用卡"));
}
