using Npgsql;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Crash;

/// <summary>The crash test's SQL invariants hold on a case in payment and name what a broken row breaks: they can fail.</summary>
public sealed class CrashLedgerTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync();
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Invariants_Hold_OnACaseInPayment_AndNameTheBrokenOnes_WhenRowsDisagree()
    {
        var id = await new CaseDriver(app).DriveToAsync("Payment");
        var ledger = new CrashLedger(app.ConnectionString);
        Assert.Empty(await ledger.ViolationsAsync());

        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            // A cent more on one instruction than the batch instructed; one approved line left without its instruction's state.
            await using var command = new NpgsqlCommand("""
                UPDATE "PaymentInstructions" SET "Amount" = "Amount" + 0.01 WHERE "Seq" = 1 AND "BatchId" IN (SELECT "Id" FROM "PaymentBatches" WHERE "ApplicationId" = @id);
                UPDATE "ClaimLines" SET "Outcome" = 'Eligible' WHERE "Id" IN (SELECT p."ClaimLineId" FROM "PaymentInstructions" p JOIN "PaymentBatches" b ON b."Id" = p."BatchId" WHERE b."ApplicationId" = @id AND p."Seq" = 2);
                """, connection);
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
        }

        var violations = await ledger.ViolationsAsync();
        Assert.Contains(violations, v => v.StartsWith("every batch's totals balance: 1 violation", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("every approved line is terminal or has a pending instruction: 1 violation", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("every instruction's result is its line's outcome: 1 violation", StringComparison.Ordinal));
        Assert.Equal(3, violations.Count);
    }
}
