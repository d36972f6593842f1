using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ApprovedAt",
                table: "RuleSets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ApprovedBy",
                table: "RuleSets",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AuthorId",
                table: "RuleSets",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CaseId",
                table: "RuleSets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "EffectiveFrom",
                table: "RuleSets",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateOnly(2000, 1, 1));

            migrationBuilder.AddColumn<long>(
                name: "RejectedAt",
                table: "RuleSets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectedBy",
                table: "RuleSets",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "RuleSets",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Effective");

            migrationBuilder.AddColumn<long>(
                name: "SubmittedAt",
                table: "RuleSets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubmittedBy",
                table: "RuleSets",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            // Policy rows made before lists existed are the province's.
            migrationBuilder.AddColumn<string>(
                name: "Level",
                table: "Policies",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Province");

            migrationBuilder.AddColumn<string>(
                name: "RegionCode",
                table: "Policies",
                type: "TEXT",
                maxLength: 12,
                nullable: false,
                defaultValue: "210000");

            migrationBuilder.CreateTable(
                name: "PolicyLists",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PublishedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyLists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PolicyListItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ListId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Seq = table.Column<int>(type: "INTEGER", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NameZh = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DepartmentCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Basis = table.Column<string>(type: "TEXT", nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TargetText = table.Column<string>(type: "TEXT", nullable: false),
                    StandardText = table.Column<string>(type: "TEXT", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: true),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    CentralShare = table.Column<long>(type: "INTEGER", precision: 5, scale: 2, nullable: true),
                    ProvincialShare = table.Column<long>(type: "INTEGER", precision: 5, scale: 2, nullable: true),
                    CityShare = table.Column<long>(type: "INTEGER", precision: 5, scale: 2, nullable: true),
                    CountyShare = table.Column<long>(type: "INTEGER", precision: 5, scale: 2, nullable: true),
                    SharesNote = table.Column<string>(type: "TEXT", nullable: true),
                    Frequency = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    PaymentMonths = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EffectiveFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    EffectiveTo = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "TEXT", nullable: false)
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
