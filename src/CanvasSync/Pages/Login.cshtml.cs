using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using CanvasSync.Features.Connections;
using CanvasSync.Features.OAuth;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>
/// Sign in: with Canvas (OAuth2) where an operator added a developer key, which is how students come in; or with an API
/// key, for apps and operators. Either opens a cookie session (HttpOnly, SameSite=Strict) that lasts as long as its key.
/// </summary>
[AllowAnonymous]
internal sealed class LoginModel(CanvasSyncDbContext db, CanvasInstances instances, OAuthFlow flow) : PageModel
{
    [BindProperty(Name = "api_key")]
    public string? ApiKey { get; set; }

    [BindProperty(Name = "return_url", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>The Canvases one may sign in with (their developer keys).</summary>
    public IReadOnlyList<InstanceView> Instances { get; private set; } = [];

    public async Task OnGetAsync()
    {
        ReturnUrl ??= Request.Query["ReturnUrl"];
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var found = await UserDirectory.AuthenticateAsync(db, ApiKey?.Trim(), HttpContext.RequestAborted);
        if (found is null)
        {
            Error = "That API key is not valid, or it has been revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            await LoadAsync();
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            CallerClaims.Principal(found, CookieAuthenticationDefaults.AuthenticationScheme));
        // Only a local path: an open redirect would let a link send a signed-in user anywhere.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }

    /// <summary>Sign in with Canvas: to Canvas's authorization page, with a state bound to this browser only.</summary>
    public async Task<IActionResult> OnPostCanvasAsync(long instance)
    {
        try
        {
            var start = await flow.StartSignInAsync(instance, BrowserBinding.Issue(HttpContext), HttpContext.RequestAborted);
            return Redirect(start.AuthorizeUrl.ToString());
        }
        catch (ConnectRejectedException e)
        {
            Error = SetupModel.Headline(e);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync();
            return Page();
        }
    }

    private async Task LoadAsync()
    {
        Instances = await instances.ListAsync(HttpContext.RequestAborted);
        HttpHardening.AllowFormsTo(HttpContext, Instances.Select(i => i.CanvasUrl));
    }
}
