# The eighth batch's Tcl program: errors nobody caught, as tclsh reports
# them (the message, then errorInfo's trace).  "tclsh batch8.tcl SCENARIO VALUE"
lassign $argv scenario v

proc parse_qty {q} {
	if {![string is integer -strict $q]} {
		error "bad quantity $q"
	}
	return $q
}

proc post {q} {
	set n [parse_qty $q]
	return $n
}

proc total {q} {
	return [expr {$q * 2}]
}

proc coded {q} {
	return -code error -errorcode [list LEDGER QTY $q] "cannot post $q"
}

switch -- $scenario {
	error { post $v }
	expr { total $v }
	errorcode { coded $v }
	unknown { settle $v }
}
