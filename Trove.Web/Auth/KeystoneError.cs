using Microsoft.AspNetCore.Http.HttpResults;

namespace Trove.Web.Auth;

/// <summary>Keystone's own error body, <c>{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}</c>.</summary>
public sealed record KeystoneError(KeystoneError.Fault error)
{
    public sealed record Fault(int code, string title, string message);

    public static JsonHttpResult<KeystoneError> Result(int code, string title, string message) =>
        TypedResults.Json(new KeystoneError(new Fault(code, title, message)), statusCode: code);

    public static JsonHttpResult<KeystoneError> Unauthorized() => Result(401, "Unauthorized", "The request you have made requires authentication.");
}
