using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Persistence;
using OneCard.Testing;

namespace OneCard.Host.IntegrationTests.Cases;

/// <summary>The standard workflow as the host runs it: roles, comments, guards, deadlines, concurrency.</summary>
public sealed class WorkflowTests : IAsyncLifetime
{
    private OneCardApp app = null!;
    private CaseDriver driver = null!;

    public async Task InitializeAsync() { app = await OneCardApp.StartAsync(); driver = new CaseDriver(app); }
    public async Task DisposeAsync() => await app.DisposeAsync();

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    [Fact]
    public async Task Approve_ByAnotherRole_IsRefusedWithRoleNotPermitted()
    {
        var id = await driver.SubmitAsync();
        // The county reviewer's scope includes the township, but township review is the clerk's.
        var response = await (await driver.As("reviewer")).PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("RoleNotPermitted", await CodeOf(response));
        Assert.Equal("TownshipReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task Return_WithoutComment_IsRefused_AndWithCommentGoesBackToTheTownship()
    {
        var id = await driver.DriveToAsync("CountyReview");
        var reviewer = await driver.As("reviewer");
        var refused = await reviewer.PostAsJsonAsync($"/api/applications/{id}/actions/Return", new { comment = "" });
        Assert.Equal("CommentRequired", await CodeOf(refused));
        await driver.ActAsync(id, "reviewer", "Return", "面积与确权数据不符，请核实第3行");
        Assert.Equal("TownshipReview", await driver.StepAsync(id));
        var history = (await driver.GetAsync(id)).GetProperty("history").EnumerateArray().Last();
        Assert.Equal("面积与确权数据不符，请核实第3行", history.GetProperty("comment").GetString());
        Assert.Equal("u-reviewer", history.GetProperty("actorId").GetString());
    }

    [Fact]
    public async Task Approve_IsRefused_WhileFaultedLinesRemain()
    {
        // Every county of the demo users has a published rate, so the fault is set directly (rule faults themselves
        // are proved in OneCard.Rules.Tests); what is tested here is that approval waits for them.
        var id = await driver.SubmitAsync();
        await app.AsSystemAsync(async sp =>
        {
            var db = sp.GetRequiredService<OneCardDbContext>();
            var line = await db.ClaimLines.FirstAsync(l => l.ApplicationId == id);
            line.Outcome = Domain.Applications.LineOutcome.Faulted;
            return await db.SaveChangesAsync();
        });
        var response = await (await driver.As("clerk.review")).PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null });
        Assert.Equal("FaultedLinesPending", await CodeOf(response));
        var reject = await (await driver.As("clerk.review")).PostAsJsonAsync($"/api/applications/{id}/lines/reject", new { lineNos = new[] { 1 }, reason = "规则故障，待核实" });
        Assert.Equal(HttpStatusCode.NoContent, reject.StatusCode);
        await driver.ActAsync(id, "clerk.review", "Approve");
        Assert.Equal("CountyReview", await driver.StepAsync(id));
    }

    [Fact]
    public async Task Complete_OfSampleCheck_WaitsForEverySampledLine()
    {
        var id = await driver.DriveToAsync("SampleCheck");
        var refused = await (await driver.As("inspector")).PostAsJsonAsync($"/api/applications/{id}/actions/Complete", new { comment = (string?)null });
        Assert.Equal("GuardFailed", await CodeOf(refused));
        var draw = (await driver.GetAsync(id)).GetProperty("sampleDraw");
        Assert.Equal(1, draw.GetProperty("sampleCount").GetInt32()); // ceil(10% × 4 eligible) = 1
        Assert.Equal(4, draw.GetProperty("populationCount").GetInt32());
    }

