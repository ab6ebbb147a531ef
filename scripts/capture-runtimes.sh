#!/bin/sh
# Regenerate tests/data/runtimes/: run the programs under
# tests/data/runtimes/src/ with the real runtimes (Debian packages:
# default-jdk-headless liblogback-java liblog4j2-java kotlin scala
# python3 nodejs golang-go ruby php-cli php-monolog rustc
# librust-env-logger-dev mono-mcs mono-runtime postgresql-15, and for
# the sixth batch python3-rich ruby-activesupport php-monolog
# golang-github-hashicorp-go-hclog-dev golang-k8s-klog-dev
# librust-anyhow-dev; golang-github-go-logr-logr-dev for logr's funcr;
# for the eighth batch perl liblog-log4perl-perl tcl gfortran gcc
# golang-github-pkg-errors-dev; for the ninth python3-twisted
# python3-gevent liblog4j1.2-java libcommons-logging-java groovy
# golang-github-go-errors-errors-dev golang-github-go-kit-log-dev rake
# php-xdebug (left disabled, phpdismod xdebug, as it would change the
# other batches' PHP output; the ninth loads it itself) librust-eyre-dev
# librust-slog-dev librust-slog-term-dev libexception-class-perl
# libmoose-perl g++; for the tenth libglib2.0-dev pkg-config libboost-dev
# liblog-dispatch-perl ruby-minitest librust-simplelog-dev; for the twelfth python3-flask python3-aiohttp
# ruby-sinatra ruby-rack liblog-any-perl golang-glog-dev
# librust-env-logger-dev; winston,
# pino, bunyan, log4js, consola, signale, npmlog, debug, express and koa from the npm
# registry) and keep what they printed.
#
# The truth is known by construction, not read from the output: every
# run of a program raises exactly one error (the scenario table below
# says which type its source raises), so the lines that run printed are
# that event, less leading and trailing blank lines.  Each scenario runs
# twice with different values, and the group of an event is its
# error site: where the program raises, with the in-app call path its
# trace shows (scenarios that raise at one place through one path share
# a group; a single line without a trace is a group of its own).  Runs
# are separated by an ordinary INFO line.  A warning a program printed
# before it failed is no error, so no event: its lines are left out.  Some files add a per-line
# prefix afterwards, as
# `kubectl logs --timestamps` or a syslog daemon would, or wrap each line
# in a JSON record as Docker's json-file log driver does.
#
# For PostgreSQL each failing statement is sent by its own psql call and
# the lines the server appended to its log meanwhile are that event.
#
#   scripts/capture-runtimes.sh [NAME...]   (not run in CI; needs the runtimes)
#
# With names (e.g. "messages"), only tests/data/runtimes/NAME.log and
# NAME.expected are written again; names of the sixth and seventh
# batches alone ("batch6 batch7-k8s ...") build only their programs,
# and so do the Go loggers' ("golog golog-k8s ..."), the JSON loggers'
# ("jsonlog-k8s jsonlog-syslog"), ruby-rescued, java.util.logging's XML
# records ("java-xml java-xml-k8s"), logr's ("logr") and the mixed file
# ("mixed-k8s"); the eighth batch's names ("batch8 batch8-k8s ...") build
# only its programs, and so do the ninth's ("batch9 batch9-k8s ...") and
# the tenth's ("batch10 batch10-syslog ...") and the eleventh's
# ("batch11 batch11-k8s ...") and the twelfth's ("batch12 batch12-docker
# ...").  The eleventh batch adds servers' and
# threads' reports (http.server, an http server's handler, threads in
# Ruby and Rust, a SIGINT in Python), static initializers that fail in Java and C#,
# and the stack protector; it needs no package beyond the earlier ones.
# The twelfth batch is frameworks' and logging libraries' own reports of
# a request handler that fails: Flask, Werkzeug's server and aiohttp,
# Express's default handler and error middleware, Koa, Sinatra through Rack,
# glog, Log::Any, Monolog's ErrorLogHandler and env_logger's formats.
set -eu
only=" $* "
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/tests/data/runtimes
src=$out/src
work=${TMPDIR:-/tmp}/qerrors-runtimes
rm -rf "$work"
mkdir -p "$work/app"
cp -r "$src"/* "$work/app/"
cd "$work/app"

cp=/usr/share/java/slf4j-api.jar:/usr/share/java/logback-classic.jar:/usr/share/java/logback-core.jar
l4j=/usr/share/java/log4j-api.jar:/usr/share/java/log4j-core.jar
cp51=/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar
scala_cp=.:/usr/share/scala/lib/scala-library.jar
# the earlier programs, unless only the sixth batch is asked for
case $only in
"  ") old=1 ;;
*) old=0; for n in $only; do case $n in batch6* | batch7* | batch8* | batch9* | batch10* | batch11* | batch12* | golog* | jsonlog* | ruby-rescued | java-xml* | logr* | mixed*) ;; *) old=1 ;; esac; done ;;
esac
# the sixth and seventh batches, unless only the Go loggers or
# ruby-rescued are asked for
case $only in
"  ") late=1 ;;
*) late=0; for n in $only; do case $n in batch8* | batch9* | batch10* | batch11* | batch12* | golog* | jsonlog* | ruby-rescued | java-xml* | logr* | mixed*) ;; *) late=1 ;; esac; done ;;
esac
# the ninth batch, and its packages from the npm registry
case $only in
"  " | *" batch9"*) b9=1 ;;
*) b9=0 ;;
esac
b9npm="consola@3 signale@1"
# the tenth batch, and its packages from the npm registry
case $only in
"  " | *" batch10"*) b10=1 ;;
*) b10=0 ;;
esac
b10npm="npmlog@7 debug@4"
# the eleventh batch
case $only in
"  " | *" batch11"*) b11=1 ;;
*) b11=0 ;;
esac
# the twelfth batch, and its package from the npm registry
case $only in
"  " | *" batch12"*) b12=1 ;;
*) b12=0 ;;
esac
b12npm="express@5 koa@2"
# the Go loggers (klog, hclog: Debian's packages, from /usr/share/gocode)
mkdir golog-src && mv golog.go golog-src/main.go
(cd golog-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../golog .)
# logr with funcr's JSON sink (Debian's package, from /usr/share/gocode)
mkdir logr-src && mv logr.go logr-src/main.go
(cd logr-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../logr .)
# java.util.logging's XMLFormatter
javac -d . Shipping.java
# pino for the JSON loggers' files and the mixed one alone (the earlier
# programs' install below has it)
if [ "$old" = 0 ]; then
	case $only in *" jsonlog"* | *" mixed"*) npm install -q --no-save --no-audit --no-fund pino@10 >/dev/null 2>&1 ;; esac
fi
if [ "$old" = 1 ]; then
javac -cp "$cp" -d . Fail.java
kotlinc fail.kt -include-runtime -d failkt.jar 2>/dev/null
scalac Orders.scala
mkdir gosrc && mv fail.go gosrc/main.go
(cd gosrc && go mod init app >/dev/null 2>&1 && go build -o ../gofail .)
rustc -o rsfail fail.rs 2>/dev/null
mcs -out:csfail.exe Fail.cs >/dev/null
# env_logger from Debian's crate registry, offline
mkdir -p logfail/.cargo
printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' >logfail/.cargo/config.toml
(cd logfail && cargo build -q 2>/dev/null && cp target/debug/logfail ../rslog)
# the worker programs: other failures on the same runtimes and libraries
javac -cp "$cp:$l4j" -d . Worker.java
kotlinc worker.kt -include-runtime -d workerkt.jar 2>/dev/null
scalac Billing.scala
mkdir goworker-src && mv worker.go goworker-src/main.go
(cd goworker-src && go mod init app >/dev/null 2>&1 && go build -o ../goworker .)
rustc -o rsworker worker.rs 2>/dev/null
rustc -o rsmessage message.rs 2>/dev/null
mcs -out:csworker.exe Worker.cs >/dev/null
npm install -q --no-save --no-audit --no-fund winston@3 >/dev/null 2>&1
# the third batch: one program per runtime
javac -cp "$l4j" -d . batch3.java
mkdir gobatch3-src && mv batch3.go gobatch3-src/main.go
(cd gobatch3-src && go mod init app >/dev/null 2>&1 && go build -o ../gobatch3 .)
rustc -o rsbatch3 batch3.rs 2>/dev/null
mcs -out:csbatch3.exe batch3.cs >/dev/null
# the fourth batch: one program per runtime
javac -cp "$cp" -d . batch4.java
mkdir gobatch4-src && mv batch4.go gobatch4-src/main.go
(cd gobatch4-src && go mod init app >/dev/null 2>&1 && go build -o ../gobatch4 .)
rustc -o rsbatch4 batch4.rs 2>/dev/null
mcs -out:csbatch4.exe batch4.cs >/dev/null
# the fifth batch: logging libraries, from Debian's packages (Go's from
# /usr/share/gocode, Rust's crates from /usr/share/cargo/registry,
# offline) and the npm registry
javac -cp "$cp51:$l4j" -d . batch5.java
mkdir gobatch5-src && mv batch5.go gobatch5-src/main.go
(cd gobatch5-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../gobatch5 .)
mkdir -p tracefail/.cargo
cp logfail/.cargo/config.toml tracefail/.cargo/
(cd tracefail && cargo build -q 2>/dev/null && cp target/debug/tracefail ../rstrace)
fi
if [ "$late" = 1 ]; then
# the sixth batch: Debian's packages (Go's from /usr/share/gocode, the
# Rust crate from /usr/share/cargo/registry, offline) and log4js from
# the npm registry
javac -cp "$cp" -d . batch6.java
mkdir gobatch6-src && mv batch6.go gobatch6-src/main.go
(cd gobatch6-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../gobatch6 .)
mkdir -p chainfail/.cargo
printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' >chainfail/.cargo/config.toml
(cd chainfail && cargo build -q 2>/dev/null && cp target/debug/chainfail ../rsbatch6)
# the seventh batch: Kotlin, Scala, Mono and the runtimes alone
kotlinc batch7.kt -include-runtime -d b7kt.jar 2>/dev/null
scalac batch7.scala
mcs -out:csbatch7.exe batch7.cs >/dev/null
javac -d . batch7.java
mkdir gobatch7-src && mv batch7.go gobatch7-src/main.go
(cd gobatch7-src && go mod init app >/dev/null 2>&1 && go build -o ../gobatch7 .)
# one install, as a later one would take out what an earlier one added
npm_pkgs=log4js@6
[ "$old" = 0 ] || npm_pkgs="winston@3 pino@10 bunyan@2 $npm_pkgs"
[ "$b9" = 0 ] || npm_pkgs="$npm_pkgs $b9npm"
[ "$b10" = 0 ] || npm_pkgs="$npm_pkgs $b10npm"
# shellcheck disable=SC2086
npm install -q --no-save --no-audit --no-fund $npm_pkgs >/dev/null 2>&1
fi

# the eighth batch: Perl, Tcl, Fortran, C with the sanitizers, Go's
# pkg/errors (from /usr/share/gocode) and the runtimes alone
case $only in
"  " | *" batch8"*)
	gfortran -g -fcheck=bounds -fbacktrace -o f90batch8 batch8.f90
	gcc -g -O0 -fsanitize=address,undefined -fno-sanitize-recover=undefined -o cbatch8 batch8.c
	mkdir gobatch8-src && mv batch8.go gobatch8-src/main.go
	(cd gobatch8-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../gobatch8 .)
	javac -g -d . batch8.java
	;;
esac

# the ninth batch: Log4j 1.2 and Commons Logging, jshell, Groovy, go-errors
# and go-kit's log (from /usr/share/gocode), eyre and slog (Debian's
# crates, offline), C++ and the runtimes alone
j1=/usr/share/java/log4j-1.2.jar
jcl=/usr/share/java/commons-logging.jar
# groovy's launcher wants a JAVA_HOME
b9jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
b9xdebug=
if [ "$b9" = 1 ]; then
	gcc -g -O0 -rdynamic -o cbatch9 batch9.c
	g++ -g -O0 -D_GLIBCXX_ASSERTIONS -o cppbatch9 batch9.cpp
	mkdir gobatch9-src && mv batch9.go gobatch9-src/main.go
	(cd gobatch9-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../gobatch9 .)
	javac -g -cp "$j1:$jcl" -d . batch9.java
	mcs -debug -d:TRACE -out:csbatch9.exe batch9.cs >/dev/null
	mkdir -p rsbatch9-src/src rsbatch9-src/.cargo && mv batch9.rs rsbatch9-src/src/main.rs
	printf '[package]\nname = "rsbatch9"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\neyre = "0.6"\nslog = "2"\nslog-term = "2"\n' >rsbatch9-src/Cargo.toml
	printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' >rsbatch9-src/.cargo/config.toml
	(cd rsbatch9-src && cargo build -q 2>/dev/null && cp target/debug/rsbatch9 ../rsbatch9)
	# jshell's preferences, made beforehand so that it says nothing of them
	mkdir -p "$work/jprefs/.java/.userPrefs"
	# the npm packages, unless the sixth batch's one install above has them
	if [ "$late" = 0 ]; then
		npm_pkgs=$b9npm
		[ "$b10" = 0 ] || npm_pkgs="$npm_pkgs $b10npm"
		case $only in *" jsonlog"* | *" mixed"*) npm_pkgs="pino@10 $npm_pkgs" ;; esac
		# shellcheck disable=SC2086
		npm install -q --no-save --no-audit --no-fund $npm_pkgs >/dev/null 2>&1
	fi
	# Xdebug, if php-xdebug is installed but not enabled (phpdismod xdebug)
	b9xdebug="-d zend_extension=xdebug"
	if php -m 2>/dev/null | grep -qx xdebug; then b9xdebug=; fi
fi

# the tenth batch: GLib and glibc's fortified functions, Boost.Exception,
# simplelog (Debian's crate, offline), a Go test binary and the runtimes
# alone
if [ "$b10" = 1 ]; then
	# shellcheck disable=SC2046
	gcc -g -O2 -D_FORTIFY_SOURCE=2 $(pkg-config --cflags glib-2.0) -o cbatch10 batch10.c $(pkg-config --libs glib-2.0)
	g++ -g -O0 -o cppbatch10 batch10.cpp
	mkdir gobatch10-src && mv batch10.go gobatch10-src/main.go
	(cd gobatch10-src && go mod init app >/dev/null 2>&1 && go build -o ../gobatch10 .)
	mkdir gobatch10-test && mv batch10_test.go gobatch10-test/
	(cd gobatch10-test && go mod init app >/dev/null 2>&1 && go test -c -o ../gobatch10.test .)
	javac -g -d . batch10.java
	scalac batch10.scala
	mcs -debug -out:csbatch10.exe batch10.cs >/dev/null
	mkdir -p rsbatch10-src/src rsbatch10-src/.cargo && mv batch10.rs rsbatch10-src/src/main.rs
	printf '[package]\nname = "rsbatch10"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nlog = "0.4"\nsimplelog = "0.12"\n' >rsbatch10-src/Cargo.toml
	printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' >rsbatch10-src/.cargo/config.toml
	(cd rsbatch10-src && cargo build -q 2>/dev/null && cp target/debug/rsbatch10 ../rsbatch10)
	# the npm packages, unless the sixth or the ninth batch's install has them
	if [ "$late" = 0 ] && [ "$b9" = 0 ]; then
		npm_pkgs=$b10npm
		case $only in *" jsonlog"* | *" mixed"*) npm_pkgs="pino@10 $npm_pkgs" ;; esac
		# shellcheck disable=SC2086
		npm install -q --no-save --no-audit --no-fund $npm_pkgs >/dev/null 2>&1
	fi
fi

# the eleventh batch: the stack protector and abort() in C, a Go
# binary, Java, C# and Rust (rustc alone) programs
if [ "$b11" = 1 ]; then
	gcc -g -O0 -fstack-protector-all -o cbatch11 batch11.c
	mkdir gobatch11-src && mv batch11.go gobatch11-src/main.go
	(cd gobatch11-src && go mod init app >/dev/null 2>&1 && go build -o ../gobatch11 .)
	javac -g -d . batch11.java
	mcs -debug -out:csbatch11.exe batch11.cs >/dev/null
	rustc -o rsbatch11 batch11.rs 2>/dev/null
fi

# the twelfth batch: glog (from /usr/share/gocode), Express in a folder
# of its own, so that its install leaves the others' alone, and
# env_logger (Debian's crate, offline)
if [ "$b12" = 1 ]; then
	mkdir gobatch12-src && mv batch12.go gobatch12-src/main.go
	(cd gobatch12-src && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o ../gobatch12 .)
	mkdir b12node && mv batch12.js b12node/
	# shellcheck disable=SC2086
	(cd b12node && npm install -q --no-save --no-audit --no-fund $b12npm >/dev/null 2>&1)
	mkdir -p rsbatch12-src/src rsbatch12-src/.cargo && mv batch12.rs rsbatch12-src/src/main.rs
	printf '[package]\nname = "rsbatch12"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nlog = "0.4"\nenv_logger = { version = "0.9", default-features = false, features = ["humantime"] }\n' >rsbatch12-src/Cargo.toml
	printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' >rsbatch12-src/.cargo/config.toml
	(cd rsbatch12-src && cargo build -q 2>/dev/null && cp target/debug/rsbatch12 ../rsbatch12)
fi

# The two values every scenario runs with (invalid numbers, different
# lengths, so messages and indexes vary between the two runs).
vals="1x 7qz"

log= exp= prefix= seq=0 skip=0 stream=stderr
# the type and group of the leading lines record() counts as an event of
# their own (by default none, and the scenario's group with -line)
head_type=- head_group=
# the number of trailing lines of a run that are no event (a document's
# tail a handler writes when it is closed)
tail_skip=0
# where a program that was given PRELUDE_LINES_FILE=$prelude writes how
# many lines it wrote before its error; a head of "prelude" takes that
prelude=$work/prelude

begin() { # file prefix-mode [directory, default tests/data/runtimes]
	skip=0
	case $only in
	"  " | *" $1 "*) ;;
	*) skip=1 && return 0 ;;
	esac
	log=${3:-$out}/$1.log
	exp=${3:-$out}/$1.expected
	prefix=$2
	: >"$log"
	printf '# start end type group (made by scripts/capture-runtimes.sh)\n' >"$exp"
	seq=0
}

# Add the per-line prefix of the file's mode to stdin.
add_prefix() {
	case $prefix in
	none) cat ;;
	k8s) awk -v s="$seq" '{ printf "2026-12-01T10:%02d:%02d.%06dZ %s\n", s % 60, NR % 60, NR * 7919 % 1000000, $0 }' ;;
	syslog) awk -v s="$seq" '{ printf "Dec  1 10:%02d:%02d web1 app[%d]: %s\n", s % 60, NR % 60, 4000 + s, $0 }' ;;
	# Docker's json-file driver: the line JSON-escaped as its encoder does
	# (<, > and & as \u escapes), the stream, an RFC 3339 time with
	# nanoseconds, their trailing zeros left out
	docker) awk -v s="$seq" -v st="$stream" 'BEGIN {
		e["\\"] = "\\\\"; e["\""] = "\\\""; e["\t"] = "\\t"; e["\r"] = "\\r"
		e["<"] = "\\u003c"; e[">"] = "\\u003e"; e["&"] = "\\u0026"
	} {
		l = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			l = l ((c in e) ? e[c] : c)
		}
		ns = sprintf("%09d", (NR * 7919 + s * 104729) % 1000000000)
		sub(/0+$/, "", ns)
		printf "{\"log\":\"%s\\n\",\"stream\":\"%s\",\"time\":\"2026-12-01T10:%02d:%02d%sZ\"}\n", l, st, s % 60, NR % 60, ns == "" ? "" : "." ns
	}' ;;
	esac
}

noise() {
	[ "$skip" = 0 ] || return 0
	seq=$((seq + 1))
	stream=stdout
	echo "2026-12-01 10:00:00 INFO runner: job $seq done" | add_prefix >>"$log"
	stream=stderr
}

# Append one run's output as events.  $1 type, $2 group, $3 number of
# leading lines that are an event of their own (a log line the program
# printed before it failed; type -, group $2-line), or minus the number
# of leading lines that are no event (a warning), $4 output file.
record() {
	type=$1 group=$2 head=$3 f=$4
	if [ "$head" = prelude ]; then
		head=-$(cat "$prelude")
		rm -f "$prelude"
	fi
	base=$(wc -l <"$log")
	# drop leading and trailing blank lines: they belong to no event
	awk 'NF { last = NR } { l[NR] = $0 } END { for (i = 1; i <= last; i++) if (started || l[i] ~ /[^ \t]/) { started = 1; print l[i] } }' "$f" >"$f.t"
	n=$(wc -l <"$f.t")
	[ "$n" -gt 0 ] || { echo "capture: $group printed nothing" >&2; exit 1; }
	add_prefix <"$f.t" >>"$log"
	start=$((base + 1))
	if [ "$head" -lt 0 ]; then
		start=$((start - head))
		while sed -n "$((start - base))p" "$f.t" | grep -q '^[[:space:]]*$'; do
			start=$((start + 1))
		done
	elif [ "$head" -gt 0 ]; then
		echo "$start $((start + head - 1)) $head_type ${head_group:-$group-line}" >>"$exp"
		start=$((start + head))
		# blank lines between the log line and the crash are no one's
		while sed -n "$((start - base))p" "$f.t" | grep -q '^[[:space:]]*$'; do
			start=$((start + 1))
		done
	fi
	echo "$start $((base + n - tail_skip)) $type $group" >>"$exp"
	noise
}

# run TYPE GROUP HEAD ENV... -- CMD...: one scenario, both values
run() {
	type=$1 group=$2 head=$3
	shift 3
	[ "$skip" = 0 ] || return 0
	for v in $vals; do
		# the program's stderr joins its stdout; the shell's own
		# "Aborted" report goes elsewhere, as it would not be in a log
		sh -c 'exec env "$@" 2>&1' sh "$@" "$v" >"$work/run.out" 2>/dev/null || true
		record "$type" "$group" "$head" "$work/run.out"
	done
}

java_all() {
	run java.lang.IllegalStateException handle 0 java -cp ".:$cp" Fail uncaught
	run java.lang.IllegalStateException handle 0 java -cp . Fail jul
	run - jul-line 0 java -cp . Fail jul-line
	run java.lang.IllegalStateException handle 0 java -cp ".:$cp" Fail logback
	run java.lang.UnsupportedOperationException deep 0 java -cp . Fail deep
}
begin java none
noise
java_all
begin java-k8s k8s
noise
run java.lang.IllegalStateException handle 0 java -cp ".:$cp" Fail uncaught
run java.lang.IllegalStateException handle 0 java -cp ".:$cp" Fail logback

# Kotlin and Scala run on the same JVM, as deployed (java -jar / -cp)
begin jvm-langs none
noise
run kotlin.UninitializedPropertyAccessException lateinit 0 java -jar failkt.jar lateinit
run kotlin.KotlinNullPointerException npe 0 java -jar failkt.jar npe
run scala.MatchError match 0 java -cp "$scala_cp" Orders match
run java.lang.IllegalArgumentException require 0 java -cp "$scala_cp" Orders require

python_all() {
	run QuotaError uncaught 0 python3 fail.py uncaught
	run QuotaError logging 0 python3 fail.py logging
	run - logging-line 0 python3 fail.py logging-line
	run KeyError key 0 python3 fail.py key
}
begin python none
noise
python_all
begin python-syslog syslog
noise
python_all

node_all() {
	run TypeError uncaught 0 node fail.js uncaught
	run AggregateError aggregate 0 node fail.js aggregate
	run Error msg-err 0 node fail.js msg-err
	run Error cause 0 node fail.js cause
}
begin node none
noise
node_all
begin node-k8s k8s
noise
node_all

go_all() {
	run runtime.Error index 0 ./gofail index
	run panic custom 0 ./gofail custom
	run fatal overflow 0 ./gofail overflow
	run panic deep 0 ./gofail deep
	run - log-stack 0 ./gofail log-stack
}
begin go none
noise
go_all
begin go-k8s k8s
noise
go_all

ruby_all() {
	run IOError load 0 ruby fail.rb cause
	run NoMethodError snippet 0 ruby fail.rb snippet
	run IOError load 0 ruby fail.rb logger
	run - logger-line 0 ruby fail.rb logger-line
}
begin ruby none
noise
ruby_all
begin ruby-syslog syslog
noise
ruby_all

# php_log SCRIPT TYPE GROUP HEAD SCENARIO: a scenario with its errors going
# to an error_log file, as a server writes them
php_log() {
	run "$2" "$3" "$4" sh -c 'rm -f "$0/php.log"; php -d display_errors=0 -d log_errors=1 -d error_log="$0/php.log" "$1" "$2" "$3" >/dev/null 2>&1; cat "$0/php.log"' "$work" "$1" "$5"
}
# PHP as a server writes it: errors to an error_log file
begin php none
noise
php_log fail.php RuntimeException checkout 0 uncaught
php_log fail.php RuntimeException checkout 0 error-log
run RuntimeException checkout 0 php fail.php monolog
run RuntimeException monolog-line 0 php fail.php monolog-line
run - monolog-plain 0 php fail.php monolog-plain

rust_all() {
	run panic main 0 RUST_BACKTRACE=0 ./rsfail main
	run panic main-bt 0 RUST_BACKTRACE=1 ./rsfail main
	run panic thread 0 RUST_BACKTRACE=0 ./rsfail thread
	run panic thread-bt 0 RUST_BACKTRACE=1 ./rsfail thread
	run fatal overflow 0 ./rsfail overflow
	run panic main 1 RUST_BACKTRACE=0 ./rsfail after-error
}
begin rust none
noise
rust_all
begin rust-k8s k8s
noise
rust_all
# another program, its own log: env_logger's error line, then a panic
begin rust-env-logger none
noise
run panic logfail 1 RUST_LOG=info RUST_BACKTRACE=0 ./rslog

mono_all() {
	run System.InvalidOperationException inner 0 mono csfail.exe inner
	run System.FormatException multiline 0 mono csfail.exe multiline
}
begin mono none
noise
mono_all
begin mono-syslog syslog
noise
mono_all

# ---- other programs on the same runtimes: worker.*, Worker.*, Billing ----
begin python-worker none
noise
run StockError exc-info 0 python3 worker.py exc-info
run StockError implicit 0 python3 worker.py implicit
run ExceptionGroup group 0 python3 worker.py group
run StockError task 0 python3 worker.py task
run StockError implicit -2 python3 worker.py warn
run StockError implicit 0 python3 worker.py hook
run StockError thread 0 python3 worker.py thread
run RecursionError recursion 0 python3 worker.py recursion

begin java-worker none
noise
run java.lang.IllegalStateException transfer 0 java -cp . Worker suppressed
run java.lang.IllegalStateException thread 0 java -cp . Worker thread
run 'Worker$QuotaException' quota 0 java -cp . Worker causes
run java.lang.IllegalStateException multiline 0 java -cp . Worker multiline
run java.lang.NullPointerException npe 0 java -cp . Worker npe
run 'Worker$QuotaException' quota 0 java -cp . Worker jul-causes
run 'Worker$QuotaException' quota 0 java -cp ".:$l4j" Worker log4j2
run java.lang.IllegalStateException transfer 0 java -cp ".:$cp" Worker logback-suppressed

begin jvm-langs-worker none
noise
run java.util.NoSuchElementException missing 0 java -jar workerkt.jar missing
run java.lang.IllegalStateException check 0 java -jar workerkt.jar check
run java.lang.ClassCastException cast 0 java -jar workerkt.jar cast
run java.lang.ArithmeticException divide 0 java -cp "$scala_cp" Billing divide
run java.util.NoSuchElementException empty 0 java -cp "$scala_cp" Billing empty
run java.util.NoSuchElementException option 0 java -cp "$scala_cp" Billing option

begin node-worker none
noise
run PaymentError rejection 0 node worker.js rejection
run AggregateError aggregate 0 node worker.js aggregate
run Error settle 0 node worker.js chain
run Error settle 0 node worker.js console
run Error winston 0 node worker.js winston
run - throw-string 0 node worker.js throw-string

go_worker() {
	run panic goroutine 0 ./goworker goroutine
	run runtime.Error nil-map 0 ./goworker nil-map
	run runtime.Error nil-pointer 0 ./goworker nil-pointer
	run fatal concurrent 0 ./goworker concurrent
	run fatal deadlock 0 ./goworker deadlock
	run panic repanic 0 ./goworker repanic
}
begin go-worker none
noise
go_worker
begin go-worker-syslog syslog
noise
go_worker

# a Go service's loggers: klog's error lines, hclog's in its text and
# JSON formats (one message from one place: one group), as written and
# behind the prefix kubectl and a syslog daemon put before each line
golog_all() {
	run - klog-format 0 ./golog klog-format
	run - klog-structured 0 ./golog klog-structured
	run - hclog 0 ./golog hclog-text
}
begin golog none
noise
golog_all
run - hclog 0 ./golog hclog-json
# log.Panicf: its line (an event of its own), then the panic
run panic log-panicf 1 ./golog log-panicf
# two panics with values of their own, raised in one function
run panic panic-seat 0 ./golog panic-seat
run panic panic-hall 0 ./golog panic-hall
begin golog-k8s k8s
noise
golog_all
begin golog-syslog syslog
noise
golog_all

# JSON loggers' lines behind a collector's prefix: hclog's (Go) and
# pino's (Node.js), as `kubectl logs --timestamps` keeps them (an
# RFC 3339 UTC time with its fraction and a space) and as a syslog daemon
# forwards them in rsyslog's traditional format ("Mon dd hh:mm:ss host
# tag[pid]: "); add_prefix writes both prefixes, as for the other files
jsonlog_all() {
	run - hclog 0 ./golog hclog-json
	run RangeError js-seat 0 node jsonlog.js pino-err
	run - js-line 0 node jsonlog.js pino-line
}
begin jsonlog-k8s k8s
noise
jsonlog_all
begin jsonlog-syslog syslog
noise
jsonlog_all

# java.util.logging's XMLFormatter: on the console after the document's
# head (three lines, which XMLFormatter.getHead() writes before the first
# record), and in a FileHandler's file, which also has the tail
# ("</log>") its close() writes; a record with a throwable at SEVERE, a
# SEVERE record without one (a group of its own), one after INFO and
# WARNING records that are no error (the program counts the lines it
# wrote before), one with a message over two lines.  All the throwables
# are raised at one place through one path: one group.
java_xml() {
	run 'Shipping$LabelException' label -3 java -cp . Shipping severe
	run - carrier-line -3 java -cp . Shipping severe-line
	run 'Shipping$LabelException' label prelude PRELUDE_LINES_FILE="$prelude" java -cp . Shipping after-info
	run 'Shipping$LabelException' label -3 java -cp . Shipping multiline
}
begin java-xml none
noise
java_xml
tail_skip=1
run 'Shipping$LabelException' label -3 java -cp . Shipping file-severe
tail_skip=0
begin java-xml-k8s k8s
noise
java_xml

# logr's funcr JSON sink: error records with "msg" and "error" and no
# level; with the caller, a timestamp and a logger's names; after two
# info records (V-levels 0 and 1, no error); with values of the logger.
# One message from one place is one group.
begin logr none
noise
run - dock 0 ./logr error
run - dock 0 ./logr caller
run - dock -2 ./logr after-info
run - crane 0 ./logr values

# one container's log of several kinds, behind kubectl's time: the first
# JSON record is pino's error line, whose only sign is its level (50),
# then logr's records, java.util.logging's XML record and a Python
# traceback
begin mixed-k8s k8s
noise
run - js-line 0 node jsonlog.js pino-line
run - dock -2 ./logr after-info
run 'Shipping$LabelException' label -3 java -cp . Shipping severe
run KeyError key 0 python3 fail.py key

begin ruby-worker none
noise
run LedgerError settle 0 ruby worker.rb cause
run SystemStackError stack 0 ruby worker.rb stack
run FrozenError frozen 0 ruby worker.rb frozen
run ZeroDivisionError zero 0 ruby worker.rb zero
run LedgerError settle 0 ruby worker.rb logger-fmt
run LedgerError thread 0 ruby worker.rb thread

begin php-worker none
noise
php_log worker.php LedgerException settle 0 chain
php_log worker.php TypeError type 0 type
php_log worker.php Error undefined 0 undefined
php_log worker.php LedgerException settle -1 warning
php_log worker.php - memory 0 memory

begin rust-worker none
noise
run panic unwrap 0 RUST_BACKTRACE=0 ./rsworker unwrap-err
run panic unwrap-bt 0 RUST_BACKTRACE=1 ./rsworker unwrap-err
run panic unwrap-full 0 RUST_BACKTRACE=full ./rsworker unwrap-err
run panic expect 0 RUST_BACKTRACE=0 ./rsworker expect
run panic expect-bt 0 RUST_BACKTRACE=1 ./rsworker expect
run panic threads 0 RUST_BACKTRACE=0 ./rsworker threads
run panic threads-bt 0 RUST_BACKTRACE=1 ./rsworker threads
run panic divide 0 RUST_BACKTRACE=0 ./rsworker divide

begin mono-worker none
noise
run LedgerException settle 0 mono csworker.exe inner3
run System.AggregateException aggregate 0 mono csworker.exe aggregate
run LedgerException thread 0 mono csworker.exe thread
run System.NullReferenceException null 0 mono csworker.exe null
run LedgerException settle 0 mono csworker.exe caught

# a rescued exception logged as Rails does (ruby-activesupport), through
# the tagged logger and the standard Logger; one site, one group
begin ruby-rescued none
noise
run RefundError refund 0 ruby tagged.rb tagged
run RefundError refund 0 ruby tagged.rb logger

# ---- messages over several lines, on four runtimes ----
begin messages none
noise
run ConfigError py-check 0 python3 message.py uncaught
run ConfigError py-logged 0 python3 message.py logging
run ConfigError rb-check 0 ruby message.rb uncaught
run Error js-check 0 node message.js uncaught
run AssertionError js-assert 0 node message.js assert
run panic rs-expect 0 RUST_BACKTRACE=0 ./rsmessage expect
run panic rs-panic 0 RUST_BACKTRACE=1 ./rsmessage panic

# ---- a third batch: generators, async code, lambdas, wrapped errors,
# errors main returns, own log formats; one program per runtime ----
# kept apart from the suite's corpus: what it measures on output nothing
# was tuned to (QE_RUNTIMES_DIR=tests/data/runtimes-unseen test_runtimes)
begin batch3 none "$top/tests/data/runtimes-unseen"
noise
run RowError py-generator 0 python3 batch3.py generator
run LeaseError py-contextmanager 0 python3 batch3.py contextmanager
run PriceError py-gather 0 python3 batch3.py gather
run SettingError py-from-none 0 python3 batch3.py from-none
run ZeroDivisionError py-nested-logger 0 python3 batch3.py nested-logger
run FileNotFoundError py-exit 0 python3 batch3.py exit
run ValueError py-lambda-init 0 python3 batch3.py lambda-init
run PriceError js-promise-all 0 node batch3.js promise-all
run Error js-emitter 0 node batch3.js emitter
run SyntaxError js-json 0 node batch3.js json
run LedgerError js-class-cause 0 node batch3.js class-cause
run RangeError js-handler 0 node batch3.js handler
run panic go-wrapped 0 ./gobatch3 wrapped
run - go-fatalf 0 ./gobatch3 fatalf
run panic go-method-goroutine 0 ./gobatch3 method-goroutine
run panic go-http 0 ./gobatch3 http
run ChargeError rb-each 0 ruby batch3.rb each
run RefundError rb-full-message 0 ruby batch3.rb full-message
run NoMethodError rb-suggest 0 ruby batch3.rb suggest
run JSON::ParserError rb-json 0 ruby batch3.rb json
run java.lang.NumberFormatException java-stream 0 java -cp . Batch3 stream
run java.lang.IllegalStateException java-wrapped 0 java -cp . Batch3 wrapped
run java.lang.ExceptionInInitializerError java-static-init 0 java -cp . Batch3 static-init
run java.lang.IllegalArgumentException java-lease 0 java -cp . Batch3 jul-formatter
run java.lang.IllegalArgumentException java-lease 0 java -cp ".:$l4j" Batch3 log4j2-pattern
run panic rs-iter 0 RUST_BACKTRACE=1 ./rsbatch3 iter
run LedgerError rs-main-result 0 ./rsbatch3 main-result
run - rs-box-dyn 0 ./rsbatch3 box-dyn
run panic rs-join 0 RUST_BACKTRACE=0 ./rsbatch3 join
php_log batch3.php Error php-method 0 method
php_log batch3.php DomainException php-closure 0 closure
php_log batch3.php Exception php-date 0 date
run LengthException php-json 0 php batch3.php json
run System.TimeoutException cs-async 0 mono csbatch3.exe async
run System.TypeInitializationException cs-static-ctor 0 mono csbatch3.exe static-ctor
run System.Collections.Generic.KeyNotFoundException cs-linq 0 mono csbatch3.exe linq

# ---- a fourth batch: own log formatters, hooks and handlers, chains of
# causes, errors of threads, tasks and pools; one program per runtime,
# kept apart from the suite's corpus like the third ----
begin batch4 none "$top/tests/data/runtimes-unseen"
noise
run CartError py-kv-formatter 0 python3 batch4.py kv-formatter
run SyncError py-thread-hook 0 python3 batch4.py thread-hook
run ExceptionGroup py-taskgroup 0 python3 batch4.py taskgroup
run DeprecationWarning py-warning-error 0 python3 batch4.py warning-error
run ValueError py-notes 0 python3 batch4.py notes
run ValueError py-pool 0 python3 batch4.py pool
run ConnectionResetError py-unraisable 0 python3 batch4.py unraisable
run LeaseConflict java-tostring 0 java -cp . Batch4 tostring
run java.lang.NumberFormatException java-logback-mdc 0 java -Dlogback.configurationFile=batch4-logback.xml -cp ".:$cp" Batch4 logback-mdc
run java.lang.UnsupportedOperationException java-jul-oneline 0 java '-Djava.util.logging.SimpleFormatter.format=%1$tF %1$tT %4$s %3$s - %5$s%6$s%n' -cp . Batch4 jul-oneline
run java.util.concurrent.CompletionException java-completable 0 java -cp . Batch4 completable
run java.lang.UnsupportedOperationException java-handler 0 java -cp . Batch4 handler
run java.util.ConcurrentModificationException java-no-message 0 java -cp . Batch4 no-message
run UnhandledPromiseRejection js-reject-string 0 node batch4.js reject-string
run Error js-cause-object 0 node batch4.js cause-object
run TypeError js-inspect 0 node batch4.js inspect
run RangeError js-monitor 1 node batch4.js monitor
run Error js-fs-callback 0 node batch4.js fs-callback
run AbortError js-abort 0 node batch4.js abort
run - go-slog 0 ./gobatch4 slog-text
run - go-slog 0 ./gobatch4 slog-json
run main.Quota go-panic-struct 0 ./gobatch4 panic-struct
run panic go-panic-error 0 ./gobatch4 panic-error
run panic go-many-goroutines 0 GOTRACEBACK=all ./gobatch4 many-goroutines
run runtime.Error go-assert 0 ./gobatch4 assert
run runtime.Error go-close 0 ./gobatch4 close
run SyncError rb-sync 0 ruby batch4.rb full-message-cause
run SyncError rb-sync 0 ruby batch4.rb logger-json
run PlanError rb-nested-causes 0 ruby batch4.rb nested-causes
run SyncError rb-thread-join 0 ruby batch4.rb thread-join
run Timeout::Error rb-timeout 0 ruby batch4.rb timeout
php_log batch4.php UnexpectedValueException php-usort 0 usort
php_log batch4.php TypeError php-return-type 0 return-type
php_log batch4.php ErrorException php-error-handler 0 error-handler
php_log batch4.php JsonException php-json-throw 0 json-throw
run QuoteException php-monolog-format 0 php batch4.php monolog-format
run - rs-anyhow-chain 0 ./rsbatch4 anyhow-chain
run panic rs-trait-full 0 RUST_BACKTRACE=full ./rsbatch4 trait-full
run panic rs-poison 0 RUST_BACKTRACE=0 ./rsbatch4 poison
run panic rs-drop-panic 0 RUST_BACKTRACE=0 ./rsbatch4 drop-panic
run System.AggregateException cs-parallel 0 mono csbatch4.exe parallel
run System.InvalidOperationException cs-async-void 0 mono csbatch4.exe async-void
run System.Reflection.TargetInvocationException cs-reflection 0 mono csbatch4.exe reflection
run System.FormatException cs-iterator 0 mono csbatch4.exe iterator

# ---- a fifth batch: through the logging libraries people use (pino,
# bunyan, winston; structlog, loguru, python-json-logger; slf4j-simple,
# Log4j 2's pattern layouts; logrus, zap, zerolog; tracing; the logging
# gem; Monolog's formatters and handler), then some of it as a
# container's log keeps it; kept apart from the suite's corpus like the
# third ----
b5pat() { echo "-Db5.pattern=$1"; }
l4jrun() { # TYPE GROUP PATTERN SCENARIO
	run "$1" "$2" 0 java -Dlog4j2.configurationFile=batch5-log4j2.xml "$(b5pat "$3")" -cp ".:$l4j" Batch5 "$4"
}
py5=/usr/bin/python3
begin batch5 none "$top/tests/data/runtimes-unseen"
noise
run StockError js-reserve 0 node batch5.js pino-err
run OrderError js-place 0 node batch5.js pino-cause
run TypeError js-discount 0 node batch5.js pino-uncaught
run StockError js-reserve 0 node batch5.js bunyan-err
run StockError js-reserve 0 node batch5.js winston-json
run StockError js-reserve 0 node batch5.js winston-printf
run RangeError js-shelf 0 node batch5.js winston-exceptions
run StockError py-reserve 0 $py5 batch5.py structlog-console
run StockError py-reserve 0 $py5 batch5.py structlog-json
run StockError py-reserve 0 $py5 batch5.py structlog-dict
run StockError py-loguru-reserve 0 $py5 batch5.py loguru-exception
run StockError py-loguru-reserve 0 $py5 batch5.py loguru-serialize
run KeyError py-loguru-rates 0 $py5 batch5.py loguru-catch
run ValueError py-loguru-parse 0 $py5 batch5.py loguru-hook
run StockError py-reserve 0 $py5 batch5.py json-logger
run java.lang.IllegalStateException java-settle 0 java -cp ".:$cp51" Batch5 slf4j-simple
l4jrun java.lang.IllegalStateException java-settle '%d{ISO8601} %-5p [%t] %c - %m%n%xEx' log4j2
l4jrun java.lang.IllegalStateException java-settle '%d %-5p %c - %m%n%rEx' log4j2
l4jrun java.lang.IllegalStateException java-settle-short '%d %-5p %c - %m %ex{short}%n' log4j2
l4jrun java.lang.IndexOutOfBoundsException java-slot '%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n%xEx' log4j2-thread
# The error is made in one place (reserve) and logged with one message
# by every library: one group, whether zap adds the stack of its call or
# not.  So are the two Panic lines, "cannot go on" and that error; the
# panics they cause differ (logrus panics with its entry, zap with the
# message).
run - go-order-line 0 ./gobatch5 logrus-text
run - go-order-line 0 ./gobatch5 logrus-json
head_group=go-panic-line
run '*logrus.Entry' go-logrus-panic 1 ./gobatch5 logrus-panic
head_group=
run - go-order-line 0 ./gobatch5 zap-production
run - go-order-line 0 ./gobatch5 zap-development
head_group=go-panic-line
run panic go-zap-panic 1 ./gobatch5 zap-panic
head_group=
run - go-order-line 0 ./gobatch5 zerolog
run - rs-quota 0 ./rstrace text
run - rs-quota 0 ./rstrace span
run - rs-quota 0 ./rstrace json
run panic rs-shards 0 ./rstrace panic-hook
run ChargeError rb-charge 0 ruby batch5.rb basic
run ChargeError rb-charge 0 ruby batch5.rb pattern
run ChargeError rb-charge 0 ruby batch5.rb json
head_type=ArgumentError head_group=rb-integer
run ArgumentError rb-integer 3 ruby batch5.rb at-exit
head_type=- head_group=
run PayoutException php-payout 0 php batch5.php json
run PayoutException php-payout 0 php batch5.php chain
run DomainException php-fee 0 php batch5.php handler

# the same kinds of output as a container's log keeps it: Docker's
# json-file lines, and `kubectl logs --timestamps`
begin batch5-docker docker "$top/tests/data/runtimes-unseen"
noise
run TypeError js-crash 0 node batch5.js crash
run StockError js-reserve 0 node batch5.js pino-err
run StockError js-reserve 0 node batch5.js winston-printf
run ValueError py-crash 0 $py5 batch5.py crash
run java.lang.IllegalStateException java-settle 0 java -cp ".:$cp51" Batch5 slf4j-simple
run - go-order-line 0 ./gobatch5 zap-development
begin batch5-k8s k8s "$top/tests/data/runtimes-unseen"
noise
run StockError py-reserve 0 $py5 batch5.py structlog-console
run StockError py-loguru-reserve 0 $py5 batch5.py loguru-exception
l4jrun java.lang.IllegalStateException java-settle '%d{ISO8601} %-5p [%t] %c - %m%n%xEx' log4j2
run - go-order-line 0 ./gobatch5 zap-development
run RangeError js-shelf 0 node batch5.js winston-exceptions

# ---- a sixth batch: rich's handler and traceback hook, stack_info,
# tasks nobody awaited, nested exception groups, faulthandler; node:assert
# diffs, console.trace, nested causes, log4js, worker threads; logback's
# root-cause-first output, stack and heap running out, futures; hclog,
# klog, the standard logger's Panicf, panics during panics; ActiveSupport's
# tagged logger, retries, pattern matching; PHP's strict types and memory
# limit, Monolog over previous exceptions; anyhow's chains, overflows, a
# stack running out; then some of it as syslog, kubectl and Docker keep
# it; kept apart from the suite's corpus like the third.  A runtime's
# own fatal error where no exception was raised (a signal, the stack run
# out) is of type fatal, as Go's and Rust's are in the suite's corpus;
# PHP's memory limit has none there, nor here ----
b6pat() { echo "-Db6.pattern=$1"; }
b6java() { # TYPE GROUP [PATTERN] SCENARIO
	if [ $# = 4 ]; then
		run "$1" "$2" 0 java -Xmx32m -Dlogback.configurationFile=batch6-logback.xml "$(b6pat "$3")" -cp ".:$cp" Batch6 "$4"
	else
		run "$1" "$2" 0 java -Xmx32m -Dlogback.configurationFile=batch6-logback.xml -cp ".:$cp" Batch6 "$3"
	fi
}
b6rootfirst='%d %-5level [%thread] %logger - %msg%n%rEx'
begin batch6 none "$top/tests/data/runtimes-unseen"
noise
run SlotError py-rich-handler 0 COLUMNS=100 $py5 batch6.py rich-handler
run SlotError py-rich-install 0 COLUMNS=100 $py5 batch6.py rich-install
run - py-stack-info 0 $py5 batch6.py stack-info
run SlotError py-never-retrieved 0 $py5 batch6.py never-retrieved
run ExceptionGroup py-nested-group 0 $py5 batch6.py nested-group
run SlotError py-one-line 0 $py5 batch6.py one-line
run fatal py-faulthandler 0 $py5 batch6.py faulthandler
run AssertionError js-assert-diff 0 node batch6.js assert-diff
run Trace js-console-trace 0 node batch6.js console-trace
run Error js-promise-cause 0 node batch6.js promise-cause
run SlotError js-log4js 0 node batch6.js log4js-basic
run SlotError js-log4js 0 node batch6.js log4js-pattern
run SlotError js-worker 0 node batch6.js worker
run RangeError js-overflow 0 node batch6.js overflow
b6java 'Batch6$SlotException' java-book logback-causes
b6java 'Batch6$SlotException' java-book "$b6rootfirst" logback-root-first
b6java java.lang.StackOverflowError java-stack-overflow stack-overflow
b6java java.lang.OutOfMemoryError java-heap heap
b6java java.util.concurrent.ExecutionException java-future future
b6java 'Batch6$SlotException' java-suppressed-cause suppressed-cause
run - go-hclog 0 ./gobatch6 hclog-text
run - go-hclog 0 ./gobatch6 hclog-json
run - go-klog-structured 0 ./gobatch6 klog-structured
run - go-klog-format 0 ./gobatch6 klog-format
run - go-klog-fatal 0 ./gobatch6 klog-fatal
run panic go-log-panicf 1 ./gobatch6 log-panicf
run panic go-multiline 0 ./gobatch6 multiline
run panic go-double 0 ./gobatch6 double
run SlotError rb-tagged 0 ruby batch6.rb tagged
run SlotError rb-retry -2 ruby batch6.rb retry
run NoMatchingPatternError rb-no-pattern 0 ruby batch6.rb no-pattern
run FrozenError rb-frozen 0 ruby batch6.rb frozen
run ArgumentError rb-ensure 0 ruby batch6.rb ensure
php_log batch6.php TypeError php-strict-arg 0 strict-arg
php_log batch6.php ArgumentCountError php-arg-count 0 arg-count
php_log batch6.php DivisionByZeroError php-intdiv 0 intdiv
php_log batch6.php - php-memory 0 memory
run SlotException php-book 0 php batch6.php monolog-line
run SlotException php-book-line 0 php batch6.php monolog-oneline
run - rs-anyhow-main 0 RUST_BACKTRACE=0 ./rsbatch6 anyhow-main
run - rs-anyhow-alternate 0 RUST_BACKTRACE=0 ./rsbatch6 anyhow-alternate
run panic rs-overflow 0 RUST_BACKTRACE=full ./rsbatch6 overflow
run fatal rs-stack 0 RUST_BACKTRACE=0 ./rsbatch6 stack
run panic rs-thread 0 RUST_BACKTRACE=1 ./rsbatch6 thread

# the same kinds of output through a syslog daemon, `kubectl logs
# --timestamps` and Docker's json-file driver
begin batch6-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run SlotError py-rich-install 0 COLUMNS=100 $py5 batch6.py rich-install
run SlotError py-never-retrieved 0 $py5 batch6.py never-retrieved
run SlotError rb-retry -2 ruby batch6.rb retry
run ArgumentError rb-ensure 0 ruby batch6.rb ensure
run SlotException php-book 0 php batch6.php monolog-line
begin batch6-k8s k8s "$top/tests/data/runtimes-unseen"
noise
b6java 'Batch6$SlotException' java-book logback-causes
b6java java.util.concurrent.ExecutionException java-future future
run panic go-multiline 0 ./gobatch6 multiline
run - go-klog-structured 0 ./gobatch6 klog-structured
run Error js-promise-cause 0 node batch6.js promise-cause
begin batch6-docker docker "$top/tests/data/runtimes-unseen"
noise
run AssertionError js-assert-diff 0 node batch6.js assert-diff
run SlotError js-log4js 0 node batch6.js log4js-basic
run panic rs-thread 0 RUST_BACKTRACE=1 ./rsbatch6 thread
run ExceptionGroup py-nested-group 0 $py5 batch6.py nested-group
run - rs-anyhow-main 0 RUST_BACKTRACE=0 ./rsbatch6 anyhow-main

# ---- a seventh batch: Kotlin's threads, suppressed close() failures,
# lazy properties and check(); Scala's futures, ???, Try and closures;
# Mono's inner exceptions, threads, awaited tasks and logged exceptions;
# dictConfig prefixes with the process and function, a warning made an
# error, implicit and explicit chains, a thread's excepthook; the Go
# runtime's own fatal errors and its panics without "runtime error:";
# java.util.logging's XMLFormatter (its document's head is no event) and
# SimpleFormatter over a cause ----
b7kt() { run "$1" "$2" 0 java -jar b7kt.jar "$3"; }
b7scala() { run "$1" "$2" 0 java -cp "$scala_cp" Quotes "$3"; }
b7cs() { run "$1" "$2" 0 mono csbatch7.exe "$3"; }
b7all() {
	b7kt LedgerException kt-thread thread
	b7kt LedgerException kt-suppressed suppressed
	b7kt java.lang.IllegalStateException kt-jul jul
	b7kt kotlin.KotlinNullPointerException kt-lazy lazy
	b7kt LedgerException kt-wrapped wrapped
	b7scala QuoteException scala-future future
	b7scala scala.NotImplementedError scala-todo todo
	b7scala java.lang.NumberFormatException scala-try try
	b7scala java.lang.ArithmeticException scala-closure closure
	b7scala QuoteException scala-printed printed
	b7cs LedgerException cs-inner inner
	b7cs System.InvalidOperationException cs-thread thread
	b7cs System.TimeoutException cs-await await
	b7cs System.Collections.Generic.KeyNotFoundException cs-key key
	b7cs System.InvalidCastException cs-cast cast
	b7cs LedgerException cs-inner logged
	run LedgerError py-dict-func 0 $py5 batch7.py dict-func
	run LedgerError py-dict-func 0 $py5 batch7.py dict-bracket
	run DeprecationWarning py-warning 0 $py5 -W error batch7.py warning
	run LedgerError py-during 0 $py5 batch7.py during
	run LedgerError py-from 0 $py5 batch7.py from
	run LedgerError py-thread 0 $py5 batch7.py thread
	run fatal go-map-writes 0 ./gobatch7 map-writes
	run fatal go-deadlock 0 ./gobatch7 deadlock
	run runtime.Error go-nil-map 0 ./gobatch7 nil-map
	run runtime.Error go-close-twice 0 ./gobatch7 close-twice
	run runtime.Error go-assert 0 ./gobatch7 assert
	run 'Tariffs$TariffException' java-jul-xml -3 java -cp . Tariffs xml
	run 'Tariffs$TariffException' java-jul-simple 0 java -cp . Tariffs simple
}
begin batch7 none "$top/tests/data/runtimes-unseen"
noise
b7all
begin batch7-syslog syslog "$top/tests/data/runtimes-unseen"
noise
b7kt LedgerException kt-wrapped wrapped
b7cs LedgerException cs-inner inner
run LedgerError py-dict-func 0 $py5 batch7.py dict-func
run fatal go-deadlock 0 ./gobatch7 deadlock
begin batch7-k8s k8s "$top/tests/data/runtimes-unseen"
noise
b7scala QuoteException scala-future future
b7kt LedgerException kt-suppressed suppressed
run LedgerError py-from 0 $py5 batch7.py from
run runtime.Error go-assert 0 ./gobatch7 assert
begin batch7-docker docker "$top/tests/data/runtimes-unseen"
noise
b7cs System.TimeoutException cs-await await
b7scala java.lang.ArithmeticException scala-closure closure
run LedgerError py-thread 0 $py5 batch7.py thread
run 'Tariffs$TariffException' java-jul-simple 0 java -cp . Tariffs simple

# ---- an eighth batch: runtimes and libraries none of the others used:
# Perl's die, Carp's croak and confess, an exception object, a warning
# before the error, Log::Log4perl's ERROR and LOGDIE (its line an event
# of its own, then the die); Tcl's errorInfo (a proc's error, expr's, one
# with -errorcode, an unknown command); gfortran's runtime errors and
# ERROR STOP with their backtraces; AddressSanitizer's and
# UndefinedBehaviorSanitizer's reports and assert(); pkg/errors' stacks
# printed with %+v (logged, wrapped twice, through log.Fatalf, a panic);
# asyncio's loop reporting a callback's exception (its default handler
# and one of the program's: one site, one group), the recursion limit,
# sys.exit with a message; Java's helpful NullPointerException, a cycle
# of causes, suppressed exceptions with causes; Node.js errors with own
# properties from a promise and a timer (two paths, two groups), an
# uncaughtException handler's line; Ruby's stack running out, abort, a
# message over several lines with its cause.  An error the program
# reports with no type name (die, Tcl's error, ERROR STOP, assert(),
# abort, sys.exit, an error logged or returned) is of type -; a
# runtime's own fatal error where nothing was raised (gfortran's, the
# sanitizers') is of type fatal.  Kept apart from the suite's corpus
# like the third ----
b8all() {
	run - pl-die 0 perl batch8.pl die
	run - pl-confess 0 perl batch8.pl confess
	run - pl-croak 0 perl batch8.pl croak
	run Ledger::Error pl-object 0 perl batch8.pl object
	run - pl-warn-die -1 perl batch8.pl warn-die
	run - pl-log4perl 0 perl batch8.pl log4perl
	run - pl-logdie 1 perl batch8.pl logdie
	run - tcl-error 0 tclsh batch8.tcl error
	run - tcl-expr 0 tclsh batch8.tcl expr
	run - tcl-errorcode 0 tclsh batch8.tcl errorcode
	run - tcl-unknown 0 tclsh batch8.tcl unknown
	run fatal f90-read 0 ./f90batch8 read
	run fatal f90-bounds 0 ./f90batch8 bounds
	run - f90-stop 0 ./f90batch8 stop
	run - c-assert 0 ./cbatch8 assert
	run fatal c-overflow 0 ./cbatch8 overflow
	run fatal c-use-after-free 0 ./cbatch8 use-after-free
	run fatal c-ubsan 0 UBSAN_OPTIONS=print_stacktrace=1 ./cbatch8 ubsan
	run - go-pkg-printf 0 ./gobatch8 printf
	run - go-pkg-wrapped 0 ./gobatch8 wrapped
	run - go-pkg-fatal 0 ./gobatch8 fatal
	run panic go-pkg-panic 0 ./gobatch8 panic
	run LedgerError py-callback 0 $py5 batch8.py callback
	run LedgerError py-callback 0 $py5 batch8.py handler
	run RecursionError py-recursion 0 $py5 batch8.py recursion
	run - py-exit 0 $py5 batch8.py exit
	run java.lang.NullPointerException java-npe 0 java -cp . Batch8 npe
	run 'Batch8$LedgerException' java-cycle 0 java -cp . Batch8 cycle
	run 'Batch8$LedgerException' java-suppressed 0 java -cp . Batch8 suppressed
	run LedgerError js-reject-props 0 node batch8.js reject-props
	run LedgerError js-timer 0 node batch8.js timer
	run SyntaxError js-handler 0 node batch8.js handler
	run SystemStackError rb-stack 0 ruby batch8.rb stack
	run - rb-abort 0 ruby batch8.rb abort
	run LedgerError rb-multiline 0 ruby batch8.rb multiline
}
begin batch8 none "$top/tests/data/runtimes-unseen"
noise
b8all
begin batch8-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run - pl-confess 0 perl batch8.pl confess
run - tcl-error 0 tclsh batch8.tcl error
run fatal f90-read 0 ./f90batch8 read
run - go-pkg-wrapped 0 ./gobatch8 wrapped
run SystemStackError rb-stack 0 ruby batch8.rb stack
begin batch8-k8s k8s "$top/tests/data/runtimes-unseen"
noise
run fatal c-overflow 0 ./cbatch8 overflow
run 'Batch8$LedgerException' java-suppressed 0 java -cp . Batch8 suppressed
run LedgerError py-callback 0 $py5 batch8.py callback
run - pl-logdie 1 perl batch8.pl logdie
run - tcl-expr 0 tclsh batch8.tcl expr
begin batch8-docker docker "$top/tests/data/runtimes-unseen"
noise
run LedgerError js-timer 0 node batch8.js timer
run fatal c-ubsan 0 UBSAN_OPTIONS=print_stacktrace=1 ./cbatch8 ubsan
run RecursionError py-recursion 0 $py5 batch8.py recursion
run - go-pkg-printf 0 ./gobatch8 printf
run fatal f90-bounds 0 ./f90batch8 bounds

# ---- a ninth batch: producers and shapes none of the others used:
# Twisted's Deferred nobody handled and its logger's failure, gevent's
# greenlet report, cgitb's text report; Log4j 1.2's PatternLayout,
# Commons Logging's SimpleLog (the trace on the message's line), jshell's
# exception, Groovy's "Caught:" over a closure and a missing method;
# consola's and signale's error output, a DOMException from
# structuredClone, a vm script that does not compile, execSync's error
# with its properties; go-errors' ErrorStack, go-kit's logfmt record, a
# panic with GOTRACEBACK=crash; rake aborting a task, Psych's syntax
# error, a Ractor's error (its thread's report an event of its own, then
# the RemoteError take raises); Xdebug's call
# stack, assert(), a ValueError from a built-in, eval()'d code that does
# not parse; eyre's report, slog-term's record, a panic in a function
# that cannot unwind; Trace's console listener, FailFast's crash report;
# Exception::Class's trace, a Moose type constraint, Carp's cluck (a
# warning, no event) before a die; glibc's double free, a SIGSEGV
# handler's backtrace_symbols_fd, std::terminate, libstdc++'s
# assertions.  Types and groups as in the eighth; kept apart from the
# suite's corpus like the third ----
b9groovy() { run "$1" "$2" 0 JAVA_HOME="$b9jh" groovy batch9.groovy "$3"; }
b9jshell() {
	run 'REPL.$JShell$11$ManifestException' java-jshell 0 sh -c 'exec jshell -J-Djava.util.prefs.userRoot="$0" -R-Dentry="$1" batch9.jsh' "$work/jprefs"
}
b9jcl() {
	run 'Batch9$ManifestException' java-jcl 0 java -Dorg.apache.commons.logging.Log=org.apache.commons.logging.impl.SimpleLog -Dorg.apache.commons.logging.simplelog.showdatetime=true -cp ".:$jcl" Batch9 jcl
}
b9php_log() { # TYPE GROUP SCENARIO: to an error_log file, assertions on
	run "$1" "$2" 0 sh -c 'rm -f "$0/php.log"; php -d zend.assertions=1 -d display_errors=0 -d log_errors=1 -d error_log="$0/php.log" batch9.php "$1" "$2" >/dev/null 2>&1; cat "$0/php.log"' "$work" "$3"
}
b9php_xdebug() { # Xdebug's develop mode: its report on the CLI's stdout
	# shellcheck disable=SC2086
	run ManifestException php-xdebug 0 php $b9xdebug -d xdebug.mode=develop -d display_errors=1 -d log_errors=0 batch9.php xdebug
}
b9ractor() {
	head_type=ManifestError head_group=rb-ractor
	run Ractor::RemoteError rb-ractor-take 7 ruby batch9.rb ractor
	head_type=- head_group=
}
b9all() {
	run ManifestError py-twisted-deferred 0 $py5 batch9.py twisted-deferred
	run ManifestError py-twisted-failure 0 $py5 batch9.py twisted-failure
	run ManifestError py-gevent 0 $py5 batch9.py gevent
	run ManifestError py-cgitb 0 $py5 batch9.py cgitb
	run 'Batch9$ManifestException' java-log4j1 0 java -cp ".:$j1" Batch9 log4j1
	b9jcl
	b9jshell
	b9groovy ManifestException groovy-closure closure
	b9groovy groovy.lang.MissingMethodException groovy-signature signature
	run ManifestError js-consola 0 node batch9.js consola
	run ManifestError js-signale 0 node batch9.js signale
	run DOMException js-clone 0 node batch9.js clone
	run SyntaxError js-vm 0 node batch9.js vm
	run Error js-exec 0 node batch9.js exec
	run - go-errors 0 ./gobatch9 go-errors
	run - go-kit 0 ./gobatch9 go-kit
	run panic go-crash 0 GOTRACEBACK=crash ./gobatch9 crash
	run ManifestError rb-rake 0 sh -c 'exec rake -f batch9.rake "deploy[$1]"' sh
	run Psych::SyntaxError rb-yaml 0 ruby batch9.rb yaml
	b9ractor
	b9php_xdebug
	b9php_log AssertionError php-assert assert
	b9php_log ValueError php-value value
	b9php_log ParseError php-eval eval
	run - rs-eyre 0 ./rsbatch9 eyre
	run - rs-slog 0 ./rsbatch9 slog
	run panic rs-nounwind 0 RUST_BACKTRACE=0 ./rsbatch9 nounwind
	run ManifestException cs-trace 0 mono --debug csbatch9.exe trace
	# Mono's crash report without gdb's dump of the threads, as where no
	# gdb is installed
	run ManifestException cs-failfast 0 MONO_DEBUG=no-gdb-backtrace mono --debug csbatch9.exe failfast
	run Deploy::Error pl-exception-class 0 perl batch9.pl exception-class
	run Moose::Exception::ValidationFailedForTypeConstraint pl-moose 0 perl batch9.pl moose
	run - pl-cluck -2 perl batch9.pl cluck
	run fatal c-double-free 0 ./cbatch9 double-free
	run fatal c-segv 0 ./cbatch9 segv
	run manifest_error cpp-terminate 0 ./cppbatch9 terminate
	run - cpp-vector 0 ./cppbatch9 vector
}
begin batch9 none "$top/tests/data/runtimes-unseen"
noise
b9all
begin batch9-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run ManifestError py-twisted-failure 0 $py5 batch9.py twisted-failure
b9groovy ManifestException groovy-closure closure
run - go-kit 0 ./gobatch9 go-kit
b9ractor
run Deploy::Error pl-exception-class 0 perl batch9.pl exception-class
run manifest_error cpp-terminate 0 ./cppbatch9 terminate
begin batch9-k8s k8s "$top/tests/data/runtimes-unseen"
noise
b9jcl
run ManifestError js-signale 0 node batch9.js signale
run panic go-crash 0 GOTRACEBACK=crash ./gobatch9 crash
b9php_xdebug
run - rs-eyre 0 ./rsbatch9 eyre
run ManifestException cs-trace 0 mono --debug csbatch9.exe trace
begin batch9-docker docker "$top/tests/data/runtimes-unseen"
noise
run ManifestError py-gevent 0 $py5 batch9.py gevent
b9jshell
run Error js-exec 0 node batch9.js exec
run ManifestError rb-rake 0 sh -c 'exec rake -f batch9.rake "deploy[$1]"' sh
b9php_log ParseError php-eval eval
run fatal c-segv 0 ./cbatch9 segv

# ---- a tenth batch: producers and shapes none of the others used: a
# process pool's remote traceback, argparse's usage error, unittest's and
# doctest's reports, an error raised by a signal handler; a ForkJoinPool
# worker's uncaught exception, a checked exception through a dynamic
# proxy, a pattern that does not compile (its message over three lines),
# Scala's assert;
# an fs.promises rejection nobody handled (no stack of the program),
# npmlog's lines (each one prefixed), debug's record, node:test's TAP
# report, a URL that does not parse; a mutex unlocked twice, a Go test
# binary's failure and panic; minitest's report, a KeyError with
# did_you_mean's suggestion, CSV's malformed input, a Fiber's error; an
# exception handler's own report, a match with no arm, a readonly
# property; simplelog's record, a RefCell borrowed twice, assert_eq!'s
# two sides; a task's exception nobody observed, one thrown again
# through ExceptionDispatchInfo, ArgumentOutOfRangeException's
# parameter and value; Log::Dispatch's record, a die "...propagated"
# from an eval, a warning made fatal; GLib's g_error and
# g_assert_cmpint, glibc's fortified strcpy, Boost's
# diagnostic_information.  Types and groups as in the eighth; kept
# apart from the suite's corpus like the third ----
b10go_test() { # TYPE GROUP TEST: the test binary, its value in $VOUCHER
	run "$1" "$2" 0 sh -c 'VOUCHER=$1 exec ./gobatch10.test -test.run "$0"' "$3"
}
b10all() {
	run VoucherError py-process-pool 0 $py5 batch10.py process-pool
	run - py-argparse 0 $py5 batch10.py argparse
	run VoucherError py-unittest 0 $py5 batch10.py unittest
	run VoucherError py-doctest 0 $py5 batch10.py doctest
	run VoucherError py-signal 0 $py5 batch10.py signal
	run java.lang.IllegalStateException java-fork-join 0 java -cp . Batch10 fork-join
	run java.lang.reflect.UndeclaredThrowableException java-proxy 0 java -cp . Batch10 proxy
	run java.util.regex.PatternSyntaxException java-regex 0 java -cp . Batch10 regex
	run java.lang.AssertionError scala-assert 0 java -cp "$scala_cp" Vouchers assert
	run Error js-fs-promise 0 node batch10.js fs-promise
	run VoucherError js-npmlog 0 node batch10.js npmlog
	run VoucherError js-debug 0 'DEBUG=vouchers:*' node batch10.js debug
	run VoucherError js-node-test 0 node batch10.js node-test
	run TypeError js-url 0 node batch10.js url
	run fatal go-unlock 0 ./gobatch10 unlock
	b10go_test - go-test-errorf 'TestRedeem$'
	b10go_test panic go-test-panic TestRedeemPanics
	run VoucherError rb-minitest 0 ruby batch10.rb minitest
	run KeyError rb-fetch 0 ruby batch10.rb fetch
	run CSV::MalformedCSVError rb-csv 0 ruby batch10.rb csv
	run VoucherError rb-fiber 0 ruby batch10.rb fiber
	run VoucherException php-handler 0 php batch10.php handler
	php_log batch10.php UnhandledMatchError php-match 0 match
	php_log batch10.php Error php-readonly 0 readonly
	run - rs-simplelog 0 ./rsbatch10 simplelog
	run panic rs-refcell 0 RUST_BACKTRACE=0 ./rsbatch10 refcell
	run panic rs-assert-eq 0 RUST_BACKTRACE=1 ./rsbatch10 assert-eq
	run System.AggregateException cs-unobserved 0 mono --debug csbatch10.exe unobserved
	run VoucherException cs-rethrow 0 mono --debug csbatch10.exe rethrow
	run System.ArgumentOutOfRangeException cs-range 0 mono --debug csbatch10.exe range
	run - pl-log-dispatch 0 perl batch10.pl log-dispatch
	run - pl-propagated 0 perl batch10.pl propagated
	run - pl-fatal-warning 0 perl batch10.pl fatal-warning
	run - c-g-error 0 ./cbatch10 g-error
	run - c-g-assert 0 ./cbatch10 g-assert
	run fatal c-fortify 0 ./cbatch10 fortify
	run voucher_error cpp-boost 0 ./cppbatch10 boost
}
begin batch10 none "$top/tests/data/runtimes-unseen"
noise
b10all
begin batch10-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run VoucherError py-unittest 0 $py5 batch10.py unittest
run VoucherError js-npmlog 0 node batch10.js npmlog
run java.lang.AssertionError scala-assert 0 java -cp "$scala_cp" Vouchers assert
b10go_test panic go-test-panic TestRedeemPanics
run KeyError rb-fetch 0 ruby batch10.rb fetch
run - pl-propagated 0 perl batch10.pl propagated
run - c-g-error 0 ./cbatch10 g-error
begin batch10-k8s k8s "$top/tests/data/runtimes-unseen"
noise
run VoucherError py-process-pool 0 $py5 batch10.py process-pool
run java.lang.IllegalStateException java-fork-join 0 java -cp . Batch10 fork-join
run VoucherError js-node-test 0 node batch10.js node-test
run fatal go-unlock 0 ./gobatch10 unlock
run System.ArgumentOutOfRangeException cs-range 0 mono --debug csbatch10.exe range
run panic rs-assert-eq 0 RUST_BACKTRACE=1 ./rsbatch10 assert-eq
begin batch10-docker docker "$top/tests/data/runtimes-unseen"
noise
run Error js-fs-promise 0 node batch10.js fs-promise
run java.util.regex.PatternSyntaxException java-regex 0 java -cp . Batch10 regex
run VoucherError rb-minitest 0 ruby batch10.rb minitest
php_log batch10.php UnhandledMatchError php-match 0 match
run VoucherException cs-rethrow 0 mono --debug csbatch10.exe rethrow
run voucher_error cpp-boost 0 ./cppbatch10 boost

# ---- an eleventh batch: producers and shapes none of the others used:
# an http.server handler's error as socketserver reports it between its
# dashed rules, a DeprecationWarning the warnings filter makes an error,
# the KeyboardInterrupt of a SIGINT in a busy loop; an http server's request
# handler that throws, a timer promise aborted through its signal (an
# AbortError with its DOMException cause), an error from a setImmediate
# callback; a deferred function's panic while the first unwinds ("[recovered]"
# and the second indented under it), runtime.Goexit in main once no other
# goroutine is left; NoMethodError for nil with its code snippet, a
# thread's report_on_exception report and the join raising it again,
# SystemStackError with its "... N levels..." elision; a class that no
# autoloader finds, an exception thrown from a destructor, a method
# called on null (error_log, as a server writes them); a
# TypeInitializationException with its inner exception, an
# InvalidCastException from LINQ's Cast; an ExceptionInInitializerError
# with its cause, a ConcurrentModificationException; a named thread's
# expect() on None (with and without a backtrace); a die with an object
# whose stringification is overloaded, a method called on undef; the
# stack protector's "stack smashing detected", a message printed before
# abort().  Types and groups as in the eighth ----
b11all() {
	run VoucherError py-http-server 0 $py5 batch11.py http-server
	run DeprecationWarning py-warning-error 0 $py5 batch11.py warning-error
	run KeyboardInterrupt py-sigint 0 $py5 batch11.py sigint
	run VoucherError js-http-server 0 node batch11.js http-server
	run AbortError js-abort 0 node batch11.js abort
	run VoucherError js-immediate 0 node batch11.js immediate
	run panic go-repanic 0 ./gobatch11 repanic
	run fatal go-goexit 0 ./gobatch11 goexit
	run NoMethodError rb-nil 0 ruby batch11.rb nil
	run VoucherError rb-thread 0 ruby batch11.rb thread
	run SystemStackError rb-stack 0 ruby batch11.rb stack
	php_log batch11.php Error php-class 0 class
	php_log batch11.php VoucherException php-destructor 0 destructor
	php_log batch11.php Error php-null-method 0 null-method
	run System.TypeInitializationException cs-type-init 0 mono --debug csbatch11.exe type-init
	run System.InvalidCastException cs-cast 0 mono --debug csbatch11.exe cast
	run java.lang.ExceptionInInitializerError java-static-init 0 java -cp . Batch11 static-init
	run java.util.ConcurrentModificationException java-concurrent-mod 0 java -cp . Batch11 concurrent-mod
	run panic rs-thread 0 RUST_BACKTRACE=0 ./rsbatch11 thread-join
	run panic rs-thread-bt 0 RUST_BACKTRACE=1 ./rsbatch11 thread-join
	run VoucherError pl-object 0 perl batch11.pl object
	run - pl-undef-method 0 perl batch11.pl undef-method
	run fatal c-stack-protector 0 ./cbatch11 stack-protector
	run - c-abort 0 ./cbatch11 abort
}
begin batch11 none "$top/tests/data/runtimes-unseen"
noise
b11all
begin batch11-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run VoucherError py-http-server 0 $py5 batch11.py http-server
run VoucherError js-http-server 0 node batch11.js http-server
run panic go-repanic 0 ./gobatch11 repanic
run VoucherError rb-thread 0 ruby batch11.rb thread
php_log batch11.php Error php-class 0 class
run - c-abort 0 ./cbatch11 abort
begin batch11-k8s k8s "$top/tests/data/runtimes-unseen"
noise
run KeyboardInterrupt py-sigint 0 $py5 batch11.py sigint
run AbortError js-abort 0 node batch11.js abort
run fatal go-goexit 0 ./gobatch11 goexit
run System.TypeInitializationException cs-type-init 0 mono --debug csbatch11.exe type-init
run java.lang.ExceptionInInitializerError java-static-init 0 java -cp . Batch11 static-init
run panic rs-thread-bt 0 RUST_BACKTRACE=1 ./rsbatch11 thread-join
begin batch11-docker docker "$top/tests/data/runtimes-unseen"
noise
run DeprecationWarning py-warning-error 0 $py5 batch11.py warning-error
run VoucherError js-immediate 0 node batch11.js immediate
run NoMethodError rb-nil 0 ruby batch11.rb nil
php_log batch11.php VoucherException php-destructor 0 destructor
run java.util.ConcurrentModificationException java-concurrent-mod 0 java -cp . Batch11 concurrent-mod
run - pl-undef-method 0 perl batch11.pl undef-method
run fatal c-stack-protector 0 ./cbatch11 stack-protector

# ---- a twelfth batch: frameworks and logging libraries none of the
# others used, each reporting a request handler's error as it does by
# itself: Flask's app logger ("Exception on /path [GET]") and an error
# handler that logs it through a dictConfig'd formatter, Werkzeug's
# development server ("Error on request:"), aiohttp's "Error handling
# request", a task worker over a thread pool logging a failed task in
# Celery's words, aiohttp's client that cannot connect (its error with
# the ConnectionRefusedError it came from); Express's default error handler (the error inspected
# with its code), an error middleware that logs the error object after
# its own line, an async route whose promise rejects, an error passed to
# next() with its cause, Koa's default report (indented, between blank
# lines); Sinatra's dump_errors
# report to rack.errors and an error block logging through a Logger of
# a custom formatter; glog's Fatalf and Errorf lines; Log::Any logging a
# croak from a module, alone and with Carp's verbose trace; Monolog's
# ErrorLogHandler with its stack trace, through error_log, alone and
# behind a FingersCrossedHandler (the request's INFO and DEBUG records it
# let out first are no event); env_logger
# with a format of its own (the error's sources under it) and with the
# builder's settings (an error's Debug form).  Types and
# groups as in the eighth ----
b12all() {
	run VoucherError py-flask 0 $py5 batch12.py flask
	run VoucherError py-flask 0 $py5 batch12.py flask-dictconfig
	run VoucherError py-werkzeug 0 $py5 batch12.py werkzeug
	run VoucherError py-aiohttp 0 $py5 batch12.py aiohttp
	run VoucherError py-worker 0 $py5 batch12.py worker
	run aiohttp.client_exceptions.ClientConnectorError py-aiohttp-client 0 $py5 batch12.py aiohttp-client
	run VoucherError js-express 0 node b12node/batch12.js default
	run VoucherError js-express 0 node b12node/batch12.js middleware
	run VoucherError js-express-async 0 node b12node/batch12.js async
	run RedeemError js-express-cause 0 node b12node/batch12.js cause
	run VoucherError js-koa 0 node b12node/batch12.js koa
	run - go-glog-fatal 0 ./gobatch12 fatal
	run - go-glog-error 0 ./gobatch12 error
	run VoucherError rb-sinatra 0 ruby batch12.rb dump
	run VoucherError rb-sinatra 0 ruby batch12.rb logger
	run - pl-log-any-line 0 perl batch12.pl line
	run - pl-log-any 0 perl batch12.pl verbose
	php_log batch12.php VoucherException php-monolog-errorlog 0 monolog
	php_log batch12.php VoucherException php-monolog-errorlog -2 fingers-crossed
	run - rs-env-logger-chain 0 ./rsbatch12 format
	run VoucherError rs-env-logger-debug 0 ./rsbatch12 builder
}
begin batch12 none "$top/tests/data/runtimes-unseen"
noise
b12all
begin batch12-syslog syslog "$top/tests/data/runtimes-unseen"
noise
run VoucherError py-flask 0 $py5 batch12.py flask
run aiohttp.client_exceptions.ClientConnectorError py-aiohttp-client 0 $py5 batch12.py aiohttp-client
run VoucherError js-express 0 node b12node/batch12.js middleware
run VoucherError rb-sinatra 0 ruby batch12.rb dump
run - go-glog-fatal 0 ./gobatch12 fatal
php_log batch12.php VoucherException php-monolog-errorlog 0 monolog
run - rs-env-logger-chain 0 ./rsbatch12 format
begin batch12-k8s k8s "$top/tests/data/runtimes-unseen"
noise
run VoucherError py-aiohttp 0 $py5 batch12.py aiohttp
run VoucherError js-express 0 node b12node/batch12.js default
run VoucherError rb-sinatra 0 ruby batch12.rb logger
run - pl-log-any 0 perl batch12.pl verbose
run - go-glog-error 0 ./gobatch12 error
run VoucherError py-worker 0 $py5 batch12.py worker
run VoucherError js-koa 0 node b12node/batch12.js koa
begin batch12-docker docker "$top/tests/data/runtimes-unseen"
noise
run RedeemError js-express-cause 0 node b12node/batch12.js cause
run VoucherError rs-env-logger-debug 0 ./rsbatch12 builder
php_log batch12.php VoucherException php-monolog-errorlog -2 fingers-crossed
run VoucherError py-flask 0 $py5 batch12.py flask-dictconfig
run VoucherError py-werkzeug 0 $py5 batch12.py werkzeug
run VoucherError js-express-async 0 node b12node/batch12.js async
run - pl-log-any-line 0 perl batch12.pl line
run VoucherError rb-sinatra 0 ruby batch12.rb dump

# ---- PostgreSQL ----------------------------------------------------------
case $only in
"  " | *" postgres "*) ;;
*) exit 0 ;;
esac
pg=/usr/lib/postgresql/15/bin
pgdir=$work/pg
mkdir -p "$pgdir"
chown nobody "$pgdir"
as_pg() { runuser -u nobody -- "$@"; }
as_pg "$pg/initdb" -D "$pgdir/data" -A trust -U postgres >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$pg/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
	-o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c log_checkpoints=off -c autovacuum=off" start >/dev/null
trap 'as_pg "$pg/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true' EXIT
psql_run() { as_pg psql -X -q -h "$pgdir" -p "$port" -U postgres -d postgres -c "$1" >/dev/null 2>&1 || true; }
psql_run "create table orders (id int primary key, qty int check (qty > 0))"
psql_run "create function reserve(n int) returns void language plpgsql as \$\$ begin raise exception 'cannot reserve % items', n using hint = 'check the stock table'; end \$\$"
psql_run "create function release(n int) returns void language plpgsql as \$\$ begin raise exception 'cannot release % items', n; end \$\$"
psql_run "create function restock(n int) returns void language plpgsql as \$\$ begin perform release(n); end \$\$"
begin postgres none
cat "$pgdir/server.log" >>"$log"
# pgrun GROUP SQL-WITH-%s: run for both values, record the lines the
# server appended meanwhile
pgrun() {
	group=$1 sql=$2
	for v in 11 12; do
		before=$(wc -l <"$pgdir/server.log")
		psql_run "$(echo "$sql" | sed "s/%s/$v/g")"
		tail -n +$((before + 1)) "$pgdir/server.log" >"$work/run.out"
		base=$(wc -l <"$log")
		n=$(wc -l <"$work/run.out")
		cat "$work/run.out" >>"$log"
		echo "$((base + 1)) $((base + n)) - $group" >>"$exp"
	done
}
psql_run "insert into orders values (11, 1), (12, 1)"
pgrun duplicate "insert into orders values (%s, 2)"
pgrun check "insert into orders values (%s0, -%s)"
pgrun relation "select * from order_items where id = %s"
pgrun raise "select reserve(%s)"
pgrun context "select restock(%s)"
pgrun syntax "selec %s from orders"
as_pg "$pg/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null
trap - EXIT
echo "capture: wrote $(ls "$out"/*.log | wc -l) logs to $out" >&2
