using Trove.Web.Errors;

namespace Trove.Web.Auth;

public static class AdminFilter
{
    /// <summary>Admin-only routes (upstream's <c>@admin_context</c>): 403 with Trove's body for a caller without an admin role.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(CheckAdmin);

    public static ValueTask<object?> CheckAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.IsAdmin()
            ? next(context)
            : ValueTask.FromResult<object?>(TroveError.Of(StatusCodes.Status403Forbidden, "This action needs the admin role."));
}
