using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PaymentsInDepth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AccountType",
                table: "PaymentInstructions",
                type: "TEXT",
                maxLength: 24,
                nullable: false,
                defaultValue: "BankCard");

            migrationBuilder.AddColumn<string>(
                name: "AgentBankCode",
                table: "PaymentInstructions",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Attempt",
                table: "PaymentInstructions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<Guid>(
                name: "OriginalInstructionId",
                table: "PaymentInstructions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AgreementId",
                table: "PaymentBatches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "PaymentBatches",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "First");

            migrationBuilder.AddColumn<string>(
                name: "Period",
                table: "PaymentBatches",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PolicyCode",
                table: "PaymentBatches",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReconciledAt",
                table: "PaymentBatches",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ReleasedAt",
                table: "PaymentBatches",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "BankAgreements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgreementNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    SignedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ValidFrom = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ValidTo = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    PolicyCodes = table.Column<string>(type: "TEXT", nullable: false),
                    FeeTerms = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ServiceTerms = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    FileFormat = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EncryptionKeyCipher = table.Column<string>(type: "TEXT", nullable: false),
                    SigningKeyCipher = table.Column<string>(type: "TEXT", nullable: false),
                    KeyVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    ConfirmWithinWorkingDays = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BankAgreements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BankAgreements_AgentBanks_AgentBankCode",
                        column: x => x.AgentBankCode,
                        principalTable: "AgentBanks",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BeneficiaryAccounts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    BeneficiaryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AccountCipher = table.Column<string>(type: "TEXT", nullable: false),
                    AccountMasked = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HolderName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    ValidFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidTo = table.Column<long>(type: "INTEGER", nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SourceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BeneficiaryAccounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BeneficiaryAccounts_Beneficiaries_BeneficiaryId",
                        column: x => x.BeneficiaryId,
                        principalTable: "Beneficiaries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "PaymentBatchCounters",
                columns: table => new
                {
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Last = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PaymentBatchCounters", x => new { x.Year, x.RegionCode, x.AgentBankCode });
                });

            migrationBuilder.CreateIndex(
                name: "UX_PaymentInstructions_OneRepaymentInFlight",
                table: "PaymentInstructions",
                column: "OriginalInstructionId",
                unique: true,
                filter: "\"OriginalInstructionId\" IS NOT NULL AND \"Status\" <> 'Failed'");

            migrationBuilder.CreateIndex(
                name: "IX_PaymentBatches_AgreementId",
                table: "PaymentBatches",
                column: "AgreementId");

            migrationBuilder.CreateIndex(
                name: "IX_BankAgreements_AgentBankCode",
                table: "BankAgreements",
                column: "AgentBankCode");

            migrationBuilder.CreateIndex(
                name: "IX_BankAgreements_AgreementNo",
                table: "BankAgreements",
                column: "AgreementNo",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BankAgreements_RegionCode_AgentBankCode",
                table: "BankAgreements",
                columns: new[] { "RegionCode", "AgentBankCode" });

            migrationBuilder.CreateIndex(
                name: "IX_BeneficiaryAccounts_BeneficiaryId_ValidFrom",
                table: "BeneficiaryAccounts",
                columns: new[] { "BeneficiaryId", "ValidFrom" });

            migrationBuilder.CreateIndex(
                name: "UX_BeneficiaryAccounts_OneCurrent",
                table: "BeneficiaryAccounts",
                column: "BeneficiaryId",
                unique: true,
                filter: "\"ValidTo\" IS NULL");

            migrationBuilder.AddForeignKey(
                name: "FK_PaymentBatches_BankAgreements_AgreementId",
                table: "PaymentBatches",
                column: "AgreementId",
                principalTable: "BankAgreements",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_PaymentBatches_BankAgreements_AgreementId",
                table: "PaymentBatches");

            migrationBuilder.DropTable(
                name: "BankAgreements");

            migrationBuilder.DropTable(
                name: "BeneficiaryAccounts");

            migrationBuilder.DropTable(
                name: "PaymentBatchCounters");

            migrationBuilder.DropIndex(
                name: "UX_PaymentInstructions_OneRepaymentInFlight",
                table: "PaymentInstructions");

            migrationBuilder.DropIndex(
                name: "IX_PaymentBatches_AgreementId",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "AccountType",
                table: "PaymentInstructions");

            migrationBuilder.DropColumn(
                name: "AgentBankCode",
                table: "PaymentInstructions");

            migrationBuilder.DropColumn(
                name: "Attempt",
                table: "PaymentInstructions");

            migrationBuilder.DropColumn(
                name: "OriginalInstructionId",
                table: "PaymentInstructions");

            migrationBuilder.DropColumn(
                name: "AgreementId",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "Period",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "PolicyCode",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "ReconciledAt",
                table: "PaymentBatches");

            migrationBuilder.DropColumn(
                name: "ReleasedAt",
                table: "PaymentBatches");
        }
    }
}
