using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// The records' no-update trigger again, on the <c>ReferenceRecords</c> table <see cref="BlindIndexBytes"/> rebuilt: SQLite
    /// drops a table's triggers with it, and runs a migration's rebuilds after the rest of that migration, so the trigger
    /// can only be made again by the next one. PostgreSQL changes the column types in place and keeps its trigger.
    /// </summary>
    public partial class BlindIndexBytesTrigger : Migration
    {
        /// <summary>The trigger as migration <c>Registry</c> made it.</summary>
        internal const string CreateTrigger =
            "CREATE TRIGGER IF NOT EXISTS ReferenceRecords_no_update BEFORE UPDATE ON ReferenceRecords BEGIN SELECT RAISE(ABORT, 'ReferenceRecords are never edited; import a new snapshot'); END;";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(CreateTrigger);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            // BlindIndexBytes' Down drops it for its update and makes it again.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS ReferenceRecords_no_update;");
    }
}
