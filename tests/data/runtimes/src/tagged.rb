# A Ruby service that logs a rescued exception as Rails does,
# "Class (message):" and then the backtrace one frame a line: through
# ActiveSupport's tagged logger (the tags before the first line only),
# and through the standard Logger.
require 'logger'

class RefundError < StandardError; end

def refund(order)
  raise RefundError, "refund of order #{order} declined (#{order.length} tries)"
end

def settle(order)
  refund(order)
end

what, val = ARGV
begin
  settle(val)
rescue RefundError => e
  text = "#{e.class} (#{e.message}):\n  #{e.backtrace.join("\n  ")}"
  case what
  when 'tagged'
    require 'active_support'
    require 'active_support/logger'
    require 'active_support/tagged_logging'
    log = ActiveSupport::TaggedLogging.new(ActiveSupport::Logger.new($stderr))
    log.tagged('refunds', "order=#{val}") { log.error(text) }
  when 'logger'
    Logger.new($stderr).error(text)
  end
end
