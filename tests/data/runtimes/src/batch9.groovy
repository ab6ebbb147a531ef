// The ninth batch's Groovy script: an exception from a closure, and a
// method called with arguments no overload takes.
class ManifestException extends RuntimeException {
    ManifestException(String m) { super(m) }
}

class Manifest {
    List<String> entries
    int total() { entries.collect { parseEntry(it) }.sum() }
    int parseEntry(String e) {
        if (!(e ==~ /[0-9]+/)) throw new ManifestException("cannot load manifest entry " + e)
        e as int
    }
    int weigh(int n, int m) { n * m }
}

def m = new Manifest(entries: ["3", args[1]])
switch (args[0]) {
case "closure": println m.total(); break
case "signature": println m.weigh(args[1], 2); break
}
