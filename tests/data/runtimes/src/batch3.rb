# A third batch of Ruby failures: a raise in a block passed to each, a
# custom exception printed with full_message via warn, a misspelt method
# with a suggestion, a JSON parse error from the library.
require 'json'

class ChargeError < StandardError; end
class RefundError < StandardError; end

def charge_all(items)
  items.each do |i|
    raise ChargeError, "cannot charge item #{i}" unless i =~ /\A\d+\z/
  end
end

def refund(id)
  Integer(id)
rescue ArgumentError
  raise RefundError, "refund #{id} rejected"
end

def label(sku)
  sku.upcsae
end

def quantity(raw)
  JSON.parse(%({"qty": #{raw}}))['qty']
end

what, val = ARGV
case what
when 'each'
  charge_all(['3', val])
when 'full-message'
  begin
    refund(val)
  rescue RefundError => e
    warn e.full_message(highlight: false)
  end
when 'suggest'
  puts label(val)
when 'json'
  puts quantity(val)
end
