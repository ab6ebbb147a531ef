# A sixth batch of Ruby failures: ActiveSupport's tagged logger, a
# retry loop that gives up, a pattern match no branch took, a frozen
# string written to, and an exception raised while another was being
# handled, uncaught.
class SlotError < StandardError; end

def settle(slot)
  raise SlotError, "cannot settle slot #{slot}: #{slot.length} free"
end

def book(slot)
  settle(slot)
end

what, val = ARGV
case what
when 'tagged'
  require 'active_support'
  require 'active_support/logger'
  require 'active_support/tagged_logging'
  log = ActiveSupport::TaggedLogging.new(ActiveSupport::Logger.new($stderr))
  begin
    book(val)
  rescue SlotError => e
    log.tagged('bookings', "slot=#{val}") do
      log.error("#{e.class} (#{e.message}):\n  #{e.backtrace.join("\n  ")}")
    end
  end
when 'retry'
  tries = 0
  begin
    tries += 1
    book(val)
  rescue SlotError => e
    if tries < 3
      warn "W: #{e.message}, retrying (#{tries})"
      retry
    end
    raise
  end
when 'no-pattern'
  case { slot: val, free: val.length }
  in { slot: Integer => n } then n
  in { free: 0 } then 0
  end
when 'frozen'
  SLOTS = [val.dup.freeze].freeze
  SLOTS.first << '!'
when 'ensure'
  begin
    book(val)
  ensure
    Integer(val)
  end
end
