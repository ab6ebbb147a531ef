// The ninth batch's C# program: System.Diagnostics.Trace's console
// listener over an exception, Environment.FailFast with one.
using System;
using System.Diagnostics;

class ManifestException : Exception {
    public ManifestException(string m, Exception inner) : base(m, inner) {}
}

static class Manifest {
    public static int ParseEntry(string v) {
        return int.Parse(v);
    }

    public static int Load(string v) {
        try {
            return ParseEntry(v);
        } catch (FormatException e) {
            throw new ManifestException("cannot load manifest entry " + v, e);
        }
    }
}

static class Batch9 {
    static void Main(string[] args) {
        string v = args[1];
        switch (args[0]) {
        case "trace":
            Trace.Listeners.Add(new ConsoleTraceListener(true));
            try {
                Manifest.Load(v);
            } catch (ManifestException e) {
                Trace.TraceError("deploy failed: {0}", e);
            }
            break;
        case "failfast":
            try {
                Manifest.Load(v);
            } catch (ManifestException e) {
                Environment.FailFast("deploy cannot go on", e);
            }
            break;
        }
    }
}
