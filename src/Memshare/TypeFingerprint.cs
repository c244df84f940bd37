using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;

namespace Memshare;

/// <summary>
/// A 64-bit hash of an unmanaged type's layout: its name (without namespace), size, and each instance field's
/// name, type and explicit offset, recursively. Two processes that disagree on it disagree on the bytes.
/// </summary>
internal static class TypeFingerprint
{
    internal static unsafe ulong Of<T>()
        where T : unmanaged
    {
        var sb = new StringBuilder();
        sb.Append(sizeof(T)).Append('/');
        Describe(typeof(T), sb, depth: 0);
        return Fnv1a(sb.ToString());
    }

    /// <summary>A readable name: <c>Tick</c>, <c>Pair`2[Int32,Int64]</c>.</summary>
    internal static string DisplayName(Type type) =>
        type.IsGenericType
            ? $"{type.Name}[{string.Join(",", type.GetGenericArguments().Select(DisplayName))}]"
            : type.Name;

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The trimmer keeps every instance field of a value type, since removing one would change its layout.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above: field types of an unmanaged struct are value types whose fields are kept.")]
    private static void Describe(Type type, StringBuilder sb, int depth)
    {
        if (type.IsEnum)
        {
            type = Enum.GetUnderlyingType(type);
        }

        if (type.IsPrimitive || type.IsPointer || depth > 16)
        {
            sb.Append(type.Name);
            return;
        }

        sb.Append(DisplayName(type)).Append('{');
        FieldInfo[] fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Array.Sort(fields, (a, b) => a.MetadataToken.CompareTo(b.MetadataToken)); // declaration order
        foreach (FieldInfo field in fields)
        {
            sb.Append(field.Name).Append('=');
            if (field.GetCustomAttribute<FieldOffsetAttribute>() is { } offset)
            {
                sb.Append('@').Append(offset.Value);
            }

            if (field.GetCustomAttribute<FixedBufferAttribute>() is { } fixedBuffer)
            {
                sb.Append(fixedBuffer.ElementType.Name).Append('[').Append(fixedBuffer.Length).Append(']');
            }
            else
            {
                Describe(field.FieldType, sb, depth + 1);
            }

            sb.Append(';');
        }

        sb.Append('}');
    }

    private static ulong Fnv1a(string text)
    {
        ulong hash = 0xCBF29CE484222325;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 0x100000001B3;
        }

        return hash;
    }
}
