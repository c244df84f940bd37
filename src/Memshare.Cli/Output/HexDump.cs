using System.Globalization;

namespace Memshare.Cli.Output;

/// <summary>
/// The <c>hexdump -C</c> layout: an offset, 16 bytes in two groups of 8, the printable ones between bars; a
/// line equal to the one before is shown once as <c>*</c> until the bytes change, and the last line is the
/// offset just past the end. Offsets are the region's, so a dump that starts at 0x1000 says so.
/// </summary>
internal sealed class HexDump(TextWriter output, long start)
{
    public const int BytesPerLine = 16;

    private readonly byte[] _previous = new byte[BytesPerLine];
    private readonly byte[] _line = new byte[BytesPerLine];
    private readonly char[] _text = new char[80];
    private int _filled;
    private long _offset = start;
    private bool _havePrevious;
    private bool _starred;

    /// <summary>Adds bytes in any chunking; lines are cut every 16 bytes from the start offset.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int n = Math.Min(BytesPerLine - _filled, bytes.Length);
            bytes[..n].CopyTo(_line.AsSpan(_filled));
            _filled += n;
            bytes = bytes[n..];
            if (_filled == BytesPerLine)
            {
                EmitFull();
            }
        }
    }

    /// <summary>Prints the last, partial line (never collapsed: it differs in length) and the end offset.</summary>
    public void Finish()
    {
        if (_filled > 0)
        {
            WriteLine(_line.AsSpan(0, _filled));
            _offset += _filled;
            _filled = 0;
        }

        output.Write(OffsetText(_offset));
        output.Write('\n');
    }

    private void EmitFull()
    {
        if (_havePrevious && _line.AsSpan().SequenceEqual(_previous))
        {
            if (!_starred)
            {
                output.Write("*\n");
                _starred = true;
            }
        }
        else
        {
            WriteLine(_line);
            _line.CopyTo(_previous, 0);
            _havePrevious = true;
            _starred = false;
        }

        _offset += BytesPerLine;
        _filled = 0;
    }

    private void WriteLine(ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        void Put(char c) => _text[at++] = c;

        output.Write(OffsetText(_offset));
        Put(' ');
        for (int i = 0; i < BytesPerLine; i++)
        {
            if (i % 8 == 0)
            {
                Put(' ');
            }

            if (i < bytes.Length)
            {
                Put(Digit(bytes[i] >> 4));
                Put(Digit(bytes[i] & 0xF));
                Put(' ');
            }
            else
            {
                Put(' ');
                Put(' ');
                Put(' ');
            }
        }

        Put(' ');
        Put('|');
        foreach (byte b in bytes)
        {
            Put(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        Put('|');
        Put('\n');
        output.Write(_text, 0, at);
    }

    private static string OffsetText(long offset) => offset.ToString("x8", CultureInfo.InvariantCulture);

    private static char Digit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
