// A fourth batch of Java failures: an exception with its own toString and
// suppressed exceptions, logback with MDC fields in its pattern,
// java.util.logging's SimpleFormatter on one line, a CompletableFuture
// that fails, a default uncaught-exception handler that logs, an
// exception without a message.
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

class LeaseConflict extends RuntimeException {
	final String lease, holder;

	LeaseConflict(String lease, String holder) {
		super("lease " + lease + " is held");
		this.lease = lease;
		this.holder = holder;
	}

	public String toString() {
		return "LeaseConflict(lease=" + lease + ", holder=" + holder + ")";
	}
}

class Batch4 {
	static void acquire(String id) {
		LeaseConflict e = new LeaseConflict(id, "worker-" + id.length());
		e.addSuppressed(new IllegalStateException("release of " + id + " failed"));
		throw e;
	}

	static int price(String sku) {
		return Integer.parseInt(sku.substring(1));
	}

	static int quote(String sku) {
		return CompletableFuture.supplyAsync(() -> price(sku)).thenApply(p -> p * 2).join();
	}

	static void dedupe(String id) {
		List<String> ids = new ArrayList<>(List.of(id, "a", "b"));
		for (String s : ids)
			if (s.equals(id))
				ids.remove(s);
	}

	static void refund(String id) {
		throw new UnsupportedOperationException("refund " + id + " needs a manual review");
	}

	public static void main(String[] args) throws Exception {
		String id = args[1];
		switch (args[0]) {
		case "tostring":
			acquire(id);
			break;
		case "logback-mdc":
			org.slf4j.MDC.put("req", "r-" + id);
			org.slf4j.MDC.put("user", "u" + id.length());
			try {
				price(id);
			} catch (NumberFormatException e) {
				org.slf4j.LoggerFactory.getLogger("shop.Pricing").error("price of {} unknown", id, e);
			}
			break;
		case "jul-oneline":
			try {
				refund(id);
			} catch (UnsupportedOperationException e) {
				Logger.getLogger("shop.Refunds").log(Level.SEVERE, "refund " + id + " stopped", e);
			}
			break;
		case "completable":
			System.out.println(quote(id));
			break;
		case "handler":
			Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
				System.err.println("FATAL thread " + t.getName() + " died: " + e);
				e.printStackTrace();
			});
			Thread w = new Thread(() -> refund(id), "refunds-" + id.length());
			w.start();
			w.join();
			break;
		case "no-message":
			dedupe(id);
			break;
		}
	}
}
