using OneCard.Domain.Privacy;

namespace OneCard.Domain.Tests.Privacy;

public class MaskingTests
{
    [Theory]
    [InlineData("张三", "张*")]
    [InlineData("张三丰", "张*")]
    [InlineData("王小二子", "王*")]
    [InlineData("欧阳修", "欧阳*")]
    [InlineData("司马相如", "司马*")]
    [InlineData("诸葛亮", "诸葛*")]
    [InlineData("上官婉儿", "上官*")]
    [InlineData("慕容复", "慕容*")]
    [InlineData("单于飞", "单于*")]
    [InlineData("欧阳", "欧*")]     // two characters: surname 欧, given name 阳
    [InlineData("张", "*")]
    [InlineData(" 李四 ", "李*")]
    [InlineData("买买提·艾力", "买*")]
    [InlineData("\U00020000明", "\U00020000*")] // surname outside the BMP stays whole
    public void Name_KeepsOnlySurname(string name, string expected) =>
        Assert.Equal(expected, Masking.Name(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void AllMasks_ReturnEmpty_WhenInputIsNullOrBlank(string? value)
    {
        Assert.Equal(string.Empty, Masking.Name(value));
        Assert.Equal(string.Empty, Masking.IdNumber(value));
        Assert.Equal(string.Empty, Masking.BankAccount(value));
        Assert.Equal(string.Empty, Masking.Phone(value));
    }

    [Theory]
    [InlineData("11010519491231002X", "11*************02X")]
    [InlineData("210102198001010010", "21*************010")]
    [InlineData("110105491231002", "11**********002")]
    [InlineData("1234567", "*******")]
    public void IdNumber_KeepsFirst2AndLast3_AndLength(string id, string expected)
    {
        var masked = Masking.IdNumber(id);

        Assert.Equal(expected, masked);
        Assert.Equal(id.Length, masked.Length);
    }

    [Theory]
    [InlineData("6222021234567894", "****7894")]
    [InlineData("6222 0212 3456 7894", "****7894")]
    [InlineData("6228480402564890018", "****0018")]
    [InlineData("123", "****")]
    public void BankAccount_KeepsLast4Only(string account, string expected) =>
        Assert.Equal(expected, Masking.BankAccount(account));

    [Theory]
    [InlineData("13812341234", "138****1234")]
    [InlineData("138 1234 1234", "138****1234")]
    [InlineData("138-1234-1234", "138****1234")]
    [InlineData("23456789", "****6789")]
    [InlineData("12345", "*****")]
    public void Phone_KeepsFirst3AndLast4(string phone, string expected) =>
        Assert.Equal(expected, Masking.Phone(phone));

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("张三 11010519491231002X 已发放")]
    [InlineData("身份证号：11010519491231002x，金额 100.00")]
    [InlineData("210102198001010010")]
    [InlineData("<td>211402200002294569</td>")]
    [InlineData("210102198001010011")] // wrong checksum is still a leak
    public void ContainsUnmaskedIdNumber_FindsRawId(string text) =>
        Assert.True(Masking.ContainsUnmaskedIdNumber(text));

    [Theory]
    [InlineData("张* 11*************02X 已发放")]
    [InlineData("110105********002X")]
    [InlineData("6228480402564890018")]  // 19-digit bank account
    [InlineData("011010519491231002X")]  // an ID-shaped run inside a longer number is not an ID
    [InlineData("110105194912310021X")]
    [InlineData("990000000000000000")]
    [InlineData("订单号 202606010000000001")]
    [InlineData("")]
    public void ContainsUnmaskedIdNumber_IgnoresMaskedOrNonIdText(string text) =>
        Assert.False(Masking.ContainsUnmaskedIdNumber(text));

    [Fact]
    public void ContainsUnmaskedIdNumber_IgnoresOutputOfIdNumberMask() =>
        Assert.False(Masking.ContainsUnmaskedIdNumber($"公示：{Masking.IdNumber("11010519491231002X")}"));
}