    [Fact]
    public async Task SimultaneousApprovals_MoveTheCaseOnce()
    {
        var id = await driver.SubmitAsync();
        var first = await app.SignInAsync("clerk.review");
        var second = await app.SignInAsync("clerk.review");
        var responses = await Task.WhenAll(
            first.PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null }),
            second.PostAsJsonAsync($"/api/applications/{id}/actions/Approve", new { comment = (string?)null }));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        var history = (await driver.GetAsync(id)).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Equal(["Submit", "Approve"], history);
    }

    [Fact]
    public async Task Sweep_MarksTheTaskOverdue_OnlyAfterItsWorkingDayDeadline_AndOnce()
    {
        // Submitted Mon 2026-03-02; 5 working days: Tue 3 … Mon 9, due at 2026-03-10 00:00 +08:00.
        var id = await driver.SubmitAsync();
        var sweep = app.Services.GetRequiredService<DeadlineSweepJob>();
        var task = (await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks")).EnumerateArray().Single();
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.FromHours(8)), task.GetProperty("dueAt").GetDateTimeOffset());

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 9, 23, 59, 0, TimeSpan.FromHours(8)));
        await sweep.RunAsync(default);
        Assert.False((await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks"))[0].GetProperty("isOverdue").GetBoolean());

        app.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 0, 1, 0, TimeSpan.FromHours(8)));
        await sweep.RunAsync(default);
        await sweep.RunAsync(default);
        var overdue = (await (await driver.As("clerk.review")).GetFromJsonAsync<JsonElement>("/api/tasks"))[0];
        Assert.True(overdue.GetProperty("isOverdue").GetBoolean());
        Assert.Equal(JsonValueKind.String, overdue.GetProperty("overdueAt").ValueKind);
        var marks = await app.AsSystemAsync(sp => sp.GetRequiredService<OneCardDbContext>().AuditLog.CountAsync(e => e.Action == "TaskOverdue" && e.EntityId == id.ToString()));
        Assert.Equal(1, marks);
    }

    [Fact]
    public async Task PublicityTimer_DoesNothingEarly_AndEndsPublicityWhenDue()
    {
        var id = await driver.DriveToAsync("Publicity");
        var timer = app.Services.GetRequiredService<StepTimerJob>();
        app.Clock.Advance(TimeSpan.FromDays(6));
        await timer.RunAsync(SubjectKinds.Application, id, "Publicity", default);
        Assert.Equal("Publicity", await driver.StepAsync(id));
        app.Clock.Advance(TimeSpan.FromDays(2));
        await timer.RunAsync(SubjectKinds.Application, id, "Publicity", default);
        await timer.RunAsync(SubjectKinds.Application, id, "Publicity", default); // a retried job is a no-op
        Assert.Equal("FinanceRecheck", await driver.StepAsync(id));
        var history = (await driver.GetAsync(id)).GetProperty("history").EnumerateArray().Count(h => h.GetProperty("action").GetString() == "PublicityEnded");
        Assert.Equal(1, history);
    }
}

/// <summary>Scheduling through a real Hangfire server on PostgreSQL storage.</summary>
public sealed class HangfireSchedulingTests : IAsyncLifetime
{
    private OneCardApp app = null!;

    public async Task InitializeAsync() => app = await OneCardApp.StartAsync(runJobServer: true);
    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task ScheduledTimerJob_RunsOnTheServer_AndMovesTheCase()
    {
        var driver = new CaseDriver(app);
        var id = await driver.DriveToAsync("Publicity");
        app.Clock.Advance(TimeSpan.FromDays(8));
        app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<StepTimerJob>(j => j.RunAsync(SubjectKinds.Application, id, "Publicity", CancellationToken.None));
        var step = "Publicity";
        // Bounded wait for the server's poll (5 s) and worker; not a timing assertion.
        for (var i = 0; i < 180 && step == "Publicity"; i++)
        {
            await Task.Delay(500);
            step = await driver.StepAsync(id);
        }
        Assert.True(step == "FinanceRecheck", $"The case is still in {step}. Hangfire states:\n{await JobStatesAsync()}");
    }

    private async Task<string> JobStatesAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var reader = await new Npgsql.NpgsqlCommand(
            "SELECT j.id, s.name, s.reason, s.data FROM hangfire.job j LEFT JOIN hangfire.state s ON s.jobid = j.id ORDER BY s.id", connection).ExecuteReaderAsync();
        var dump = new System.Text.StringBuilder();
        while (await reader.ReadAsync()) dump.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{reader[0]} {reader[1]} {reader[2]} {reader[3]}");
        return dump.ToString();
    }
}
