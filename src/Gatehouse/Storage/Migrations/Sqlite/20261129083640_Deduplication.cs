using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Deduplication : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_IntegrationId_SiteId_ExternalId",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_IntegrationId_SiteId_ExternalId",
                table: "Events",
                columns: new[] { "IntegrationId", "SiteId", "ExternalId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_IntegrationId_SiteId_ExternalId",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_IntegrationId_SiteId_ExternalId",
                table: "Events",
                columns: new[] { "IntegrationId", "SiteId", "ExternalId" });
        }
    }
}
