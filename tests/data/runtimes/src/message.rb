# Errors whose message runs over several lines.
class ConfigError < StandardError; end

def check(path, val)
  raise ConfigError, "invalid config #{path}:\nkey 'port' is #{val.inspect}, not a number\nkey 'host' is missing"
end

def start(val)
  check("/etc/app/#{val}.yaml", val)
end

what, val = ARGV
case what
when "uncaught"
  start(val)
end
