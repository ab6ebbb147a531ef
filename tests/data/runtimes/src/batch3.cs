// A third batch of C# failures under Mono: an exception from an awaited
// async Task, a failing static constructor, an exception in a LINQ
// lambda.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

class Rates {
	public static readonly int Base;

	static Rates() {
		Base = Load();
	}

	static int Load() {
		throw new InvalidOperationException("rate table " + Batch3.Arg + " is corrupt");
	}
}

class Batch3 {
	public static string Arg;

	static async Task<int> FetchRate(string id) {
		await Task.Delay(10);
		throw new TimeoutException("rate service timed out for " + id);
	}

	static async Task Settle(string id) {
		await FetchRate(id);
	}

	static int Total(string[] skus) {
		var prices = new Dictionary<string, int> { { "a1", 3 } };
		return skus.Select(s => prices[s]).Sum();
	}

	static void Main(string[] args) {
		string what = args[0], id = args[1];
		Arg = id;
		if (what == "async") {
			Settle(id).GetAwaiter().GetResult();
		} else if (what == "static-ctor") {
			Console.WriteLine(Rates.Base);
		} else if (what == "linq") {
			Console.WriteLine(Total(new[] { "a1", id }));
		}
	}
}
