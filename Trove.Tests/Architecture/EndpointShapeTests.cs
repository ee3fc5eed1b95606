using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Tests.Security;

namespace Trove.Tests.Architecture;

/// <summary>
/// Every route of the node is a named static handler that says in its signature what it answers (<c>Results&lt;...&gt;</c>,
/// <c>Ok&lt;T&gt;</c>, <c>Accepted</c>, Trove's error result): a reader finds a route's handler by name, and its possible
/// answers without reading its body. Walks the app's own endpoints (<see cref="ApiRoutes"/>), so a route added tomorrow is checked.
/// </summary>
public sealed class EndpointShapeTests
{
    [Fact]
    public void Every_route_is_a_named_static_handler_returning_a_typed_result()
    {
        Assert.NotEmpty(ApiRoutes.All);
        var wrong = ApiRoutes.All.Where(route => !route.IsOperatorRoute)
            .Select(route => (route, problem: ProblemOf(route.Handler)))
            .Where(r => r.problem is not null)
            .Select(r => $"{r.route} ({r.route.Handler?.DeclaringType?.Name}.{r.route.Handler?.Name}): {r.problem}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} routes are not named handlers with typed results:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void The_check_refuses_a_lambda_an_instance_method_and_an_untyped_result_and_takes_a_typed_one()
    {
        Func<IResult> lambda = () => TypedResults.Ok();
        Assert.NotNull(ProblemOf(lambda.Method));
        Assert.NotNull(ProblemOf(((Func<Ok>)new EndpointShapeTests().Instance).Method));
        Assert.NotNull(ProblemOf(((Func<IResult>)Untyped).Method));
        Assert.NotNull(ProblemOf(((Func<Task<IResult>>)UntypedAsync).Method));
        Assert.NotNull(ProblemOf(((Func<Task>)WritesItself).Method));
        Assert.NotNull(ProblemOf(null));
        Assert.Null(ProblemOf(((Func<Task<Results<Ok, NoContent>>>)TypedAsync).Method));
        Assert.Null(ProblemOf(((Func<Accepted>)Typed).Method));
    }

    /// <summary>Why a route's handler is not of the shape, or null when it is.</summary>
    private static string? ProblemOf(MethodInfo? handler)
    {
        if (handler is null)
            return "no handler method in the endpoint's metadata";
        if (IsCompilerGenerated(handler))
            return "a lambda or local function: name it";
        if (!handler.IsStatic)
            return "not static";
        var answer = Unwrapped(handler.ReturnType);
        if (answer is null)
            return $"returns {Named(handler.ReturnType)}, which writes no result";
        return answer.IsInterface || answer.IsAbstract || !typeof(IResult).IsAssignableFrom(answer)
            ? $"returns {Named(handler.ReturnType)}, not a typed result"
            : null;
    }

    private static bool IsCompilerGenerated(MethodInfo method) =>
        method.Name.Contains('<') || method.IsDefined(typeof(CompilerGeneratedAttribute))
        || Enclosing(method.DeclaringType).Any(t => t.Name.Contains('<') || t.IsDefined(typeof(CompilerGeneratedAttribute)));

    private static IEnumerable<Type> Enclosing(Type? type)
    {
        for (; type is not null; type = type.DeclaringType)
            yield return type;
    }

    /// <summary>The result a handler answers: its return type, or what its task completes with; null for none.</summary>
    private static Type? Unwrapped(Type returned) =>
        returned == typeof(void) || returned == typeof(Task) || returned == typeof(ValueTask) ? null
        : returned.IsGenericType && (returned.GetGenericTypeDefinition() == typeof(Task<>) || returned.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? returned.GetGenericArguments()[0]
            : returned;

    private static string Named(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Named))}>" : type.Name;

    private Ok Instance() => TypedResults.Ok();
    private static IResult Untyped() => TypedResults.Ok();
    private static Task<IResult> UntypedAsync() => Task.FromResult<IResult>(TypedResults.Ok());
    private static Task WritesItself() => Task.CompletedTask;
    private static Task<Results<Ok, NoContent>> TypedAsync() => Task.FromResult<Results<Ok, NoContent>>(TypedResults.NoContent());
    private static Accepted Typed() => TypedResults.Accepted((string?)null);
}
