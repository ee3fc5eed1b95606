using Trove.Web.Errors;

namespace Trove.Web.Auth;

public static class AuthMiddleware
{
    public static IServiceCollection AddTroveAuth(this IServiceCollection services, IConfigurationSection section, string dataDir) =>
        services.AddTroveAuth(AuthSettings.From(section), dataDir);

    public static IServiceCollection AddTroveAuth(this IServiceCollection services, AuthSettings settings, string dataDir)
    {
        services.AddSingleton(settings.Validated());
        services.AddSingleton(TokenSigner.FromSettings(settings, dataDir));
        if (settings.IsKeystone)
            services.AddSingleton<ITokenValidator>(_ =>
                new KeystoneTokenValidator(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, settings, TimeProvider.System));
        else
            services.AddSingleton<ITokenValidator>(sp => new BuiltinTokenValidator(sp.GetRequiredService<TokenSigner>(), TimeProvider.System));
        return services;
    }

    /// <summary>
    /// Upstream's authtoken + context stages: every route but the version documents and the identity service needs a
    /// valid X-Auth-Token, and a token only reaches its own project's routes (admins included, as upstream).
    /// </summary>
    public static WebApplication UseTroveAuth(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AuthSettings>();
        if (!settings.IsKeystone)
            app.MapBuiltinKeystone();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (IsPublic(path))
            {
                await next();
                return;
            }
            var token = context.Request.Headers["X-Auth-Token"].ToString();
            Caller? caller;
            try
            {
                caller = token.Length == 0 ? null
                    : await context.RequestServices.GetRequiredService<ITokenValidator>().ValidateAsync(token, context.RequestAborted);
            }
            catch (IdentityUnavailableException e)
            {
                app.Logger.LogWarning("cannot validate a token: {Reason}", e.Message);
                await Reject(context, 503, "The identity service is unavailable; try again later.");
                return;
            }
            if (caller is null)
            {
                var authUrl = settings.KeystoneUrl ?? $"{context.Request.Scheme}://{context.Request.Host}/v3";
                context.Response.Headers.WWWAuthenticate = $"Keystone uri=\"{authUrl}\"";
                await Reject(context, 401, token.Length == 0 ? "This server needs an X-Auth-Token." : "The X-Auth-Token is not valid or has expired.");
                return;
            }
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments is ["v1.0", var tenant, ..] && tenant != caller.ProjectId)
            {
                await Reject(context, 403, $"The token is for project {caller.ProjectId}, not {tenant}.");
                return;
            }
            context.SetCaller(caller);
            await next();
        });
        return app;
    }

    private static bool IsPublic(string path) =>
        path is "/" or "/v1.0" or "/v1.0/" or "/v3" || path.StartsWith("/v3/", StringComparison.Ordinal);

    private static Task Reject(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code;
        return context.Response.WriteAsJsonAsync(TroveError.Body(code, message));
    }
}
