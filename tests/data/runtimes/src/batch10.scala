// The tenth batch's Scala program: assert's AssertionError from a
// method a collection's foreach calls.
object Vouchers {
  def checkCode(code: String): Unit =
    assert(code.forall(_.isDigit), s"voucher '$code' is not a number")

  def redeemAll(codes: Seq[String]): Unit =
    codes.foreach(checkCode)

  def main(args: Array[String]): Unit = args(0) match {
    case "assert" => redeemAll(Seq("10", args(1)))
  }
}
