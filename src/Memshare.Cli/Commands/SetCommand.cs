using System.CommandLine;
using System.Text;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare set NAME TEXT [--capacity N]</c>: stores a string in a string slot, creating a persistent one if missing.</summary>
internal static class SetCommand
{
    public const int DefaultCapacity = 256;

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Argument<string> text = new("text") { Description = "The string to store." };
        Option<int> capacity = new("--capacity")
        {
            Description = "If the slot is created: the most UTF-8 bytes it can ever hold. An existing slot keeps its capacity.",
            DefaultValueFactory = _ => DefaultCapacity,
        };
        var command = new Command("set", "Store TEXT in a string slot (a SharedString), creating a persistent slot if there is none. Readers never see a mix of two strings; text longer than the capacity is refused and nothing changes.")
        {
            name,
            text,
            capacity,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetRequiredValue(text), parse.GetValue(capacity)));
        return command;
    }

    private static int Run(string name, string text, int capacity)
    {
        bool created = false;
        if (!SharedString.TryOpenExisting(name, out SharedString? slot))
        {
            // Refuse before creating, so a failed set leaves nothing behind. Same message as SharedString.Set.
            int bytes = Encoding.UTF8.GetByteCount(text);
            if (capacity > 0 && bytes > capacity)
            {
                throw new ArgumentException(Messages.Format(Messages.StringTooLong, name, bytes, capacity));
            }

            slot = SharedString.CreateOrOpen(name, capacity, out created, CliLifetime.NewRegion());
        }

        using (slot)
        {
            slot.Set(text);
            Console.WriteLine($"Set '{name}' to {Encoding.UTF8.GetByteCount(text)} of {slot.Capacity} bytes (version {slot.Version}{(created ? "; created the slot" + CliLifetime.Describe : "")}).");
            CliLifetime.NoteIfScoped(name, created);
        }

        return ExitCodes.Success;
    }
}
