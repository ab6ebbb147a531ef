// The ninth batch's Java program: Log4j 1.2's PatternLayout and
// Commons Logging's SimpleLog over an exception with a cause.
import java.util.Properties;

class Batch9 {
    static class ManifestException extends RuntimeException {
        ManifestException(String m, Throwable cause) { super(m, cause); }
    }

    static int parseQuantity(String v) {
        return Integer.parseInt(v);
    }

    static int loadManifest(String v) {
        try {
            return parseQuantity(v);
        } catch (NumberFormatException e) {
            throw new ManifestException("cannot load manifest entry " + v, e);
        }
    }

    static void log4j1(String v) {
        Properties p = new Properties();
        p.setProperty("log4j.rootLogger", "INFO, out");
        p.setProperty("log4j.appender.out", "org.apache.log4j.ConsoleAppender");
        p.setProperty("log4j.appender.out.Target", "System.err");
        p.setProperty("log4j.appender.out.layout", "org.apache.log4j.PatternLayout");
        p.setProperty("log4j.appender.out.layout.ConversionPattern", "%d{ISO8601} %-5p [%t] %c{1} (%F:%L) - %m%n");
        org.apache.log4j.PropertyConfigurator.configure(p);
        org.apache.log4j.Logger log = org.apache.log4j.Logger.getLogger(Batch9.class);
        try {
            loadManifest(v);
        } catch (ManifestException e) {
            log.error("deploy failed", e);
        }
    }

    static void jcl(String v) {
        org.apache.commons.logging.Log log = org.apache.commons.logging.LogFactory.getLog(Batch9.class);
        try {
            loadManifest(v);
        } catch (ManifestException e) {
            log.error("deploy failed", e);
        }
    }

    public static void main(String[] args) {
        switch (args[0]) {
            case "log4j1": log4j1(args[1]); break;
            case "jcl": jcl(args[1]); break;
            default: throw new IllegalArgumentException(args[0]);
        }
    }
}
