using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.OAuth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>
/// Where Canvas sends the browser back. Open without a session: coming from Canvas's site, the browser does not send
/// the SameSite=Strict session cookie. The state and the browser's own binding cookie prove who it is.
/// </summary>
[AllowAnonymous]
public sealed class OAuthCallbackModel(OAuthFlow flow) : PageModel
{
    public CanvasConnection? Connection { get; private set; }
    public string? ProblemTitle { get; private set; }
    public string? ProblemDetail { get; private set; }

    public async Task OnGetAsync(string? state, string? code, string? error, [FromQuery(Name = "error_description")] string? errorDescription)
    {
        var browser = BrowserBinding.Take(HttpContext);
        long? sessionUser = User.Identity?.IsAuthenticated == true ? User.UserId() : null;
        try
        {
            Connection = await flow.CompleteAsync(state, code, error, errorDescription, sessionUser, browser, HttpContext.RequestAborted);
        }
        catch (ConnectRejectedException e)
        {
            Response.StatusCode = e.Status == StatusCodes.Status502BadGateway ? StatusCodes.Status502BadGateway : StatusCodes.Status400BadRequest;
            ProblemTitle = SetupModel.Headline(e);
            var detail = SetupModel.Detail(e);
            ProblemDetail = char.ToUpperInvariant(detail[0]) + detail[1..] + ".";
        }
    }
}
