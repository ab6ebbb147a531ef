// The tenth batch's Java program: a task of a ForkJoinPool
// failing in its worker thread, a checked exception through a dynamic
// proxy, a regular expression that does not compile.
import java.lang.reflect.Proxy;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

class Batch10 {
	static class VoucherException extends Exception {
		VoucherException(String message) {
			super(message);
		}
	}

	interface Redeemer {
		int redeem(String code);
	}

	static int checkCode(String code) throws VoucherException {
		throw new VoucherException("cannot redeem voucher '" + code + "'");
	}

	static void forkJoin(String code) {
		ForkJoinPool pool = new ForkJoinPool(1);
		pool.execute(() -> {
			try {
				checkCode(code);
			} catch (VoucherException e) {
				throw new IllegalStateException("redeem task failed for " + code, e);
			}
		});
		pool.shutdown();
		try {
			pool.awaitTermination(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	static void proxy(String code) {
		Redeemer r = (Redeemer) Proxy.newProxyInstance(Batch10.class.getClassLoader(),
			new Class<?>[] {Redeemer.class}, (p, m, args) -> checkCode((String) args[0]));
		r.redeem(code);
	}

	static void regex(String code) {
		Pattern.compile("[" + code + "-(");
	}

	public static void main(String[] args) throws Exception {
		switch (args[0]) {
		case "fork-join": forkJoin(args[1]); break;
		case "proxy": proxy(args[1]); break;
		case "regex": regex(args[1]); break;
		default: throw new IllegalArgumentException(args[0]);
		}
	}
}
