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

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Headers[Scheme].ToString();
        if (token.Length == 0)
            return NoResult;
        var validated = validator.ValidateAsync(token, Context.RequestAborted);
        return validated.IsCompletedSuccessfully ? Outcome(validated.Result) : AwaitedAsync(validated);
    }

    private static readonly Task<AuthenticateResult> NoResult = Task.FromResult(AuthenticateResult.NoResult());

    private async Task<AuthenticateResult> AwaitedAsync(Task<Caller?> validated)
    {
        try
        {
            return await Outcome(await validated);
        }
        catch (IdentityUnavailableException e)
        {
            Logger.LogWarning("cannot validate a token: {Reason}", e.Message);
            return AuthenticateResult.Fail(e);
        }
    }

    private Task<AuthenticateResult> Outcome(Caller? caller)
    {
        if (caller is null)
            return Task.FromResult(AuthenticateResult.Fail("The X-Auth-Token is not valid or has expired."));
        Context.SetCaller(caller);
        return Outcomes.GetValue(caller, OutcomeOf);
    }

    /// <summary>A validator gives the same caller for a token while it trusts it (<see cref="CallerCache"/>): its
    /// principal, and the result that carries it, are made once, not for each request. Nothing in the pipeline changes a
    /// principal or a result once made.</summary>
    private static readonly ConditionalWeakTable<Caller, Task<AuthenticateResult>> Outcomes = new();

    private static Task<AuthenticateResult> OutcomeOf(Caller caller)
    {
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, caller.UserId), new(ClaimTypes.Name, caller.UserName), new(ProjectClaim, caller.ProjectId),
            ..caller.Roles.Select(role => new Claim(ClaimTypes.Role, role)),
        ];
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)), Scheme);
        return Task.FromResult(AuthenticateResult.Success(ticket));
    }
}
