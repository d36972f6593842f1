using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using OneCard.Domain.Cases;
using OneCard.Host.Cases;
using OneCard.Host.Payments;

namespace OneCard.Host.IntegrationTests.TwoHosts;

/// <summary>
/// Everything the two-host test reads from or puts into the shared database directly: the counts it
/// asserts and the Hangfire jobs it enqueues for both hosts' servers to race. Kept in one place so that
/// a change of schema (e.g. the subject-generic engine) is adapted here only.
/// </summary>
public sealed class TwoHostLedger(string connectionString)
{
    /// <summary>The step each case's workflow instance is in.</summary>
    public async Task<Dictionary<Guid, string>> StepsAsync(IEnumerable<Guid> applications)
    {
        var steps = new Dictionary<Guid, string>();
        await foreach (var row in QueryAsync("""SELECT "SubjectId", "Step" FROM "WorkflowInstances" WHERE "SubjectKind" = 'Application' AND "SubjectId" = ANY(@ids)""",
                           r => (r.GetGuid(0), r.GetString(1)), ("ids", applications.ToArray())))
            steps[row.Item1] = row.Item2;
        return steps;
    }

    /// <summary>The case's workflow events in order, as (seq, action).</summary>
    public async Task<List<(int Seq, string Action)>> EventsAsync(Guid application) => await ListAsync(
        """
        SELECT e."Seq", e."Action" FROM "WorkflowEvents" e JOIN "WorkflowInstances" i ON i."Id" = e."InstanceId"
        WHERE i."SubjectKind" = 'Application' AND i."SubjectId" = @id ORDER BY e."Seq", e."Id"
        """, r => (r.GetInt32(0), r.GetString(1)), ("id", application));

    /// <summary>How many audit entries of <paramref name="action"/> the case has.</summary>
    public Task<long> AuditCountAsync(Guid application, string action) => ScalarAsync(
        """SELECT count(*) FROM "AuditLog" WHERE "EntityId" = @id AND "Action" = @action""", ("id", application.ToString()), ("action", action));

    /// <summary>The case's open tasks and how many of them are marked overdue and reminded.</summary>
    public async Task<(long Open, long Overdue, long Reminded)> OpenTaskMarksAsync(Guid application) => (await ListAsync(
        """
        SELECT count(*), count("OverdueAt"), count("RemindedAt") FROM "Tasks" WHERE "SubjectKind" = 'Application' AND "SubjectId" = @id AND "Status" = 'Open'
        """, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), ("id", application))).Single();

    public Task<long> PaymentBatchCountAsync(Guid application) => ScalarAsync(
        """SELECT count(*) FROM "PaymentBatches" WHERE "ApplicationId" = @id""", ("id", application));

    /// <summary>Enqueues the publicity timer of a case, as a lost or duplicated timer job would run it.</summary>
    public string EnqueuePublicityTimer(Guid application) =>
        Jobs.Enqueue<StepTimerJob>(j => j.RunAsync(SubjectKinds.Application, application, "Publicity", CancellationToken.None));

    /// <summary>Enqueues one more deadline sweep besides the minutely recurring one.</summary>
    public string EnqueueSweep() => Jobs.Enqueue<DeadlineSweepJob>(j => j.RunAsync(CancellationToken.None));

    /// <summary>Enqueues one more payment correction sweep besides the minutely recurring one (it also publishes a case whose publication was lost).</summary>
    public string EnqueueCorrectionSweep() => Jobs.Enqueue<CorrectionSweep>(j => j.RunJobAsync(CancellationToken.None));

    /// <summary>The jobs among <paramref name="jobIds"/> that have not succeeded yet, with their state.</summary>
    public Task<List<(long Id, string? State)>> UnfinishedJobsAsync(IEnumerable<string> jobIds) => ListAsync(
        """SELECT id, statename FROM hangfire.job WHERE id = ANY(@ids) AND statename IS DISTINCT FROM 'Succeeded'""",
        r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)), ("ids", jobIds.Select(long.Parse).ToArray()));

    /// <summary>The process ids of the Hangfire servers that processed any of <paramref name="jobIds"/> (server id "machine:pid:guid").</summary>
    public async Task<HashSet<int>> ProcessingPidsAsync(IEnumerable<string> jobIds) => [.. (await ListAsync(
        """SELECT DISTINCT s.data::jsonb ->> 'ServerId' FROM hangfire.state s WHERE s.jobid = ANY(@ids) AND s.name = 'Processing'""",
        r => r.IsDBNull(0) ? "" : r.GetString(0), ("ids", jobIds.Select(long.Parse).ToArray())))
        .Select(id => id.Split(':')).Where(p => p.Length >= 3).Select(p => int.Parse(p[^2], CultureInfo.InvariantCulture))];

    /// <summary>Every job in one line each (id, state, job, arguments, reason of its state), for a failure report.</summary>
    public async Task<string> JobReportAsync() => string.Join('\n', await ListAsync(
        """
        SELECT j.id || ' ' || coalesce(j.statename, '-') || ' ' || coalesce(split_part(j.invocationdata::jsonb ->> 'Type', ',', 1), '')
               || ' ' || coalesce(j.invocationdata::jsonb ->> 'Arguments', '') || ' ' || coalesce(s.reason, '')
        FROM hangfire.job j LEFT JOIN hangfire.state s ON s.id = j.stateid ORDER BY j.id
        """, r => r.GetString(0)));

    private BackgroundJobClient Jobs => jobs ??= CreateJobClient();
    private BackgroundJobClient? jobs;

    private BackgroundJobClient CreateJobClient()
    {
        // The hosts' serializer settings (HostSetup), so that their servers read what the test enqueues.
        GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
        return new BackgroundJobClient(new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options));
    }

    private async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters) =>
        (await ListAsync(sql, r => r.GetInt64(0), parameters)).Single();

    private async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        var rows = new List<T>();
        await foreach (var row in QueryAsync(sql, read, parameters)) rows.Add(row);
        return rows;
    }

    private async IAsyncEnumerable<T> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) yield return read(reader);
    }
}
