// A third batch of Java failures: an exception in a stream's lambda, a
// checked exception from a pool task wrapped twice, a failing static
// initializer, the same exception logged by java.util.logging with a
// custom Formatter and by log4j2 with its own pattern.
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

class Batch3 {
	static String arg;

	static class ReservationException extends Exception {
		ReservationException(String m) {
			super(m);
		}
	}

	static class Rates {
		static final int BASE = Integer.parseInt(arg);
	}

	static class Line extends Formatter {
		public String format(LogRecord r) {
			StringWriter sw = new StringWriter();
			if (r.getThrown() != null)
				r.getThrown().printStackTrace(new PrintWriter(sw));
			return String.format("%1$tFT%1$tT %2$s [%3$s] %4$s%n%5$s", new Date(r.getMillis()),
					r.getLevel(), r.getLoggerName(), formatMessage(r), sw);
		}
	}

	static int total(List<String> rows) {
		return rows.stream().mapToInt(s -> Integer.parseInt(s)).sum();
	}

	static int reserve(String id) throws ReservationException {
		throw new ReservationException("no seats for " + id);
	}

	static void book(String id) {
		ExecutorService pool = Executors.newSingleThreadExecutor();
		try {
			Future<Integer> f = pool.submit(() -> reserve(id));
			f.get();
		} catch (ExecutionException | InterruptedException e) {
			throw new IllegalStateException("booking " + id + " failed", e);
		} finally {
			pool.shutdown();
		}
	}

	static UUID parseLease(String id) {
		return UUID.fromString(id);
	}

	public static void main(String[] args) throws Exception {
		String id = args[1];
		arg = id;
		switch (args[0]) {
		case "stream":
			System.out.println(total(List.of("3", id)));
			break;
		case "wrapped":
			book(id);
			break;
		case "static-init":
			System.out.println(Rates.BASE);
			break;
		case "jul-formatter":
			try {
				parseLease(id);
			} catch (IllegalArgumentException e) {
				java.util.logging.Logger l = java.util.logging.Logger.getLogger("shop.Lease");
				l.setUseParentHandlers(false);
				ConsoleHandler h = new ConsoleHandler();
				h.setFormatter(new Line());
				l.addHandler(h);
				l.log(java.util.logging.Level.SEVERE, "lease " + id + " rejected", e);
			}
			break;
		case "log4j2-pattern":
			try {
				parseLease(id);
			} catch (IllegalArgumentException e) {
				org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder<org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration> b =
						org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory.newConfigurationBuilder();
				b.add(b.newAppender("out", "Console").addAttribute("target", "SYSTEM_OUT")
						.add(b.newLayout("PatternLayout").addAttribute("pattern", "%d [%t] %-5level %logger - %msg%n")));
				b.add(b.newRootLogger(org.apache.logging.log4j.Level.INFO).add(b.newAppenderRef("out")));
				org.apache.logging.log4j.core.config.Configurator.initialize(b.build());
				org.apache.logging.log4j.LogManager.getLogger("shop.Lease").error("lease " + id + " rejected", e);
			}
			break;
		}
	}
}
