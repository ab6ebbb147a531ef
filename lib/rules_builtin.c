/*
 * rules_builtin: the built-in rule pack, as data.
 *
 * Order matters: trace rules come before the single-line level rules, so
 * that a line which both starts a trace and carries a level word is
 * recognised as the trace.  Patterns are anchored at the start of the
 * line or bounded in how far they look, so none of them is quadratic on
 * a long line.  Every rule carries samples that must and must not start
 * an event; `qerrors rules test` and the unit tests check them.
 */
#include "rules.h"

#include "util.h"

#define SAMPLES(a) a, QE_ARRAY_SIZE(a)

static const struct qe_builtin_sample java_samples[] = {
    {"java.lang.IllegalStateException: boom", 1},
    {"Exception in thread \"main\" java.lang.NullPointerException", 1},
    {"Exception in thread \"worker-1\" Main$AppException: worker died", 1},
    {"Main$AppException: worker died", 0},
    {"Exception REPL.$JShell$12$QuotaException: over quota", 1},
    {"Exception java.lang.ArithmeticException: / by zero", 1},
    {"Exception handling is enabled: yes", 0},
    {"Caught: QuotaException: over quota", 1},
    {"Caught: groovy.lang.MissingPropertyException: No such property: x for class: A", 1},
    {"Caught: nothing", 0},
    {"Exception in thread \"main\" LeaseConflict(lease=1x, holder=worker-2)", 1},
    {"Exception in thread \"main\" whatever happened", 0},
    {"kotlin.UninitializedPropertyAccessException: lateinit property x has not been "
     "initialized",
     1},
    {"scala.MatchError: 42 (of class java.lang.Integer)", 1},
    {"org.springframework.beans.factory.BeanCreationException: Error creating bean", 1},
    {"java.lang.OutOfMemoryError: Java heap space", 1},
    {"java.lang.Error: x", 1},
    {"\tat com.example.Foo.bar(Foo.java:10)", 0},
    {"Caused by: java.io.IOException: closed", 0},
    {"System.InvalidOperationException: nope", 0},
    {"com.example.ExceptionHandler registered", 0},
};

static const struct qe_builtin_sample dotnet_samples[] = {
    {"System.InvalidOperationException: Operation is not valid", 1},
    {"Unhandled exception. System.ArgumentNullException: Value cannot be null. "
     "(Parameter "
     "'x')",
     1},
    {"Unhandled Exception: System.IO.FileNotFoundException: Could not find file", 1},
    {"Unhandled Exception:", 1},
    {"Unhandled exceptions: 0", 0},
    {"app.exe Error: 0 : charge failed: QuotaException: over quota ---> "
     "System.FormatException: bad",
     1},
    {"app.exe Information: 0 : QuotaException: none", 0},
    {"MyApp.Services.PaymentException: card declined", 1},
    {"System.Exception: plain", 1},
    {"   at MyApp.Program.Main(String[] args) in /src/Program.cs:line 5", 0},
    {" ---> System.Exception: inner", 0},
    {"java.lang.IllegalStateException: boom", 0},
};

static const struct qe_builtin_sample python_samples[] = {
    {"Traceback (most recent call last):", 1},
    {"Fatal Python error: Segmentation fault", 1},
    {"Fatal Python error:", 0},
    {"\xe2\x95\xad\xe2\x94\x80\xe2\x94\x80 Traceback (most recent call last) "
     "\xe2\x94\x80\xe2\x94\x80\xe2\x95\xae",
     1},
    {"         \xe2\x95\xad\xe2\x94\x80 Traceback (most recent call last) "
     "\xe2\x94\x80\xe2\x95\xae   ",
     1},
    {"\xe2\x94\x82 Traceback (most recent call last) \xe2\x94\x82", 0},
    {"  + Exception Group Traceback (most recent call last):", 1},
    {"  | Exception Group Traceback (most recent call last):", 0},
    {"  File \"/app/main.py\", line 3, in <module>", 0},
    {"multiprocessing.pool.RemoteTraceback: ", 1},
    {"concurrent.futures.process._RemoteTraceback: ", 1},
    {"RemoteTraceback: see the worker log", 0},
    {"Traceback of the meeting notes", 0},
};

