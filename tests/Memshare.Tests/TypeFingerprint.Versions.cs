#pragma warning disable CS0649 // types for layout only: their fields are never assigned
// Small versions of one type side by side, as two builds of a program would have them (TypeFingerprint.Tests.cs).
namespace Memshare.Tests.V1
{
    internal struct Reading
    {
        public int Sensor;
        public int Value;
    }

    internal struct Order
    {
        public int Id;
        public AotPeer.Quote Best;
        public Cost Limit;
        public ushort Venue;
    }

    internal struct Cost
    {
        public long Mantissa;
        public sbyte Exponent;
    }
}

namespace Memshare.Tests.V2
{
    internal struct Reading
    {
        public int Probe;
        public int Measurement;
    }
}

namespace Memshare.Tests.V3
{
    internal struct Reading
    {
        public int Sensor;
        public float Value;
    }
}
