// A fourth batch of C# failures under Mono: an AggregateException from
// Parallel.For, an exception in an async void method, a method called
// through reflection, an exception in an iterator.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

class QuoteException : Exception {
	public QuoteException(string m) : base(m) {}
}

class Batch4 {
	static void Check(string id, int i) {
		if (i > 0)
			throw new QuoteException("quote " + id + "/" + i + " expired");
	}

	static async void Fire(string id) {
		await Task.Delay(10);
		throw new InvalidOperationException("webhook " + id + " has no target");
	}

	public static void Rebuild(string id) {
		throw new NotSupportedException("index " + id + " cannot be rebuilt");
	}

	static IEnumerable<int> Rows(string raw) {
		foreach (var part in raw.Split(','))
			yield return int.Parse(part);
	}

	static void Main(string[] args) {
		string what = args[0], id = args[1];
		if (what == "parallel") {
			Parallel.For(0, 2, i => Check(id, i));
		} else if (what == "async-void") {
			Fire(id);
			Thread.Sleep(1000);
		} else if (what == "reflection") {
			typeof(Batch4).GetMethod("Rebuild").Invoke(null, new object[] { id });
		} else if (what == "iterator") {
			Console.WriteLine(Rows("3," + id).Sum());
		}
	}
}
