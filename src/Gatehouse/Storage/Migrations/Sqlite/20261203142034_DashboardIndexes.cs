using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DashboardIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Ingestions_SiteId",
                table: "Ingestions");

            migrationBuilder.CreateIndex(
                name: "IX_Ingestions_ProcessedAt",
                table: "Ingestions",
                column: "ProcessedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Ingestions_SiteId_ReceivedAt",
                table: "Ingestions",
                columns: new[] { "SiteId", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Ingestions_ProcessedAt",
                table: "Ingestions");

            migrationBuilder.DropIndex(
                name: "IX_Ingestions_SiteId_ReceivedAt",
                table: "Ingestions");

            migrationBuilder.CreateIndex(
                name: "IX_Ingestions_SiteId",
                table: "Ingestions",
                column: "SiteId");
        }
    }
}
