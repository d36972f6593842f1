using System.Security.Cryptography;
using System.Text;
using OneCard.Domain.Payments;
using OneCard.Host.Demo;
using OneCard.Host.Payments;

namespace OneCard.Host.IntegrationTests.Payments;

/// <summary>The bank file formats (loaded and checked at start), the SM4 + HMAC-SM3 envelope, and formula neutralisation.</summary>
public sealed class BankFileFormatTests
{
    private static BankFormatCatalog Shipped() => BankFormatCatalog.LoadFromDirectory(Path.Combine(AppContext.BaseDirectory, "bankformats"));

    private static BankFileKeys Keys() => new(RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(32), 1);

    [Fact]
    public void ShippedFormats_Load_AndTheDefaultKeepsTodaysColumns()
    {
        var catalog = Shipped();
        var format = catalog.Get("onecard-csv-v1");
        Assert.Equal(["批次号", "序号", "户名", "账号", "金额", "补贴项目", "期次"], format.InstructionColumns.Select(c => c.Header));
        Assert.Equal(["批次号", "序号", "金额", "结果", "说明"], format.ResultColumns.Select(c => c.Header));
        Assert.Equal(ResultMeaning.Paid, format.Meaning("成功"));
        Assert.Equal(ResultMeaning.Refuse, format.Meaning("其他"));
        var lnrcc = catalog.Get("lnrcc-gb18030-v1");
        Assert.Equal("GB18030", lnrcc.Encoding);
        Assert.Equal(ResultMeaning.Paid, lnrcc.Meaning("0000"));
        Assert.Equal(ResultMeaning.Failed, lnrcc.Meaning("3001"));
    }

    [Fact]
    public void ResultFileErrors_CountEveryError_ButKeepOnlyTheFirstOnesShown()
    {
        var errors = new BankFileErrors();
        for (var row = 2; row < 2 + 1_000; row++) errors.Add(new BankFileError(row, "序号", "SeqUnknown", "序号不在本批次中", "No such sequence number."));
        Assert.Equal(1_000, errors.Total);
        Assert.Equal(BankFiles.ErrorsShown, errors.Count);
        Assert.Equal(Enumerable.Range(2, BankFiles.ErrorsShown), errors.Select(e => e.Row));
        Assert.Equal(["SeqUnknown"], errors.Codes);
        errors.Add(new BankFileError(1_002, "金额", "AmountMismatch", "金额不符", "Amount does not match."));
        Assert.Equal(["AmountMismatch", "SeqUnknown"], errors.Codes.Order(StringComparer.Ordinal));
        Assert.Equal(BankFiles.ErrorsShown, errors.Count);
        Assert.Equal(1, BankFileErrors.Of([BankFileError.File("签名", "ResultSignatureInvalid", "签名不符", "Bad signature.")]).Total);
    }

