using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyManagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Command",
                table: "WebhookKeys",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DataFormatter",
                table: "WebhookKeys",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EventPlaybook",
                table: "WebhookKeys",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PreviousSecretHash",
                table: "WebhookKeys",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PreviousValidUntil",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RateLimitPerSecond",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RegeneratedAt",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RunEventAutomationRules",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "RunMitreTtpSearch",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "VisibleToAll",
                table: "WebhookKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    LastAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActorUserId = table.Column<int>(type: "INTEGER", nullable: true),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    KeyId = table.Column<int>(type: "INTEGER", nullable: true),
                    Target = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SourceAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DetailJson = table.Column<string>(type: "TEXT", nullable: true),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    AggregateKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookKeys_PreviousSecretHash",
                table: "WebhookKeys",
                column: "PreviousSecretHash");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_AggregateKey",
                table: "AuditEntries",
                column: "AggregateKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_At",
                table: "AuditEntries",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_KeyId_At",
                table: "AuditEntries",
                columns: new[] { "KeyId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropIndex(
                name: "IX_WebhookKeys_PreviousSecretHash",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "Command",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "DataFormatter",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "EventPlaybook",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretHash",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "PreviousValidUntil",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "RateLimitPerSecond",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "RegeneratedAt",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "RunEventAutomationRules",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "RunMitreTtpSearch",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "VisibleToAll",
                table: "WebhookKeys");
        }
    }
}
