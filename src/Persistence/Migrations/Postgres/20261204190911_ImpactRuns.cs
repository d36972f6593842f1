using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ImpactRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdAreaCode",
                table: "ClaimLines",
                type: "character varying(6)",
                maxLength: 6,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "IdBirthDate",
                table: "ClaimLines",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IdIsMale",
                table: "ClaimLines",
                type: "boolean",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImpactRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    VersionKey = table.Column<string>(type: "character varying(96)", maxLength: 96, nullable: false),
                    PolicyCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BaselineZh = table.Column<string>(type: "text", nullable: false),
                    Period = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    LineCount = table.Column<int>(type: "integer", nullable: false),
                    TotalBefore = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    TotalAfter = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    FiguresJson = table.Column<string>(type: "text", nullable: false),
                    RunBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RunAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImpactRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImpactRuns_VersionKey_RunAt",
                table: "ImpactRuns",
                columns: new[] { "VersionKey", "RunAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImpactRuns");

            migrationBuilder.DropColumn(
                name: "IdAreaCode",
                table: "ClaimLines");

            migrationBuilder.DropColumn(
                name: "IdBirthDate",
                table: "ClaimLines");

            migrationBuilder.DropColumn(
                name: "IdIsMale",
                table: "ClaimLines");
        }
    }
}
