# The eighth batch's Ruby program: the stack running out, abort with a
# message, an exception whose message spans several lines, with its
# cause.  "ruby batch8.rb SCENARIO VALUE"
class LedgerError < StandardError; end

def descend(q, depth)
  descend(q, depth + 1)
end

def parse_qty(q)
  Integer(q)
rescue ArgumentError => e
  raise LedgerError, "bad quantity #{q}\n  while settling\n  account main"
end

scenario, v = ARGV
case scenario
when 'stack' then descend(v, 0)
when 'abort' then abort("ledger: cannot settle #{v}")
when 'multiline' then parse_qty(v)
end
