using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CanvasSync.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AssignmentDescriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "description_html",
                table: "assignments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "description_text",
                table: "assignments",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "description_html",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "description_text",
                table: "assignments");
        }
    }
}
