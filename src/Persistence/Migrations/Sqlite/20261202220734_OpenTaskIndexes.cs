using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OneCard.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OpenTaskIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_AssigneeId",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_DueAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_EscalateAt",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_Role_RegionCode",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Open_Assignee",
                table: "Tasks",
                column: "AssigneeId",
                filter: "\"Status\" = 'Open' AND \"AssigneeId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Open_NotEscalated_Escalate",
                table: "Tasks",
                column: "EscalateAt",
                filter: "\"Status\" = 'Open' AND \"EscalatedAt\" IS NULL AND \"EscalateAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Open_NotOverdue_Due",
                table: "Tasks",
                column: "DueAt",
                filter: "\"Status\" = 'Open' AND \"OverdueAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Open_Role_Region",
                table: "Tasks",
                columns: new[] { "Role", "RegionCode" },
                filter: "\"Status\" = 'Open'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Open_Assignee",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Open_NotEscalated_Escalate",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Open_NotOverdue_Due",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Open_Role_Region",
                table: "Tasks");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_AssigneeId",
                table: "Tasks",
                columns: new[] { "Status", "AssigneeId" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_DueAt",
                table: "Tasks",
                columns: new[] { "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_EscalateAt",
                table: "Tasks",
                columns: new[] { "Status", "EscalateAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_Role_RegionCode",
                table: "Tasks",
                columns: new[] { "Status", "Role", "RegionCode" });
        }
    }
}
