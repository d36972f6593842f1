using System.Text;
using MiniExcelLibs;
using OneCard.Domain.Errors;
using OneCard.Host.Applications;
using OneCard.Host.Demo;

namespace OneCard.Host.IntegrationTests.Applications;

/// <summary>
/// Issue 9, uploads at scale: the reader reads a spooled file in place. A CSV's encoding is found by a streaming pass
/// (BOM, else strict UTF-8 over the whole file, else GB18030); an xlsx is checked as a ZIP and its rows streamed.
/// </summary>
public sealed class RosterReaderStreamingTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("onecard-reader-tests").FullName;

    static RosterReaderStreamingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static List<RosterRow> ReadAll(RosterFile roster)
    {
        var errors = new LineErrors();
        var rows = roster.Rows(errors).ToList();
        Assert.Empty(errors);
        return rows;
    }

    [Fact]
    public void OpenFile_ReadsAGbkCsvWithoutBom_AsGb18030_WithItsChineseNamesIntact()
    {
        var gbk = Encoding.GetEncoding("GB18030");
        var path = Write("gbk.csv", DemoRosterFile.Bytes(50, encoding: gbk));

        using var roster = RosterReader.OpenFile(path, "gbk.csv");

        Assert.Equal("GB18030", roster.Encoding);
        Assert.Equal("姓名", roster.Headers[0]);
        var names = DemoData.Roster(2026, 50).Select(c => c.Name).ToList();
        Assert.Equal(names, ReadAll(roster).Select(r => r.Cells["姓名"]));
    }

    [Fact]
    public void OpenFile_FindsGbk_WhenTheFirstNonAsciiByteIsFarPastTheFirstChunk()
    {
        // 200 KB of ASCII rows first: a check of the first buffer only would call this file UTF-8 and garble its last name.
        var ascii = string.Concat(Enumerable.Range(0, 4000).Select(i => $"A{i},{new string('1', 40)}\r\n"));
        var content = Encoding.GetEncoding("GB18030").GetBytes("name,note\r\n" + ascii + "张三,备注\r\n");
        var path = Write("late-gbk.csv", content);

        using var roster = RosterReader.OpenFile(path, "late-gbk.csv");

        Assert.Equal("GB18030", roster.Encoding);
        Assert.Equal("张三", ReadAll(roster)[^1].Cells["name"]);
    }

    [Fact]
    public void OpenFile_ReadsUtf8_WhoseCharactersStraddleTheDetectorsChunkBoundaries()
    {
        // Three-byte characters from an odd offset: some fall across the 64 KB boundaries of the streaming check.
        var text = "名,注\r\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"x名{i},注释文字\r\n"));
        var path = Write("utf8.csv", new UTF8Encoding(false).GetBytes(text));

        using var roster = RosterReader.OpenFile(path, "utf8.csv");

        Assert.Equal("UTF-8", roster.Encoding);
        var rows = ReadAll(roster);
        Assert.Equal(20_000, rows.Count);
        Assert.Equal("x名19999", rows[^1].Cells["名"]);
    }

    [Fact]
    public void OpenFile_ReadsCsvInPlace_ItsProgressMovingThroughTheFile()
    {
        var path = Write("big.csv", DemoRosterFile.Bytes(20_000));
        using var roster = RosterReader.OpenFile(path, "big.csv");
        var errors = new LineErrors();
        var positions = new List<long>();

        foreach (var row in roster.Rows(errors))
            if (row.Row % 2_000 == 0) positions.Add(roster.BytesRead);

        Assert.Equal(new FileInfo(path).Length, roster.TotalBytes);
        Assert.Equal(20_000, roster.DataRows);
        // Read as it goes (a copy into memory would be at the end from the first row).
        Assert.True(positions[0] < roster.TotalBytes / 2, $"{positions[0]} of {roster.TotalBytes}");
        Assert.Equal(positions.Order(), positions);
        Assert.True(positions[^1] > positions[0]);
    }

    [Fact]
    public void OpenFile_StreamsXlsxRows_FromTheFile()
    {
        var path = Path.Combine(folder, "roster.xlsx");
        var claims = DemoData.Roster(7, 3_000);
        MiniExcel.SaveAs(path, claims.Select(c => new Dictionary<string, object?>
        {
            ["姓名"] = c.Name, ["身份证号"] = c.IdNumber, ["地区代码"] = c.RegionCode, ["银行账号"] = c.BankAccount,
            ["开户银行"] = c.BankName, ["承包面积（亩）"] = c.Facts["AreaMu"], ["是否改变用途"] = c.Facts["LandConverted"],
        }));

        using var roster = RosterReader.OpenFile(path, "roster.xlsx");
        var rows = ReadAll(roster);

        Assert.Null(roster.Encoding);
        Assert.Equal(3_000, rows.Count);
        Assert.Equal(claims.Select(c => c.IdNumber), rows.Select(r => r.Cells["身份证号"]));
        Assert.Equal(2, rows[0].Row);
        Assert.True(roster.BytesRead > 0);
    }

    [Fact]
    public void OpenFile_StillRefusesAnXlsxThatIsNoZip()
    {
        var path = Write("zeros.xlsx", new byte[4096]);
        var e = Assert.Throws<OneCardException>(() => RosterReader.OpenFile(path, "zeros.xlsx"));
        Assert.Equal("RosterNotXlsx", e.Code);
    }
}