static const struct qe_builtin_sample go_samples[] = {
    {"panic: runtime error: index out of range [5] with length 3", 1},
    {"panic: assignment to entry in nil map", 1},
    {"fatal error: all goroutines are asleep - deadlock!", 1},
    {"fatal error: stack overflow", 1},
    {"goroutine 1 [running]:", 0},
    {"the panic: button was pressed", 0},
};

static const struct qe_builtin_sample go_http_samples[] = {
    {"2024/01/01 12:00:00 http: panic serving 10.0.0.1:51234: runtime error: invalid "
     "memory address or nil pointer dereference",
     1},
    {"http: panic serving [::1]:40522: boom", 1},
    {"2024/01/01 12:00:00 http: TLS handshake error from 10.0.0.1:5555: EOF", 0},
    {"2024/01/01 12:00:00 server.go:3215: http: panic serving 10.0.0.1:5555: x", 1},
    {"log: http: panic serving disabled", 0},
};

static const struct qe_builtin_sample rust_samples[] = {
    {"thread 'main' panicked at src/main.rs:5:9:", 1},
    {"thread 'w' (10801) panicked at src/x.rs:21:5:", 1},
    {"fatal runtime error: stack overflow, aborting", 1},
    {"thread 'tokio-runtime-worker' panicked at 'called `Option::unwrap()` on a `None` "
     "value', src/lib.rs:10:5",
     1},
    {"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace", 0},
    {"the thread panicked at noon", 0},
};

static const struct qe_builtin_sample php_samples[] = {
    {"PHP Fatal error:  Uncaught Exception: boom in /var/www/app.php:12", 1},
    {"[01-Jan-2024 12:00:00 UTC] PHP Fatal error:  Uncaught RuntimeException: x in "
     "/a.php:3",
     1},
    {"Fatal error: Uncaught Error: Call to undefined function foo() in /a.php:2", 1},
    {"PHP Parse error:  syntax error, unexpected '}' in /var/www/x.php on line 7", 1},
    {"PHP Warning:  Undefined variable $x in /var/www/app.php on line 3", 0},
    {"RuntimeException: checkout failed in /var/www/src/Cart.php:19", 1},
    {"App\\Payment\\DeclinedException: card declined in /app/src/Pay.php:7", 1},
    {"[shop] uncaught App\\StockException: out of stock at Cart.php:12", 1},
    {"retry after TimeoutException: slow at the gate", 0},
    {"TypeError: x is not a function in /app/x.js:3", 0},
    {"#0 /var/www/app.php(20): foo()", 0},
};

static const struct qe_builtin_sample ruby_samples[] = {
    {"app.rb:10:in `divide': divided by 0 (ZeroDivisionError)", 1},
    {"/app/lib/user.rb:42:in 'User#save': undefined method 'name' for nil "
     "(NoMethodError)",
     1},
    {"sync worker: app.rb:22:in `rescue in sync': sync of 1x failed (SyncError)", 1},
    {"<internal:ractor>:694:in `take': thrown by remote Ractor. (Ractor::RemoteError)",
     1},
    {"\tfrom app.rb:3:in `<main>'", 0},
    {"loaded config.rb:10 in 5ms", 0},
};

