using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Hardening : Migration
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

            migrationBuilder.CreateTable(
                name: "HolidayNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false),
                    DocumentNumber = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    HolidaysJson = table.Column<string>(type: "text", nullable: false),
                    MakeUpWorkdaysJson = table.Column<string>(type: "text", nullable: false),
                    EnteredBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EnteredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HolidayNotices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SignInLockouts",
                columns: table => new
                {
                    UserName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    Lockouts = table.Column<int>(type: "integer", nullable: false),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastFailureAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignInLockouts", x => x.UserName);
                });

            migrationBuilder.CreateTable(
                name: "SubmissionReports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    FileName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ErrorCount = table.Column<int>(type: "integer", nullable: false),
                    RowCount = table.Column<int>(type: "integer", nullable: false),
                    ContentGzip = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubmissionReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UserSessions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UserSessions", x => x.Id);
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

            migrationBuilder.CreateIndex(
                name: "IX_HolidayNotices_Year_Revision",
                table: "HolidayNotices",
                columns: new[] { "Year", "Revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SubmissionReports_ExpiresAt",
                table: "SubmissionReports",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_UserSessions_UserId",
                table: "UserSessions",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BankResultImports");

            migrationBuilder.DropTable(
                name: "HolidayNotices");

            migrationBuilder.DropTable(
                name: "SignInLockouts");

            migrationBuilder.DropTable(
                name: "SubmissionReports");

            migrationBuilder.DropTable(
                name: "UserSessions");

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
