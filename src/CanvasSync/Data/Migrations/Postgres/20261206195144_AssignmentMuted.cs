using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AssignmentMuted : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "muted",
                table: "assignments",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "muted",
                table: "assignments");
        }
    }
}
