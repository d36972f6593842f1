using System.Text;
using OneCard.Host.Applications;

namespace OneCard.Host.Demo;

/// <summary>
/// The demo roster (<see cref="DemoData.Roster"/>) as the CSV a township writes for 耕地地力保护补贴: the header the template
/// has, one line a person. Tests, the browser test and the roster benchmark upload it.
/// </summary>
public static class DemoRosterFile
{
    public const string Header = "姓名,身份证号,地区代码,银行账号,开户银行,承包面积（亩）,是否改变用途";

    /// <summary>One CSV line of a demo claim (no field of the generator needs quoting).</summary>
    public static string Line(ClaimInput c) =>
        $"{c.Name},{c.IdNumber},{c.RegionCode},{c.BankAccount},{c.BankName},{c.Facts["AreaMu"]},{c.Facts["LandConverted"]}";

    /// <summary>
    /// Writes <paramref name="count"/> demo lines (seed <paramref name="seed"/>) to <paramref name="target"/> in
    /// <paramref name="encoding"/> (UTF-8 without BOM by default); <paramref name="replace"/> may swap a line (by its
    /// spreadsheet row, header = 1) for a deliberately bad one.
    /// </summary>
    public static void Write(Stream target, int count, int seed = 2026, Encoding? encoding = null, Func<int, string, string>? replace = null)
    {
        using var writer = new StreamWriter(target, encoding ?? new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(Header);
        foreach (var claim in DemoData.Roster(seed, count))
        {
            var line = Line(claim);
            writer.WriteLine(replace is null ? line : replace(claim.Row, line));
        }
    }

    public static byte[] Bytes(int count, int seed = 2026, Encoding? encoding = null, Func<int, string, string>? replace = null)
    {
        using var buffer = new MemoryStream();
        Write(buffer, count, seed, encoding, replace);
        return buffer.ToArray();
    }
}
