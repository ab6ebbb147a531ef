# The ninth batch's Perl program: Exception::Class with its trace, a
# Moose attribute's type constraint, Carp's cluck (a warning) before a die, in nested packages.
use strict;
use warnings;

package Deploy::Error {
    use Exception::Class ('Deploy::Error' => { fields => ['entry'] });
}

package Deploy::Item {
    use Moose;
    has qty => (is => 'ro', isa => 'Int', required => 1);
    no Moose;
}

package Deploy::Manifest {
    use Carp qw(cluck);

    sub parse_entry {
        my ($v) = @_;
        Deploy::Error->throw(error => "cannot load manifest entry $v", entry => $v)
            unless $v =~ /^\d+$/;
        return $v;
    }

    sub load {
        my ($v) = @_;
        return parse_entry($v);
    }

    sub item {
        my ($v) = @_;
        return Deploy::Item->new(qty => $v);
    }

    sub checked {
        my ($v) = @_;
        cluck "manifest entry $v looks odd" unless $v =~ /^\d+$/;
        die "cannot check manifest entry $v\n" unless $v =~ /^\d+$/;
    }
}

package main;
Deploy::Error->Trace(1);
my ($scenario, $v) = @ARGV;
if ($scenario eq 'exception-class') {
    Deploy::Manifest::load($v);
} elsif ($scenario eq 'moose') {
    Deploy::Manifest::item($v);
} elsif ($scenario eq 'cluck') {
    Deploy::Manifest::checked($v);
}
