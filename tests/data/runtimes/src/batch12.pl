# The twelfth batch's Perl: Log::Any (to its Stderr adapter) logging a
# croak from a module deep in a call chain, as the message alone and
# with Carp's verbose trace.
use strict;
use warnings;
use Carp;
use Log::Any qw($log);
use Log::Any::Adapter ('Stderr', log_level => 'info');

package Voucher::Parser;
use Carp;
sub parse { my ($v) = @_; croak "voucher code '$v' is not numeric" unless $v =~ /^\d+$/; return $v + 0 }

package Voucher::Store;
sub redeem { my ($class, $v) = @_; return { code => Voucher::Parser::parse($v), state => 'redeemed' } }

package Voucher::Handler;
sub handle { my ($v) = @_; return Voucher::Store->redeem($v) }

package main;
my ($what, $v) = @ARGV;
$Carp::Verbose = 1 if $what eq 'verbose';
eval { Voucher::Handler::handle($v); 1 } or do {
    my $err = $@;
    chomp $err;
    $log->errorf('redeem failed: %s', $err);
};
