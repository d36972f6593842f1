using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RuleSetStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RuleSets_CaseId",
                table: "RuleSets");

            migrationBuilder.DropIndex(
                name: "IX_RuleSets_PolicyCode_Version",
                table: "RuleSets");

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
        }
    }
}
