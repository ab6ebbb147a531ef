# A fifth batch of Ruby failures, through the logging gem (ruby-logging):
# an exception logged with its basic layout and backtraces on, with a
# pattern layout, with its JSON layout; an uncaught exception that an
# at_exit hook logs through it.
require 'logging'

class ChargeError < StandardError; end

def charge(card)
  raise ChargeError, "card #{card} declined (#{card.length} tries)"
end

def settle(card)
  charge(card)
end

def layout(what)
  case what
  when 'pattern' then Logging.layouts.pattern(pattern: '[%d] %-5l %c: %m\n', backtrace: true)
  when 'json' then Logging.layouts.json(backtrace: true)
  else Logging.layouts.basic(backtrace: true)
  end
end

what, val = ARGV
log = Logging.logger['billing']
log.add_appenders(Logging.appenders.stderr(layout: layout(what)))
if what == 'at-exit'
  at_exit { log.fatal($!) if $! && !$!.is_a?(SystemExit) }
  Integer(val)
else
  begin
    settle(val)
  rescue ChargeError => e
    log.error(e)
  end
end
