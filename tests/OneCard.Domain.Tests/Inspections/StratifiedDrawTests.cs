using OneCard.Domain.Errors;
using OneCard.Domain.Inspections;

namespace OneCard.Domain.Tests.Inspections;

public sealed class StratifiedDrawTests
{
    private static List<Member> Population(Random random, int strata, int maxPerStratum)
    {
        var members = new List<Member>();
        for (var s = 0; s < strata; s++)
        {
            var code = $"210114{100 + s:000}";
            var n = random.Next(0, maxPerStratum + 1);
            for (var i = 0; i < n; i++)
            {
                var bytes = new byte[16];
                random.NextBytes(bytes);
                members.Add(new Member(new Guid(bytes), code));
            }
        }
        return members;
    }

    [Fact]
    public void SplitMix64_MatchesTheReferenceSequence()
    {
        // The published reference implementation (Vigna, splitmix64.c) from state 0 gives these first outputs.
        var rng = new StratifiedDraw.SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, rng.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, rng.Next());
        Assert.Equal(0x06C45D188009454FUL, rng.Next());
    }

    [Theory]
    [InlineData(0, 0.1, 3, 0)]
    [InlineData(1, 0.1, 3, 1)]
    [InlineData(10, 0.1, 3, 3)]
    [InlineData(31, 0.1, 3, 4)]
    [InlineData(100, 0.05, 2, 5)]
    [InlineData(7, 1.0, 0, 7)]
    public void SampleSize_IsMaxOfMinimumAndCeilingOfShare_CappedByN(int n, double share, int minimum, int expected) =>
        Assert.Equal(expected, StratifiedDraw.SampleSize(n, (decimal)share, minimum));

    /// <summary>A property over 400 generated populations, seeds, shares and minimums (a fixed generator, so a failure reproduces).</summary>
    [Fact]
    public void Draw_IsDeterministicPerSeed_AndFollowsTheFormulaPerStratum()
    {
        var gen = new Random(20261205);
        for (var run = 0; run < 400; run++)
        {
            var population = Population(gen, gen.Next(1, 5), 60);
            var seed = gen.NextInt64(long.MinValue, long.MaxValue);
            var share = gen.Next(1, 101) / 100m;
            var minimum = gen.Next(0, 6);

            var first = StratifiedDraw.Draw(population, seed, share, minimum);
            // The same inputs in another order give the same sample.
            var shuffled = population.OrderBy(_ => gen.Next()).ToList();
            var again = StratifiedDraw.Draw(shuffled, seed, share, minimum);
            Assert.Equal(first.Select(s => (s.Stratum, string.Join(",", s.Drawn))), again.Select(s => (s.Stratum, string.Join(",", s.Drawn))));

            foreach (var stratum in first)
            {
                var members = population.Where(m => m.Stratum == stratum.Stratum).Select(m => m.Key).ToHashSet();
                Assert.Equal(members.Count, stratum.Population);
                Assert.Equal(Math.Min(members.Count, Math.Max(minimum, (int)Math.Ceiling(share * members.Count))), stratum.Drawn.Count);
                Assert.Equal(stratum.Drawn.Count, stratum.Drawn.Distinct().Count());
                Assert.All(stratum.Drawn, k => Assert.Contains(k, members));
            }
            Assert.Equal(population.Select(m => m.Stratum).Distinct().Order(StringComparer.Ordinal), first.Select(s => s.Stratum));
        }
    }

    [Fact]
    public void Draw_DiffersWithAnotherSeed()
    {
        var population = Population(new Random(7), 2, 0).Concat(Enumerable.Range(0, 200).Select(i => new Member(Guid.NewGuid(), i % 2 == 0 ? "210114101" : "210114102"))).ToList();
        var a = StratifiedDraw.Draw(population, 42, 0.1m, 3).SelectMany(s => s.Drawn).ToHashSet();
        var b = StratifiedDraw.Draw(population, 43, 0.1m, 3).SelectMany(s => s.Drawn).ToHashSet();
        Assert.Equal(20, a.Count);
        Assert.False(a.SetEquals(b));
    }

    [Fact]
    public void Draw_IsUniformEnough_EachMemberDrawnAboutKOverNOfTheTime()
    {
        var keys = Enumerable.Range(0, 10).Select(i => new Member(new Guid(i, 0, 0, new byte[8]), "210114101")).ToList();
        var counts = keys.ToDictionary(k => k.Key, _ => 0);
        for (long seed = 0; seed < 5000; seed++)
            foreach (var k in StratifiedDraw.Draw(keys, seed, 0.3m, 0)[0].Drawn) counts[k]++;
        // Each of 10 is drawn 3 times in 10: 1,500 of 5,000 expected; a biased shuffle would stray far beyond ±150.
        Assert.All(counts.Values, c => Assert.InRange(c, 1350, 1650));
    }

    [Fact]
    public void PopulationHash_ChangesWhenAMemberChanges_NotWithOrder()
    {
        var population = Enumerable.Range(0, 5).Select(_ => new Member(Guid.NewGuid(), "210114101")).ToList();
        var hash = StratifiedDraw.PopulationHash(population);
        Assert.Equal(hash, StratifiedDraw.PopulationHash(Enumerable.Reverse(population)));
        Assert.NotEqual(hash, StratifiedDraw.PopulationHash(population.Skip(1)));
        Assert.NotEqual(hash, StratifiedDraw.PopulationHash(population.Select((m, i) => i == 0 ? m with { Stratum = "210114102" } : m)));
    }

    [Fact]
    public void Attachment_IsTypedByItsBytes_AndRefusedWithTheFileNamed()
    {
        Assert.Equal("application/pdf", AttachmentRules.ContentTypeOf("a.pdf", "%PDF-1.7\n"u8));
        Assert.Equal("image/png", AttachmentRules.ContentTypeOf("a.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]));
        Assert.Equal("image/jpeg", AttachmentRules.ContentTypeOf("a.jpg", [0xFF, 0xD8, 0xFF, 0xE0]));
        var type = Assert.Throws<OneCardException>(() => AttachmentRules.ContentTypeOf("照片.pdf", "MZ\x90\0"u8));
        Assert.Equal("AttachmentType", type.Code);
        Assert.Contains("照片.pdf", type.MessageZh);
        var large = Assert.Throws<OneCardException>(() => AttachmentRules.ContentTypeOf("大.pdf", new byte[AttachmentRules.MaxBytes + 1]));
        Assert.Equal("AttachmentTooLarge", large.Code);
        Assert.Contains("5 MB", large.MessageZh);
        Assert.Equal("AttachmentEmpty", Assert.Throws<OneCardException>(() => AttachmentRules.ContentTypeOf("空.png", [])).Code);
    }

    [Fact]
    public void Checklist_RoundTripsAndReportsWhatIsUnchecked()
    {
        var list = Checklist.For(CampaignKind.PostPayment);
        var json = Checklist.ToJson([list[0] with { Checked = true, Note = "已核" }, .. list.Skip(1)]);
        Assert.Contains("已核", json);
        Assert.Equal(list.Count - 1, Checklist.Unchecked(json).Count);
    }
}
