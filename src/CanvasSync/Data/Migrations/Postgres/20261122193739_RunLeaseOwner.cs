using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunLeaseOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "lease_owner",
                table: "sync_runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "lease_owner",
                table: "sync_runs");
        }
    }
}
