using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CanvasSync.Data;

/// <summary>The SQLite flavour of the model; its migrations live in Data/Migrations/Sqlite.</summary>
internal sealed class SqliteCanvasSyncDbContext(DbContextOptions<SqliteCanvasSyncDbContext> options) : CanvasSyncDbContext(options);

/// <summary>The PostgreSQL flavour of the model; its migrations live in Data/Migrations/Postgres.</summary>
internal sealed class PostgresCanvasSyncDbContext(DbContextOptions<PostgresCanvasSyncDbContext> options) : CanvasSyncDbContext(options);

/// <summary>For dotnet ef at design time: no database is opened.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCanvasSyncDbContext>
{
    public SqliteCanvasSyncDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCanvasSyncDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCanvasSyncDbContext>
{
    public PostgresCanvasSyncDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCanvasSyncDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
