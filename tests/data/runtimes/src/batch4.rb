# A fourth batch of Ruby failures: full_message of an error with causes,
# a Logger whose formatter writes JSON lines, three nested causes
# uncaught, a thread's exception reported and then re-raised by join, a
# timeout from the standard library.
require 'json'
require 'logger'
require 'timeout'

class StoreError < StandardError; end
class SyncError < StandardError; end
class PlanError < StandardError; end

def read_row(id)
  Integer(id)
rescue ArgumentError
  raise StoreError, "row #{id} unreadable"
end

def sync_row(id)
  read_row(id)
rescue StoreError
  raise SyncError, "sync of #{id} failed"
end

def plan(id)
  sync_row(id)
rescue SyncError
  raise PlanError, "no plan for #{id}"
end

def slow_lookup(id)
  Timeout.timeout(0.05) { sleep 1 }
  id
end

what, val = ARGV
case what
when 'full-message-cause'
  begin
    sync_row(val)
  rescue SyncError => e
    $stderr.puts "sync worker: #{e.full_message(highlight: false, order: :top)}"
  end
when 'logger-json'
  log = Logger.new($stdout, progname: 'sync')
  log.formatter = proc do |sev, time, prog, msg|
    h = { time: time.utc.strftime('%FT%T.%LZ'), level: sev, progname: prog }
    if msg.is_a?(Exception)
      h[:message] = msg.message
      h[:error] = msg.class.name
      h[:backtrace] = msg.backtrace
    else
      h[:message] = msg
    end
    JSON.generate(h) + "\n"
  end
  begin
    sync_row(val)
  rescue SyncError => e
    log.error(e)
  end
when 'nested-causes'
  plan(val)
when 'thread-join'
  t = Thread.new { sync_row(val) }
  t.join
when 'timeout'
  puts slow_lookup(val)
end
