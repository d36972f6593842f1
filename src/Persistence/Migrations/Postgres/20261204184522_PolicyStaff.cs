using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PolicyStaff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DepartmentCode",
                table: "Users",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ApprovedAt",
                table: "RuleSets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApprovedBy",
                table: "RuleSets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AuthorId",
                table: "RuleSets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CaseId",
                table: "RuleSets",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "EffectiveFrom",
                table: "RuleSets",
                type: "date",
                nullable: false,
                defaultValue: new DateOnly(2000, 1, 1));

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RejectedAt",
                table: "RuleSets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectedBy",
                table: "RuleSets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "RuleSets",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Effective");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SubmittedAt",
                table: "RuleSets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubmittedBy",
                table: "RuleSets",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            // Policy rows made before lists existed are the province's.
            migrationBuilder.AddColumn<string>(
                name: "Level",
                table: "Policies",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Province");

            migrationBuilder.AddColumn<string>(
                name: "RegionCode",
                table: "Policies",
                type: "character varying(12)",
                maxLength: 12,
                nullable: false,
                defaultValue: "210000");

            migrationBuilder.CreateTable(
                name: "PolicyLists",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RegionCode = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    Level = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PublishedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyLists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PolicyListItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ListId = table.Column<Guid>(type: "uuid", nullable: false),
                    Seq = table.Column<int>(type: "integer", nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    NameZh = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Level = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    DepartmentCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Basis = table.Column<string>(type: "text", nullable: false),
                    Target = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    TargetText = table.Column<string>(type: "text", nullable: false),
                    StandardText = table.Column<string>(type: "text", nullable: false),
                    Amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    Unit = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CentralShare = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: true),
                    ProvincialShare = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: true),
                    CityShare = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: true),
                    CountyShare = table.Column<decimal>(type: "numeric(5,2)", precision: 5, scale: 2, nullable: true),
                    SharesNote = table.Column<string>(type: "text", nullable: true),
                    Frequency = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    PaymentMonths = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EffectiveFrom = table.Column<DateOnly>(type: "date", nullable: false),
                    EffectiveTo = table.Column<DateOnly>(type: "date", nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyListItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PolicyListItems_PolicyLists_ListId",
                        column: x => x.ListId,
                        principalTable: "PolicyLists",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RuleSets_CaseId",
                table: "RuleSets",
                column: "CaseId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RuleSets_PolicyCode_Version",
                table: "RuleSets",
                columns: new[] { "PolicyCode", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PolicyListItems_ListId_Code",
                table: "PolicyListItems",
                columns: new[] { "ListId", "Code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PolicyLists_RegionCode_Year_Version",
                table: "PolicyLists",
                columns: new[] { "RegionCode", "Year", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PolicyListItems");

            migrationBuilder.DropTable(
                name: "PolicyLists");

            migrationBuilder.DropIndex(
                name: "IX_RuleSets_CaseId",
                table: "RuleSets");

            migrationBuilder.DropIndex(
                name: "IX_RuleSets_PolicyCode_Version",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "DepartmentCode",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ApprovedAt",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "ApprovedBy",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "AuthorId",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "CaseId",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "EffectiveFrom",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "RejectedAt",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "RejectedBy",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "SubmittedAt",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "SubmittedBy",
                table: "RuleSets");

            migrationBuilder.DropColumn(
                name: "Level",
                table: "Policies");

            migrationBuilder.DropColumn(
                name: "RegionCode",
                table: "Policies");
        }
    }
}
