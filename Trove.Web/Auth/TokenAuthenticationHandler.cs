using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Trove.Web.Auth;

/// <summary>The X-Auth-Token header names the caller, as the identity service in use (built-in or Keystone) says.</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ITokenValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Scheme = "X-Auth-Token";
    public const string ProjectClaim = "trove:project";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Headers[Scheme].ToString();
        if (token.Length == 0)
            return AuthenticateResult.NoResult();
        Caller? caller;
        try
        {
            caller = await validator.ValidateAsync(token, Context.RequestAborted);
        }
        catch (IdentityUnavailableException e)
        {
            Logger.LogWarning("cannot validate a token: {Reason}", e.Message);
            return AuthenticateResult.Fail(e);
        }
        if (caller is null)
            return AuthenticateResult.Fail("The X-Auth-Token is not valid or has expired.");
        Context.SetCaller(caller);
        return AuthenticateResult.Success(Tickets.GetValue(caller, TicketOf));
    }

    /// <summary>A validator gives the same caller for a token while it trusts it (<see cref="CallerCache"/>): its
    /// principal is made once, not for each request. Nothing in the pipeline changes a principal once made.</summary>
    private static readonly ConditionalWeakTable<Caller, AuthenticationTicket> Tickets = new();

    private static AuthenticationTicket TicketOf(Caller caller)
    {
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, caller.UserId), new(ClaimTypes.Name, caller.UserName), new(ProjectClaim, caller.ProjectId),
            ..caller.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
        ];
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)), Scheme);
    }
}
