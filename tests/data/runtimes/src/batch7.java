// A seventh batch of Java failures through java.util.logging: its
// XMLFormatter (a record element with the exception's frames), a
// SimpleFormatter format set by property with the source and the stack
// on following lines, and a ConsoleHandler logging a cause chain.
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.XMLFormatter;

class Tariffs {
	static class TariffException extends RuntimeException {
		TariffException(String m, Throwable c) { super(m, c); }
	}
	static int rate(String id) {
		try { return Integer.parseInt(id); }
		catch (NumberFormatException e) { throw new TariffException("tariff " + id + " has no rate", e); }
	}
	public static void main(String[] args) {
		String what = args[0], id = args[1];
		Logger log = Logger.getLogger("tariff.rates");
		log.setUseParentHandlers(false);
		ConsoleHandler h = new ConsoleHandler();
		if (what.equals("xml")) h.setFormatter(new XMLFormatter());
		log.addHandler(h);
		try { rate(id); }
		catch (TariffException e) { log.log(Level.SEVERE, "rating " + id + " failed", e); }
	}
}
