using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.OAuth;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>
/// Connect Canvas (URL and token; "Test connection" asks Canvas and saves nothing), reconnect with a new token, and
/// disconnect keeping or purging the synced data. The token field is never filled back in.
/// </summary>
internal sealed class SetupModel(CanvasSyncDbContext db, CanvasConnector connector, CanvasInstances instances, OAuthFlow flow,
    TimeProvider time) : PageModel
{
    [BindProperty(Name = "canvas_url")]
    public string? CanvasUrl { get; set; }

    [BindProperty(Name = "api_token")]
    public string? ApiToken { get; set; }

    public CanvasConnection? Connection { get; private set; }
    public IReadOnlyList<ConnectionWarning> Warnings { get; private set; } = [];
    /// <summary>The Canvas instances with a developer key: each gets "Connect with Canvas".</summary>
    public IReadOnlyList<InstanceView> Instances { get; private set; } = [];

    /// <summary>The outcome of the last button: a problem names its field (canvas_url or api_token).</summary>
    public string? Success { get; private set; }
    public string? ProblemTitle { get; private set; }
    public string? ProblemDetail { get; private set; }
    public string? ProblemField { get; private set; }

    [TempData]
    public string? Notice { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostTestAsync()
    {
        try
        {
            var who = await connector.ValidateAsync(CanvasUrl, ApiToken, HttpContext.RequestAborted);
            Success = $"Canvas at {who.BaseUrl.GetLeftPart(UriPartial.Authority)} accepts this token for {who.CanvasUserName}. Nothing was saved yet: press Connect.";
        }
        catch (ConnectRejectedException e)
        {
            Refused(e);
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostConnectAsync()
    {
        try
        {
            var c = await connector.ConnectAsync(User.UserId(), CanvasUrl, ApiToken, HttpContext.RequestAborted);
            Notice = $"Connected to {c.BaseUrl} as {c.CanvasUserName}. Press Sync now to bring your Canvas data in.";
            return RedirectToPage("/Index");
        }
        catch (ConnectRejectedException e)
        {
            Refused(e);
            await LoadAsync();
            return Page();
        }
    }

    /// <summary>Connect with Canvas: to Canvas's authorization page, with a state bound to this user and this browser.</summary>
    public async Task<IActionResult> OnPostOAuthAsync(long instance)
    {
        try
        {
            var start = await flow.StartAsync(User.UserId(), instance, null, null, BrowserBinding.Issue(HttpContext),
                HttpContext.RequestAborted);
            return Redirect(start.AuthorizeUrl.ToString());
        }
        catch (ConnectRejectedException e)
        {
            Refused(e);
            ProblemField = "instance";
            await LoadAsync();
            return Page();
        }
    }

    public async Task<IActionResult> OnPostDisconnectAsync(string? data)
    {
        var purge = data == "purge";
        var done = await connector.DisconnectAsync(User.UserId(), purge, HttpContext.RequestAborted);
        Notice = done is null ? "There was no Canvas connection to disconnect."
            : (purge ? "Disconnected. The token and every synced row are deleted."
                : "Disconnected. The token is deleted; your synced data is kept.")
              + done.RevokedAtCanvas switch
              {
                  true => " Canvas has revoked CanvasSync's access.",
                  false => " Canvas could not be asked to revoke CanvasSync's access: remove it in Canvas under Account > Settings > Approved integrations.",
                  null => "",
              };
        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        Instances = await instances.ListAsync(HttpContext.RequestAborted);
        HttpHardening.AllowFormsTo(HttpContext, Instances.Select(i => i.CanvasUrl));
        Connection = await CallerConnection.FindAsync(db, User, HttpContext.RequestAborted);
        if (Connection is null) return;
        Warnings = ConnectionEndpoints.Warnings(Connection, time.GetUtcNow().UtcDateTime);
        CanvasUrl ??= Connection.BaseUrl;
    }

    private void Refused(ConnectRejectedException e)
    {
        Response.StatusCode = e.Status == StatusCodes.Status502BadGateway ? StatusCodes.Status502BadGateway
            : StatusCodes.Status400BadRequest;
        ProblemField = e.Field;
        ProblemDetail = Detail(e);
        ProblemTitle = Headline(e);
    }

    /// <summary>
    /// What to do, in the words of the pages: the API's message names HTTP calls (DELETE /api/v1/canvas/disconnect),
    /// which a person on a page never makes; these name the page's buttons instead.
    /// </summary>
    public static string Detail(ConnectRejectedException e) => e.Code switch
    {
        "already_connected" => "you are connected to another Canvas; choose Disconnect on the Canvas setup page first, then connect this one",
        "different_canvas_user" => "the data synced here is another Canvas person's; sign in to Canvas as that person, or on the Canvas setup page choose " +
            "Disconnect with \"Delete it too\" first, then connect again",
        _ => e.Message,
    };

    /// <summary>A plain headline for each refusal; the detail says what to do.</summary>
    public static string Headline(ConnectRejectedException e) =>
        e.Code switch
        {
            "token_invalid" => "Canvas does not accept this token.",
            "token_expired" => "This token has expired.",
            "token_revoked" => "This token has been revoked.",
            "required" or "malformed" when e.Field == "api_token" => "Enter a Canvas access token.",
            "unreachable" => "That Canvas could not be reached.",
            "not_canvas" => "That address is not a Canvas server.",
            "canvas_unavailable" => "Canvas is not working right now.",
            "throttled" => "Canvas is busy with this token right now; try again in a minute.",
            "redirected" => "That address redirects elsewhere.",
            "url_not_allowed" => "That Canvas address is not allowed.",
            "not_a_url" => "That is not a web address; copy it from your browser, e.g. https://canvas.example.edu.",
            "unknown_host" => "No server has that name; check the address.",
            "already_connected" => "You are connected to another Canvas.",
            "different_canvas_user" when e.Field == "code" => "You signed in to Canvas as another person.",
            "different_canvas_user" => "This token belongs to another Canvas user.",
            "state_missing" or "state_invalid" => "This sign-in could not be checked.",
            "state_used" => "This sign-in was already used.",
            "state_expired" => "This sign-in took too long.",
            "access_denied" => "Access was not allowed in Canvas.",
            "code_refused" or "authorization_refused" or "no_refresh_token" => "Canvas did not complete the sign-in.",
            "oauth_not_configured" or "unknown_instance" => "That Canvas cannot be connected this way.",
            _ => "The connection was not made.",
        };
}
