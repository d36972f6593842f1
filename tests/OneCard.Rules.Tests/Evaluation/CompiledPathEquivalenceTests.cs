using OneCard.Domain.Identity;
using OneCard.Rules.Evaluation;
using OneCard.Rules.Expressions;
using OneCard.Rules.RuleSets;

namespace OneCard.Rules.Tests.Evaluation;

/// <summary>The compiled fast path (shared outcomes, one delegate for all rules, span lookups, FastFn, lanes) against
/// RulesEngine's path and against Fn, on seeded random lines that exercise computed facts, floor tiers and multi-key lookups.</summary>
public class CompiledPathEquivalenceTests
{
    private static readonly RuleSet Longevity = RuleSetLoader.LoadFile(TestData.Fixture("tiers-and-computed.json"));

    private static string RandomId(Random random)
    {
        var first17 = $"{(random.Next(6) == 0 ? "990114" : "210114")}{random.Next(1890, 2030)}{random.Next(0, 14):00}{random.Next(0, 33):00}{random.Next(1000):000}";
        var id = first17 + IdNumber.CheckCharacter(first17);
        return random.Next(12) switch
        {
            0 => id[..17] + (id[17] == '1' ? '2' : '1'),
            1 => id[..17] + "x",
            2 => " " + id,
            3 => id[..10] + " " + id[10..],
            4 => id[..17],
            5 => id[..16] + "Ｘ" + id[17],
            6 => id.Replace('1', 'a'),
            _ => id,
        };
    }

    [Fact]
    public void FastFn_AgreesWithFn_OnValidAndMalformedIdNumbers()
    {
        var random = new Random(7);
        var asOf = new DateOnly(2026, 6, 30);
        for (var i = 0; i < 20_000; i++)
        {
            var id = RandomId(random);
            Assert.Equal(Fn.IsValidIdNumber(id, asOf), FastFn.IsValidIdNumber(id, asOf));
            if (Fn.IsValidIdNumber(id, asOf))
            {
                Assert.Equal(Fn.Age(id, asOf), FastFn.Age(id, asOf));
                Assert.Equal(Fn.BirthDate(id, asOf), FastFn.BirthDate(id, asOf));
            }
            else
            {
                Assert.Equal(Assert.Throws<ArgumentException>(() => Fn.Age(id, asOf)).Message, Assert.Throws<ArgumentException>(() => FastFn.Age(id, asOf)).Message);
            }
        }
    }

    [Fact]
    public void EvaluateMany_EqualsEvaluate_LineByLine_OnRandomLinesWithComputedFactsTiersAndTwoKeyLookups()
    {
        var random = new Random(20261204);
        var regions = new[] { "210114001", "210124100", "210102001", "2101", "110105001", "210114001002" };
        var lines = new List<IReadOnlyDictionary<string, object?>>();
        for (var i = 0; i < 6_000; i++)
        {
            var line = new Dictionary<string, object?>
            {
                ["IdNumber"] = RandomId(random),
                ["RegionCode"] = regions[random.Next(regions.Length)],
                ["AsOf"] = random.Next(4) == 0 ? new DateOnly(2025, 6, 30) : new DateOnly(2026, 6, 30),
                ["ResidentSince"] = new DateOnly(random.Next(1990, 2027), random.Next(1, 13), random.Next(1, 29)),
            };
            switch (random.Next(30))
            {
                case 0: line.Remove("ResidentSince"); break;
                case 1: line["Age"] = 90; break;
                case 2: line["AsOf"] = "2026-06-30"; break;
            }

            lines.Add(line);
        }

        // Lanes on: 6,000 lines over 2 workers exercise the parallel watchdog.
        var batch = new RuleEvaluator(new RuleEvaluatorOptions { MaxDegreeOfParallelism = 2 }).EvaluateMany(Longevity, lines);
        var single = new RuleEvaluator();
        Assert.Equal(lines.Count, batch.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var expected = single.Evaluate(Longevity, lines[i]);
            Assert.Equal(expected.Outcome, batch[i].Outcome);
            Assert.Equal(expected.Amount, batch[i].Amount);
            Assert.Equal(expected.Fault, batch[i].Fault);
            Assert.Equal(expected.FaultCode, batch[i].FaultCode);
            Assert.Equal(expected.Rules, batch[i].Rules);
            Assert.Equal(expected.RuleSetVersionKey, batch[i].RuleSetVersionKey);
        }

        Assert.Contains(batch, r => r.Outcome == EvaluationOutcome.Eligible);
        Assert.Contains(batch, r => r.Outcome == EvaluationOutcome.Ineligible);
        Assert.Contains(batch, r => r.FaultCode == FaultCodes.TableEntryMissing);
        Assert.Contains(batch, r => r.FaultCode == FaultCodes.FactMissing);
        Assert.Contains(batch, r => r.FaultCode == FaultCodes.FactNotSuppliable);
    }

    [Fact]
    public void EvaluateMany_OverLanes_KeepsInputOrder_AndTimesOutOnlyTheSlowLine()
    {
        var lines = Enumerable.Range(0, 10_000).Select(i => i).ToArray();
        var results = Watchdog.Run(
            lines.Length,
            // The slow line outlasts the budget many times over, and the budget is far above what a trivial line takes on a loaded machine.
            i => { if (i == 7_500) Thread.Sleep(6_000); return i; },
            i => -i - 1,
            TimeSpan.FromSeconds(1.5),
            lanes: 2);

        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(i == 7_500 ? -7_501 : i, results[i]);
        }
    }
}
