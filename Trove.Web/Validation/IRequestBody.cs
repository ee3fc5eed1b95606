using System.Text.Json.Serialization.Metadata;

namespace Trove.Web.Validation;

/// <summary>A request body as a typed record: read by the source-generated <see cref="RequestJson"/> context, then
/// checked by its own rules (<see cref="Validate"/> throws the <see cref="RequestError"/> that answers the request).</summary>
public interface IRequestBody<TSelf> where TSelf : class, IRequestBody<TSelf>
{
    static abstract JsonTypeInfo<TSelf> JsonInfo { get; }

    void Validate();
}
