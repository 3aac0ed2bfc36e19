namespace CanvasSync.Security;

/// <summary>
/// Files only the service's own user may read: the SQLite database (every mirrored grade is in it) and the master key.
/// SQLite gives its -wal and -shm files the database file's mode, so creating the database private keeps them so too.
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>Creates an empty file readable and writable by its owner only, unless it exists.</summary>
    public static void CreateIfMissing(string path)
    {
        if (File.Exists(path)) return;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it a moment ago: theirs stands.
        }
    }

    /// <summary>True when users other than the owner may read or write the file (never on Windows, which has ACLs instead).</summary>
    public static bool OthersMayRead(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & Others) != 0;
}