static const struct qe_builtin_sample node_samples[] = {
    {"TypeError: Cannot read properties of undefined (reading 'foo')", 1},
    {"Error: connect ECONNREFUSED 127.0.0.1:5432", 1},
    {"Error [ERR_HTTP_HEADERS_SENT]: Cannot set headers after they are sent to the "
     "client",
     1},
    {"Uncaught ReferenceError: x is not defined", 1},
    /* a handler's own label before err.stack */
    {"uncaught exception: RangeError: stock level 1x below zero", 1},
    {"info: Error: retrying in 5s", 0},
    {"[ledger] fatal uncaughtException: SyntaxError: Unexpected token } in JSON", 1},
    {"[ledger] info: Error: retrying in 5s", 0},
    {"[ledger] \xe2\x80\xba \xe2\x9c\x96  error     StockError: cannot reserve 1x ", 1},
    {"\xe2\x9c\x96  fatal     Error: ledger down", 1},
    {"[ledger] \xe2\x80\xba \xe2\x84\xb9  info      Error: retrying in 5s", 0},
    {"[AggregateError: All promises were rejected] {", 1},
    {"[Error: boom]", 1},
    {"[Errors: 0]", 0},
    {"    at Object.<anonymous> (/app/index.js:10:5)", 0},
    {"Errors: 0", 0},
    {"ErrorHandler installed", 0},
};

static const struct qe_builtin_sample ruby_rescued_samples[] = {
    {"[refunds] [order=1x] RefundError (refund of 1x declined (2 tries)):", 1},
    {"ActionView::Template::Error (undefined method `name' for nil):", 1},
    {"RefundError (declined):", 1},
    {"Summary (3 items):", 0},
    {"RefundError (declined) retried", 0},
    {"[refunds] refund error (declined):", 0},
};

static const struct qe_builtin_sample level_samples[] = {
    {"2024-01-01 12:00:00 ERROR [main] c.e.Foo - Failed", 1},
    {"2024-01-01T12:00:00Z [ERROR] request failed", 1},
    {"ERROR:root:could not connect", 1},
    {"Jan  1 12:00:00 host app[12]: FATAL: out of memory", 1},
    {"2024-01-01 12:00:00 CRITICAL disk full", 1},
    {"SEVERE: Servlet.service() threw exception", 1},
    {"2024-01-01 12:00:00.000 UTC [42] PANIC:  could not write to file", 1},
    {"level=ERROR msg=boom", 1},
    /* slog-term: four-letter levels (ERRO, CRIT, WARN, INFO, DEBG) */
    {"Dec 03 12:54:04.811 ERRO sync failed, error: timeout, peer: 2", 1},
    {"Dec 03 12:54:04.811 DEBG ERRORS counted", 0},
    /* Celery's worker */
    {"[2026-12-01 10:00:00,187: ERROR/MainProcess] Task app.sync[42] raised unexpected: "
     "KeyError('sku')",
     1},
    {"[2026-12-01 10:00:00,187: INFO/MainProcess] Task app.sync[42] succeeded", 0},
    {"2024-01-01 12:00:00 INFO wrote /srv/ERROR/x.log", 0},
    {"2024-01-01 12:00:00 WARN disk almost full", 0},
    {"2024-01-01 12:00:00 INFO finished with 0 ERROR lines", 0},
    {"2024-01-01 12:00:00 INFO status=ERROR_NONE", 0},
    {"2024-01-01 12:00:00 DEBUG no ERRORS", 0},
};

static const struct qe_builtin_sample monolog_samples[] = {
    {"[2026-12-01T09:06:09.483266+00:00] shop.ERROR: payment failed {\"order\":3} []", 1},
    {"[2026-12-01 09:06:09] app.CRITICAL: stock service unreachable", 1},
    {"[2026-12-01 09:06:09] security.EMERGENCY: disk full", 1},
    {"[2026-12-01 09:06:09] app.WARNING: slow query", 0},
    {"[2026-12-01 09:06:09] app.INFO: ERROR count is 0", 0},
    {"2026-12-01 09:06:09 quotes.ERROR: quote 1x failed {\"exception\":\"[object] (X\"}",
     1},
    {"2026-12-01T09:06:09.483266+00:00 shop.CRITICAL: ledger down", 1},
    {"2026-12-01 09:06:09 quotes.WARNING: quote 1x slow", 0},
};

