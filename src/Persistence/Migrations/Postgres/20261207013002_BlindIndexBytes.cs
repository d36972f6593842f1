using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <summary>
    /// The blind indexes as their 32 bytes (<see cref="BlindIndexColumn"/>) instead of 64 hex characters. The stored hex is
    /// decoded in place (<c>USING decode(…, 'hex')</c>), so every person, record and account keeps its key; the indexes on
    /// the columns are rebuilt by the type change.
    /// </summary>
    public partial class BlindIndexBytes : Migration
    {
        // Per table, its columns: one ALTER TABLE per table rewrites it once (ReferenceRecords has two), under the exclusive
        // lock any type change takes, so a large registry wants a maintenance window.
        private static readonly (string Table, (string Column, string OldType)[] Columns)[] Tables =
        [
            ("ReferenceRecords", [("IdNumberHash", "character varying(64)"), ("AccountHash", "character varying(64)")]),
            ("BeneficiaryAccounts", [("AccountHash", "character varying(64)")]),
            ("Beneficiaries", [("IdNumberHash", "text")]),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in Tables)
                migrationBuilder.Sql(AlterTable(table, columns.Select(c => (c.Column, "bytea", $"decode(\"{c.Column}\", 'hex')"))));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in Tables)
                migrationBuilder.Sql(AlterTable(table, columns.Select(c => (c.Column, c.OldType, $"encode(\"{c.Column}\", 'hex')"))));
        }

        private static string AlterTable(string table, IEnumerable<(string Column, string Type, string Using)> columns) =>
            $"ALTER TABLE \"{table}\" {string.Join(", ", columns.Select(c => $"ALTER COLUMN \"{c.Column}\" TYPE {c.Type} USING {c.Using}"))};";
    }
}
