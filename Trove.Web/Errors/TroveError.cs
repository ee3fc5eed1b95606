global using TroveErrorResult = Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<System.Collections.Generic.Dictionary<string, object>>;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Trove.Web.Errors;

/// <summary>Trove's error body: <c>{"badRequest": {"code": 400, "message": "..."}}</c>, named by status code.</summary>
public static class TroveError
{
    /// <summary>The one way to answer an error, as a typed result for handlers declaring <c>Results&lt;..., TroveErrorResult&gt;</c>.</summary>
    public static TroveErrorResult Result(int code, string message) => TypedResults.Json(Body(code, message), statusCode: code);

    public static Dictionary<string, object> Body(int code, string message) =>
        new() { [FaultName(code)] = new { code, message } };

    /// <summary>The fault names of the statuses the API answers; any other status is an <see cref="OtherFault"/>.</summary>
    public static readonly IReadOnlyDictionary<int, string> Faults = new Dictionary<int, string>
    {
        [400] = "badRequest",
        [401] = "unauthorized",
        [403] = "forbidden",
        [404] = "itemNotFound",
        [405] = "badMethod",
        [409] = "conflict",
        [413] = "overLimit",
        [415] = "badMediaType",
        [422] = "unprocessableEntity",
        [501] = "notImplemented",
        [503] = "serviceUnavailable",
    };

    public const string OtherFault = "instanceFault";

    public static string FaultName(int code) => Faults.GetValueOrDefault(code, OtherFault);
}
