// Fails in the ways a Kotlin program does.
class Order(val id: String) {
    lateinit var owner: String
}

fun ownerOf(id: String): String = Order(id).owner

fun main(args: Array<String>) {
    when (args[0]) {
        "lateinit" -> println(ownerOf(args[1]))
        "npe" -> { val m = mapOf<String, String>(); println(m[args[1]]!!.length) }
    }
}
