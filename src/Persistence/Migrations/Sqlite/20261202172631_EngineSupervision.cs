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
                name: "IX_Tasks_Completed_Region",
                table: "Tasks",
                columns: new[] { "RegionCode", "CompletedAt" },
                filter: "\"Status\" = 'Completed'");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Open_Region",
                table: "Tasks",
                column: "RegionCode",
                filter: "\"Status\" = 'Open'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Completed_Region",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Open_Region",
                table: "Tasks");
        }
    }
}
