// A seventh batch of C# failures under Mono: an unhandled exception with
// inner exceptions (" ---> "), an exception thrown on another thread, an
// awaited task's failure, a missing dictionary key, an invalid cast, and
// an exception logged with Console.Error.WriteLine(e).
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

class LedgerException : Exception {
	public LedgerException(string m, Exception inner) : base(m, inner) { }
}

static class Batch7 {
	static int Parse(string id) {
		try { return int.Parse(id); }
		catch (FormatException e) { throw new LedgerException("ledger " + id + " has a bad total", e); }
	}
	static async Task<int> Load(string id) {
		await Task.Delay(10);
		throw new TimeoutException("loading " + id + " timed out");
	}
	static void Main(string[] args) {
		string what = args[0], id = args[1];
		if (what == "inner") {
			Parse(id);
		} else if (what == "thread") {
			var t = new Thread(() => { throw new InvalidOperationException("worker " + id + " stopped"); });
			t.Start(); t.Join();
		} else if (what == "await") {
			Load(id).GetAwaiter().GetResult();
		} else if (what == "key") {
			var d = new Dictionary<string, int>();
			Console.WriteLine(d[id]);
		} else if (what == "cast") {
			object o = id;
			Console.WriteLine((int)o);
		} else if (what == "logged") {
			try { Parse(id); }
			catch (Exception e) { Console.Error.WriteLine("ERROR posting failed: " + e); }
		}
	}
}
