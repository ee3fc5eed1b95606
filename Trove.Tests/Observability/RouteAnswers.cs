using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Web.Endpoints;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Tests.Observability;

/// <summary>One success answer a handler declares: its status and its content type (null: no body).</summary>
public sealed record RouteAnswer(int Status, string? ContentType)
{
    public const string Json = "application/json";
}

/// <summary>What a route's handler says it answers and reads, from its signature: the typed results of its return type
/// (<c>Ok&lt;T&gt;</c> is a JSON body, <c>Accepted</c> none...) and its <see cref="Body{T}"/> parameter.</summary>
public static class RouteAnswers
{
    public static IReadOnlyList<RouteAnswer> Of(MethodInfo handler) => Results(handler.ReturnType).SelectMany(Answers).ToList();

    /// <summary>The request record a handler binds its body to, if any.</summary>
    public static Type? BodyOf(MethodInfo handler) => handler.GetParameters().Select(p => p.ParameterType)
        .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Body<>))?.GetGenericArguments()[0];

    private static IEnumerable<Type> Results(Type type) => type switch
    {
        { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(Task<>) => Results(type.GetGenericArguments()[0]),
        { IsGenericType: true, Namespace: "Microsoft.AspNetCore.Http.HttpResults" } when type.Name.StartsWith("Results`", StringComparison.Ordinal) =>
            type.GetGenericArguments().SelectMany(Results),
        _ => [type],
    };

    private static IEnumerable<RouteAnswer> Answers(Type result) =>
        (result.IsGenericType ? result.GetGenericTypeDefinition() : result) switch
        {
            var t when t == typeof(Ok<>) => [new(200, RouteAnswer.Json)],
            var t when t == typeof(Created<>) => [new(201, RouteAnswer.Json)],
            var t when t == typeof(Accepted<>) => [new(202, RouteAnswer.Json)],
            var t when t == typeof(RenderedJson) => [new(200, RouteAnswer.Json)],
            var t when t == typeof(Ok) => [new(200, null)],
            var t when t == typeof(Accepted) => [new(202, null)],
            var t when t == typeof(NoContent) => [new(204, null)],
            var t when t == typeof(ContentHttpResult) => [new(200, "text/plain")],
            var t when t == typeof(ChangeStream) => [new(200, "text/event-stream")],
            var t when t == typeof(JsonHttpResult<>) => [], // an error body (Trove's or Keystone's), documented per status
            _ => throw new InvalidOperationException($"{result} is an answer this test cannot tell the body of: teach it"),
        };
}
