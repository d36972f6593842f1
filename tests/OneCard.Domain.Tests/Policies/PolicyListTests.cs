using OneCard.Domain.Errors;
using OneCard.Domain.Policies;

namespace OneCard.Domain.Tests.Policies;

/// <summary>The policy list's own rules: item validation (located, Chinese), immutability once published, the yearly diff.</summary>
public class PolicyListTests
{
    private static readonly HashSet<string> Departments = ["LN-AGRI", "LN-CIVIL", "LN-DPF", "LN-HEALTH", "LN-FIN"];

    private static PolicyListItem Item(string code = "elderly-longevity-allowance", int seq = 1) => new()
    {
        Id = Guid.NewGuid(), Seq = seq, Code = code, NameZh = "高龄津贴", DepartmentCode = "LN-CIVIL", Basis = "未找到公开来源",
        StandardText = "不低于50元/人月", Amount = 50, Unit = "元/人月", Frequency = "按月", PaymentMonths = "1-12", EffectiveFrom = new DateOnly(2025, 1, 1),
    };

    [Fact]
    public void AnItemWithoutShares_IsValid_AndSaysTheyAreUnsourced()
    {
        var item = Item();
        Assert.Empty(item.Validate(0, Departments));
        Assert.Equal("未找到公开来源", item.SharesText);
    }

    [Fact]
    public void SharesNotSummingTo100_AreOneLocatedError_NamingTheItemAndTheSum()
    {
        var item = Item();
        (item.CentralShare, item.ProvincialShare, item.CityShare, item.CountyShare) = (50, 30, 10, 0);
        var error = Assert.Single(item.Validate(6, Departments));
        Assert.Equal(("items[6].shares", "SharesNotHundred"), (error.Field, error.Code));
        Assert.Equal("第7项“高龄津贴”：资金分担比例合计应为100%，实为90%（中央50%、省30%、市10%、县0%）", error.MessageZh);

        item.CountyShare = 10;
        Assert.Empty(item.Validate(6, Departments));
    }

    [Fact]
    public void APartialShareSplit_LocatesEachMissingLevel()
    {
        var item = Item();
        (item.CentralShare, item.ProvincialShare) = (60, 40);
        Assert.Equal(["items[0].cityShare", "items[0].countyShare"], item.Validate(0, Departments).Select(e => e.Field));
    }

    [Theory]
    [InlineData("13", "发放月份“13”无效")]
    [InlineData("6-3", "发放月份“6-3”无效")]
    [InlineData("一月", "发放月份“一月”无效")]
    public void BadPaymentMonths_AreRefusedWithTheWrongPart(string months, string expected)
    {
        var item = Item();
        item.PaymentMonths = months;
        var error = Assert.Single(item.Validate(0, Departments));
        Assert.Equal("items[0].paymentMonths", error.Field);
        Assert.Contains(expected, error.MessageZh);
    }

    [Fact]
    public void UnknownDepartment_FrequencyAndDuplicateCode_AreEachLocated()
    {
        var a = Item();
        a.DepartmentCode = "LN-XX";
        a.Frequency = "随时";
        var b = Item(seq: 2);
        var errors = PolicyList.Validate([a, b], Departments);
        Assert.Equal(["items[0].departmentCode", "items[0].frequency", "items[1].code"], errors.Select(e => e.Field));
        Assert.Contains("与第1项重复", errors[2].MessageZh);
    }

    [Fact]
    public void APublishedList_RefusesChange_AndCannotBePublishedTwice()
    {
        var list = PolicyList.Seeded("210000", PolicyLevel.Province, 2026, 1, DateTimeOffset.UnixEpoch, [Item()]);
        var refused = Assert.Throws<OneCardException>(list.EnsureDraft);
        Assert.Equal((ErrorKind.Conflict, "PolicyListPublished"), (refused.Kind, refused.Code));
        Assert.Contains("如需更正，请新建版本", refused.MessageZh);
        Assert.Throws<OneCardException>(() => list.Publish("u-policy", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Diff_NamesAddedRemovedAndEveryChangedColumn()
    {
        var before = new[] { Item(), Item("corn-soybean-producer", 2) };
        var changed = Item();
        changed.Amount = 60;
        changed.StandardText = "不低于60元/人月";
        var added = Item("dalian-centenarian-allowance", 3);
        added.NameZh = "百岁老人长寿补贴";

        var diff = PolicyListDiff.Compare(before, [changed, added]);

        Assert.Equal(["dalian-centenarian-allowance"], diff.Added.Select(a => a.Code));
        Assert.Equal(["corn-soybean-producer"], diff.Removed.Select(r => r.Code));
        var change = Assert.Single(diff.Changed);
        Assert.Equal([("standardText", "不低于50元/人月", "不低于60元/人月"), ("amount", "50元/人月", "60元/人月")],
            change.Changes.Select(c => (c.Field, c.Before, c.After)));
        Assert.True(PolicyListDiff.Compare(before, before).IsEmpty);
    }
}
