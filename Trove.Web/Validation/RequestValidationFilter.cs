namespace Trove.Web.Validation;

/// <summary>
/// The one place a refused request is answered: a bound <see cref="Body{T}"/> that failed its checks, or a
/// <see cref="RequestError"/> thrown by the handler, becomes Trove's error body; nothing of the request is done.
/// </summary>
public sealed class RequestValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
            if (argument is IBoundBody { Error: { } refused })
                return refused.ToResult();
        try
        {
            return await next(context);
        }
        catch (RequestError error)
        {
            return error.ToResult();
        }
    }
}

public static class RequestValidation
{
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, RequestValidationFilter>();
}
