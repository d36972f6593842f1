using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using OneCard.Host.Platform;

namespace OneCard.Host.IntegrationTests.TwoHosts;

/// <summary>The two-host test's shared clock is a test hook: no other environment may move a host's clock.</summary>
public sealed class OffsetFileClockTests
{
    private static IConfiguration With(string? path) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [OffsetFileClock.Setting] = path }).Build();

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public void OffsetFile_IsRefused_OutsideTheTestingEnvironment(string environment)
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            OffsetFileClock.FromConfiguration(With("/tmp/clock"), new HostingEnvironment { EnvironmentName = environment }));
        Assert.Contains("for tests only", refused.Message);
    }

    [Fact]
    public void WithoutOffsetFile_TheHostKeepsTheSystemClock() =>
        Assert.Same(TimeProvider.System, OffsetFileClock.FromConfiguration(With(null), new HostingEnvironment { EnvironmentName = "Production" }));

    [Fact]
    public void OffsetFile_ShiftsTheClock_ByWhatTheTestWrote()
    {
        var path = Path.Combine(Path.GetTempPath(), $"onecard-clock-{Guid.NewGuid():N}");
        try
        {
            OffsetFileClock.Write(path, TimeSpan.FromDays(-300));
            var clock = OffsetFileClock.FromConfiguration(With(path), new HostingEnvironment { EnvironmentName = "Testing" });
            Assert.InRange(TimeProvider.System.GetUtcNow() - clock.GetUtcNow(), TimeSpan.FromDays(299), TimeSpan.FromDays(301));
            OffsetFileClock.Write(path, TimeSpan.FromDays(10));
            Assert.InRange(clock.GetUtcNow() - TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(9), TimeSpan.FromDays(11));
        }
        finally { File.Delete(path); }
    }
}
