using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class HardeningPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContactHash",
                table: "Objections",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "BankResultImports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    ImportedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ImportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Lines = table.Column<int>(type: "integer", nullable: false),
                    Applied = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BankResultImports", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "UX_Objections_OneOpenPerLineAndContact",
                table: "Objections",
                columns: new[] { "ApplicationId", "LineNo", "ContactHash" },
                unique: true,
                filter: "\"Status\" = 'Open' AND \"LineNo\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "UX_Objections_OneOpenPerNoticeAndContact",
                table: "Objections",
                columns: new[] { "ApplicationId", "ContactHash" },
                unique: true,
                filter: "\"Status\" = 'Open' AND \"LineNo\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_BankResultImports_BatchId_Sha256",
                table: "BankResultImports",
                columns: new[] { "BatchId", "Sha256" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BankResultImports");

            migrationBuilder.DropIndex(
                name: "UX_Objections_OneOpenPerLineAndContact",
                table: "Objections");

            migrationBuilder.DropIndex(
                name: "UX_Objections_OneOpenPerNoticeAndContact",
                table: "Objections");

            migrationBuilder.DropColumn(
                name: "ContactHash",
                table: "Objections");
        }
    }
}
