using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <summary>The blind indexes as their 32 bytes (<see cref="BlindIndexColumn"/>) instead of 64 hex characters.</summary>
    public partial class BlindIndexBytes : Migration
    {
        private static readonly (string Table, string Column)[] Columns =
        [
            ("ReferenceRecords", "IdNumberHash"), ("ReferenceRecords", "AccountHash"),
            ("BeneficiaryAccounts", "AccountHash"), ("Beneficiaries", "IdNumberHash"),
        ];

        private const string DropTrigger = "DROP TRIGGER IF EXISTS ReferenceRecords_no_update;";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The hex is decoded in place first, so every person, record and account keeps its key (SQLite runs the table
            // rebuilds below after every other statement of the migration, and copies the values unchanged). The records'
            // no-update trigger is dropped for it; the rebuild would drop it anyway, and BlindIndexBytesTrigger, the next
            // migration, creates it again on the rebuilt table.
            migrationBuilder.Sql(DropTrigger);
            foreach (var (table, column) in Columns)
                migrationBuilder.Sql($"""UPDATE "{table}" SET "{column}" = unhex("{column}") WHERE typeof("{column}") = 'text';""");

            migrationBuilder.AlterColumn<byte[]>(
                name: "IdNumberHash",
                table: "ReferenceRecords",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64);

            migrationBuilder.AlterColumn<byte[]>(
                name: "AccountHash",
                table: "ReferenceRecords",
                type: "BLOB",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "AccountHash",
                table: "BeneficiaryAccounts",
                type: "BLOB",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 64,
                oldNullable: true);

            migrationBuilder.AlterColumn<byte[]>(
                name: "IdNumberHash",
                table: "Beneficiaries",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "TEXT");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to the hex text, in place. The columns keep their declared BLOB type: a rebuild to TEXT would drop the
            // records' trigger again, after anything this method could do to restore it. SQLite stores a text value in a BLOB
            // column as text and the earlier model reads it as text, so the data and its behaviour are as before this migration.
            migrationBuilder.Sql(DropTrigger);
            foreach (var (table, column) in Columns)
                migrationBuilder.Sql($"""UPDATE "{table}" SET "{column}" = lower(hex("{column}")) WHERE typeof("{column}") = 'blob';""");
            migrationBuilder.Sql(BlindIndexBytesTrigger.CreateTrigger);
        }
    }
}
