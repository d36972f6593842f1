using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Inspections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InspectionCampaigns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    PaidFrom = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    PaidTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    CriteriaJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Share = table.Column<long>(type: "INTEGER", precision: 5, scale: 4, nullable: false),
                    MinimumPerStratum = table.Column<int>(type: "INTEGER", nullable: false),
                    Seed = table.Column<long>(type: "INTEGER", nullable: false),
                    SeedSource = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Algorithm = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    PopulationCount = table.Column<int>(type: "INTEGER", nullable: false),
                    PopulationSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SampleCount = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DrawnBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DrawnAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConcludedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionCampaigns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InspectionItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CampaignId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Seq = table.Column<int>(type: "INTEGER", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 96, nullable: false),
                    SampledKey = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClaimLineId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Stratum = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ChecklistJson = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    Finding = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FindingText = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Inspector = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FindingAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionItems_ClaimLines_ClaimLineId",
                        column: x => x.ClaimLineId,
                        principalTable: "ClaimLines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_InspectionItems_InspectionCampaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "InspectionCampaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "InspectionPopulationMembers",
                columns: table => new
                {
                    CampaignId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<Guid>(type: "TEXT", nullable: false),
                    Stratum = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionPopulationMembers", x => new { x.CampaignId, x.Key });
                    table.ForeignKey(
                        name: "FK_InspectionPopulationMembers_InspectionCampaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "InspectionCampaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "InspectionAttachments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Bytes = table.Column<byte[]>(type: "BLOB", nullable: false),
                    UploadedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UploadedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionAttachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InspectionAttachments_InspectionItems_ItemId",
                        column: x => x.ItemId,
                        principalTable: "InspectionItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InspectionAttachments_ItemId",
                table: "InspectionAttachments",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_InspectionCampaigns_Number",
                table: "InspectionCampaigns",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionCampaigns_RegionCode_CreatedAt",
                table: "InspectionCampaigns",
                columns: new[] { "RegionCode", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_InspectionItems_ApplicationId_Finding",
                table: "InspectionItems",
                columns: new[] { "ApplicationId", "Finding" });

            migrationBuilder.CreateIndex(
                name: "IX_InspectionItems_CampaignId_SampledKey",
                table: "InspectionItems",
                columns: new[] { "CampaignId", "SampledKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionItems_CampaignId_Seq",
                table: "InspectionItems",
                columns: new[] { "CampaignId", "Seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InspectionItems_ClaimLineId",
                table: "InspectionItems",
                column: "ClaimLineId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InspectionAttachments");

            migrationBuilder.DropTable(
                name: "InspectionPopulationMembers");

            migrationBuilder.DropTable(
                name: "InspectionItems");

            migrationBuilder.DropTable(
                name: "InspectionCampaigns");
        }
    }
}
