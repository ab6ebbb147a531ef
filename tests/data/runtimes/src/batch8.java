// The eighth batch's Java program: helpful NullPointerException
// messages, a cycle of causes, suppressed exceptions with causes of
// their own.  "java Batch8 SCENARIO VALUE"
import java.util.HashMap;
import java.util.Map;

class Batch8 {
	static class LedgerException extends RuntimeException {
		LedgerException(String m) { super(m); }
		LedgerException(String m, Throwable c) { super(m, c); }
	}

	static class Account implements AutoCloseable {
		final String id;
		Account(String id) { this.id = id; }
		public void close() {
			throw new IllegalStateException("account " + id + " left open",
				new NumberFormatException("For input string: \"" + id + "\""));
		}
	}

	static Map<String, String> names = new HashMap<>();

	static int nameLength(String v) {
		String name = names.get(v);
		return name.length();
	}

	static void cycle(String v) {
		LedgerException a = new LedgerException("cannot post " + v);
		IllegalStateException b = new IllegalStateException("ledger " + v + " locked", a);
		a.initCause(b);
		throw a;
	}

	static void post(String v) {
		try (Account x = new Account(v); Account y = new Account(v + "-2")) {
			throw new LedgerException("cannot post " + v,
				new IllegalArgumentException("quantity " + v));
		}
	}

	public static void main(String[] args) {
		switch (args[0]) {
		case "npe": nameLength(args[1]); break;
		case "cycle": cycle(args[1]); break;
		case "suppressed": post(args[1]); break;
		}
	}
}
