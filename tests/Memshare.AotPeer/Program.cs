// A peer for the AOT-vs-JIT tests (tests/Memshare.Tests/Aot): the same code runs on the JIT and as a NativeAOT
// binary, and each creates or opens one SharedValue<T> per shape. Usage:
//   serve PREFIX   create PREFIX-SHAPE for every shape holding seed 1, print "ready", wait for a line on stdin, then
//                  check each holds seed 2 (written by the visitor): prints "ok", or "bad SHAPE: ..." and exits 1
//   visit PREFIX   open every PREFIX-SHAPE, check it holds seed 1 and write seed 2: "ok", or "bad SHAPE: ..."
//   refuse PREFIX  open PREFIX-quote as another type of the same layout: "refused: MESSAGE", or "accepted" and exit 1
using Memshare;
using Memshare.AotPeer;

IShape[] shapes =
[
    new Shape<Quote>("quote", Values.Quote),
    new Shape<Overlay>("overlay", Values.Overlay),
    new Shape<Order>("order", Values.Order),
    new Shape<Label>("label", Values.Label),
    new Shape<Status>("status", Values.Status),
    new Shape<Pair<short, Price>>("pair", Values.Pair),
];

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Memshare.AotPeer serve|visit|refuse PREFIX");
    return 2;
}

string prefix = args[1];
int failures = 0;
switch (args[0])
{
    case "serve":
        foreach (IShape shape in shapes)
        {
            shape.Create(prefix);
        }

        Console.WriteLine("ready");
        _ = Console.ReadLine();
        foreach (IShape shape in shapes)
        {
            failures += Report(shape.Name, shape.Check(2));
            shape.Close();
        }

        break;
    case "visit":
        foreach (IShape shape in shapes)
        {
            try
            {
                failures += Report(shape.Name, shape.Visit(prefix));
            }
            catch (RegionFormatException e)
            {
                failures += Report(shape.Name, e.Message); // e.g. the two runtimes computed different fingerprints
            }
        }

        break;
    case "refuse":
        try
        {
            using SharedValue<QuoteTwin> twin = SharedValue<QuoteTwin>.OpenExisting($"{prefix}-quote");
            Console.WriteLine("accepted");
            return 1;
        }
        catch (RegionFormatException e)
        {
            Console.WriteLine($"refused: {e.Message}");
            return 0;
        }

    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}

if (failures == 0)
{
    Console.WriteLine("ok");
}

return failures == 0 ? 0 : 1;

static int Report(string shape, string? problem)
{
    if (problem is null)
    {
        return 0;
    }

    Console.WriteLine($"bad {shape}: {problem}");
    return 1;
}
