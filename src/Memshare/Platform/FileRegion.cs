using System.IO.MemoryMappedFiles;

namespace Memshare.Platform;

/// <summary>
/// A regular file mapped shared (the seed's <c>MapFile</c>): every process that maps the same path sees the
/// same bytes, and the contents stay on disk. Built on .NET's <see cref="MemoryMappedFile"/>, which supports
/// file-backed maps on every OS.
/// </summary>
internal sealed unsafe class FileRegion : OsRegion
{
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;

    private FileRegion(MemoryMappedFile file, MemoryMappedViewAccessor view, byte* address, long length, bool created)
    {
        _file = file;
        _view = view;
        Base = address;
        Length = length;
        Created = created;
        Persistent = true;
    }

    internal static FileRegion Open(string path, long size, bool readOnly)
    {
        var info = new FileInfo(path);
        bool created = !info.Exists || info.Length == 0;
        long existing = info.Exists ? info.Length : 0;
        if (readOnly && !info.Exists)
        {
            throw new FileNotFoundException(SR.Format(SR.FileMissing, path), path);
        }

        long length = Math.Max(existing, size);
        if (length <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"File '{path}' is empty and no size was given; pass the size to map.");
        }

        if (readOnly && size > existing)
        {
            throw new RegionFormatException(path, SR.Format(SR.RegionTooSmall, path, existing, size));
        }

        MemoryMappedFileAccess access = readOnly ? MemoryMappedFileAccess.Read : MemoryMappedFileAccess.ReadWrite;
        FileStream stream = new(path, readOnly ? FileMode.Open : FileMode.OpenOrCreate,
            readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        MemoryMappedFile file;
        try
        {
            // The mapping owns the stream from here on (leaveOpen: false).
            file = MemoryMappedFile.CreateFromFile(stream, null, readOnly ? 0 : length, access,
                HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        MemoryMappedViewAccessor view;
        try
        {
            view = file.CreateViewAccessor(0, length, access);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        byte* address = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref address);
        return new FileRegion(file, view, address + view.PointerOffset, length, created);
    }

    public override void Dispose()
    {
        MemoryMappedViewAccessor? view = Interlocked.Exchange(ref _view, null);
        if (view is null)
        {
            return;
        }

        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        _file?.Dispose();
        _file = null;
    }
}
