using Trove.Web.Auth;

namespace Trove.Web.OpenApi;

/// <summary>The error statuses a route documents, each with the one error body of its kind.</summary>
public static class ErrorDocumentation
{
    /// <summary>What any tenant route may answer before or around its handler: a route or query parameter or body it cannot
    /// read (400), no or a bad token (401), another tenant or a missing role (403), an unknown resource (404), a body too
    /// large or the rate limit (413), a failure (500), a timeout or an unreachable store (503).</summary>
    public static readonly int[] TenantRoute = [400, 401, 403, 404, 413, 500, 503];

    /// <summary>What an entity's ask may refuse besides: a conflicting state (409), a rule of the datastore (422).</summary>
    public static readonly int[] EntityAsk = [409, 422];

    public static TBuilder ProducesTroveErrors<TBuilder>(this TBuilder builder, params int[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.Produces(typeof(TroveErrorShape), codes);

    /// <summary>The built-in identity service answers Keystone's own error body.</summary>
    public static TBuilder ProducesKeystoneErrors<TBuilder>(this TBuilder builder, params int[] codes) where TBuilder : IEndpointConventionBuilder =>
        builder.Produces(typeof(KeystoneError), codes);

    private static TBuilder Produces<TBuilder>(this TBuilder builder, Type body, int[] codes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var code in codes)
            builder.WithMetadata(new ProducesResponseTypeMetadata(code, body, ["application/json"]));
        return builder;
    }
}
