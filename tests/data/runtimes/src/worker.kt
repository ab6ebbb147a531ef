// Fails in other ways a Kotlin program does.
class Ledger(val rows: Map<String, Int>)

fun balance(l: Ledger, id: String): Int = l.rows.getValue(id)

fun settle(id: String) {
    val n = id.length
    check(n > 10) { "ledger $id not settled" }
}

fun main(args: Array<String>) {
    val (what, id) = args
    when (what) {
        "missing" -> println(balance(Ledger(mapOf("a" to 1)), id))
        "check" -> settle(id)
        "cast" -> { val x: Any = id; println((x as Int) + 1) }
    }
}
