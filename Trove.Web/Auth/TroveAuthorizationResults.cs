using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Trove.Web.Errors;

namespace Trove.Web.Auth;

/// <summary>A refused request answered in Trove's error format: 401 with where to log in, 403 with why, 503 when the
/// identity service cannot be asked (not the caller's fault).</summary>
public sealed class TroveAuthorizationResults(AuthSettings settings) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await next(context);
            return;
        }
        if (result.Forbidden)
        {
            var reason = result.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "This token may not reach this resource.";
            await Reject(context, StatusCodes.Status403Forbidden, reason);
            return;
        }
        // The scheme's result was kept for this request: asking again does not validate the token twice.
        if ((await context.AuthenticateAsync(TokenAuthenticationHandler.Scheme)).Failure is IdentityUnavailableException)
        {
            await Reject(context, StatusCodes.Status503ServiceUnavailable, "The identity service is unavailable; try again later.");
            return;
        }
        var authUrl = settings.KeystoneUrl ?? $"{context.Request.Scheme}://{context.Request.Host}/v3";
        context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{authUrl}\"";
        await Reject(context, StatusCodes.Status401Unauthorized, context.Request.Headers[TokenAuthenticationHandler.Scheme].Count == 0
            ? "This server needs an X-Auth-Token."
            : "The X-Auth-Token is not valid or has expired.");
    }

    private static Task Reject(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code;
        return context.Response.WriteAsJsonAsync(TroveError.Body(code, message));
    }
}
