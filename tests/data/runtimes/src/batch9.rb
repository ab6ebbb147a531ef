# The ninth batch's Ruby program: a YAML document Psych cannot parse,
# a Ractor whose block raised.
require 'yaml'

class ManifestError < StandardError; end

def parse_entry(v)
  Integer(v)
rescue ArgumentError
  raise ManifestError, "cannot load manifest entry #{v}"
end

def load_config(v)
  YAML.safe_load("deploy:\n  entry: #{v}\n    retries: 3\n")
end

case ARGV[0]
when 'yaml'
  load_config(ARGV[1])
when 'ractor'
  $VERBOSE = nil
  r = Ractor.new(ARGV[1]) { |v| parse_entry(v) }
  r.take
end
