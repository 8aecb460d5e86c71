using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class JwtKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Kid",
                table: "WebhookKeys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxTokenAgeSeconds",
                table: "WebhookKeys",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "PayloadFieldsJson",
                table: "WebhookKeys",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecretProtected",
                table: "WebhookKeys",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RejectReplayedTokens",
                table: "WebhookKeys",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "UsedTokens",
                columns: table => new
                {
                    KeyId = table.Column<int>(type: "integer", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "bytea", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsedTokens", x => new { x.KeyId, x.TokenHash });
                });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookKeys_Kid",
                table: "WebhookKeys",
                column: "Kid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsedTokens_ExpiresAt",
                table: "UsedTokens",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsedTokens");

            migrationBuilder.DropIndex(
                name: "IX_WebhookKeys_Kid",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "Kid",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "MaxTokenAgeSeconds",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "PayloadFieldsJson",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "PreviousSecretProtected",
                table: "WebhookKeys");

            migrationBuilder.DropColumn(
                name: "RejectReplayedTokens",
                table: "WebhookKeys");
        }
    }
}
