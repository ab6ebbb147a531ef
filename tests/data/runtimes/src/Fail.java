// Fails in the ways a Java service does: uncaught with a cause, through
// java.util.logging, through logback (when on the class path).
import java.util.logging.Level;
import java.util.logging.Logger;

public class Fail {
	static void load(String id) {
		throw new IllegalArgumentException("no such order " + id);
	}

	static void handle(String id) {
		try {
			load(id);
		} catch (IllegalArgumentException e) {
			throw new IllegalStateException("cannot handle order " + id, e);
		}
	}

	static void deep(int n, String id) {
		if (n == 0)
			throw new UnsupportedOperationException("depth reached for " + id);
		deep(n - 1, id);
	}

	public static void main(String[] args) throws Exception {
		String id = args[1];
		switch (args[0]) {
		case "uncaught":
			handle(id);
			break;
		case "jul":
			try {
				handle(id);
			} catch (RuntimeException e) {
				Logger.getLogger("shop.Orders").log(Level.SEVERE, "request " + id + " failed", e);
			}
			break;
		case "jul-line":
			Logger.getLogger("shop.Orders").severe("payment gateway timeout for " + id);
			break;
		case "deep":
			deep(300, id);
			break;
		case "logback":
			try {
				handle(id);
			} catch (RuntimeException e) {
				org.slf4j.LoggerFactory.getLogger("shop.Orders").error("request {} failed", id, e);
			}
			break;
		}
	}
}
