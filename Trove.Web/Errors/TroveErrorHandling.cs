using Microsoft.AspNetCore.Diagnostics;

namespace Trove.Web.Errors;

public static class TroveErrorHandling
{
    /// <summary>Unexpected exceptions become Trove's 500 body with an id to quote; empty 404/405 answers get Trove's body too.</summary>
    public static WebApplication UseTroveErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var id = Guid.NewGuid();
            var (code, message) = error switch
            {
                BadHttpRequestException bad => (bad.StatusCode, bad.Message),
                TimeoutException or Akka.Actor.AskTimeoutException =>
                    (503, $"The request timed out inside the service; it may still complete. ({id})"),
                System.Data.Common.DbException =>
                    (503, $"The service's database cannot be reached; try again shortly. ({id})"),
                _ => (500, $"Internal Server Error. Please keep this ID to help us figure out what went wrong: ({id})."),
            };
            if (code >= 500)
                app.Logger.LogError(error, "request failed ({Id})", id);
            context.Response.StatusCode = code;
            await context.Response.WriteAsJsonAsync(TroveError.Body(code, message));
        }));
        app.UseStatusCodePages(async status =>
        {
            var response = status.HttpContext.Response;
            var message = response.StatusCode switch
            {
                400 => "A route or query parameter could not be read (e.g. a limit that is not a number).",
                404 => "The resource could not be found.",
                405 => "The method is not allowed for this resource.",
                415 => "Unsupported media type: send application/json.",
                _ => $"HTTP {response.StatusCode}",
            };
            await response.WriteAsJsonAsync(TroveError.Body(response.StatusCode, message));
        });
        app.UseRouting(); // after the handlers above, so that routing failures get Trove's body too
        return app;
    }
}
