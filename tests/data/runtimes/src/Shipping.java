// A Java service whose java.util.logging handlers write XMLFormatter's
// records: to the console (ConsoleHandler given the formatter) and to a
// file (FileHandler, whose default formatter it is).  Each run logs one
// error: a SEVERE record with the exception, a SEVERE record without one,
// or a record with an exception after INFO and WARNING records that are
// no error.  With PRELUDE_LINES_FILE set, the number of lines written
// before the error's record is written there, counted as they are
// written, so that the capture knows where the error starts.
import java.io.File;
import java.io.FileWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.XMLFormatter;

public class Shipping {
	static class LabelException extends RuntimeException {
		LabelException(String msg, Throwable cause) {
			super(msg, cause);
		}
	}

	/* counts the lines written through it */
	static class Counting extends OutputStream {
		final OutputStream out;
		long lines;

		Counting(OutputStream out) {
			this.out = out;
		}

		public void write(int b) throws IOException {
			if (b == '\n')
				lines++;
			out.write(b);
		}

		public void write(byte[] b, int off, int len) throws IOException {
			for (int i = off; i < off + len; i++)
				if (b[i] == '\n')
					lines++;
			out.write(b, off, len);
		}

		public void flush() throws IOException {
			out.flush();
		}
	}

	static int weight(String parcel) {
		return Integer.parseInt(parcel);
	}

	static String label(String parcel) {
		try {
			return "label-" + weight(parcel);
		} catch (NumberFormatException e) {
			throw new LabelException("no label for parcel " + parcel + " <" + parcel.length() + " chars>", e);
		}
	}

	static Counting counting;

	static void prelude(String parcel) throws IOException {
		String f = System.getenv("PRELUDE_LINES_FILE");
		if (f == null)
			return;
		System.err.flush();
		try (FileWriter w = new FileWriter(f)) {
			w.write(Long.toString(counting.lines));
		}
	}

	public static void main(String[] args) throws Exception {
		String what = args[0], parcel = args[1];
		Logger log = Logger.getLogger("shipping.labels");
		log.setUseParentHandlers(false);
		Handler h;
		counting = new Counting(System.err);
		if (what.startsWith("file-")) {
			File tmp = File.createTempFile("shipping", ".xml");
			tmp.deleteOnExit();
			h = new FileHandler(tmp.getPath());
			log.addHandler(h);
			run(what.substring(5), log, h, parcel);
			h.close(); /* writes the document's tail */
			try (java.io.FileInputStream in = new java.io.FileInputStream(tmp)) {
				in.transferTo(System.out);
			}
			return;
		}
		System.setErr(new PrintStream(counting, true));
		h = new ConsoleHandler();
		h.setFormatter(new XMLFormatter());
		log.addHandler(h);
		run(what, log, h, parcel);
		h.flush();
	}

	static void run(String what, Logger log, Handler h, String parcel) throws IOException {
		switch (what) {
		case "severe":
			try {
				label(parcel);
			} catch (LabelException e) {
				log.log(Level.SEVERE, "shipment of " + parcel + " stopped", e);
			}
			break;
		case "severe-line":
			log.severe("carrier rejected parcel " + parcel + " & gave no reason");
			break;
		case "after-info":
			log.info("parcel " + parcel + " accepted");
			log.warning("parcel " + parcel + " weighs more than declared");
			h.flush();
			prelude(parcel);
			try {
				label(parcel);
			} catch (LabelException e) {
				log.log(Level.SEVERE, "shipment of " + parcel + " stopped", e);
			}
			break;
		case "multiline":
			try {
				label(parcel);
			} catch (LabelException e) {
				log.log(Level.SEVERE, "shipment of " + parcel + " stopped:\nthe label printer is offline", e);
			}
			break;
		}
	}
}
