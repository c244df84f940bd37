namespace Memshare.Tests.Golden;

/// <summary>
/// The value type of the golden value image: four fields and no padding, so every byte of the payload is defined.
/// Its fingerprint line is <c>memshare-layout/2 24 Quote 0:float64 8:float64 16:int32 20:int32</c>; renaming it or
/// changing a field changes the image (regenerate on purpose, see GoldenImages).
/// </summary>
public readonly record struct Quote(double Bid, double Ask, int Size, int Venue);
