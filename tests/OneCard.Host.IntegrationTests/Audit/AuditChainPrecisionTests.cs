using OneCard.Persistence;
using OneCard.Persistence.Audit;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Audit;

/// <summary>The chain holds on a real clock, whose instants carry 100 ns ticks that PostgreSQL does not keep.</summary>
public sealed class AuditChainPrecisionTests
{
    [Fact]
    public async Task Chain_Verifies_WhenTheClockReadsFinerThanAMicrosecond()
    {
        // As the system clock does: a tick count that is not a whole microsecond.
        await using var app = await OneCardApp.StartAsync(start: OneCardApp.DefaultStart.AddTicks(1234567));
        await new CaseDriver(app).SubmitAsync();
        var broken = await app.AsSystemAsync(sp => sp.GetRequiredService<AuditWriter>().VerifyAsync(sp.GetRequiredService<OneCardDbContext>()));
        Assert.Null(broken);
    }
}
