// The eleventh batch's Java: a static initializer that fails (an
// ExceptionInInitializerError with its cause), and a list changed while
// it is iterated.
import java.util.ArrayList;
import java.util.List;

class Batch11 {
    static class VoucherException extends RuntimeException {
        VoucherException(String m) { super(m); }
    }
    static class Rates {
        static final int PERCENT = parse(System.getProperty("voucher.rate"));
        static int parse(String v) {
            if (!v.matches("[0-9]+")) throw new VoucherException("voucher rate '" + v + "' is not numeric");
            return Integer.parseInt(v);
        }
    }
    static int discount() { return 100 - Rates.PERCENT; }
    static void prune(List<String> codes) {
        for (String c : codes) if (!c.matches("[0-9]+")) codes.remove(c);
    }
    public static void main(String[] args) {
        switch (args[0]) {
        case "static-init":
            System.setProperty("voucher.rate", args[1]);
            System.out.println(discount());
            break;
        case "concurrent-mod":
            List<String> codes = new ArrayList<>(List.of(args[1], "42", "43"));
            prune(codes);
            break;
        }
    }
}
