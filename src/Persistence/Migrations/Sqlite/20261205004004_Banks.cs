using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Banks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AccountHash",
                table: "BeneficiaryAccounts",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AgentBankAliases",
                columns: table => new
                {
                    Alias = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentBankAliases", x => x.Alias);
                    table.ForeignKey(
                        name: "FK_AgentBankAliases_AgentBanks_AgentBankCode",
                        column: x => x.AgentBankCode,
                        principalTable: "AgentBanks",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AgentBankSelections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SelectedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DocumentNo = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentBankSelections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentBankSelections_AgentBanks_AgentBankCode",
                        column: x => x.AgentBankCode,
                        principalTable: "AgentBanks",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BankContacts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgentBankCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RegionCode = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Duty = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Phone = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BankContacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BankContacts_AgentBanks_AgentBankCode",
                        column: x => x.AgentBankCode,
                        principalTable: "AgentBanks",
                        principalColumn: "Code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentBankAliases_AgentBankCode",
                table: "AgentBankAliases",
                column: "AgentBankCode");

            migrationBuilder.CreateIndex(
                name: "IX_AgentBankSelections_AgentBankCode",
                table: "AgentBankSelections",
                column: "AgentBankCode");

            migrationBuilder.CreateIndex(
                name: "IX_AgentBankSelections_RegionCode_AgentBankCode",
                table: "AgentBankSelections",
                columns: new[] { "RegionCode", "AgentBankCode" });

            migrationBuilder.CreateIndex(
                name: "IX_BankContacts_AgentBankCode_RegionCode",
                table: "BankContacts",
                columns: new[] { "AgentBankCode", "RegionCode" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentBankAliases");

            migrationBuilder.DropTable(
                name: "AgentBankSelections");

            migrationBuilder.DropTable(
                name: "BankContacts");

            migrationBuilder.DropColumn(
                name: "AccountHash",
                table: "BeneficiaryAccounts");
        }
    }
}
