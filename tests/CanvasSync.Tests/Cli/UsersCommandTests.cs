using System.Text.Json;
using CanvasSync.Tests.Infrastructure;

namespace CanvasSync.Tests.Cli;

/// <summary>`canvas-sync users ...` as an operator runs it: a key is printed once and only its hash is stored.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"cs-users-{Guid.NewGuid():N}.db");

    private string Db => "sqlite:" + _file;

    [Fact]
    public async Task Add_list_new_key_revoke_and_remove()
    {
        var added = await CliProcess.RunAsync(["users", "add", "alice", "--admin", "--json", "--db", Db]);
        Assert.Equal(0, added.ExitCode);
        var json = JsonDocument.Parse(added.Stdout).RootElement;
        var key = json.GetProperty("api_key").GetString()!;
        Assert.StartsWith("csk_", key, StringComparison.Ordinal);
        Assert.True(json.GetProperty("user_id").GetInt64() > 0);

        var second = await CliProcess.RunAsync(["users", "new-key", "alice", "--db", Db]);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("shown once", second.Stdout, StringComparison.Ordinal);

        var list = await CliProcess.RunAsync(["users", "list", "--json", "--db", Db]);
        var alice = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "alice");
        Assert.Equal("admin", alice.GetProperty("role").GetString());
        Assert.Equal(2, alice.GetProperty("active_keys").GetInt32());
        Assert.DoesNotContain(key, list.Stdout, StringComparison.Ordinal);

        var revoked = await CliProcess.RunAsync(["users", "revoke-key", "alice", "--prefix", key[..12], "--db", Db]);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("Revoked 1 key", revoked.Stdout, StringComparison.Ordinal);

        var removed = await CliProcess.RunAsync(["users", "remove", "alice", "--db", Db]);
        Assert.Equal(0, removed.ExitCode);
        var after = await CliProcess.RunAsync(["users", "list", "--json", "--db", Db]);
        Assert.DoesNotContain("alice", after.Stdout, StringComparison.Ordinal);

        // The database holds no key, only hashes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(_file)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add", "bob", "add", "bob", "a user named bob already exists")]
    [InlineData("add", "bob", "revoke-key", "carol", "no user carol")]
    [InlineData("add", "bob", "add", "42", "a user name cannot be a number")]
    public async Task Mistakes_are_one_plain_line_and_a_non_zero_exit(string firstVerb, string firstName, string verb, string name,
        string message)
    {
        Assert.Equal(0, (await CliProcess.RunAsync(["users", firstVerb, firstName, "--db", Db])).ExitCode);
        var r = await CliProcess.RunAsync(["users", verb, name, "--db", Db]);
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"canvas-sync: {message}", line.Split(" (", 2)[0]);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" }) File.Delete(f);
    }
}
