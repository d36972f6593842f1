using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    Title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    RegionCode = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Period = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    PaidFrom = table.Column<DateOnly>(type: "date", nullable: true),
                    PaidTo = table.Column<DateOnly>(type: "date", nullable: true),
                    CriteriaJson = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Share = table.Column<decimal>(type: "numeric(5,4)", precision: 5, scale: 4, nullable: false),
                    MinimumPerStratum = table.Column<int>(type: "integer", nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    SeedSource = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    PopulationCount = table.Column<int>(type: "integer", nullable: false),
                    PopulationSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SampleCount = table.Column<int>(type: "integer", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DrawnBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    DrawnAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ConcludedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InspectionCampaigns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InspectionItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CampaignId = table.Column<Guid>(type: "uuid", nullable: false),
                    Seq = table.Column<int>(type: "integer", nullable: false),
                    Reference = table.Column<string>(type: "character varying(96)", maxLength: 96, nullable: false),
                    SampledKey = table.Column<Guid>(type: "uuid", nullable: false),
                    ClaimLineId = table.Column<Guid>(type: "uuid", nullable: true),
                    ApplicationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Stratum = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ChecklistJson = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    Finding = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FindingText = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Inspector = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    FindingAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                    CampaignId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<Guid>(type: "uuid", nullable: false),
                    Stratum = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    FileName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ContentType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Bytes = table.Column<byte[]>(type: "bytea", nullable: false),
                    UploadedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UploadedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
