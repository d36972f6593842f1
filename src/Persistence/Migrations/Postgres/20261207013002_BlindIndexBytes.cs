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
        private static readonly (string Table, string Column, string OldType)[] Columns =
        [
            ("ReferenceRecords", "IdNumberHash", "character varying(64)"),
            ("ReferenceRecords", "AccountHash", "character varying(64)"),
            ("BeneficiaryAccounts", "AccountHash", "character varying(64)"),
            ("Beneficiaries", "IdNumberHash", "text"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, column, _) in Columns)
                migrationBuilder.Sql($"""ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE bytea USING decode("{column}", 'hex');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, column, oldType) in Columns)
                migrationBuilder.Sql($"""ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {oldType} USING encode("{column}", 'hex');""");
        }
    }
}
