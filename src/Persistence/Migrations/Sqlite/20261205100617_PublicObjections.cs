using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PublicObjections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContactCipher",
                table: "Objections",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReceiptNo",
                table: "Objections",
                type: "TEXT",
                maxLength: 24,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "UX_Objections_ReceiptNo",
                table: "Objections",
                column: "ReceiptNo",
                unique: true,
                filter: "\"ReceiptNo\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "UX_Objections_ReceiptNo",
                table: "Objections");

            migrationBuilder.DropColumn(
                name: "ContactCipher",
                table: "Objections");

            migrationBuilder.DropColumn(
                name: "ReceiptNo",
                table: "Objections");
        }
    }
}
