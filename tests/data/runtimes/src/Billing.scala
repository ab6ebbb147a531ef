// Fails in other ways a Scala program does.
object Billing {
  def rate(id: String): Int = id.length / (id.length - id.length)
  def first(ids: List[String]): String = ids.head
  def main(args: Array[String]): Unit = args(0) match {
    case "divide" => println(rate(args(1)))
    case "empty" => println(first(List.empty[String].filter(_ == args(1))))
    case "option" => println(Map("a" -> 1).get(args(1)).get)
  }
}
