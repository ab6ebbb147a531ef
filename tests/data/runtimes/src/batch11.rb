# The eleventh batch's Ruby: a method called on nil, a thread's error
# as report_on_exception prints it before join raises it again, and a
# recursion without end.
what, v = ARGV
class VoucherError < StandardError; end
def find_voucher(code) = { "42" => { amount: 5 } }[code]
def amount(code) = find_voucher(code).fetch(:amount)
def parse_code(v) = v.match?(/\A\d+\z/) ? v.to_i : raise(VoucherError, "voucher code #{v.inspect} is not numeric")
def settle(v, depth) = depth > v.length * 0 ? settle(v, depth + 1) : 0
case what
when "nil" then amount(v)
when "thread" then Thread.new { parse_code(v) }.join
when "stack" then settle(v, 1)
end
