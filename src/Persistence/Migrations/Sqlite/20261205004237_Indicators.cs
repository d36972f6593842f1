using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Indicators : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BudgetIndicators",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DocumentNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    IssuingLevel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CentralShare = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    ProvincialShare = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    CityShare = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    CountyShare = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    IsDirect = table.Column<bool>(type: "INTEGER", nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BudgetIndicators", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IndicatorEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    IndicatorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceKey = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IndicatorEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IndicatorEntries_BudgetIndicators_IndicatorId",
                        column: x => x.IndicatorId,
                        principalTable: "BudgetIndicators",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_IndicatorEntries_PaymentBatches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "PaymentBatches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BudgetIndicators_DocumentNo_PolicyCode_RegionCode_Year",
                table: "BudgetIndicators",
                columns: new[] { "DocumentNo", "PolicyCode", "RegionCode", "Year" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BudgetIndicators_RegionCode_PolicyCode_Year",
                table: "BudgetIndicators",
                columns: new[] { "RegionCode", "PolicyCode", "Year" });

            migrationBuilder.CreateIndex(
                name: "IX_IndicatorEntries_BatchId",
                table: "IndicatorEntries",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_IndicatorEntries_IndicatorId_BatchId",
                table: "IndicatorEntries",
                columns: new[] { "IndicatorId", "BatchId" });

            migrationBuilder.CreateIndex(
                name: "IX_IndicatorEntries_SourceKey",
                table: "IndicatorEntries",
                column: "SourceKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IndicatorEntries");

            migrationBuilder.DropTable(
                name: "BudgetIndicators");
        }
    }
}
