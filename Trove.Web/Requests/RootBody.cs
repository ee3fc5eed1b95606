using System.Text;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /instances/{id}/root</c> with a body: <c>{"password": "..."}</c> to choose the root password.</summary>
public sealed record RootBody(string? Password) : IRequestBody<RootBody>
{
    public static JsonTypeInfo<RootBody> JsonInfo => RequestJson.Default.RootBody;

    public void Validate()
    {
        if (Password is not null)
            Passwords.Check("root", Password);
    }

    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}
