using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EngineSupervision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_CompletedAt",
                table: "Tasks",
                columns: new[] { "Status", "CompletedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_RegionCode",
                table: "Tasks",
                columns: new[] { "Status", "RegionCode" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_CompletedAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_RegionCode",
                table: "Tasks");
        }
    }
}
