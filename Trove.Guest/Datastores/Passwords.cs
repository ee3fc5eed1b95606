using System.Security.Cryptography;

namespace Trove.Guest.Datastores;

public static class Passwords
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A random password for the engine's superuser, from letters and digits that read unambiguously.</summary>
    public static string Generate(int length = 24) => RandomNumberGenerator.GetString(Alphabet, length);
}