static const struct qe_builtin_sample lower_samples[] = {
    {"2024/01/01 12:00:00 [error] 123#0: *1 open() \"/x\" failed (2: No such file)", 1},
    {"[Mon Jan 01 12:00:00.000 2024] [core:error] [pid 12] AH00037: x", 1},
    {"2024/01/01 12:00:00 [crit] 1#1: *5 SSL_do_handshake() failed", 1},
    {"time=2024-01-01T12:00:00Z level=error msg=\"db down\"", 1},
    {"{\"level\":\"fatal\",\"msg\":\"bye\"}", 1},
    {"2026-12-03T12:53:56+0000 [twisted.internet.defer#critical] Unhandled error in "
     "Deferred:",
     1},
    {"2026-12-03T12:53:56+0000 [shop.api#info] error count 0", 0},
    {"time=2024-01-01T12:00:00Z level=warn msg=\"error budget low\"", 0},
    {"2024/01/01 12:00:00 [warn] 1#1: upstream slow", 0},
    {"level=info msg=\"error count 0\"", 0},
    /* structlog's console renderer pads the level in its brackets */
    {"2026-12-01T12:59:07.556978Z [error    ] payment declined     order=42", 1},
    {"2026-12-01T12:59:07.557280Z [critical ] ledger unreachable   host=db1", 1},
    {"2026-12-01T12:59:07.557245Z [warning  ] error budget low     attempt=2", 0},
    /* zap's production console encoder: epoch time, tab, lower-case level */
    {"1.7961299944454966e+09\terror\tapp/main.go:16\trequest failed\t{\"error\": "
     "\"open /nonexistent/config.yaml: no such file or directory\"}",
     1},
    {"1.7961299944455323e+09\twarn\tapp/main.go:17\terror budget low\t{\"ms\": 1200}", 0},
};

static const struct qe_builtin_sample level_colon_samples[] = {
    {"error: settle failed for 1x {\"stack\":\"Error: settle failed\"}", 1},
    {"crit: ledger unreachable", 1},
    {"error: kex_exchange_identification: Connection closed by remote host", 1},
    {"warn: error budget low", 0},
    {"info: error count 0", 0},
    {"error:no space after the colon", 0},
    /* winston's printf with a timestamp (and a label) before the level */
    {"2026-12-02T00:36:25.231Z error: StockError: cannot reserve 1x", 1},
    {"2026-12-02 00:36:25 [shop] error: ledger unreachable", 1},
    {"2026-12-02T00:36:25.231Z info: error count 0", 0},
};

static const struct qe_builtin_sample sanitizer_samples[] = {
    {"==3566==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000012 at "
     "pc 0x7f5755848061 bp 0x7ffcfb84ec40 sp 0x7ffcfb84e3f0",
     1},
    {"==12==ERROR: LeakSanitizer: detected memory leaks", 1},
    {"batch.c:36:11: runtime error: signed integer overflow: 2 + 2147483647 cannot be "
     "represented in type 'int'",
     1},
    {"src/x.cc:7:3: runtime error: load of null pointer of type 'int'", 1},
    {"2026-12-01T10:01:02.015838Z ==4147==ERROR: AddressSanitizer: SEGV on unknown "
     "address 0x000000000000",
     1},
    {"==3566==ABORTING", 0},
    {"SUMMARY: AddressSanitizer: heap-buffer-overflow in main", 0},
    {"the runtime error: count is 0", 0},
};

static const struct qe_builtin_sample gfortran_samples[] = {
    {"Fortran runtime error: Bad integer for item 1 in list input", 1},
    {"Fortran runtime error: Index '2' of dimension 1 of array 'a' above upper bound of "
     "1",
     1},
    {"Fortran runtime warning: An array temporary was created", 0},
    {"At line 21 of file batch.f90", 0},
};

static const struct qe_builtin_sample perl_samples[] = {
    {"bad quantity 1x at app.pl line 29.", 1},
    {"Ledger::Error: bad quantity 1x at /srv/lib/Ledger.pm line 30.", 1},
    /* Log::Log4perl's logdie, and a read from a handle */
    {"cannot settle 1x at app.pl line 46", 1},
    {"no input at -e line 1, <STDIN> line 2.", 1},
    {"syntax error at (eval 12) line 1, near \"}\"", 0},
    {"\tmain::settle(\"1x\") called at app.pl line 48", 0},
    {"  File \"/app/x.py\", line 3, in <module>", 0},
    {"the line 3 of the report is at fault", 0},
};

