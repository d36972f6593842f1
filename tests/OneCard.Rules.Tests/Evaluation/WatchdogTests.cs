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
}
