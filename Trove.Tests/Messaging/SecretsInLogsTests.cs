using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Akka.Actor;
using Trove.Actors.Hosting;
using Trove.Guest.Agent;
using Trove.Web.Auth;
using Trove.Contracts.Guests;
using Trove.Contracts;

namespace Trove.Tests.Messaging;

/// <summary>Dead letters and Akka's debug logging print messages with <c>ToString</c>: no type of the node or the guest
/// that carries a secret may print it.</summary>
public sealed class SecretsInLogsTests
{
    private const string Secret = "Zq9-s3cret-never-logged";

    /// <summary>What a secret is called, by this test's own reading (independent of <see cref="Secrets.IsSecretName"/>).</summary>
    private static readonly Regex SecretName = new("password|secret|token$|tokenkey|credential|connectionstring|uri$", RegexOptions.IgnoreCase);

    /// <summary>Every Trove assembly these tests reach, directly or through another.</summary>
    private static readonly Assembly[] Assemblies = TroveAssemblies([typeof(TroveSettings).Assembly, typeof(GuestDispatcher).Assembly, typeof(AuthSettings).Assembly]);

    private static Assembly[] TroveAssemblies(Assembly[] roots)
    {
        var found = new Dictionary<string, Assembly>();
        var pending = new Queue<Assembly>(roots);
        while (pending.TryDequeue(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name!, assembly))
                continue;
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name?.StartsWith("Trove.") == true))
                pending.Enqueue(Assembly.Load(reference));
        }
        return [.. found.Values];
    }

    [Fact]
    public void Every_type_that_carries_a_secret_prints_it_masked()
    {
        var carriers = Assemblies.SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && !t.IsGenericTypeDefinition && !t.IsDefined(typeof(CompilerGeneratedAttribute)) && Carries(t, []))
            .ToList();
        Assert.Contains(typeof(UserSpec), carriers); // the enumeration finds what it must
        Assert.Contains(typeof(RpcMessage), carriers);
        Assert.Contains(typeof(AuthUser), carriers);
        Assert.Contains(typeof(BackupInfo), carriers); // its access URI (a TempURL) lets whoever holds it write or read the backup

        var leaks = carriers
            .Select(t => (Type: t, Text: SampleText(t)))
            .Where(s => s.Text.Contains(Secret))
            .Select(s => $"{s.Type}: {s.Text}")
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    [Fact]
    public void Masked_records_still_print_everything_else()
    {
        var user = new UserSpec("app", Secret, "%", []).ToString();
        Assert.StartsWith("UserSpec { Name = app, Password = ***, Host = %, Databases = ", user);
        var call = RpcMessage.Create(GuestMethods.CreateUser, new UsersArgs([new UserSpec("app", Secret, null, [])])).ToString();
        Assert.Contains("create_user", call);
        Assert.Contains("\"name\":\"app\"", call);
        Assert.Contains("\"password\":\"***\"", call);
        var backup = RpcMessage.Create(GuestMethods.CreateBackup, new CreateBackupArgs(new BackupInfo("b1", null, null, null, Secret))).ToString();
        Assert.Contains("\"access_uri\":\"***\"", backup); // a TempURL writes the backup for whoever holds it
    }

    /// <summary>A secret-named string, a JSON payload (guest call args and results), or a member that carries one.</summary>
    private static bool Carries(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.Namespace?.StartsWith("Trove") != true && !IsJson(type))
            return IsJson(type);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p =>
            (p.PropertyType == typeof(string) && SecretName.IsMatch(p.Name)) || IsJson(p.PropertyType) || Carries(ElementOf(p.PropertyType), seen));
    }

    private static bool IsJson(Type type) => typeof(JsonNode).IsAssignableFrom(type);

    private static Type ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()!
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1]
        : Nullable.GetUnderlyingType(type) ?? type;

    private static JsonObject SecretJson() => JsonNode.Parse(
        $$"""{"name":"x","password":"{{Secret}}","root_password":"{{Secret}}","users":[{"name":"x","password":"{{Secret}}"}]}""")!.AsObject();

    /// <summary>An instance with the secret in every secret-named string and JSON payload, and plain values elsewhere.</summary>
    private static string SampleText(Type type)
    {
        try
        {
            return Sample(type, 0)?.ToString() ?? throw new InvalidOperationException($"cannot make a {type}");
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException($"cannot make a {type}: {e.GetBaseException().Message}", e);
        }
    }

    private static object? Sample(Type type, int depth, string? name = null)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
            return name is not null && SecretName.IsMatch(name) ? Secret : "x";
        if (type == typeof(Uri))
            return new Uri(name is not null && SecretName.IsMatch(name) ? $"amqp://user:{Secret}@host/" : "http://host/");
        if (IsJson(type))
            return SecretJson();
        if (type == typeof(IActorRef))
            return ActorRefs.Nobody;
        if (type.IsEnum)
            return Enum.GetValues(type).GetValue(0);
        if (type.IsValueType)
            return Activator.CreateInstance(type);
        if (depth > 4)
            return null;
        if (type.IsArray || type.IsInterface && type.IsGenericType)
            return Collection(type, depth);
        if (type.IsInterface || type.IsAbstract)
            return null;
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(c => c.GetParameters() is not [var only] || only.ParameterType != type) // not the record's copy constructor
            .MaxBy(c => c.GetParameters().Length);
        if (constructor is null)
            return null;
        var instance = constructor.Invoke(constructor.GetParameters().Select(p => Sample(p.ParameterType, depth + 1, p.Name)).ToArray());
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            property.SetValue(instance, Sample(property.PropertyType, depth + 1, property.Name));
        return instance;
    }

    private static object? Collection(Type type, int depth)
    {
        var element = ElementOf(type);
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (generic == typeof(IReadOnlyDictionary<,>) || generic == typeof(IDictionary<,>))
            return Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()));
        if (generic == typeof(IReadOnlySet<>) || generic == typeof(ISet<>))
            return Activator.CreateInstance(typeof(HashSet<>).MakeGenericType(element));
        var array = Array.CreateInstance(element, 1);
        array.SetValue(Sample(element, depth + 1), 0);
        return type.IsAssignableFrom(array.GetType()) ? array : null;
    }
}
