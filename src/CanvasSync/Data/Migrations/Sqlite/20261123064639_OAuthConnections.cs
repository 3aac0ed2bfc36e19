using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OAuthConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "encrypted_refresh_token",
                table: "canvas_connections",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "instance_id",
                table: "canvas_connections",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "refresh_lease_owner",
                table: "canvas_connections",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "refresh_lease_until",
                table: "canvas_connections",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "canvas_instances",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    client_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    encrypted_client_secret = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_uri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_canvas_instances", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "oauth_states",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    state_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    user_id = table.Column<long>(type: "INTEGER", nullable: false),
                    instance_id = table.Column<long>(type: "INTEGER", nullable: false),
                    encrypted_verifier = table.Column<string>(type: "TEXT", nullable: false),
                    redirect_uri = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    browser_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    used_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oauth_states", x => x.id);
                    table.ForeignKey(
                        name: "FK_oauth_states_canvas_instances_instance_id",
                        column: x => x.instance_id,
                        principalTable: "canvas_instances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_oauth_states_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_canvas_connections_instance_id",
                table: "canvas_connections",
                column: "instance_id");

            migrationBuilder.CreateIndex(
                name: "IX_canvas_instances_base_url",
                table: "canvas_instances",
                column: "base_url",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_expires_at",
                table: "oauth_states",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_instance_id",
                table: "oauth_states",
                column: "instance_id");

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_state_hash",
                table: "oauth_states",
                column: "state_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_oauth_states_user_id",
                table: "oauth_states",
                column: "user_id");

            migrationBuilder.AddForeignKey(
                name: "FK_canvas_connections_canvas_instances_instance_id",
                table: "canvas_connections",
                column: "instance_id",
                principalTable: "canvas_instances",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_canvas_connections_canvas_instances_instance_id",
                table: "canvas_connections");

            migrationBuilder.DropTable(
                name: "oauth_states");

            migrationBuilder.DropTable(
                name: "canvas_instances");

            migrationBuilder.DropIndex(
                name: "IX_canvas_connections_instance_id",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "encrypted_refresh_token",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "instance_id",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "refresh_lease_owner",
                table: "canvas_connections");

            migrationBuilder.DropColumn(
                name: "refresh_lease_until",
                table: "canvas_connections");
        }
    }
}
