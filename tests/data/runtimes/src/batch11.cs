// The eleventh batch's C#: a static constructor that throws (a
// TypeInitializationException with its inner exception), and a cast
// that does not hold, thrown through a LINQ query.
using System;
using System.Collections.Generic;
using System.Linq;

class VoucherException : Exception { public VoucherException(string m) : base(m) {} }

static class Rates {
    public static readonly int Percent = Parse(Environment.GetEnvironmentVariable("VOUCHER_RATE"));
    static int Parse(string v) {
        if (v == null || !v.All(char.IsDigit)) throw new VoucherException("voucher rate '" + v + "' is not numeric");
        return int.Parse(v);
    }
}

class Batch11 {
    static int Discount() { return 100 - Rates.Percent; }
    static int Total(List<object> codes) { return codes.Cast<int>().Sum(); }
    static void Main(string[] args) {
        switch (args[0]) {
        case "type-init":
            Environment.SetEnvironmentVariable("VOUCHER_RATE", args[1]);
            Console.WriteLine(Discount());
            break;
        case "cast":
            Console.WriteLine(Total(new List<object> { 5, args[1] }));
            break;
        }
    }
}
