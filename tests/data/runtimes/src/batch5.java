// A fifth batch of Java failures, through the logging libraries people
// use: slf4j-simple's lines with a chain of causes, Log4j 2's pattern
// layouts with the extended (%xEx), root-cause-first (%rEx) and short
// (%ex{short}) throwable converters, an uncaught exception of a thread
// that a default handler logs through Log4j 2.
import java.util.List;

class Batch5 {
	static int units(String raw) {
		return Integer.parseInt(raw);
	}

	static int settle(String invoice) {
		try {
			return units(invoice);
		} catch (NumberFormatException e) {
			throw new IllegalStateException("settlement of invoice " + invoice + " failed", e);
		}
	}

	static String slot(String day) {
		List<String> slots = List.of("am", "pm");
		return slots.get(day.length());
	}

	public static void main(String[] args) throws Exception {
		String what = args[0], val = args[1];
		if (what.equals("slf4j-simple")) {
			org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("billing");
			try {
				settle(val);
			} catch (IllegalStateException e) {
				log.error("run {} stopped", val, e);
			}
		} else if (what.equals("log4j2")) {
			org.apache.logging.log4j.Logger log = org.apache.logging.log4j.LogManager.getLogger("billing");
			try {
				settle(val);
			} catch (IllegalStateException e) {
				log.error("run {} stopped", val, e);
			}
		} else if (what.equals("log4j2-thread")) {
			org.apache.logging.log4j.Logger log = org.apache.logging.log4j.LogManager.getLogger("sched");
			Thread.setDefaultUncaughtExceptionHandler(
					(t, e) -> log.fatal("uncaught exception in thread " + t.getName(), e));
			Thread t = new Thread(() -> System.out.println(slot(val)), "slot-planner");
			t.start();
			t.join();
		}
	}
}
