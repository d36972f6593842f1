using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Corrections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PaymentCorrections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 96, nullable: false),
                    OriginalInstructionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LatestInstructionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ClaimLineId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BeneficiaryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ApplicationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    BankReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    ProposedBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ProposedAccountCipher = table.Column<string>(type: "TEXT", nullable: true),
                    ProposedAccountMasked = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ProposedHolderName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ProposedAccountType = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    ProposalNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ProposedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PaymentCorrections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PaymentCorrections_PaymentInstructions_OriginalInstructionId",
                        column: x => x.OriginalInstructionId,
                        principalTable: "PaymentInstructions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "PaymentNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    InstructionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BeneficiaryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    PolicyCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", precision: 18, scale: 2, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AccountMasked = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    OutboxMessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PaymentNotices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PaymentNotices_PaymentInstructions_InstructionId",
                        column: x => x.InstructionId,
                        principalTable: "PaymentInstructions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PaymentCorrections_ApplicationId_Status",
                table: "PaymentCorrections",
                columns: new[] { "ApplicationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_PaymentCorrections_LatestInstructionId",
                table: "PaymentCorrections",
                column: "LatestInstructionId");

            migrationBuilder.CreateIndex(
                name: "IX_PaymentCorrections_OriginalInstructionId",
                table: "PaymentCorrections",
                column: "OriginalInstructionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PaymentCorrections_Status_RegionCode",
                table: "PaymentCorrections",
                columns: new[] { "Status", "RegionCode" });

            migrationBuilder.CreateIndex(
                name: "IX_PaymentNotices_BeneficiaryId",
                table: "PaymentNotices",
                column: "BeneficiaryId");

            migrationBuilder.CreateIndex(
                name: "IX_PaymentNotices_InstructionId",
                table: "PaymentNotices",
                column: "InstructionId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PaymentCorrections");

            migrationBuilder.DropTable(
                name: "PaymentNotices");
        }
    }
}
