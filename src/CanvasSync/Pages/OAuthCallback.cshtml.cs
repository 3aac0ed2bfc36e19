using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.OAuth;
using CanvasSync.Features.SyncRuns;
using CanvasSync.Features.SyncRuns.Jobs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>
/// Where Canvas sends the browser back. Open without a session: coming from Canvas's site, the browser does not send
/// the SameSite=Strict session cookie. The state and the browser's own binding cookie prove who it is. After "Sign in
/// with Canvas" the browser gets its session here (a key of its own, never shown), and a new connection its first sync.
/// </summary>
[AllowAnonymous]
internal sealed class OAuthCallbackModel(OAuthFlow flow, CanvasSyncDbContext db, SyncScheduler scheduler, TimeProvider time) : PageModel
{
    public CanvasConnection? Connection { get; private set; }

    /// <summary>This return signed the browser in (Sign in with Canvas), rather than connecting a signed-in user's Canvas.</summary>
    public bool SignedIn { get; private set; }

    /// <summary>The first sync this sign-in started, if it started one.</summary>
    public long? FirstSyncId { get; private set; }

    public string? ProblemTitle { get; private set; }
    public string? ProblemDetail { get; private set; }

    public async Task OnGetAsync(string? state, string? code, string? error,
        [FromQuery(Name = "error_description")] string? errorDescription)
    {
        var browser = BrowserBinding.Take(HttpContext);
        long? sessionUser = User.Identity?.IsAuthenticated == true ? User.UserId() : null;
        try
        {
            var outcome = await flow.CompleteAsync(state, code, error, errorDescription, sessionUser, browser, HttpContext.RequestAborted);
            Connection = outcome.Connection;
            if (outcome.SignIn) await SignInAsync(outcome.Connection);
        }
        catch (ConnectRejectedException e)
        {
            Response.StatusCode = e.Status == StatusCodes.Status502BadGateway ? StatusCodes.Status502BadGateway
                : StatusCodes.Status400BadRequest;
            ProblemTitle = SetupModel.Headline(e);
            var detail = SetupModel.Detail(e);
            ProblemDetail = char.ToUpperInvariant(detail[0]) + detail[1..] + ".";
        }
    }

    /// <summary>
    /// A session as the sign-in page opens one, on a key made for this browser (sessions end when their key is
    /// revoked); and the first sync of a connection that never had one, so Home shows it running.
    /// </summary>
    private async Task SignInAsync(CanvasConnection connection)
    {
        var ct = HttpContext.RequestAborted;
        var key = await UserDirectory.IssueSessionKeyAsync(db, connection.UserId, time.GetUtcNow().UtcDateTime, ct);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            CallerClaims.Principal(key, CookieAuthenticationDefaults.AuthenticationScheme, sessionKey: true));
        SignedIn = true;
        if (connection.LastFullSyncAt is null && SyncControl.CanSync(connection))
            FirstSyncId = (await scheduler.EnqueueAsync(connection.Id, new SyncRequest(SyncType.Full, new SyncScope()), ct)).RunId;
    }
}
