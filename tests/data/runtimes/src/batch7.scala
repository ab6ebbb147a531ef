// A seventh batch of Scala failures: a Future's failure rethrown by
// Await.result, an unimplemented method (???), a failed Try's get, a
// division by zero inside a collection's closure (the $anonfun frames),
// and an exception caught and printed with printStackTrace.
import scala.concurrent.{Await, Future}
import scala.concurrent.ExecutionContext.Implicits.global
import scala.concurrent.duration._
import scala.util.Try

class QuoteException(msg: String) extends RuntimeException(msg)

object Quotes {
  def quote(id: String): Int = throw new QuoteException("no quote for " + id)
  def pending(id: String): Int = ???
  def main(args: Array[String]): Unit = {
    val id = args(1)
    args(0) match {
      case "future" => println(Await.result(Future(quote(id)), 5.seconds))
      case "todo" => println(pending(id))
      case "try" => println(Try(id.toInt).get)
      case "closure" => println(List(1, 2).map(n => n / (id.length - id.length)))
      case "printed" =>
        try quote(id) catch { case e: QuoteException => e.printStackTrace() }
    }
  }
}
