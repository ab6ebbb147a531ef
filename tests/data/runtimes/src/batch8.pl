# The eighth batch's Perl program: die, Carp, an exception object and
# Log::Log4perl.  One error per run; "batch8.pl SCENARIO VALUE".
use strict;
use warnings;
use Carp qw(croak confess);
use Log::Log4perl qw(:easy);

package Ledger::Error {
	use overload '""' => sub { ref($_[0]) . ": $_[0]{msg} at $_[0]{file} line $_[0]{line}.\n" }, fallback => 1;
	sub throw {
		my ($class, $msg) = @_;
		my (undef, $file, $line) = caller;
		die bless { msg => $msg, file => $file, line => $line }, $class;
	}
}

package Ledger {
	use Carp qw(croak);
	sub post { my ($qty) = @_; croak "cannot post quantity $qty" unless $qty =~ /^\d+$/; }
}

package main;

my ($scenario, $v) = @ARGV;

sub parse_qty {
	my ($q) = @_;
	confess "bad quantity $q" if $scenario eq 'confess';
	die "bad quantity $q" if $scenario eq 'die';
	Ledger::Error->throw("bad quantity $q") if $scenario eq 'object';
	return $q;
}

sub settle { my ($q) = @_; return parse_qty($q); }

if ($scenario eq 'croak') {
	Ledger::post($v);
} elsif ($scenario eq 'warn-die') {
	warn "stock of $v is low\n";
	settle_warned($v);
} elsif ($scenario eq 'log4perl') {
	Log::Log4perl->easy_init({ level => $INFO, layout => '%d %p %c %F{1}:%L - %m%n' });
	eval { $scenario = 'die'; settle($v); 1 } or ERROR("settlement of $v failed: $@");
} elsif ($scenario eq 'logdie') {
	Log::Log4perl->easy_init({ level => $INFO, layout => '%d %p %c - %m%n' });
	LOGDIE "cannot settle $v";
} else {
	settle($v);
}

sub settle_warned { my ($q) = @_; die "cannot settle $q: no stock\n"; }
