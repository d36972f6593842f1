using OneCard.Rules.Evaluation;

namespace OneCard.Rules.Tests.Evaluation;

public class WatchdogTests
{
    [Fact]
    public void Run_FaultsTheStuckLine_AndFinishesTheOthers()
    {
        using var release = new ManualResetEventSlim(false);
        try
        {
            var results = Watchdog.Run(
                4,
                i =>
                {
                    if (i == 1)
                    {
                        release.Wait(TimeSpan.FromSeconds(30));
                    }

                    return i * 10;
                },
                _ => -1,
                TimeSpan.FromMilliseconds(50));

            Assert.Equal([0, -1, 20, 30], results);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void Run_KeepsResultsInOrder_WhenNothingIsSlow()
    {
        var results = Watchdog.Run(1_000, i => i, _ => -1, TimeSpan.FromSeconds(5));

        Assert.Equal(Enumerable.Range(0, 1_000), results);
    }

    [Fact]
    public void Run_OverChunkedLanes_EvaluatesEveryLineOnce_InOrder_AndContinuesTheStuckLinesChunkOnAFreshWorker()
    {
        // 3 lanes over 40,000 lines take chunks of 416; line 20,100 sits inside a chunk and outlasts the budget.
        var calls = new int[40_000];
        var results = Watchdog.Run(
            calls.Length,
            i =>
            {
                Interlocked.Increment(ref calls[i]);
                if (i == 20_100) Thread.Sleep(6_000); // far beyond the 1.5 s budget, so a starved watchdog still sees it stuck
                return i;
            },
            i => -i - 1,
            TimeSpan.FromSeconds(1.5),
            lanes: 3);

        for (var i = 0; i < calls.Length; i++)
        {
            Assert.Equal(i == 20_100 ? -20_101 : i, results[i]);
            Assert.Equal(1, calls[i]);
        }
    }
}