static const struct qe_builtin_sample assert_samples[] = {
    {"app: app.c:14: parse_qty: Assertion `*end == '\\0'' failed.", 1},
    {"src/queue.c:88: push: Assertion `q->len < q->cap' failed.", 1},
    /* libstdc++'s own checks (_GLIBCXX_ASSERTIONS) name a C++ function */
    {"/usr/include/c++/12/bits/stl_vector.h:1123: std::vector<_Tp>::reference "
     "std::vector<_Tp>::operator[](size_type) [with _Tp = int]: Assertion '__n < "
     "this->size()' failed.",
     1},
    {"Assertion `x' failed.", 0},
    {"app: Assertion checks passed", 0},
};

static const struct qe_builtin_sample tcl_samples[] = {
    {"    while executing", 1},	    {"    while compiling", 1},
    {"while executing", 0},	    {"    while executing the nightly job", 0},
    {"    invoked from within", 0},
};

static const struct qe_builtin_sample glog_samples[] = {
    {"E0101 12:00:00.123456    42 server.go:80] request failed", 1},
    {"F0101 12:00:00.123456    42 main.go:10] cannot start", 1},
    {"W0101 12:00:00.123456    42 server.go:80] slow", 0},
    {"I0101 12:00:00.123456    42 server.go:80] ok", 0},
};

static const struct qe_builtin_sample syslog_samples[] = {
    {"<3>disk failure on /dev/sda", 1},
    {"<11>Jan  1 12:00:00 host app: failed", 1},
    {"<0>kernel panic", 1},
    {"<4>low memory", 0},
    {"<14>Jan  1 12:00:00 host app: started", 0},
};

