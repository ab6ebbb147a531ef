# The tenth batch's Perl programs: Log::Dispatch's error record, a die
# passed on from an eval ("...propagated"), a warning made fatal.
use strict;
use warnings;

sub check_code {
    my ($code) = @_;
    die "cannot redeem voucher '$code'" if $code =~ /\D/;
    return $code;
}

sub redeem { return check_code($_[0]) }

my ($scenario, $v) = @ARGV;
if ($scenario eq 'log-dispatch') {
    require Log::Dispatch;
    my $log = Log::Dispatch->new(
        outputs => [[ 'Screen', min_level => 'info', stderr => 1, newline => 1 ]],
        callbacks => sub { my %p = @_; return sprintf '[%s] %s: %s', 'vouchers', uc $p{level}, $p{message} },
    );
    eval { redeem($v); 1 } or do { chomp(my $e = $@); $log->error("redeem failed: $e") };
} elsif ($scenario eq 'propagated') {
    eval { redeem($v) };
    die if $@;
} elsif ($scenario eq 'fatal-warning') {
    use warnings FATAL => 'numeric';
    my $total = 10 * $v;
    print "$total\n";
}
