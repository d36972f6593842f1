using System.Globalization;
using System.Text;
using OneCard.Domain.Identity;
using OneCard.Host.Demo;

namespace OneCard.Bench;

/// <summary>
/// Large roster CSV files for the benchmarks, written line by line to disk (never a list of lines in memory, so generating a
/// million-line file does not inflate the host's working set). IDs are distinct (a set of 64-bit keys), accounts Luhn-valid.
/// </summary>
internal static class RosterCsv
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "欧阳"];
    private static readonly string[] GivenNames = ["秀英", "桂兰", "建国", "淑珍", "玉兰", "国强", "凤芝", "振华", "长江", "春生", "淑华", "德福", "永清", "海燕", "立新"];

    /// <summary>耕地地力保护补贴 (the demo policy, <see cref="DemoRosterFile.Header"/>): about 2% of plots converted and ineligible.</summary>
    public static void WriteArable(string path, int count, int seed = 2026) =>
        Write(path, count, seed, DemoRosterFile.Header, DemoData.County, DemoData.Township, "中国邮政储蓄银行法库县支行", random =>
        {
            var area = Math.Round((decimal)(random.NextDouble() * 30 + 1.5), 2).ToString(CultureInfo.InvariantCulture);
            return $"{area},{(random.Next(50) == 0 ? "是" : "否")}";
        });

    /// <summary>The dibao header (minimum-living-allowance, whose v2 configures the cross-checks).</summary>
    public const string DibaoHeader = "姓名,身份证号,地区代码,银行账号,开户银行,是否农村低保,共同生活家庭成员人数,家庭月人均收入（元）,家庭财产是否符合当地规定,是否连续3次无正当理由拒绝介绍的工作";

    /// <summary>城乡居民最低生活保障 for a 庄河市 township (2025 standards on file): most lines eligible, some over the standard.</summary>
    public static void WriteDibao(string path, int count, string county, string township, int seed = 2026) =>
        Write(path, count, seed, DibaoHeader, county, township, "中国邮政储蓄银行庄河市支行", random =>
            $"是,{random.Next(1, 6)},{random.Next(0, 900)},{(random.Next(100) == 0 ? "否" : "是")},否");

    private static void Write(string path, int count, int seed, string header, string county, string township, string bank, Func<Random, string> facts)
    {
        var random = new Random(seed);
        var seen = new HashSet<long>(count);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 16) { NewLine = "\r\n" };
        writer.WriteLine(header);
        var written = 0;
        while (written < count)
        {
            var id = DemoData.MakeId(random, county);
            if (!seen.Add(long.Parse(id.AsSpan(0, 17), CultureInfo.InvariantCulture))) continue; // the check character follows from the rest
            var name = Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];
            writer.WriteLine($"{name},{id},{township},{DemoData.MakeAccount(random)},{bank},{facts(random)}");
            written++;
        }
    }

    /// <summary>The ID numbers of a file written here, in order, read back line by line.</summary>
    public static IEnumerable<string> Ids(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var start = line.IndexOf(',') + 1;
            yield return line[start..line.IndexOf(',', start)];
        }
    }

    /// <summary>The host's peak working set so far (VmHWM), and a reset of it so a later phase is measured alone (Linux).</summary>
    public static long PeakWorkingSet()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    public static bool ResetPeakWorkingSet()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            // "5" resets the peak resident set size (VmHWM) to the current one (proc(5), /proc/pid/clear_refs).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string Mib(long bytes) => $"{bytes / 1024d / 1024d:N0} MiB";
}
