using CanvasSync.Data;
using CanvasSync.Features.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>Sign in with an API key: it opens a cookie session (HttpOnly, SameSite=Strict) that lasts as long as the key.</summary>
[AllowAnonymous]
public sealed class LoginModel(CanvasSyncDbContext db) : PageModel
{
    [BindProperty(Name = "api_key")]
    public string? ApiKey { get; set; }

    [BindProperty(Name = "return_url", SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet() => ReturnUrl ??= Request.Query["ReturnUrl"];

    public async Task<IActionResult> OnPostAsync()
    {
        var found = await UserDirectory.AuthenticateAsync(db, ApiKey?.Trim(), HttpContext.RequestAborted);
        if (found is null)
        {
            Error = "That API key is not valid, or it has been revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, CallerClaims.Principal(found, CookieAuthenticationDefaults.AuthenticationScheme));
        // Only a local path: an open redirect would let a link send a signed-in user anywhere.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
