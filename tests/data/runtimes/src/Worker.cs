// Fails in other ways a C# worker under Mono does.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

class LedgerException : Exception {
	public LedgerException(string m, Exception inner) : base(m, inner) {}
}

class Worker {
	static int Rate(string id) {
		var rates = new Dictionary<string, int>();
		return rates[id];
	}

	static int Lookup(string id) {
		try {
			return Rate(id);
		} catch (KeyNotFoundException e) {
			throw new ArgumentException("no rate for " + id, e);
		}
	}

	static void Settle(string id) {
		try {
			Lookup(id);
		} catch (ArgumentException e) {
			throw new LedgerException("cannot settle " + id, e);
		}
	}

	static void Main(string[] args) {
		string what = args[0], id = args[1];
		if (what == "inner3") {
			Settle(id);
		} else if (what == "aggregate") {
			var t1 = Task.Run(() => Settle(id));
			var t2 = Task.Run(() => Lookup(id + "b"));
			Task.WaitAll(t1, t2);
		} else if (what == "thread") {
			var t = new Thread(() => Settle(id));
			t.Start();
			t.Join();
		} else if (what == "null") {
			string s = id.Length > 0 ? null : id;
			Console.WriteLine(s.Length);
		} else if (what == "caught") {
			try {
				Settle(id);
			} catch (Exception e) {
				Console.Error.WriteLine(DateTime.UtcNow.ToString("s") + " ERROR settle failed: " + e);
			}
		}
	}
}
