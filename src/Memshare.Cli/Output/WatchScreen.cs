using Spectre.Console;

namespace Memshare.Cli.Output;

/// <summary>
/// Where <c>watch</c> shows its frames: redrawn in place with Spectre.Console on a terminal, or, when stdout
/// is a pipe or file, as plain text blocks separated by a blank line, which scripts and tests can parse.
/// </summary>
internal static class WatchScreen
{
    /// <summary>Writes one plain frame: the title, "field: value" lines aligned, then a blank line.</summary>
    public static void WritePlain(WatchFrame frame, TextWriter output)
    {
        int width = frame.Lines.Max(l => l.Field.Length) + 2;
        output.Write($"{frame.Name}  ({frame.Stamp})\n");
        foreach ((string field, string value) in frame.Lines)
        {
            output.Write((field + ":").PadRight(width) + value + "\n");
        }

        output.Write('\n');
        output.Flush();
    }

    /// <summary>The frame as a two-column table; every value is plain text, never markup.</summary>
    public static Table ToTable(WatchFrame frame)
    {
        var table = new Table
        {
            Border = TableBorder.Rounded,
            Title = new TableTitle(Markup.Escape(frame.Name)),
            Caption = new TableTitle(Markup.Escape(frame.Stamp) + " - Ctrl+C to stop"),
        };
        table.AddColumn("field");
        table.AddColumn(new TableColumn("value") { Width = 60 });
        foreach ((string field, string value) in frame.Lines)
        {
            table.AddRow(new Text(field), new Text(value));
        }

        return table;
    }
}
