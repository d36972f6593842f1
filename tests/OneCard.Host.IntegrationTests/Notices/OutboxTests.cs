using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Notices;
using OneCard.Host.Notices;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Notices;

/// <summary>The outbox's file adapter: every message written once, even when two hosts drain at the same time.</summary>
public sealed class OutboxTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("onecard-outbox-").FullName;
    private OneCardApp app = null!;

    public async Task InitializeAsync() =>
        app = await OneCardApp.StartAsync(settings: new Dictionary<string, string?> { ["Outbox:Directory"] = directory, ["Outbox:BatchSize"] = "7" });

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task FileAdapter_WritesEachMessageOnce_AndMarksItSent_WhenTwoHostsDrainAtOnce()
    {
        var ids = await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var messages = Enumerable.Range(1, 60).Select(i => new OutboxMessage
            {
                Id = Guid.CreateVersion7(), Channel = OutboxChannels.InApp, Recipient = "u-supervisor", Text = $"【超期上报】第{i}条",
                CreatedAt = app.Clock.GetUtcNow(),
            }).ToList();
            db.OutboxMessages.AddRange(messages);
            await db.SaveChangesAsync();
            return messages.Select(m => m.Id).ToHashSet();
        });

        // Two job instances stand for two hosts: each claims batches of 7 until nothing is left.
        var one = app.Services.GetRequiredService<OutboxFileJob>();
        var two = app.Services.GetRequiredService<OutboxFileJob>();
        var written = await Task.WhenAll(Task.Run(() => one.RunAsync(default)), Task.Run(() => two.RunAsync(default)));

        var lines = Directory.GetFiles(directory, "outbox-*.jsonl").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(60, written.Sum());
        Assert.Equal(60, lines.Count);
        Assert.Equal(ids, lines.Select(l => l.GetProperty("id").GetGuid()).ToHashSet());
        Assert.Contains(lines, l => l.GetProperty("text").GetString() == "【超期上报】第1条");
        var unsent = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().OutboxMessages.CountAsync(m => m.SentAt == null));
        Assert.Equal(0, unsent);
        Assert.Equal(0, await one.RunAsync(default)); // drained: a later run writes nothing
    }
}
