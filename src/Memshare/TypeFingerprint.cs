using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;

namespace Memshare;

/// <summary>
/// The layout fingerprint of an unmanaged type: FNV-1a (64-bit) over a one-line description of what defines its
/// bytes, e.g. <c>memshare-layout/2 24 Quote 0:float64 8:float64 16:int32</c>. The JIT and NativeAOT compute the
/// same line, and so can a peer in another language: docs/format.md ("Value fingerprint") is the specification.
/// </summary>
/// <remarks>
/// <para>The line holds the size, the type's name, and one leaf per instance field of <c>T</c>, in offset order: a
/// primitive kind (enums as their underlying kind), a fixed buffer's element kind and length, or a nested
/// struct's name and size. Offsets are measured, not derived from layout rules, so sequential, explicit, packed
/// and auto layouts all report what the runtime actually did.</para>
/// <para>Field names are left out: they do not define bytes, records mangle them (<c>&lt;Bid&gt;k__BackingField</c>)
/// and renaming one should not split two builds that share memory. The type's own name stays in, so a
/// different type that happens to have the same layout is still refused.</para>
/// <para>A nested struct's own fields are not described: NativeAOT keeps no reflection metadata for them
/// (its <c>GetFields()</c> returns nothing), so describing them would make the two runtimes disagree.</para>
/// </remarks>
internal static class TypeFingerprint
{
    /// <summary>What reading <c>T</c>'s layout needs kept: its instance fields, so the trimmer and NativeAOT keep
    /// their metadata and let reflection read and write them.</summary>
    internal const DynamicallyAccessedMemberTypes Fields =
        DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields;

    /// <summary>Tags the description's format, so a change to this algorithm changes every fingerprint.</summary>
    internal const string Tag = "memshare-layout/2";

    internal static ulong Of<[DynamicallyAccessedMembers(Fields)] T>()
        where T : unmanaged => Fnv1a(Describe<T>());

    /// <summary>The line that is hashed, e.g. <c>memshare-layout/2 8 Int64 0:int64</c>.</summary>
    internal static unsafe string Describe<[DynamicallyAccessedMembers(Fields)] T>()
        where T : unmanaged
    {
        var sb = new StringBuilder(Tag);
        sb.Append(' ').Append(sizeof(T)).Append(' ').Append(DisplayName(typeof(T)));
        foreach ((int offset, string kind) in Leaves<T>())
        {
            sb.Append(' ').Append(offset).Append(':').Append(kind);
        }

        return sb.ToString();
    }

    /// <summary>A readable name: <c>Tick</c>, <c>Pair`2[Int32,Int64]</c>.</summary>
    internal static string DisplayName(Type type) =>
        type.IsGenericType
            ? $"{type.Name}[{string.Join(",", type.GetGenericArguments().Select(DisplayName))}]"
            : type.Name;

    private static List<(int Offset, string Kind)> Leaves<[DynamicallyAccessedMembers(Fields)] T>()
        where T : unmanaged
    {
        var leaves = new List<(int Offset, string Kind)>();
        if (PrimitiveKind(typeof(T)) is { } own)
        {
            leaves.Add((0, own)); // int, an enum: its own single field is an implementation detail
            return leaves;
        }

        // Measure where each field lives: fill a boxed T with 0xFF and read the field (a copy of its bytes, padding
        // included), clear the box, write the copy back, and see which bytes turned non-zero.
        object box = default(T);
        Span<byte> bytes = MemoryMarshal.AsBytes(new Span<T>(ref Unsafe.Unbox<T>(box)));
        foreach (FieldInfo field in typeof(T).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            bytes.Fill(0xFF);
            object? allOnes = field.GetValue(box);
            bytes.Clear();
            field.SetValue(box, allOnes);
            int first = bytes.IndexOfAnyExcept((byte)0);
            int length = bytes.LastIndexOfAnyExcept((byte)0) + 1 - first;
            leaves.Add((first, Kind(field, length)));
        }

        leaves.Sort(static (a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : string.CompareOrdinal(a.Kind, b.Kind));
        return leaves;
    }

    private static string Kind(FieldInfo field, int size)
    {
        if (field.GetCustomAttribute<FixedBufferAttribute>() is { } buffer)
        {
            return $"{PrimitiveKind(buffer.ElementType)}[{buffer.Length}]";
        }

        return PrimitiveKind(field.FieldType) ?? $"{DisplayName(field.FieldType)}({size})";
    }

    /// <summary>The kind of a primitive, enum or pointer type (docs/format.md lists them); null for a struct.</summary>
    private static string? PrimitiveKind(Type type)
    {
        if (type.IsEnum)
        {
            type = Enum.GetUnderlyingType(type);
        }

        if (type.IsPointer || type.IsFunctionPointer)
        {
            return "ptr";
        }

        if (type == typeof(nint))
        {
            return "intptr";
        }

        if (type == typeof(nuint))
        {
            return "uintptr";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => "bool",
            TypeCode.Char => "char16",
            TypeCode.SByte => "int8",
            TypeCode.Byte => "uint8",
            TypeCode.Int16 => "int16",
            TypeCode.UInt16 => "uint16",
            TypeCode.Int32 => "int32",
            TypeCode.UInt32 => "uint32",
            TypeCode.Int64 => "int64",
            TypeCode.UInt64 => "uint64",
            TypeCode.Single => "float32",
            TypeCode.Double => "float64",
            _ => null,
        };
    }

    /// <summary>FNV-1a, 64-bit, over the UTF-8 bytes of <paramref name="text"/>.</summary>
    internal static ulong Fnv1a(string text)
    {
        ulong hash = 0xCBF29CE484222325;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 0x100000001B3;
        }

        return hash;
    }
}
