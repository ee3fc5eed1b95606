using Trove.Tests.Security;

namespace Trove.Tests.Architecture;

/// <summary>
/// Every route of ours is served by a request delegate generated at build time (Trove.Web.csproj's
/// <c>EnableRequestDelegateGenerator</c>), not one that ASP.NET builds by reflection and compiled expressions on the
/// node's first request: for the ~90 routes that took ~0.7 CPU-s of the node's first answer (bench/results.md).
/// A handler the generator cannot take falls back to run time and shows here.
/// </summary>
public sealed class EndpointStartupTests
{
    [Fact]
    public void Every_route_of_ours_is_served_by_a_delegate_generated_at_build_time()
    {
        var ours = ApiRoutes.All.Where(route => route.Handler?.DeclaringType?.Assembly == typeof(Program).Assembly).ToList();
        Assert.NotEmpty(ours);
        var madeAtRunTime = ours.Where(route => route.Delegate?.Method.DeclaringType?.Assembly != typeof(Program).Assembly)
            .Select(route => $"{route} ({route.Handler!.DeclaringType!.Name}.{route.Handler.Name})").ToList();
        Assert.True(madeAtRunTime.Count == 0, $"{madeAtRunTime.Count} routes are built at run time:\n" + string.Join('\n', madeAtRunTime));
    }
}
