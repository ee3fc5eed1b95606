using System.Text;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /instances/{id}/databases</c> and <c>PUT /instances/{id}/users/{user}/databases</c> (the databases a
/// user is granted): <c>{"databases": [{"name": ...}]}</c>, at least one.</summary>
public sealed record DatabasesBody(List<DatabaseBody?>? Databases) : IRequestBody<DatabasesBody>
{
    public static JsonTypeInfo<DatabasesBody> JsonInfo => RequestJson.Default.DatabasesBody;

    public void Validate()
    {
        if (Databases is null)
            throw RequestError.Invalid("the body must be an object with a 'databases' list.");
        if (Databases.Count == 0)
            throw RequestError.Invalid("'databases' must list at least one database.");
    }
}

/// <summary><c>POST /instances/{id}/users</c> (users to create) and <c>PUT /instances/{id}/users</c> (upstream's
/// update_all: new passwords): <c>{"users": [{"name", "password", "host", "databases"}]}</c>, at least one.</summary>
public sealed record UsersBody(List<UserBody?>? Users) : IRequestBody<UsersBody>
{
    public static JsonTypeInfo<UsersBody> JsonInfo => RequestJson.Default.UsersBody;

    public void Validate()
    {
        if (Users is null)
            throw RequestError.Invalid("the body must be an object with a 'users' list.");
        if (Users.Count == 0)
            throw RequestError.Invalid("'users' must list at least one user.");
        if (Users.Any(u => u is null))
            throw RequestError.Invalid("each of 'users' must be an object.");
    }
}

/// <summary><c>PUT /instances/{id}/users/{user}</c>: <c>{"user": {"name", "password", "host"}}</c>, at least one of them.</summary>
public sealed record UserChangeBody(UserChangeBody.UserChange? User) : IRequestBody<UserChangeBody>
{
    public sealed record UserChange(string? Name, string? Password, string? Host)
    {
        private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }

    public static JsonTypeInfo<UserChangeBody> JsonInfo => RequestJson.Default.UserChangeBody;

    public void Validate()
    {
        var user = User ?? throw RequestError.Invalid("the body must be an object with a 'user' object.");
        if (user.Name is null && user.Password is null && user.Host is null)
            throw RequestError.Invalid("'user' must change at least one of 'name', 'password', 'host'.");
    }
}
