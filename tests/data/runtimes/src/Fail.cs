// Fails in the ways a C# program under Mono does.
using System;

class Fail {
	static void Charge(string id) {
		throw new ArgumentException("card declined for " + id);
	}

	static void Checkout(string id) {
		try {
			Charge(id);
		} catch (ArgumentException e) {
			throw new InvalidOperationException("checkout failed for " + id, e);
		}
	}

	static void Main(string[] args) {
		string id = args[1];
		if (args[0] == "inner")
			Checkout(id);
		else if (args[0] == "multiline")
			throw new FormatException("bad row " + id + "\nexpected 3 columns\nfound 2");
	}
}
