using System.Reflection;
using System.Text;

namespace Memshare.Tests;

/// <summary>
/// Every public type and member of the library, compared with the checked-in PublicApi.txt, so that each API
/// change shows up in review. On a mismatch the test writes PublicApi.received.txt next to it; if the change is
/// intended, copy that file over PublicApi.txt.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesCheckedInSnapshot()
    {
        string actual = PublicApiDump.Of(typeof(SharedMemory).Assembly);
        string path = Path.Combine(RepositoryRoot(), "tests", "Memshare.Tests", "PublicApi.txt");
        string received = Path.Combine(Path.GetDirectoryName(path)!, "PublicApi.received.txt");
        string expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";

        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail($"The public API differs from {path}. If the change is intended, copy {received} over it.\n"
            + Diff(expected, actual));
    }

    [Fact]
    public void Dump_OfThisLibrary_ListsKnownMembers()
    {
        // Guards the dump itself: a dump that silently dropped members would make the snapshot test meaningless.
        string dump = PublicApiDump.Of(typeof(SharedMemory).Assembly);

        Assert.Contains("public sealed class Memshare.SharedMemory : System.IDisposable", dump, StringComparison.Ordinal);
        Assert.Contains("  public static Memshare.SharedMemory CreateOrOpen(System.String name, System.Int64 size, out System.Boolean created, Memshare.RegionInitializer initializer = null, Memshare.SharedMemoryOptions options = null)", dump, StringComparison.Ordinal);
        Assert.Contains("  public ref T Value { get; }", dump, StringComparison.Ordinal);
        Assert.Contains("  public ref readonly T ReadOnlyValue { get; }", dump, StringComparison.Ordinal);
        Assert.Contains("public sealed class Memshare.SharedValue<T> : System.IDisposable where T : unmanaged", dump, StringComparison.Ordinal);
        Assert.Contains("  Persistent = 1", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("RegionHeader", dump, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Memshare.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Memshare.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string Diff(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        var sb = new StringBuilder();
        foreach (string line in e.Except(a))
        {
            sb.Append("- ").AppendLine(line);
        }

        foreach (string line in a.Except(e))
        {
            sb.Append("+ ").AppendLine(line);
        }

        return sb.ToString();
    }
}

/// <summary>A stable, readable text form of an assembly's public surface: one line per type or member, sorted.</summary>
internal static class PublicApiDump
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Of(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(TypeHeader(type)).Append('\n');
            IEnumerable<string> members = type.IsEnum
                ? type.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .OrderBy(f => Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture))
                    .Select(f => $"  {f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}")
                : type.GetMembers(Declared)
                    .Select(m => (m.Name, Line: Member(m)))
                    .Where(x => x.Line is not null)
                    .OrderBy(x => x.Name, StringComparer.Ordinal)
                    .ThenBy(x => x.Line, StringComparer.Ordinal)
                    .Select(x => x.Line!);
            foreach (string m in members)
            {
                sb.Append(m).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string TypeHeader(Type t)
    {
        string kind = t.IsEnum ? "enum" : t.IsValueType ? "struct" : t.IsInterface ? "interface" : "class";
        string modifiers = t.IsInterface || t.IsValueType ? "" : t.IsAbstract && t.IsSealed ? "static " : t.IsSealed ? "sealed " : t.IsAbstract ? "abstract " : "";
        var bases = new List<string>();
        if (!t.IsEnum && !t.IsValueType && t.BaseType is { } b && b != typeof(object))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(t.GetInterfaces().Where(i => i.IsPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"public {modifiers}{kind} {Name(t)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : "")}{Constraints(t)}";
    }

    private static string? Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"  public {Static(c)}.ctor({Parameters(c)})",
        MethodInfo method when !method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal) =>
            $"  public {Static(method)}{Return(method.ReturnParameter)} {method.Name}{GenericArguments(method)}({Parameters(method)}){Constraints(method)}",
        PropertyInfo p => $"  public {Static(p.GetMethod ?? p.SetMethod!)}{Return(p.GetMethod?.ReturnParameter, p.PropertyType)} {p.Name} {{ {Accessors(p)} }}",
        FieldInfo f => $"  public {(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : "")}",
        EventInfo e => $"  public event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"  nested {Name(nested)}",
        _ => null,
    };

    private static string Static(MethodBase m) => m.IsStatic ? "static " : "";

    private static string Accessors(PropertyInfo p)
    {
        var parts = new List<string>();
        if (p.GetMethod is { IsPublic: true })
        {
            parts.Add("get;");
        }

        if (p.SetMethod is { IsPublic: true } set)
        {
            bool init = set.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit");
            parts.Add(init ? "init;" : "set;");
        }

        return string.Join(' ', parts);
    }

    private static string Return(ParameterInfo? p, Type? fallback = null)
    {
        Type type = p?.ParameterType ?? fallback!;
        if (!type.IsByRef)
        {
            return Name(type);
        }

        bool readOnly = p!.CustomAttributes.Any(a => a.AttributeType.Name == "IsReadOnlyAttribute");
        return (readOnly ? "ref readonly " : "ref ") + Name(type.GetElementType()!);
    }

    private static string Parameters(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
    {
        string prefix = p.ParameterType.IsByRef ? p.IsOut ? "out " : p.IsIn ? "in " : "ref " : "";
        if (p.GetCustomAttribute<ParamArrayAttribute>() is not null)
        {
            prefix = "params ";
        }

        Type t = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
        string defaultValue = p.HasDefaultValue ? " = " + (p.DefaultValue switch
        {
            null => t.IsValueType && Nullable.GetUnderlyingType(t) is null ? "default" : "null",
            string s => "\"" + s + "\"",
            bool b => b ? "true" : "false",
            object o when t.IsEnum => Name(t) + "." + Enum.GetName(t, o),
            object o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture),
        }) : "";
        return $"{prefix}{Name(t)} {p.Name}{defaultValue}";
    }));

    private static string GenericArguments(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Constraints(Type t) => t.IsGenericTypeDefinition ? Constraints(t.GetGenericArguments()) : "";

    private static string Constraints(MethodInfo m) => m.IsGenericMethodDefinition ? Constraints(m.GetGenericArguments()) : "";

    private static string Constraints(Type[] parameters)
    {
        var sb = new StringBuilder();
        foreach (Type p in parameters)
        {
            var c = new List<string>();
            GenericParameterAttributes a = p.GenericParameterAttributes;
            if (p.CustomAttributes.Any(x => x.AttributeType.Name == "IsUnmanagedAttribute"))
            {
                c.Add("unmanaged");
            }
            else if ((a & GenericParameterAttributes.NotNullableValueTypeConstraint) != 0)
            {
                c.Add("struct");
            }
            else if ((a & GenericParameterAttributes.ReferenceTypeConstraint) != 0)
            {
                c.Add("class");
            }

            c.AddRange(p.GetGenericParameterConstraints().Where(x => x != typeof(ValueType)).Select(Name));
            if ((a & GenericParameterAttributes.DefaultConstructorConstraint) != 0 && (a & GenericParameterAttributes.NotNullableValueTypeConstraint) == 0)
            {
                c.Add("new()");
            }

            if (c.Count > 0)
            {
                sb.Append(" where ").Append(p.Name).Append(" : ").Append(string.Join(", ", c));
            }
        }

        return sb.ToString();
    }

    private static string Name(Type t)
    {
        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        if (t.IsByRef)
        {
            return Name(t.GetElementType()!) + "&";
        }

        if (t.IsPointer)
        {
            return Name(t.GetElementType()!) + "*";
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        }

        string name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.Namespace + "." + t.Name;
        if (!t.IsGenericType)
        {
            return name;
        }

        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }
}
