using Trove.Web.Errors;

namespace Trove.Web.Validation;

/// <summary>A request the API refuses, with Trove's status code and message; thrown while parsing, answered once.</summary>
public sealed class RequestError(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
    public IResult ToResult() => TroveError.Of(Code, Message);

    public static RequestError Invalid(string message) => new(400, $"Validation error: {message}");
}

/// <summary>An entity's refusal met deep inside an endpoint (e.g. the backup to restore from), answered as
/// <see cref="RequestValidationFilter"/> answers a <see cref="RequestError"/>.</summary>
public sealed class ReplyError(IResult result) : Exception("the entity refused the request")
{
    public IResult Result { get; } = result;
}
