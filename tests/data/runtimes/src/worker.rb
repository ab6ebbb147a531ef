# Fails in other ways a Ruby worker does.
require 'logger'

class LedgerError < StandardError; end

def fetch_row(rows, id)
  rows.fetch(id)
end

def settle(id)
  fetch_row({ 'a1' => 1 }, id)
rescue KeyError => e
  raise LedgerError, "cannot settle #{id}: #{e.message}"
end

def spin(n)
  spin(n + 1) + 1
end

what, val = ARGV
case what
when 'cause'
  settle(val)
when 'stack'
  spin(val.length)
when 'frozen'
  NAMES = %w[a b].freeze
  NAMES << val
when 'zero'
  puts val.length / (val.length - val.length)
when 'logger-fmt'
  log = Logger.new($stdout, progname: 'ledger')
  log.formatter = proc { |sev, time, prog, msg| "#{time.strftime('%FT%T')} [#{sev}] #{prog}: #{msg.is_a?(Exception) ? "#{msg.message} (#{msg.class})\n#{msg.backtrace.join("\n")}" : msg}\n" }
  begin
    settle(val)
  rescue LedgerError => e
    log.error(e)
  end
when 'thread'
  Thread.new { settle(val) }
  sleep 0.3
end
