namespace Memshare;

/// <summary>Edits a copy of a <see cref="SharedValue{T}"/>'s current value; see <see cref="SharedValue{T}.Update"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="value">The current value, to change in place.</param>
public delegate void SharedValueUpdater<T>(ref T value)
    where T : unmanaged;