    [Fact]
    public void BrokenFormat_IsRefusedAtLoad_WithEveryProblemLocated()
    {
        const string json = """
            { "code": "bad-v1", "name": "坏格式", "encoding": "BIG5", "colour": 1,
              "instructionColumns": [ { "header": "批次号", "field": "BatchNo" }, { "header": "批次号", "field": "Acount" } ],
              "resultColumns": [ { "header": "序号", "field": "Seq" } ],
              "resultCodes": { "0000": "Maybe", "0001": "0", "0002": "Paid, Failed" } }
            """;
        var ex = Assert.Throws<BankFormatException>(() => BankFormatCatalog.Load([("bad-v1.json", json)]));
        var errors = ex.Errors.Select(e => e.Path + "：" + e.MessageZh).ToList();
        Assert.Contains(errors, e => e.StartsWith("$.colour：未知属性", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.encoding：“BIG5”不受支持", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == "$.instructionColumns[1].header：列名“批次号”重复");
        Assert.Contains(errors, e => e.StartsWith("$.instructionColumns[1].field：“Acount”不是已知字段", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == "$.instructionColumns：缺少必需字段 Seq");
        Assert.Contains(errors, e => e == "$.resultColumns：缺少必需字段 BatchNo");
        Assert.Contains(errors, e => e == "$.resultCodes.0000：“Maybe”应为 Paid 或 Failed");
        // Named, never numbered or listed: Enum.TryParse reads "0" as Paid and "Paid, Failed" as Failed (0 | 1).
        Assert.Contains(errors, e => e == "$.resultCodes.0001：“0”应为 Paid 或 Failed");
        Assert.Contains(errors, e => e == "$.resultCodes.0002：“Paid, Failed”应为 Paid 或 Failed");
        Assert.All(ex.Errors, e => Assert.Equal("bad-v1.json", e.File));
        Assert.Contains("bad-v1.json：$.encoding", ex.Message);
    }

    [Fact]
    public void FormatWhoseCodeDiffersFromItsFileName_OrInvalidJson_IsRefused()
    {
        var ex = Assert.Throws<BankFormatException>(() => BankFormatCatalog.Load([("a.json", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bankformats", "onecard-csv-v1.json"))), ("b.json", "{ \"code\": ")]));
        Assert.Contains(ex.Errors, e => e.File == "a.json" && e.Path == "$.code" && e.MessageZh.Contains("应为 onecard-csv-v1.json"));
        Assert.Contains(ex.Errors, e => e.File == "b.json" && e.Path.StartsWith('第') && e.MessageZh.StartsWith("不是有效的 JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void Envelope_RoundTrips_AndAnyChangedByteFailsTheSignature()
    {
        var keys = Keys();
        var header = new BankEnvelopeHeader(BankEnvelopeHeader.Results, "PB-2026-210124-PSBC-LN-0001", "SY-DF-2026-001", 1, "onecard-csv-v1", 1, 12.5m);
        using var output = new MemoryStream();
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("批次号,序号,金额\r\n", 10_000)));
        using (var w = BankFileEnvelope.OpenWrite(output, header, keys)) w.Write(content);
        var file = output.ToArray();

        using var input = new MemoryStream(file);
        var (read, iv, length) = BankFileEnvelope.ReadHeader(input);
        Assert.Equal(header, read);
        Assert.True(BankFileEnvelope.Verify(input, length, keys));
        using (var clear = BankFileEnvelope.OpenRead(input, length, iv, keys))
        using (var copy = new MemoryStream()) { clear.CopyTo(copy); Assert.Equal(content, copy.ToArray()); }
        Assert.DoesNotContain("批次号", Encoding.UTF8.GetString(file[length..]));

        // The header is signed too: a different batch number in clear text fails the MAC.
        var renamed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(file[..length]).Replace("0001", "0002")).Concat(file[length..]).ToArray();
        using var renamedInput = new MemoryStream(renamed);
        var (_, _, renamedLength) = BankFileEnvelope.ReadHeader(renamedInput);
        Assert.False(BankFileEnvelope.Verify(renamedInput, renamedLength, keys));
        foreach (var at in new[] { length + 3, file.Length / 2, file.Length - 1 })
        {
            var tampered = (byte[])file.Clone();
            tampered[at] ^= 0x04;
            using var t = new MemoryStream(tampered);
            Assert.False(BankFileEnvelope.Verify(t, length, keys), $"byte {at}");
        }
        Assert.False(BankFileEnvelope.Verify(new MemoryStream(file), length, keys with { SigningKey = RandomNumberGenerator.GetBytes(32) }));
    }

    [Fact]
    public void Envelope_PlainCsv_IsNotAnEnvelope()
    {
        var ex = Assert.Throws<BankEnvelopeException>(() => BankFileEnvelope.ReadHeader(new MemoryStream(Encoding.UTF8.GetBytes("批次号,序号\r\n"))));
        Assert.Equal("EnvelopeInvalid", ex.Code);
        Assert.Contains("明文 CSV 不被接受", ex.MessageZh);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")")]
    [InlineData("+86", "'+86")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "'\rcmd")]
    [InlineData("王秀英", "王秀英")]
    [InlineData("6217991234567890123", "6217991234567890123")]
    [InlineData("a=b", "a=b")]
    public void Neutralise_PrefixesFormulaCells_WithAQuote(string cell, string written) => Assert.Equal(written, BankCsv.Neutralise(cell));

    [Fact]
    public void DemoBank_AnswersInTheGb18030Format_WithItsReturnCodes()
    {
        var format = Shipped().Get("lnrcc-gb18030-v1");
        var keys = Keys();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb = Encoding.GetEncoding("GB18030");
        using var instructions = new MemoryStream();
        using (var w = BankFileEnvelope.OpenWrite(instructions, new BankEnvelopeHeader(BankEnvelopeHeader.Instructions, "PB-1", "LN-1", 1, format.Code, 2, 3m), keys))
            w.Write(gb.GetBytes("批次编号,明细序号,收款账号,收款户名,账户类型,交易金额,摘要,所属期\r\nPB-1,1,6217,王秀英,社保卡,1.00,x,2026\r\nPB-1,2,6218,李建国,银行卡,2.00,x,2026\r\n"));
        instructions.Position = 0;
        using var results = new MemoryStream();
        DemoBank.Respond(instructions, results, keys, format, seq => seq == 2, "户名不符");

        var clear = DemoBank.Open(results.ToArray(), keys, format);
        Assert.Equal("批次编号,明细序号,交易金额,返回码,返回信息\r\nPB-1,1,1.00,0000,\r\nPB-1,2,2.00,3001,户名不符\r\n", clear);
    }
}
