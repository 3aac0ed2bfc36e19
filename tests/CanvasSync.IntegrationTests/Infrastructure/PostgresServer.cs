using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CanvasSync.IntegrationTests.Infrastructure;

/// <summary>
/// A real PostgreSQL for the tests: initdb into a temporary folder and pg_ctl start on a free loopback port, stopped
/// and removed afterwards. The server binaries come from /usr/lib/postgresql/15/bin (or PG_BIN); scripts/test.sh
/// installs them with apt-get where they are missing. As root, the server runs as the postgres user, since
/// PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _dataDir = "";
    private int _databases;

    public string BinDir { get; } = Environment.GetEnvironmentVariable("PG_BIN") ?? "/usr/lib/postgresql/15/bin";
    public int Port { get; private set; }

    /// <summary>Connection string to the maintenance database.</summary>
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDir, "initdb")))
            throw new InvalidOperationException($"PostgreSQL server binaries not found in {BinDir}: run scripts/test.sh, which installs postgresql-15, or set PG_BIN");

        _dataDir = Path.Combine(Path.GetTempPath(), $"canvassync-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dataDir);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", _dataDir], asPostgres: false);

        Port = FreePort();
        await RunAsync(Path.Combine(BinDir, "initdb"),
            ["-D", Path.Combine(_dataDir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], asRoot);
        // Durability is not under test: skip fsync so the suite is fast.
        var options = $"-p {Port} -k {_dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunAsync(Path.Combine(BinDir, "pg_ctl"),
            ["-D", Path.Combine(_dataDir, "data"), "-o", options, "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "60", "start"],
            asRoot);
    }

    /// <summary>The role CanvasSync connects as: an ordinary one, as in production, so row-level security applies to it.</summary>
    public const string AppRole = "canvassync";

    /// <summary>A fresh, empty database on this server, owned by <see cref="AppRole"/>, and a connection string for that role.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using (var role = new NpgsqlCommand($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppRole}') THEN CREATE ROLE {AppRole} LOGIN NOSUPERUSER NOBYPASSRLS; END IF;
            END $$
            """, connection))
            await role.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER {AppRole}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username={AppRole};Database={name}";
    }

    public async Task DisposeAsync()
    {
        if (_dataDir.Length == 0) return;
        try
        {
            await RunAsync(Path.Combine(BinDir, "pg_ctl"), ["-D", Path.Combine(_dataDir, "data"), "-m", "immediate", "-w", "stop"],
                Environment.UserName == "root");
        }
        finally
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file }) info.ArgumentList.Add(a);
        }
        else info.FileName = file;

        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}

// Test classes run in three collections, each with a PostgreSQL server of its own (a few seconds to start, a few MB):
// the first two run side by side, since most of a test's time is waiting on a sandbox's simulated latency; the third
// runs alone afterwards, for the tests whose races (leases, kills, refresh races) or measurements (peak memory, a
// browser's network-idle wait) a busy neighbour on two cores would disturb. Tests never share a database either way.
// Only the first may start the service in this process (ServiceHarness): Hangfire keeps some state in statics (its
// global configuration and filters), so two services side by side could run each other's jobs. The second holds the
// tests that drive the engine directly (SyncHarness) or the service as a child process.

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

[CollectionDefinition(Name)]
public sealed class SecondPostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres-2";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlonePostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres-alone";
}
