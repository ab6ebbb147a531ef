class ManifestException extends RuntimeException {
    ManifestException(String m) { super(m); }
}
int parseQuantity(String v) {
    if (!v.matches("[0-9]+")) throw new ManifestException("cannot load manifest entry " + v);
    return Integer.parseInt(v);
}
int loadManifest(String v) { return parseQuantity(v.strip()); }
loadManifest(System.getProperty("entry"))
/exit 1
