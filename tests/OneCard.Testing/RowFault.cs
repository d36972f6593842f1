using Npgsql;

namespace OneCard.Testing;

/// <summary>
/// A fault of some rows alone: while it is held, PostgreSQL refuses (RAISE EXCEPTION) every insert or update of a table whose
/// new row matches a condition, as a corrupt row or a bug of that one item would make its own work throw. The sweeps' tests
/// use it to prove that one failing item does not hold back the others. Disposing it drops the trigger.
/// </summary>
public sealed class RowFault : IAsyncDisposable
{
    private readonly string connectionString, table, name;

    private RowFault(string connectionString, string table, string name) => (this.connectionString, this.table, this.name) = (connectionString, table, name);

    /// <param name="condition">SQL over <c>NEW</c>, e.g. <c>NEW."ApplicationId" = '…'</c>.</param>
    public static async Task<RowFault> RefuseAsync(string connectionString, string table, string condition)
    {
        var fault = new RowFault(connectionString, table, $"row_fault_{Guid.NewGuid():N}");
        await fault.ExecuteAsync($"""
            CREATE FUNCTION {fault.name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {condition} THEN RAISE EXCEPTION 'row fault injected by the test on %', TG_TABLE_NAME; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {fault.name} BEFORE INSERT OR UPDATE ON "{table}" FOR EACH ROW EXECUTE FUNCTION {fault.name}();
            """);
        return fault;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"""DROP TRIGGER {name} ON "{table}"; DROP FUNCTION {name}();""");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
