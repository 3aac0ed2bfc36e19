using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CanvasSync.Pages;

/// <summary>Where a signed-in user lands on a page they may not see (the cookie's access-denied path): a 403 that says why.</summary>
internal sealed class DeniedModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
