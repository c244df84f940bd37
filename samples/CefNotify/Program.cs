// The CEF seed: renderer processes find the main window through shared memory and notify it.
//   dotnet run --project samples/CefNotify
using System.Diagnostics;
using Memshare.Samples;

if (args is ["renderer", string name, string index])
{
    return NotifyScenario.RunRenderer(name, int.Parse(index, System.Globalization.CultureInfo.InvariantCulture), notifications: 3, Console.Out);
}

return NotifyScenario.RunMain(renderers: 3, notificationsEach: 3, (name, i) =>
{
    // Re-run this program as a renderer: the apphost directly, or `dotnet Sample.dll` when run that way.
    string self = Environment.ProcessPath!;
    var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
        ? new ProcessStartInfo(self) { ArgumentList = { typeof(NotifyScenario).Assembly.Location } }
        : new ProcessStartInfo(self);
    start.ArgumentList.Add("renderer");
    start.ArgumentList.Add(name);
    start.ArgumentList.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
    return Process.Start(start)!;
}, Console.Out);