const struct qe_builtin_rule qe_builtin_rules[] = {
    {"java-exception", "java", "error", QE_LANG_JAVA,
     /* a package, except after "Exception in thread": a class of the
	default package ("Main$AppException") has none */
     "^(?:Exception in thread \"[^\"]*\" (?:[\\w$]+\\.)*|(?:[a-z_$][\\w$]*\\.)+)"
     "(?:[A-Z_$][\\w$]*)?(?:Exception|Error|Throwable)(?::\\s|:?\\s*$)"
     /* jshell: "Exception " and the class, frames "at f (#2:1)";
	a Groovy script's "Caught: " and the exception, then its trace */
     "|^(?:Exception|Caught:) (?:[\\w$]+\\.)*[\\w$]*(?:Exception|Error|Throwable)"
     "(?::\\s|\\s*$)"
     /* the thread's handler prints any toString(): "LeaseConflict(id=3)" */
     "|^Exception in thread \"[^\"]*\" [\\w$.]+[(\\[{]",
     "^\\s+at \\S|^\\s*\\.\\.\\. \\d+ (?:more|common frames omitted)"
     "|^\\s*(?:Caused by|Suppressed|Wrapped by): \\S",
     SAMPLES(java_samples)},
    {"dotnet-exception", "dotnet", "error", QE_LANG_DOTNET,
     "^(?:Unhandled [eE]xception[.:] )?(?:[A-Z][\\w`]*\\.)+(?:[A-Z]\\w*)?Exception"
     "(?::\\s|:?\\s*$)|^Unhandled [eE]xception:\\s*$"
     /* System.Diagnostics.Trace's listeners: "source Error: id : message",
	the exception at the message's end */
     "|^[^\\s:]{1,128} (?:Error|Critical): \\d+ : .{0,4096}?\\b(?:[A-Z][\\w`]*\\.)*"
     "[A-Z]\\w*Exception: ",
     "^\\s+at \\S|^\\s*---> |^\\s*--- End of |^\\s*(?:Inner [eE]xception|HResult)"
     "|^\\[ERROR\\] FATAL UNHANDLED EXCEPTION: \\S",
     SAMPLES(dotnet_samples)},
    {"python-traceback", "python", "error", QE_LANG_PYTHON,
     "^(?:Traceback|[ \\t]*\\+ Exception Group Traceback) \\(most recent call "
     "last\\):\\s*$"
     /* rich's traceback, drawn in a box: its top edge names it */
     "|^[ \\t]*\xe2\x95\xad(?:\xe2\x94\x80)+ Traceback \\(most recent call "
     "last\\) (?:\xe2\x94\x80)+\xe2\x95\xae\\s*$"
     /* the interpreter's fatal error, faulthandler's report among them */
     "|^Fatal Python error: \\S"
     /* a pool worker's traceback, sent back to the parent as a string */
     "|^[\\w.]*RemoteTraceback: ?$",
     "^[ \\t]+\\S|^(?:During handling of the above exception, another exception "
     "occurred:|The above exception was the direct cause of the following "
     "exception:)\\s*$",
     SAMPLES(python_samples)},
    {"go-panic", "go", "fatal", QE_LANG_GO, "^(?:panic|fatal error): \\S",
     "^goroutine \\d+ [^\\[]{0,64}\\[|^created by |^exit status \\d+\\s*$|^\\[signal "
     "|^runtime stack:|^\\s+\\S|^\\[recovered\\]|^[\\w$.*/()\\[\\]{}\\-]+\\(.*\\)\\s*$"
     "|^\\.\\.\\.additional frames elided\\.\\.\\.|^runtime: \\S",
     SAMPLES(go_samples)},
    /* net/http recovers a handler's panic and logs it with the stack */
    {"go-http-panic", "go", "error", QE_LANG_GO, "\\bhttp: panic serving \\S+: \\S",
     "^goroutine \\d+ [^\\[]{0,64}\\[|^created by |^\\[signal |^\\s+\\S"
     "|^[\\w$.*/()\\[\\]{}\\-]+\\(.*\\)\\s*$",
     SAMPLES(go_http_samples)},
    {"rust-panic", "rust", "fatal", QE_LANG_RUST,
     "^thread '[^']*'(?: \\(\\d+\\))? panicked at |^fatal runtime error: \\S",
     "^note: |^stack backtrace:|^\\s+\\S|^error: process didn't exit successfully"
     /* eyre's report ends with where the error was made, anyhow's
	with the backtrace it captured */
     "|^(?:Location|Stack backtrace):\\s*$"
     "|^thread caused non-unwinding panic\\. aborting\\.",
     SAMPLES(rust_samples)},
    {"php-fatal", "php", "fatal", QE_LANG_PHP,
     "^(?:\\[[^\\]]{1,64}\\] )?(?:PHP )?(?:Fatal error|Parse error|Catchable fatal "
     "error):\\s+\\S"
     /* an exception as PHP prints it, e.g. through error_log((string) $e) */
     "|^[A-Z][\\w\\\\]*(?:Exception|Error): .{0,4096}? in /\\S+\\.php:\\d+\\s*$"
     /* and as a set_exception_handler() callback prints it, the class
	after a tag and a word or two, its file after "at" */
     "|^(?:\\[[^\\]]{1,64}\\] )?(?:[a-z]+ ){1,3}[A-Z][\\w\\\\]*(?:Exception|Error): "
     ".{0,4096}? at \\S+\\.php:\\d+\\s*$",
     "^(?:\\[[^\\]]{1,64}\\] )?(?:PHP )?(?:Stack trace:|\\s*#\\d+ |\\s+thrown in |Next "
     "[\\w\\\\]+)"
     /* Xdebug's: "Call Stack:", then time, memory, "N. call() file:line" */
     "|^(?:PHP )?Call Stack:\\s*$|^(?:PHP )?\\s+\\d+\\.\\d+\\s+\\d+\\s+\\d+\\. \\S",
     SAMPLES(php_samples)},
    {"ruby-exception", "ruby", "error", QE_LANG_RUBY,
     /* a label the program put before full_message: "sync worker: " */
     "^(?:[a-z][a-z ]{2,40}: )?(?:\\S+?\\.rb:\\d+:in [`'][^']*': .*\\([A-Z][\\w:]*\\)"
     /* the interpreter's own code, "<internal:ractor>", raising an
	error (the gate knows the class by its name) */
     "|<internal:[\\w/]+>:\\d+:in [`'][^']*': .*\\([A-Z][\\w:]*(?:Error|Exception)\\))"
     "\\s*$",
     "^\\s+from \\S|^\\s+\\.\\.\\. \\d+ levels\\.\\.\\.", SAMPLES(ruby_samples)},
    {"node-error", "node", "error", QE_LANG_NODE,
     /* the label may name the program in brackets first and the event
	handler by its name: "[shop] fatal uncaughtException: " */
     "^(?:Uncaught |(?:\\[[\\w.-]{1,32}\\] )?"
     "(?:(?!(?:info|debug|warn|warning|notice|verbose|silly|http|trace):)"
     "[a-z][A-Za-z ]{2,40}: "
     /* signale's "[scope] \u203a \u2716  error     ": a badge, a padded label */
     "|(?:\xe2\x80\xba )?\xe2\x9c\x96 {1,3}(?:error|fatal) {1,12}))?"
     "(?:[A-Z][\\w$]*)?(?:Error|Exception)(?: \\[[\\w.]+\\])?"
     "(?::\\s|:?\\s*$)"
     /* util.inspect of an error without its stack: "[AggregateError: msg] {" */
     "|^\\[(?:[A-Z][\\w$]*)?Error(?:: [^\\]]{0,512})?\\](?: \\{)?\\s*$",
     "^\\s+\\S|^\\}|^Node\\.js v\\d|^Emitted '[^']{1,64}' event on ",
     SAMPLES(node_samples)},
    /* a rescued Ruby exception as Rails logs it, "Class (message):", the
       backtrace on the lines after it; ActiveSupport's tagged logger
       puts its tags before the first line */
    {"ruby-rescued", "line", "error", QE_LANG_LINE,
     "^(?:\\[[^\\]]{0,64}\\] ){0,8}(?:[A-Z]\\w*::)*(?:[A-Z]\\w*)?(?:Error|Exception) "
     "\\(.{0,4096}\\):\\s*$",
     NULL, SAMPLES(ruby_rescued_samples)},
    /* the sanitizers' reports: ASan's (and LSan's), after a rule of
       '=', to "==PID==ABORTING"; UBSan's "file:line:col: runtime error:"
       with the frames under it */
    {"sanitizer", "line", "fatal", QE_LANG_LINE,
     /* (a log prefix may come first: a timestamp, a container's) */
     "^[^=\\n]{0,80}?==\\d+==ERROR: \\w+Sanitizer: \\S"
     "|^(?:\\S+ ){0,3}?[^\\s:]+:\\d+:\\d+: runtime error: \\S",
     NULL, SAMPLES(sanitizer_samples)},
    /* gfortran's runtime error, under the "At line N of file F" line,
       then "Error termination. Backtrace:" and the frames */
    {"gfortran", "line", "fatal", QE_LANG_LINE, "^Fortran runtime error: \\S", NULL,
     SAMPLES(gfortran_samples)},
    /* Monolog's LineFormatter: "[time] channel.LEVEL: message context extra",
       or with a format of its own, the time without brackets */
    {"monolog", "line", "error", QE_LANG_LINE,
     "^(?:\\[[^\\]]{1,64}\\]|\\d{4}-\\d\\d-\\d\\d[T "
     "]\\d\\d:\\d\\d:\\d\\d[\\w.:+-]{0,24}) "
     "[\\w.-]{1,64}\\.(?<lvl>ERROR|CRITICAL|ALERT|EMERGENCY): ",
     NULL, SAMPLES(monolog_samples)},
    /* the bytes before the level: any but a newline, and no lower
       level as a word; a byte that neither starts one nor may be a
       newline is taken without the look-ahead, which is what a match
       costs; the group is atomic, as the byte is taken one way or the
       other (the same language, half the work) */
    {"level", "line", "error", QE_LANG_LINE,
     "^(?>[^TDINW\\n\\r\\x00\\x0b\\x0c\\x85]|"
     "(?!\\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING)\\b).){0,120}?"
     "(?=[EFCSAP])(?<![\\w./-])"
     "(?<lvl>ERROR|ERRO|ERR|FATAL|CRITICAL|CRIT|SEVERE|EMERG|EMERGENCY|ALERT|PANIC)"
     /* not in a path or a name; Celery's "[time: ERROR/MainProcess]"
	names the process after a '/' */
     "(?![\\w.-])(?!/(?![A-Z][\\w-]{0,40}\\]))",
     NULL, SAMPLES(level_samples)},
    {"level-lower", "line", "error", QE_LANG_LINE,
     /* (Twisted's "[namespace#level]") */
     "(?J)^.{0,160}?(?:\\[(?:\\w+:|[\\w.]+#)?(?<lvl>error|crit|alert|emerg|fatal|"
     "critical) "
     "{0,8}\\]"
     "|\\b(?i:level|lvl|severity|loglevel)\"?\\s{0,3}[=:]\\s{0,3}\"?"
     "(?<lvl>(?i:error|err|fatal|critical|crit|emerg|alert|panic))\\b)"
     "|^(?:[^\\t]{1,64}\\t)?(?<lvl>error|dpanic|panic|fatal)\\t",
     NULL, SAMPLES(lower_samples)},
    /* a level word, a colon, the message: winston's simple and cli
       formats ("error: message {meta}"), the timestamp and label its
       printf formats put first, sshd, git and compilers; anchored, so
       it costs a byte or two on most lines */
    {"level-colon", "line", "error", QE_LANG_LINE,
     "^(?:\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d[\\w.:+-]{0,24} "
     "(?:\\[[^\\]]{1,64}\\] )?)?(?<lvl>error|crit|alert|emerg|fatal): \\S",
     NULL, SAMPLES(level_colon_samples)},
    /* Perl's die and Carp's croak and confess: the message, then
       " at FILE line N." (and ", <FH> line N" after a read); confess's
       call lines follow, tab-indented.  Log::Log4perl's logdie leaves
       out the full stop. */
    {"perl-die", "line", "error", QE_LANG_LINE,
     "^(?!\\s).{0,4096}? at (?:\\(eval \\d+\\)|\\S+) line \\d+"
     "(?:, <[^>]{1,64}> (?:line|chunk) \\d+)?\\.?\\s*$",
     NULL, SAMPLES(perl_samples)},
    /* glibc's assert(): "prog: file.c:N: function: Assertion `x' failed.",
       and libstdc++'s, whose function is C++'s ("std::vector<...>::...") */
    {"c-assert", "line", "fatal", QE_LANG_LINE,
     "^(?:\\S+: )?[^\\s:]+:\\d+: (?:(?:[^:\\n]|::){1,1024}: )?Assertion [`'].{0,4096}' "
     "failed\\.\\s*$",
     NULL, SAMPLES(assert_samples)},
    /* Tcl's errorInfo: the message, then "    while executing" and the
       command, each level up "    invoked from within" and its command,
       where each was in parentheses.  The line under the message starts
       the event; the assembler puts the message above it first. */
    {"tcl-error", "line", "error", QE_LANG_LINE,
     "^[ \\t]+while (?:executing|compiling)\\s*$", NULL, SAMPLES(tcl_samples)},
    {"glog", "line", "error", QE_LANG_LINE, "^(?<lvl>[EF])\\d{4} \\d\\d:\\d\\d:\\d\\d",
     NULL, SAMPLES(glog_samples)},
    {"syslog-priority", "line", "error", QE_LANG_LINE, "^<(?<lvl>\\d{1,3})>", NULL,
     SAMPLES(syslog_samples)},
};

const size_t qe_nr_builtin_rules = QE_ARRAY_SIZE(qe_builtin_rules);
