using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Trove.Actors.Hosting;
using Trove.Tests.Support;
using Trove.Web.Auth;
using Trove.Web.Hosting;

namespace Trove.Tests.Security;

/// <summary>One route and method of the API as the app itself maps it, with what its authorization metadata says.</summary>
public sealed record ApiRoute(string Method, RoutePattern Pattern, bool Anonymous, IReadOnlyList<string> Policies)
{
    /// <summary>The method the route was mapped to (the endpoint's <see cref="MethodInfo"/> metadata), if any.</summary>
    public MethodInfo? Handler { get; init; }

    /// <summary>What serves the route: for a handler of ours, code generated at build time or made at run time.</summary>
    public RequestDelegate? Delegate { get; init; }

    public string Template => "/" + string.Join('/', Pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(Part))));
    public bool IsTenantRoute => Template.StartsWith("/v1.0/{tenantId}/", StringComparison.Ordinal);
    public bool IsAdminRoute => Policies.Contains(TrovePolicies.Admin);
    public bool HasBody => Method is "POST" or "PUT" or "PATCH";

    /// <summary>Health, metrics and the API's description: anonymous, read-only, mapped by their libraries (no handler of ours).</summary>
    public bool IsOperatorRoute => Method == "GET" && OperatorRoutes.Any(prefix => Template.StartsWith(prefix, StringComparison.Ordinal));

    private static readonly string[] OperatorRoutes = ["/health/", "/metrics", "/openapi/", "/docs"];
    public override string ToString() => $"{Method} {Template}";

    /// <summary>The path with each parameter's value from <paramref name="value"/>, escaped as a URL segment, and each
    /// literal as <paramref name="literal"/> spells it.</summary>
    public string Path(Func<string, string> value, Func<string, string>? literal = null) =>
        "/" + string.Join('/', Pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternParameterPart parameter => Uri.EscapeDataString(value(parameter.Name)),
            RoutePatternLiteralPart text when literal is not null => literal(text.Content),
            _ => Part(p),
        }))));

    private static string Part(RoutePatternPart part) => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
        _ => throw new InvalidOperationException($"unexpected route part {part}"),
    };
}

/// <summary>
/// Every route of the node, read from the app's own endpoint list (its <see cref="EndpointDataSource"/>s) after the
/// node's own composition (<see cref="TroveApiHosting"/>): a route added tomorrow is walked by the tests without a change.
/// </summary>
public static class ApiRoutes
{
    private static readonly Lazy<IReadOnlyList<ApiRoute>> Routes = new(Load);

    public static IReadOnlyList<ApiRoute> All => Routes.Value;

    private static IReadOnlyList<ApiRoute> Load()
    {
        var dataDir = TroveNode.NewDataDir();
        try
        {
            var builder = WebApplication.CreateBuilder();
            var settings = new TroveSettings { DataDir = dataDir };
            builder.Services.AddTroveNode(settings);
            builder.Services.AddTroveApi(builder.Configuration, settings);
            var app = builder.Build();
            app.UseTroveApi();
            return ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
                .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
                    new ApiRoute(method, endpoint.RoutePattern, endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null,
                        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList())
                    { Handler = endpoint.Metadata.GetMetadata<MethodInfo>(), Delegate = endpoint.RequestDelegate }))
                .ToList();
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
