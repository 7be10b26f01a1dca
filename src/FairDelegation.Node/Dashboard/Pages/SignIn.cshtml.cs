using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>The sign-in form: the node's API key in, a session cookie out (401 and a message for any other key).</summary>
public sealed class SignInModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? apiKey)
    {
        if (await DashboardSetup.SignInAsync(HttpContext, apiKey))
            return LocalRedirect(ReturnUrl is { Length: > 0 } r && Url.IsLocalUrl(r) && r.StartsWith(DashboardSetup.BasePath, StringComparison.Ordinal) ? r : DashboardSetup.BasePath);
        Error = string.IsNullOrEmpty(apiKey) ? "Type the node's API key." : "That is not this node's API key.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
