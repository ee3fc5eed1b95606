using Trove.Web.Errors;

namespace Trove.Web.Validation;

/// <summary>A request the API refuses, with Trove's status code and message; thrown while parsing, answered once.</summary>
public sealed class RequestError(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
    public TroveErrorResult ToResult() => TroveError.Result(Code, Message);

    public static RequestError Invalid(string message) => new(400, $"Validation error: {message}");
}
