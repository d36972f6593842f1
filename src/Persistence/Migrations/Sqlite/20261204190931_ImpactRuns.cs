using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 6,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "IdBirthDate",
                table: "ClaimLines",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IdIsMale",
                table: "ClaimLines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImpactRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    VersionKey = table.Column<string>(type: "TEXT", maxLength: 96, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BaselineZh = table.Column<string>(type: "TEXT", nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    LineCount = table.Column<int>(type: "INTEGER", nullable: false),
                    TotalBefore = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    TotalAfter = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    FiguresJson = table.Column<string>(type: "TEXT", nullable: false),
                    RunBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RunAt = table.Column<long>(type: "INTEGER", nullable: false)
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
