# The twelfth batch's Ruby: Sinatra's reports of a route that raises,
# served through Rack (its dump_errors report to rack.errors, and an
# error block that logs with a Logger of a custom formatter).
require 'logger'
require 'rack'
require 'sinatra/base'

class VoucherError < StandardError; end

module Vouchers
  def self.parse_code(v)
    raise VoucherError, "voucher code #{v.inspect} is not numeric" unless v =~ /\A\d+\z/
    v.to_i
  end

  def self.redeem(v)
    { code: parse_code(v), state: 'redeemed' }
  end
end

class App < Sinatra::Base
  set :environment, :production
  set :show_exceptions, false
  set :raise_errors, false
  set :dump_errors, true
  set :logging, false

  get '/redeem/:code' do
    Vouchers.redeem(params['code']).to_s
  end
end

class LoggedApp < App
  set :dump_errors, false
  LOG = Logger.new($stderr)
  LOG.progname = 'vouchers'
  LOG.formatter = proc do |severity, time, progname, msg|
    "#{time.utc.strftime('%Y-%m-%dT%H:%M:%S.%3NZ')} #{severity.ljust(5)} #{progname} -- #{msg}\n"
  end

  error VoucherError do
    e = env['sinatra.error']
    LOG.error("#{request.request_method} #{request.path} failed: #{e.message} (#{e.class})\n" +
              e.backtrace.map { |l| "    #{l}" }.join("\n"))
    [422, 'bad voucher']
  end
end

what, v = ARGV
app = what == 'logger' ? LoggedApp : App
Rack::MockRequest.new(app).get("/redeem/#{v}", 'rack.errors' => $stderr)
