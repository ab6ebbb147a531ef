// Fails in the ways a Scala program does.
object Orders {
  def kind(n: Int): String = n match {
    case 1 => "one"
  }
  def main(args: Array[String]): Unit = args(0) match {
    case "match" => println(kind(args(1).length + 1))
    case "require" => require(args(1).isEmpty, "order " + args(1) + " must be empty")
  }
}
