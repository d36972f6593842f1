using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Registry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CrossCheckHits",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClaimLineId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LineNo = table.Column<int>(type: "INTEGER", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", nullable: false),
                    Period = table.Column<string>(type: "TEXT", nullable: false),
                    Check = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    SnapshotId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SnapshotRowNo = table.Column<int>(type: "INTEGER", nullable: true),
                    OtherClaimLineId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReasonZh = table.Column<string>(type: "TEXT", nullable: false),
                    ReasonEn = table.Column<string>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FoundAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    DecidedBy = table.Column<string>(type: "TEXT", nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CrossCheckHits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CrossCheckHits_ClaimLines_ClaimLineId",
                        column: x => x.ClaimLineId,
                        principalTable: "ClaimLines",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "CrossCheckRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedBy = table.Column<string>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LinesChecked = table.Column<int>(type: "INTEGER", nullable: false),
                    Hits = table.Column<int>(type: "INTEGER", nullable: false),
                    NewHits = table.Column<int>(type: "INTEGER", nullable: false),
                    ChecksJson = table.Column<string>(type: "TEXT", nullable: false),
                    SnapshotsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CrossCheckRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReferenceSnapshots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AsOf = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    FileSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Encoding = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RowCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportedBy = table.Column<string>(type: "TEXT", nullable: false),
                    ImportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReplacedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReplacedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceSnapshots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReferenceRecords",
                columns: table => new
                {
                    SnapshotId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RowNo = table.Column<int>(type: "INTEGER", nullable: false),
                    IdNumberHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: true),
                    Alive = table.Column<bool>(type: "INTEGER", nullable: true),
                    EventDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    EndDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    AccountHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceRecords", x => new { x.SnapshotId, x.RowNo });
                    table.ForeignKey(
                        name: "FK_ReferenceRecords_ReferenceSnapshots_SnapshotId",
                        column: x => x.SnapshotId,
                        principalTable: "ReferenceSnapshots",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CrossCheckHits_ApplicationId_Decision",
                table: "CrossCheckHits",
                columns: new[] { "ApplicationId", "Decision" });

            migrationBuilder.CreateIndex(
                name: "IX_CrossCheckHits_ClaimLineId_Check",
                table: "CrossCheckHits",
                columns: new[] { "ClaimLineId", "Check" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CrossCheckRuns_ApplicationId_StartedAt",
                table: "CrossCheckRuns",
                columns: new[] { "ApplicationId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceRecords_AccountHash",
                table: "ReferenceRecords",
                column: "AccountHash",
                filter: "\"AccountHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceRecords_IdNumberHash",
                table: "ReferenceRecords",
                column: "IdNumberHash");

            migrationBuilder.CreateIndex(
                name: "UX_ReferenceSnapshots_OneCurrent",
                table: "ReferenceSnapshots",
                columns: new[] { "Kind", "RegionCode", "PolicyCode" },
                unique: true,
                filter: "\"ReplacedBy\" IS NULL");

            // A snapshot's rows are never edited: a correction is the next snapshot (issue 9).
            migrationBuilder.Sql("CREATE TRIGGER ReferenceRecords_no_update BEFORE UPDATE ON ReferenceRecords BEGIN SELECT RAISE(ABORT, 'ReferenceRecords are never edited; import a new snapshot'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CrossCheckHits");

            migrationBuilder.DropTable(
                name: "CrossCheckRuns");

            migrationBuilder.DropTable(
                name: "ReferenceRecords");

            migrationBuilder.DropTable(
                name: "ReferenceSnapshots");
        }
    }
}
