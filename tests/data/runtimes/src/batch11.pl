#!/usr/bin/perl
# The eleventh batch's Perl: a die with an exception object whose
# overloaded stringification is what is printed, and a call of a
# method on an undefined value.
use strict;
use warnings;

package VoucherError;
use overload '""' => sub { my $s = shift; "VoucherError: $s->{message} at $s->{file} line $s->{line}.\n" }, fallback => 1;
sub throw { my ($class, %a) = @_; my (undef, $file, $line) = caller; die bless { %a, file => $file, line => $line }, $class }

package main;
my ($what, $v) = @ARGV;
sub parse_code { my $c = shift; VoucherError->throw(message => "voucher code '$c' is not numeric") unless $c =~ /^\d+$/; $c }
my %vouchers = (42 => bless({ amount => 5 }, 'Voucher'));
sub Voucher::amount { $_[0]{amount} }
sub amount_of { my $c = shift; $vouchers{$c}->amount }
if ($what eq 'object') { parse_code($v) }
elsif ($what eq 'undef-method') { amount_of($v) }
