// Fails in other ways a Java worker does: suppressed exceptions, threads,
// deep causes, messages over several lines, log4j2.
import java.util.logging.Level;
import java.util.logging.Logger;

public class Worker {
	static class QuotaException extends Exception {
		QuotaException(String m, Throwable c) {
			super(m, c);
		}
	}

	static class Conn implements AutoCloseable {
		final String id;

		Conn(String id) {
			this.id = id;
		}

		void send() {
			throw new IllegalStateException("send failed on " + id);
		}

		public void close() {
			throw new java.io.UncheckedIOException("close failed on " + id, new java.io.IOException("broken pipe"));
		}
	}

	static void transfer(String id) {
		try (Conn c = new Conn(id)) {
			c.send();
		}
	}

	static int parse(String id) {
		return Integer.parseInt(id);
	}

	static int level3(String id) {
		try {
			return parse(id);
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("bad id " + id, e);
		}
	}

	static int level2(String id) {
		try {
			return level3(id);
		} catch (IllegalArgumentException e) {
			throw new RuntimeException("lookup failed for " + id, e);
		}
	}

	static void level1(String id) throws QuotaException {
		try {
			level2(id);
		} catch (RuntimeException e) {
			throw new QuotaException("quota check failed for " + id, e);
		}
	}

	static int length(String s) {
		return s.length();
	}

	public static void main(String[] args) throws Exception {
		String id = args[1];
		switch (args[0]) {
		case "suppressed":
			transfer(id);
			break;
		case "thread":
			Thread t = new Thread(() -> transfer(id), "pool-1-thread-" + id.length());
			t.start();
			t.join();
			break;
		case "causes":
			level1(id);
			break;
		case "multiline":
			throw new IllegalStateException("ledger mismatch for " + id + "\n  expected: 3 rows\n  found: 2 rows");
		case "npe":
			length(id.length() > 0 ? null : id);
			break;
		case "jul-causes":
			try {
				level1(id);
			} catch (QuotaException e) {
				Logger.getLogger("billing.Quota").log(Level.WARNING, "quota for " + id + " not checked", e);
			}
			break;
		case "log4j2":
			try {
				level1(id);
			} catch (QuotaException e) {
				org.apache.logging.log4j.LogManager.getLogger("billing.Quota").error("quota for " + id + " not checked", e);
			}
			break;
		case "logback-suppressed":
			try {
				transfer(id);
			} catch (RuntimeException e) {
				org.slf4j.LoggerFactory.getLogger("billing.Transfer").error("transfer {} failed", id, e);
			}
			break;
		}
	}
}
