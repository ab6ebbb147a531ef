// A sixth batch of Java failures: logback's root-cause-first converter
// (%rEx) and its default of common frames left out over a chain of three
// causes, the stack running out, the heap running out, an
// ExecutionException a future's get() threw, and an exception with
// suppressed ones of its own inside a cause.
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class Batch6 {
	static class SlotException extends RuntimeException {
		SlotException(String m, Throwable cause) {
			super(m, cause);
		}
	}

	static int parse(String slot) {
		return Integer.parseInt(slot);
	}

	static int settle(String slot) {
		try {
			return parse(slot);
		} catch (NumberFormatException e) {
			throw new IllegalStateException("slot " + slot + " unreadable", e);
		}
	}

	static int book(String slot) {
		try {
			return settle(slot);
		} catch (IllegalStateException e) {
			throw new SlotException("cannot book slot " + slot, e);
		}
	}

	static int depth(int n) {
		return depth(n + 1) + 1;
	}

	static class Ledger implements AutoCloseable {
		final String slot;

		Ledger(String slot) {
			this.slot = slot;
		}

		public void close() {
			throw new IllegalStateException("ledger " + slot + " not flushed");
		}
	}

	static void write(String slot) {
		try (Ledger l = new Ledger(slot)) {
			parse(slot);
		}
	}

	public static void main(String[] args) throws Exception {
		String what = args[0], val = args[1];
		Logger log = LoggerFactory.getLogger("bookings");
		switch (what) {
		case "logback-causes":
		case "logback-root-first":
			try {
				book(val);
			} catch (SlotException e) {
				log.error("booking failed for {}", val, e);
			}
			break;
		case "stack-overflow":
			depth(val.length());
			break;
		case "heap":
			List<long[]> keep = new ArrayList<>();
			for (;;)
				keep.add(new long[1 << 20]);
		case "future": {
			ExecutorService pool = Executors.newSingleThreadExecutor();
			try {
				pool.submit(() -> book(val)).get();
			} catch (ExecutionException e) {
				e.printStackTrace();
			} finally {
				pool.shutdown();
			}
			break;
		}
		case "suppressed-cause":
			try {
				write(val);
			} catch (NumberFormatException e) {
				throw new SlotException("cannot write slot " + val, e);
			}
			break;
		default:
			break;
		}
	}
}
