#pragma warning disable CS0649 // types for layout only: their fields are never assigned
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.AotPeer;

namespace Memshare.Tests;

/// <summary>
/// The layout fingerprint (docs/format.md, "Value fingerprint"): the described lines are pinned, so a change to the
/// algorithm is deliberate and the document stays true; the Python peer's implementation of the document gives the
/// same hashes; names of types count and names of fields do not.
/// </summary>
public sealed class TypeFingerprintTests
{
    [Fact]
    public void Describe_Shapes_GivesTheDocumentedLines()
    {
        Assert.Equal("memshare-layout/2 8 Int64 0:int64", TypeFingerprint.Describe<long>());
        Assert.Equal("memshare-layout/2 24 Quote 0:float64 8:float64 16:int32", TypeFingerprint.Describe<Quote>());
        Assert.Equal("memshare-layout/2 24 Overlay 0:float64 0:int64 8:int32 14:int16 16:uint64", TypeFingerprint.Describe<Overlay>());
        Assert.Equal("memshare-layout/2 44 Label 0:int32 4:char16[16] 36:uint8[5]", TypeFingerprint.Describe<Label>());
        Assert.Equal("memshare-layout/2 56 Order 0:int32 8:Quote(24) 32:Price(16) 48:uint16", TypeFingerprint.Describe<Order>());
        Assert.Equal("memshare-layout/2 24 Status 0:uint8 1:bool 2:char16 8:int64 16:bool", TypeFingerprint.Describe<Status>());
        Assert.Equal("memshare-layout/2 24 Pair`2[Int16,Price] 0:int16 8:Price(16)", TypeFingerprint.Describe<Pair<short, Price>>());
        Assert.Equal("memshare-layout/2 1 Side 0:uint8", TypeFingerprint.Describe<Side>());
        Assert.Equal("memshare-layout/2 40 Pointers 0:ptr 8:intptr 16:uintptr 24:ptr 32:float32", TypeFingerprint.Describe<Pointers>());
        Assert.Equal("memshare-layout/2 13 Packed 0:uint8 1:int64 9:int32", TypeFingerprint.Describe<Packed>());
    }

    [Fact]
    public void Of_IsFnv1aOfTheLine_AsThePythonPeerComputesIt()
    {
        // The Python peer implements docs/format.md independently: same hashes from the leaves alone.
        string python = """
            import sys; sys.path.insert(0, sys.argv[1]); import memshare as m
            print(m.layout_fingerprint(24, "Quote", [(16, "int32"), (0, "float64"), (8, "float64")]))
            print(m.layout_fingerprint(24, "Overlay", [(16, "uint64"), (0, "int64"), (0, "float64"), (8, "int32"), (14, "int16")]))
            print(m.layout_fingerprint(44, "Label", [(0, "int32"), (4, "char16[16]"), (36, "uint8[5]")]))
            print(m.layout_fingerprint(24, "Pair`2[Int16,Price]", [(0, "int16"), (8, "Price(16)")]))
            """;
        var run = Infrastructure.Child.Run("python3", "-c", python, Path.Combine(Peers.NativeBuild.RepoRoot, "interop", "python"));

        Assert.True(run.Exit == 0, run.Stderr);
        ulong[] expected = [TypeFingerprint.Of<Quote>(), TypeFingerprint.Of<Overlay>(), TypeFingerprint.Of<Label>(), TypeFingerprint.Of<Pair<short, Price>>()];
        Assert.Equal(expected, run.Lines.Select(l => ulong.Parse(l, CultureInfo.InvariantCulture)));
        Assert.Equal(0x79C743095D1D9C14UL, TypeFingerprint.Of<Quote>());
    }

    [Fact]
    public void Of_SameSizeOtherKindOrOtherName_Differs()
    {
        Assert.NotEqual(TypeFingerprint.Of<long>(), TypeFingerprint.Of<double>());
        Assert.NotEqual(TypeFingerprint.Of<Quote>(), TypeFingerprint.Of<QuoteTwin>()); // same layout, another type
        Assert.NotEqual(TypeFingerprint.Of<V1.Reading>(), TypeFingerprint.Of<V3.Reading>()); // int became float
        Assert.NotEqual(TypeFingerprint.Of<Order>(), TypeFingerprint.Of<V1.Order>()); // nested struct renamed
    }

    [Fact]
    public void Of_FieldRenamedOrNamespaceChanged_Same()
    {
        // Field names and namespaces define no bytes: two builds that differ only there still share values.
        Assert.Equal(TypeFingerprint.Of<V1.Reading>(), TypeFingerprint.Of<V2.Reading>());
    }

    internal unsafe struct Pointers
    {
        public byte* Address;
        public nint Native;
        public nuint NativeUnsigned;
        public delegate*<void> Function;
        public float Single;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    internal struct Packed
    {
        public byte Tag;
        public long Stamp;
        public int Count;
    }
}
