namespace Trove.Web.Validation;

/// <summary>What every datastore takes as a password: checked while parsing. Names are the instance's datastore's to
/// check (the entity does, see <c>InstanceNames</c>).</summary>
public static class Passwords
{
    public static void Check(string user, string? password)
    {
        if (string.IsNullOrEmpty(password))
            throw RequestError.Invalid($"user '{user}' needs a non-empty password.");
        if (password.Length > 128 || password.Contains('\0'))
            throw RequestError.Invalid($"the password of user '{user}' must be at most 128 characters, without NUL.");
    }
}
