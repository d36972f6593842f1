using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    DocumentNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    IssuingLevel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CentralShare = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    ProvincialShare = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    CityShare = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    CountyShare = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    IsDirect = table.Column<bool>(type: "boolean", nullable: false),
                    PolicyCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RegionCode = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BudgetIndicators", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IndicatorEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    IndicatorId = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    RegionCode = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false)
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
