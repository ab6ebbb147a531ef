// The tenth batch's C# program: a task's exception nobody observed,
// reported by TaskScheduler's event; an exception thrown again through
// ExceptionDispatchInfo; ArgumentOutOfRangeException with its parameter
// and value.
using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

class VoucherException : Exception
{
	public VoucherException(string message) : base(message) { }
}

static class Batch10
{
	static int CheckCode(string code)
	{
		throw new VoucherException("cannot redeem voucher '" + code + "'");
	}

	static int Redeem(string code)
	{
		return CheckCode(code.Trim());
	}

	static void Unobserved(string code)
	{
		TaskScheduler.UnobservedTaskException += (sender, e) => {
			Console.Error.WriteLine("unobserved task exception: " + e.Exception);
			e.SetObserved();
		};
		StartAndForget(code);
		for (int i = 0; i < 5; i++) {
			GC.Collect();
			GC.WaitForPendingFinalizers();
			Thread.Sleep(50);
		}
	}

	static void StartAndForget(string code)
	{
		var t = Task.Run(() => Redeem(code));
		((IAsyncResult) t).AsyncWaitHandle.WaitOne();
	}

	static void Rethrow(string code)
	{
		ExceptionDispatchInfo failure = null;
		var worker = new Thread(() => {
			try {
				Redeem(code);
			} catch (VoucherException e) {
				failure = ExceptionDispatchInfo.Capture(e);
			}
		});
		worker.Start();
		worker.Join();
		failure.Throw();
	}

	static void SetQuantity(string quantity)
	{
		throw new ArgumentOutOfRangeException("quantity", quantity, "the quantity of vouchers must be a whole number");
	}

	static void Main(string[] args)
	{
		switch (args[0]) {
		case "unobserved": Unobserved(args[1]); break;
		case "rethrow": Rethrow(args[1]); break;
		case "range": SetQuantity(args[1]); break;
		}
	}
}
