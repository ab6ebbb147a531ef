# The tenth batch's Ruby programs: minitest's report of an error,
# Hash#fetch's KeyError with did_you_mean's suggestion, CSV's malformed
# input, an error raised in a Fiber.
class VoucherError < StandardError; end

def check_code(code)
  raise VoucherError, "cannot redeem voucher '#{code}'"
end

def redeem(code)
  check_code(code.strip)
end

scenario, v = ARGV

case scenario
when "minitest"
  ARGV.replace(["--seed", "1"])
  require "minitest/autorun"
  Class.new(Minitest::Test) do
    define_method(:test_redeem) { assert_equal 1, redeem(v) }
    def self.name = "RedeemTest"
  end
when "fetch"
  rates = { "#{v}_rate" => 0.1 }
  def rate_for(rates, key) = rates.fetch(key)
  rate_for(rates, "#{v}-rate")
when "csv"
  require "csv"
  def load_vouchers(text) = CSV.parse(text)
  load_vouchers("code,amount\n\"#{v}\"x,10\n")
when "fiber"
  f = Fiber.new { redeem(v) }
  f.resume
end
