// A seventh batch of Kotlin failures on the JVM: an uncaught exception in a
// named thread with a cause, a resource whose close() failed too (the
// suppressed exception under it), check()/error() failures logged through
// java.util.logging, a lazy property whose initialiser failed, and a
// number that does not parse, wrapped in the program's own exception.
import java.util.logging.Level
import java.util.logging.Logger

class LedgerException(msg: String, cause: Throwable? = null) : Exception(msg, cause)

class Account(val id: String) : java.io.Closeable {
    fun post(n: Int) { throw LedgerException("account $id cannot post $n") }
    override fun close() { throw IllegalStateException("account $id left open") }
}

val rate: Int by lazy { System.getenv("RATE_MISSING")!!.length }

fun parseQty(s: String): Int =
    try { s.toInt() } catch (e: NumberFormatException) { throw LedgerException("bad quantity $s", e) }

fun settle(id: String) { check(id.length > 5) { "ledger $id is not settled" } }

fun main(args: Array<String>) {
    val id = args[1]
    when (args[0]) {
        "thread" -> {
            val t = Thread({ parseQty(id) }, "ledger-$id")
            t.start(); t.join()
        }
        "suppressed" -> Account(id).use { it.post(id.length) }
        "jul" -> {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                "%1\$tF %1\$tT %4\$s %3\$s - %5\$s%6\$s%n")
            val log = Logger.getLogger("ledger.settle")
            try { settle(id) } catch (e: IllegalStateException) { log.log(Level.SEVERE, "settlement of $id failed", e) }
        }
        "lazy" -> println(rate + id.length)
        "wrapped" -> println(parseQty(id))
    }
}
