# Fails in the ways a Ruby service does.
require 'logger'

def parse(raw)
  Integer(raw)
end

def load(raw)
  parse(raw)
rescue ArgumentError
  raise IOError, "cannot load #{raw}"
end

def name_of(user)
  user.name
end

what, val = ARGV
case what
when 'cause'
  load(val)
when 'snippet'
  name_of(val == 'x' ? nil : nil)
when 'logger'
  log = Logger.new($stderr)
  begin
    load(val)
  rescue IOError => e
    log.error(e)
  end
when 'logger-line'
  Logger.new($stderr).error("cache unreachable for #{val}")
end
