namespace CanvasSync.Features.SyncRuns;

/// <summary>The token belongs to another Canvas user than the data this connection holds: the run writes nothing.</summary>
internal sealed class DifferentCanvasUserException(long synced, long token) : Exception(
    $"this token is Canvas user {token}'s, but this connection holds Canvas user {synced}'s data; sync it into another database " +
    "(--db), or purge this connection's data first")
{
    public const string Code = "different_canvas_user";
}
