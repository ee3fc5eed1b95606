using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Trove.Web.OpenApi;

namespace Trove.Web.Validation;

/// <summary>What a bound request body carries: its refusal, if reading or checking it failed.</summary>
public interface IBoundBody
{
    RequestError? Error { get; }
}

/// <summary>
/// A handler's request body: bound from the request as <see cref="JsonBody.ReadAsync{T}"/> reads it, never throwing
/// during binding; a refused body is answered by <see cref="RequestValidationFilter"/> before the handler runs.
/// </summary>
public sealed class Body<T> : IBoundBody, IBindableFromHttpContext<Body<T>>, IEndpointParameterMetadataProvider where T : class, IRequestBody<T>
{
    private readonly T? _value;

    private Body(T? value, RequestError? error) => (_value, Error) = (value, error);

    public RequestError? Error { get; }

    /// <summary>The checked record; only a handler that answers refusals itself meets <see cref="Error"/> here.</summary>
    public T Value => _value ?? throw Error!;

    /// <summary>The record is the body's schema in the API's description (OpenAPI), as it is the body's reader.</summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new RequestRecord(typeof(T)));

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        try
        {
            return new Body<T>(await JsonBody.ReadAsync(context.Request, T.JsonInfo), null);
        }
        catch (RequestError error)
        {
            return new Body<T>(null, error);
        }
    }
}
