using CanvasSync.Features.SyncRuns;

namespace CanvasSync.Cli.Sync;

/// <summary>Why a sync did not complete, in one line for a terminal: the run record's words, what to do next, and its code (as the API
/// gives it).</summary>
internal static class SyncOutcome
{
    public static string Describe(SyncResult r)
    {
        var next = r.ErrorCode switch
        {
            "token_invalid" or "token_expired" or "token_revoked" => "make a new access token in Canvas (Account > Settings) and pass it with --token",
            "collections_failed" => "the rest is synced; canvas-sync sync --type reconcile re-reads everything",
            "canvas_error" => "nothing synced is lost; run the same command again later and it resumes",
            "different_canvas_user" => "use that Canvas user's token, or another --db for this user",
            "cancelled" => "run canvas-sync sync again to start a new one",
            "internal_error" => "run again with --verbose and report the output",
            _ => null,
        };
        return r.Status == SyncStatus.Running
            ? $"interrupted: run {r.RunId} keeps what it fetched; run the same command again to resume it (--force-restart starts over)"
            : $"{r.ErrorMessage ?? "ended " + r.Status}{(next is null ? "" : "; " + next)} [{r.ErrorCode}]";
    }
}
