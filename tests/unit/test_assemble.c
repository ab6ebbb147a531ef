/* Unit tests for lib/assemble.c and lib/trace.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "assemble.h"
#include "slurp.h"
#include "trace.h"
#include "config.h"
#include "event.h"
#include "rules.h"
#include "util.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EVENTS 64

struct collect {
	struct qe_event *ev[MAX_EVENTS];
	size_t n;
	size_t extra; /* events past MAX_EVENTS */
};

static void collect_fn(struct qe_event *ev, void *data)
{
	struct collect *c = data;
	if (c->n < MAX_EVENTS)
		c->ev[c->n++] = ev;
	else {
		c->extra++;
		qe_event_free(ev);
	}
}

static void collect_release(struct collect *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		qe_event_free(c->ev[i]);
	c->n = 0;
}

struct fixture {
	struct qe_config cfg;
	struct qe_rules *rules;
	struct qe_assembler *a;
	struct collect col;
	uint64_t pos;
};

static struct fixture *fixture_new(size_t max_lines, size_t max_bytes)
{
	struct fixture *f = qe_xcalloc(1, sizeof(*f));
	qe_config_init(&f->cfg);
	f->rules = qe_rules_new(&f->cfg);
	assert_non_null(f->rules);
	f->a = qe_assembler_new(f->rules, max_lines, max_bytes, collect_fn, &f->col);
	return f;
}

static void fixture_free(struct fixture *f)
{
	qe_assembler_free(f->a);
	qe_rules_free(f->rules);
	collect_release(&f->col);
	qe_config_release(&f->cfg);
	free(f);
}

/* Feed text line by line (positions as a file would give them), then flush. */
static void feed(struct fixture *f, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		uint64_t end = f->pos + len + (nl ? 1 : 0);
		qe_assembler_feed(f->a, p, len, f->pos, end);
		f->pos = end;
		p += len + (nl ? 1 : 0);
	}
	qe_assembler_flush(f->a);
}

static void check_frame(const struct qe_frame *fr, const char *module,
			const char *function, const char *file, long line, int in_app)
{
	if (module)
		assert_string_equal(fr->module, module);
	if (function)
		assert_string_equal(fr->function, function);
	if (file)
		assert_string_equal(fr->file, file);
	assert_int_equal(fr->line, line);
	assert_int_equal(fr->in_app, in_app);
}

static void test_java_log_prefix(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "2024-01-01 12:00:00 INFO [main] c.e.App - started\n"
	    "2024-01-01 12:00:01 ERROR [main] c.e.Foo - Failed to handle order\n"
	    "java.lang.IllegalStateException: boom\n"
	    "\tat com.example.Foo.bar(Foo.java:10)\n"
	    "\tat com.example.Foo.lambda$run$0(Foo.java:22)\n"
	    "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
	    "Caused by: java.io.IOException: closed\n"
	    "\tat com.example.Io.read(Io.java:5)\n"
	    "\t... 3 more\n"
	    "2024-01-01 12:00:02 INFO [main] c.e.App - next\n";
	struct qe_event *ev;
	(void)state;

	feed(f, text);
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "java");
	assert_string_equal(ev->rule, "java-exception");
	assert_string_equal(ev->type, "java.lang.IllegalStateException");
	assert_string_equal(ev->message, "boom");
	assert_int_equal(ev->severity, QE_SEV_ERROR);
	assert_int_equal(ev->nr_lines, 8);
	assert_int_equal(ev->start_pos, strchr(text, '\n') - text + 1);
	assert_int_equal(ev->end_pos, strstr(text, "2024-01-01 12:00:02") - text);
	assert_int_equal(ev->nr_frames, 3);
	check_frame(&ev->frames[0], "com.example.Foo", "bar", "Foo.java", 10, 1);
	check_frame(&ev->frames[1], "com.example.Foo", "lambda$run$0", "Foo.java", 22, 1);
	check_frame(&ev->frames[2], "java.lang.Thread", "run", "Thread.java", 833, 0);
	assert_int_equal(ev->truncated, 0);
	fixture_free(f);
}

static void test_java_plain_and_blank(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "Exception in thread \"main\" java.lang.NullPointerException: x is null\n"
		"\tat org.springframework.web.Dispatcher.go(Dispatcher.java:1)\n"
		"\n"
		"\tat com.shop.Main.main(Main.java:3)\n"
		"\n"
		"\n"
		"\n"
		"plain text after\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->type, "java.lang.NullPointerException");
	assert_string_equal(ev->message, "x is null");
	assert_int_equal(ev->nr_lines, 4);
	assert_int_equal(ev->nr_frames, 2);
	assert_int_equal(ev->frames[0].in_app, 0);
	assert_int_equal(ev->frames[1].in_app, 1);
	fixture_free(f);
}

static void test_java_multiline_message(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "com.acme.ValidationException: invalid order\n"
		"  field total: must be positive\n"
		"\tat com.acme.Orders.check(Orders.java:40)\n"
		"next line\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_int_equal(ev->nr_lines, 3);
	assert_string_equal(ev->type, "com.acme.ValidationException");
	assert_int_equal(ev->nr_frames, 1);
	fixture_free(f);
}

/* Python prints the other lines of a message after the exception line.
 * They join the event when a line with a log prefix (the next record)
 * ends them; in a stream without prefixes the next line may be the
 * program's own output, and they stay out. */
static void test_python_message_lines(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Traceback (most recent call last):\n"
		"  File \"/app/a.py\", line 3, in <module>\n"
		"ValueError: bad config:\n"
		"key x missing\n"
		"\n"
		"2026-12-01 10:00:00 INFO app: next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->lines[3], "key x missing");
	collect_release(&f->col);

	/* bare output after a bare traceback: not the message */
	feed(f, "Traceback (most recent call last):\n"
		"  File \"/app/a.py\", line 3, in <module>\n"
		"ValueError: bad config\n"
		"processing item 7\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/a.py\", line 3, in <module>\n"
		"ValueError: bad config\n"
		"processing item 8\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_int_equal(f->col.ev[1]->nr_lines, 3);
	collect_release(&f->col);

	/* announced by a logged record: the next trace ends the message */
	feed(f, "2026-12-01 10:00:00,001 ERROR app: load failed\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/a.py\", line 3, in <module>\n"
		"ValueError: bad config:\n"
		"key x missing\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/a.py\", line 9, in <module>\n"
		"KeyError: 'x'\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->lines[4], "key x missing");
	assert_int_equal(f->col.ev[1]->nr_lines, 3);
	fixture_free(f);
}

/* Node.js, Ruby and Rust print the whole message before the frames (or
 * Rust's note): the first frame takes the held lines in; without one they
 * stay out, and a line that starts an event is never held. */
/* A Ruby report behind a log prefix and an error level: its first word is
 * the location ("app.rb:3:in"), which is what tells the start search. */
static void test_ruby_after_error_level(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2024-05-01 12:00:00 ERROR app.rb:3:in `run': boom (RuntimeError)\n"
		"\tfrom app.rb:9:in `<main>'\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	collect_release(&f->col);
	fixture_free(f);
}

static void test_message_before_frames(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Error: bad input:\n"
		"field a missing\n"
		"    at f (/app/a.js:2:9)\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	collect_release(&f->col);

	feed(f, "a.rb:2:in `go': bad input: (ArgumentError)\n"
		"field a missing\n"
		"\tfrom a.rb:9:in `<main>'\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	collect_release(&f->col);

	feed(f, "thread 'main' panicked at src/main.rs:4:5:\n"
		"cannot start:\n"
		"config rejected\n"
		"note: run with `RUST_BACKTRACE=1` environment variable to display a "
		"backtrace\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	collect_release(&f->col);

	/* no frame came: the line after is not the event's; a trace start
	 * right after the head is an event of its own */
	feed(f, "Error: connect ECONNREFUSED\n"
		"retrying in 5s\n"
		"TypeError: x is not a function\n"
		"    at g (/app/b.js:1:1)\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	fixture_free(f);
}

/* Node.js: JSON.parse's "<anonymous_script>:1" heads the trace like a
 * file's location; an 'error' event with no listener goes on with
 * "Emitted 'error' event on ... at:" and its frames (what node 20 printed). */
static void test_node_anonymous_and_emitted(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "<anonymous_script>:1\n"
		"sku-1x\n"
		"^\n"
		"\n"
		"SyntaxError: Unexpected token 's', \"sku-1x\" is not valid JSON\n"
		"    at JSON.parse (<anonymous>)\n"
		"    at quantities (/app/batch3.js:32:15)\n"
		"\n"
		"Node.js v20.20.2\n");
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->lines[0], "<anonymous_script>:1");
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	collect_release(&f->col);

	feed(f, "Error: feed 1x closed by peer\n"
		"    at Feed.poll (/app/batch3.js:27:24)\n"
		"Emitted 'error' event on Feed instance at:\n"
		"    at Feed.poll (/app/batch3.js:27:10)\n"
		"    [... lines matching original stack trace ...]\n"
		"\n"
		"Node.js v20.20.2\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 7);
	fixture_free(f);
}

/* What a Rust main that returns Err prints: the type is the struct's. */
static void test_main_returned_error(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Error: LedgerError { id: \"1x\", reason: \"no rate\" }\n"
		"Error: \"rate for 1x is unknown\"\n"
		"Error: connect ECONNREFUSED 127.0.0.1:5432\n");
	assert_int_equal(f->col.n, 3);
	assert_string_equal(f->col.ev[0]->type, "LedgerError");
	assert_null(f->col.ev[1]->type);
	assert_string_equal(f->col.ev[2]->type, "Error");
	fixture_free(f);
}

/* A thread's panic, then main's unwrap of its join: one failure; main's
 * own panic after it is an event of its own. */
static void test_rust_join_panic(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "thread 'settle' (28825) panicked at batch3.rs:56:25:\n"
		"settlement 1x has no rate\n"
		"note: run with `RUST_BACKTRACE=1` environment variable to display a "
		"backtrace\n"
		"\n"
		"thread 'main' (28824) panicked at batch3.rs:60:22:\n"
		"called `Result::unwrap()` on an `Err` value: Any { .. }\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	collect_release(&f->col);

	feed(f, "thread 'settle' (28825) panicked at batch3.rs:56:25:\n"
		"settlement 1x has no rate\n"
		"thread 'main' (28824) panicked at src/main.rs:9:5:\n"
		"config missing\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	fixture_free(f);
}

/* A SyntaxError in code compiled from a string: its location is no frame,
 * so the name given to the code does not split the error. */
static void test_python_syntax_error_location(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text = "Traceback (most recent call last):\n"
			   "  File \"/app/main.py\", line 9, in load\n"
			   "    compile(src, \"<config-17>\", \"exec\")\n"
			   "  File \"<config-17>\", line 1\n"
			   "    x = (\n"
			   "        ^\n"
			   "SyntaxError: '(' was never closed\n";
	(void)state;

	feed(f, text);
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->type, "SyntaxError");
	assert_int_equal(f->col.ev[0]->nr_frames, 1);
	check_frame(&f->col.ev[0]->frames[0], NULL, "load", "/app/main.py", 9, 1);
	fixture_free(f);
}

static void test_python_chained(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "2024-01-01 12:00:00,000 INFO app: start\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/svc.py\", line 10, in load\n"
		"    return cfg[\"k\"]\n"
		"KeyError: 'k'\n"
		"\n"
		"During handling of the above exception, another exception occurred:\n"
		"\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/main.py\", line 3, in <module>\n"
		"    main()\n"
		"  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n"
		"    return _default_decoder.decode(s)\n"
		"ValueError: bad config\n"
		"2024-01-01 12:00:01,000 INFO app: done\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "ValueError");
	assert_string_equal(ev->message, "bad config");
	assert_int_equal(ev->nr_lines, 13);
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], NULL, "<module>", "/app/main.py", 3, 1);
	check_frame(&ev->frames[1], NULL, "loads", "/usr/lib/python3.11/json/__init__.py",
		    346, 0);
	fixture_free(f);
}

static void test_python_cause_and_log(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "ERROR:root:request failed\n"
		"Traceback (most recent call last):\n"
		"  File \"x.py\", line 1, in f\n"
		"OSError: disk\n"
		"\n"
		"The above exception was the direct cause of the following exception:\n"
		"\n"
		"Traceback (most recent call last):\n"
		"  File \"x.py\", line 5, in g\n"
		"app.errors.StorageError: cannot save\n"
		"\n"
		"Traceback (most recent call last):\n"
		"  File \"y.py\", line 2, in h\n"
		"KeyboardInterrupt\n");
	assert_int_equal(f->col.n, 2);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "app.errors.StorageError");
	assert_string_equal(ev->message, "cannot save");
	assert_int_equal(ev->nr_lines, 10);
	ev = f->col.ev[1];
	assert_string_equal(ev->type, "KeyboardInterrupt");
	assert_string_equal(ev->message, "");
	fixture_free(f);
}

static void test_node_cause(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f,
	     "Error: request failed\n"
	     "    at fetchUser (/app/src/users.js:12:11)\n"
	     "    at async Server.handle (/app/node_modules/express/lib/router.js:5:3)\n"
	     "    at node:internal/process/task_queues:95:5 {\n"
	     "  code: 'E_FETCH',\n"
	     "  [cause]: TypeError: Cannot read properties of undefined (reading 'id')\n"
	     "      at parse (/app/src/parse.js:3:9)\n"
	     "}\n"
	     "\n"
	     "Node.js v20.10.0\n"
	     "listening on 3000\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "node");
	assert_string_equal(ev->type, "Error");
	assert_string_equal(ev->message, "request failed");
	assert_int_equal(ev->nr_lines, 10);
	assert_int_equal(ev->nr_frames, 3);
	check_frame(&ev->frames[0], NULL, "fetchUser", "/app/src/users.js", 12, 1);
	check_frame(&ev->frames[1], NULL, "Server.handle",
		    "/app/node_modules/express/lib/router.js", 5, 0);
	check_frame(&ev->frames[2], NULL, NULL, "node:internal/process/task_queues", 95,
		    0);
	fixture_free(f);
}

static void test_go_panic(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "panic: runtime error: index out of range [5] with length 3\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.(*Server).handle(0xc000010000, {0x4b2f60, 0x3})\n"
		"\t/app/server.go:42 +0x1d\n"
		"net/http.HandlerFunc.ServeHTTP(0x0?, {0x0?, 0x0?}, 0x0?)\n"
		"\t/usr/local/go/src/net/http/server.go:2136 +0x29\n"
		"main.main()\n"
		"\t/app/main.go:10 +0x25\n"
		"\n"
		"goroutine 6 [chan receive]:\n"
		"main.worker()\n"
		"\t/app/worker.go:8 +0x30\n"
		"created by main.main in goroutine 1\n"
		"\t/app/main.go:9 +0x20\n"
		"exit status 2\n"
		"$ next command\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "go");
	assert_string_equal(ev->type, "runtime.Error");
	assert_string_equal(ev->message,
			    "runtime error: index out of range [5] with length 3");
	assert_int_equal(ev->severity, QE_SEV_FATAL);
	assert_int_equal(ev->nr_lines, 16);
	assert_int_equal(ev->nr_frames, 3);
	check_frame(&ev->frames[0], "main", "(*Server).handle", "/app/server.go", 42, 1);
	check_frame(&ev->frames[1], "net/http", "HandlerFunc.ServeHTTP",
		    "/usr/local/go/src/net/http/server.go", 2136, 0);
	check_frame(&ev->frames[2], "main", "main", "/app/main.go", 10, 1);
	fixture_free(f);

	f = fixture_new(0, 0);
	feed(f, "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan "
		"receive]:\nmain.main()\n\t/app/main.go:5 +0x1\n");
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->type, "fatal");
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	fixture_free(f);

	/* two goroutines caught at once: the header twice, one report */
	f = fixture_new(0, 0);
	feed(f,
	     "fatal error: concurrent map writes\nfatal error: concurrent map writes\n\n"
	     "goroutine 21 [running]:\nmain.hammer()\n\t/app/main.go:34 +0x7c\n"
	     "fatal error: concurrent map writes\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	fixture_free(f);

	/* the runtime's panics without "runtime error: " are runtime errors */
	f = fixture_new(0, 0);
	feed(f, "panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\n"
		"main.setLimit(...)\n\t/app/main.go:23\n"
		"panic: assignment to entry in nil map of orders\n");
	assert_int_equal(f->col.n, 2);
	assert_string_equal(f->col.ev[0]->type, "runtime.Error");
	assert_string_equal(f->col.ev[1]->type, "panic");
	fixture_free(f);
}

static void test_ruby(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "/app/lib/user.rb:42:in 'User#save': undefined method 'name' for nil "
		"(NoMethodError)\n"
		"\tfrom /usr/lib/ruby/gems/3.2.0/gems/activerecord-7.0/lib/base.rb:10:in "
		"'transaction'\n"
		"\tfrom app.rb:3:in `<main>'\n"
		"done\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "ruby");
	assert_string_equal(ev->type, "NoMethodError");
	assert_string_equal(ev->message, "undefined method 'name' for nil");
	assert_int_equal(ev->nr_lines, 3);
	assert_int_equal(ev->nr_frames, 3);
	check_frame(&ev->frames[0], "User", "save", "/app/lib/user.rb", 42, 1);
	check_frame(&ev->frames[1], NULL, "transaction",
		    "/usr/lib/ruby/gems/3.2.0/gems/activerecord-7.0/lib/base.rb", 10, 0);
	check_frame(&ev->frames[2], NULL, "<main>", "app.rb", 3, 1);
	fixture_free(f);
}

static void test_dotnet_inner(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f,
	     "Unhandled exception. System.InvalidOperationException: Order failed\n"
	     " ---> System.ArgumentNullException: Value cannot be null. (Parameter 'x')\n"
	     "   at Shop.Parser.Parse(String x) in /src/Parser.cs:line 12\n"
	     "   --- End of inner exception stack trace ---\n"
	     "   at Shop.Orders.Place(Order o) in /src/Orders.cs:line 30\n"
	     "   at System.Threading.Tasks.Task.Run()\n"
	     "info: next\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "dotnet");
	assert_string_equal(ev->type, "System.InvalidOperationException");
	assert_string_equal(ev->message, "Order failed");
	assert_int_equal(ev->nr_lines, 6);
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], "Shop.Orders", "Place", "/src/Orders.cs", 30, 1);
	check_frame(&ev->frames[1], "System.Threading.Tasks.Task", "Run", NULL, 0, 0);
	fixture_free(f);
}

static void test_php(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f,
	     "[01-Jan-2024 12:00:00 UTC] PHP Fatal error:  Uncaught RuntimeException: no "
	     "stock in /var/www/src/Cart.php:12\n"
	     "Stack trace:\n"
	     "#0 /var/www/src/Shop.php(20): App\\Cart->add('x')\n"
	     "#1 /var/www/vendor/slim/App.php(5): App\\Shop::run()\n"
	     "#2 {main}\n"
	     "  thrown in /var/www/src/Cart.php on line 12\n"
	     "[01-Jan-2024 12:00:01 UTC] PHP Notice:  hi\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "php");
	assert_string_equal(ev->type, "RuntimeException");
	assert_string_equal(ev->message, "no stock");
	assert_int_equal(ev->severity, QE_SEV_FATAL);
	assert_int_equal(ev->nr_lines, 6);
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], "App\\Cart", "add", "/var/www/src/Shop.php", 20, 1);
	check_frame(&ev->frames[1], "App\\Shop", "run", "/var/www/vendor/slim/App.php", 5,
		    0);
	fixture_free(f);
}

static void test_rust(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	feed(f, "thread 'main' panicked at src/main.rs:5:9:\n"
		"called `Option::unwrap()` on a `None` value\n"
		"stack backtrace:\n"
		"   0: rust_begin_unwind\n"
		"             at /rustc/82e1608df/library/std/src/panicking.rs:645:5\n"
		"   1: core::panicking::panic\n"
		"             at /rustc/82e1608df/library/core/src/panicking.rs:144:5\n"
		"   2: demo::config::load\n"
		"             at ./src/config.rs:5:9\n"
		"   3: demo::main\n"
		"             at ./src/main.rs:12:5\n"
		"note: Some details are omitted, run with `RUST_BACKTRACE=full` for a "
		"verbose "
		"backtrace.\n"
		"[INFO] after\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "rust");
	assert_string_equal(ev->type, "panic");
	assert_string_equal(ev->message, "called `Option::unwrap()` on a `None` value");
	assert_int_equal(ev->nr_lines, 12);
	assert_int_equal(ev->nr_frames, 4);
	check_frame(&ev->frames[0], NULL, "rust_begin_unwind", NULL, 645, 0);
	check_frame(&ev->frames[1], "core::panicking", "panic", NULL, 144, 0);
	check_frame(&ev->frames[2], "demo::config", "load", "./src/config.rs", 5, 1);
	check_frame(&ev->frames[3], "demo", "main", "./src/main.rs", 12, 1);
	fixture_free(f);

	f = fixture_new(0, 0);
	feed(f, "thread 'worker' panicked at 'index out of bounds', src/lib.rs:10:5\n"
		"note: run with `RUST_BACKTRACE=1` environment variable to display a "
		"backtrace\n"
		"bye\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->message, "index out of bounds");
	assert_int_equal(ev->nr_lines, 2);
	/* the location alone is no frame: the message tells panics apart */
	assert_int_equal(ev->nr_frames, 0);
	fixture_free(f);
}

static void test_single_lines(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2024-01-01 12:00:00 INFO ok\n"
		"2024-01-01 12:00:00 ERROR [db] connection refused\n"
		"2024-01-01 12:00:00 WARN slow\n"
		"2024-01-01 12:00:00 FATAL out of memory\n"
		"E0101 12:00:00.000000    42 server.go:80] request failed\n"
		"<2>disk on fire\n"
		"2024/01/01 12:00:00 [error] 12#0: *1 open() failed\n"
		"2024-01-01 12:00:00 CRITICAL 4242 --- [nio-8080-exec-3] c.e.Cache : "
		"cache lost\n"
		"2024-01-01 12:00:00 INFO 0 ERROR lines\n"
		"ValueError: lone line\n");
	assert_int_equal(f->col.n, 7);
	assert_string_equal(f->col.ev[0]->kind, "line");
	assert_null(f->col.ev[0]->type);
	assert_string_equal(f->col.ev[0]->message, "[db] connection refused");
	assert_int_equal(f->col.ev[0]->severity, QE_SEV_ERROR);
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_int_equal(f->col.ev[1]->severity, QE_SEV_FATAL);
	assert_string_equal(f->col.ev[1]->message, "out of memory");
	assert_string_equal(f->col.ev[2]->message, "request failed");
	assert_int_equal(f->col.ev[3]->severity, QE_SEV_CRITICAL);
	assert_string_equal(f->col.ev[3]->message, "disk on fire");
	assert_string_equal(f->col.ev[4]->message, "12#0: *1 open() failed");
	assert_int_equal(f->col.ev[5]->severity, QE_SEV_CRITICAL);
	assert_string_equal(f->col.ev[5]->message, "cache lost");
	/* a lone exception line without frames is a plain line with a type */
	assert_string_equal(f->col.ev[6]->kind, "line");
	assert_string_equal(f->col.ev[6]->type, "ValueError");
	assert_string_equal(f->col.ev[6]->message, "lone line");
	fixture_free(f);
}

/* glog's header behind a collector's prefix starts an event as at a line
 * start, and the event keeps the line without the prefix; after a level
 * word, or with another letter, it does not. */
static void test_glog_behind_prefix(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01T10:00:00.123456Z E1202 10:00:00.123456 7 x.go:3] gave up\n"
		"2026-12-01T10:00:01Z stderr F F1202 10:00:01.123456 7 x.go:4] stopped\n"
		"Dec  1 10:00:02 web1 app[42]: E1202 10:00:02.123456 7 x.go:3] gave up\n"
		"2026-12-01T10:00:03Z I1202 10:00:03.123456 7 x.go:5] E1202 done\n"
		"2026-12-01T10:00:03Z INFO E1202 10:00:03.123456 7 x.go:5] done\n");
	assert_int_equal(f->col.n, 3);
	assert_string_equal(f->col.ev[0]->rule, "glog");
	assert_string_equal(f->col.ev[0]->message, "gave up");
	assert_int_equal(f->col.ev[1]->severity, QE_SEV_FATAL);
	assert_memory_equal(f->col.ev[1]->lines[0], "F1202 ", 6);
	assert_string_equal(f->col.ev[2]->message, "gave up");
	fixture_free(f);
}

/* hclog's text line gives the message its JSON format writes as
 * @message, with the error after it as a JSON record's text has it: the
 * caller, the logger's name and the other pairs go. */
static void test_hclog_text(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02T14:32:35.713Z [ERROR] app/main.go:52: theatre: seat gave up: "
		"seat=1x error=\"reserve: parsing \"1x\": invalid\" attempts=2\n"
		"2026-12-02T14:32:35.713Z [ERROR] theatre: seat gave up: seat=1x n=2\n"
		"2026-12-02T14:32:35.713Z [ERROR] db: connection lost: retrying\n");
	assert_int_equal(f->col.n, 3);
	assert_string_equal(f->col.ev[0]->message,
			    "seat gave up: reserve: parsing \"1x\": invalid");
	assert_string_equal(f->col.ev[1]->message, "seat gave up");
	/* no caller and no pairs: not hclog's */
	assert_string_equal(f->col.ev[2]->message, "db: connection lost: retrying");
	fixture_free(f);

	/* quotes that open values and close none: each is looked at a few
	 * times, not once for every way of pairing them */
	{
		struct qe_buf b = QE_BUF_INIT;
		int i;
		f = fixture_new(0, 0);
		qe_buf_addstr(&b, "2026-12-02T14:32:35.713Z [ERROR] a.go:1: x: ");
		for (i = 0; i < 200; i++)
			qe_buf_addstr(&b, "k=\" ");
		qe_buf_addstr(&b, "x\n");
		feed(f, b.buf);
		assert_int_equal(f->col.n, 1);
		assert_non_null(f->col.ev[0]->message);
		qe_buf_release(&b);
		fixture_free(f);
	}
}

/* Rails' "Class (message):" before a backtrace of bare frames, after
 * ActiveSupport's tags or a Logger header; alone it stays a line. */
static void test_ruby_rescued(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "[shop] [id=7] CartError (cart 7 is empty (0 items)):\n"
		"  app/cart.rb:3:in `check'\n"
		"  app/cart.rb:9:in `<main>'\n"
		"I, [2026-12-02T10:00:00.000000 #42]  INFO -- : next\n"
		"E, [2026-12-02T10:00:00.000000 #42] ERROR -- : CartError (cart 8 is "
		"empty):\n"
		"  app/cart.rb:3:in `check'\n"
		"I, [2026-12-02T10:00:00.000000 #42]  INFO -- : next\n"
		"CartError (cart 9 is empty):\n"
		"I, [2026-12-02T10:00:00.000000 #42]  INFO -- : next\n");
	assert_int_equal(f->col.n, 3);
	assert_string_equal(f->col.ev[0]->kind, "ruby");
	assert_string_equal(f->col.ev[0]->type, "CartError");
	assert_string_equal(f->col.ev[0]->message, "cart 7 is empty (0 items)");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	assert_string_equal(f->col.ev[1]->type, "CartError");
	assert_string_equal(f->col.ev[1]->message, "cart 8 is empty");
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	assert_int_equal(f->col.ev[2]->nr_lines, 1);
	fixture_free(f);
}

/* log.Panicf's line before its panic is an event of its own; a line of
 * Go's logger with other text is none. */
static void test_go_log_panic(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026/12/02 10:00:00 seat 1x gave up\n"
		"panic: seat 1x gave up\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.main()\n"
		"\t/app/main.go:9 +0x1d\n"
		"2026/12/02 10:00:01 seat 2x reserved\n"
		"panic: seat 2x gave up\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.main()\n"
		"\t/app/main.go:9 +0x1d\n"
		"2026/12/02 10:00:02.123456 main.go:9: seat 3x gave up\n"
		"panic: seat 3x gave up\n");
	assert_int_equal(f->col.n, 5);
	assert_string_equal(f->col.ev[0]->kind, "line");
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_int_equal(f->col.ev[0]->severity, QE_SEV_ERROR);
	assert_string_equal(f->col.ev[1]->kind, "go");
	assert_int_equal(f->col.ev[1]->nr_lines, 5);
	assert_string_equal(f->col.ev[2]->kind, "go");
	/* Lshortfile's "main.go:9: " before the text */
	assert_string_equal(f->col.ev[3]->kind, "line");
	assert_string_equal(f->col.ev[4]->kind, "go");
	assert_true(qe_assembler_head_start("2026/12/02 10:00:00 seat 1x gave up", 35));
	fixture_free(f);
}

static void test_line_messages(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "{\"ts\":\"2024\",\"level\":\"error\",\"msg\":\"db \\\"main\\\" "
		"down\",\"x\":1}\n"
		"time=2024 level=fatal msg=\"queue stopped\" err=eof\n"
		"<11>Mar  4 18:00:06 host backup[77]: tar: cannot open\n"
		"2024 INFO x\n"
		"Unhandled exception. System.Exception: x\n"
		"   at Shop.Db..ctor(String s) in /src/Db.cs:line 12\n");
	assert_int_equal(f->col.n, 4);
	/* as the JSON record would be read: escapes undone, the error after
	 * the message */
	assert_string_equal(f->col.ev[0]->message, "db \"main\" down");
	assert_string_equal(f->col.ev[1]->message, "queue stopped: eof");
	assert_int_equal(f->col.ev[1]->severity, QE_SEV_FATAL);
	assert_string_equal(f->col.ev[2]->message, "tar: cannot open");
	assert_string_equal(f->col.ev[3]->type, "System.Exception");
	check_frame(&f->col.ev[3]->frames[0], "Shop.Db", ".ctor", "/src/Db.cs", 12, 1);
	fixture_free(f);
}

static void test_error_line_merge_kinds(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	/* an ERROR line, then a Go panic: one event of the trace's kind */
	feed(f, "2024-01-01 ERROR worker crashed\n"
		"panic: boom\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.main()\n"
		"\t/app/main.go:3 +0x1\n"
		"2024-01-01 ERROR again\n"
		"2024-01-01 ERROR Failed: com.acme.PayException: declined\n"
		"\tat com.acme.Pay.charge(Pay.java:9)\n"
		/* Commons Logging's SimpleLog: the exception in brackets,
		 * then its trace on the same line; a nested class of the
		 * default package */
		"2024/01/01 12:00:00:253 UTC [ERROR] Pay - charge failed "
		"<Pay$DeclinedException: card 3>Pay$DeclinedException: card 3\n"
		"\tat Pay.charge(Pay.java:12)\n");
	assert_int_equal(f->col.n, 4);
	assert_string_equal(f->col.ev[3]->type, "Pay$DeclinedException");
	assert_int_equal(f->col.ev[3]->nr_lines, 2);
	assert_string_equal(f->col.ev[0]->kind, "go");
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_string_equal(f->col.ev[0]->message, "boom");
	assert_int_equal(f->col.ev[0]->severity, QE_SEV_FATAL);
	assert_string_equal(f->col.ev[1]->kind, "line");
	assert_string_equal(f->col.ev[2]->kind, "java");
	assert_string_equal(f->col.ev[2]->type, "com.acme.PayException");
	assert_string_equal(f->col.ev[2]->message, "declined");
	assert_int_equal(f->col.ev[2]->nr_frames, 1);
	fixture_free(f);
}

/* A Go logger's Panic: its record, then the panic it raises with it.
 * The record is complete; the panic is an event of its own. */
static void test_panic_level_line(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "time=\"2026-12-02T00:36:48Z\" level=panic msg=\"cannot go on: no "
		"stock\" sku=1x\n"
		"panic: (*logrus.Entry) 0xc0000fe1c0\n"
		"\n"
		"goroutine 1 [running]:\n"
		"github.com/sirupsen/logrus.(*Entry).Panicf(...)\n"
		"\t/usr/share/gocode/src/github.com/sirupsen/logrus/entry.go:387\n"
		"main.main()\n"
		"\t/app/main.go:51 +0xb65\n"
		"2026-12-02T00:36:48.834Z\tPANIC\tapp/main.go:68\tcannot go on\n"
		"panic: cannot go on\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.main()\n"
		"\t/app/main.go:68 +0x68a\n");
	assert_int_equal(f->col.n, 4);
	assert_string_equal(f->col.ev[0]->kind, "line");
	assert_string_equal(f->col.ev[0]->message, "cannot go on: no stock");
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_string_equal(f->col.ev[1]->kind, "go");
	assert_string_equal(f->col.ev[1]->type, "*logrus.Entry");
	assert_string_equal(f->col.ev[2]->kind, "line");
	assert_int_equal(f->col.ev[2]->nr_lines, 1);
	assert_string_equal(f->col.ev[3]->kind, "go");
	assert_string_equal(f->col.ev[3]->message, "cannot go on");
	fixture_free(f);
}

static void test_caps(void **state)
{
	struct fixture *f = fixture_new(5, 1 << 20);
	struct qe_buf b = QE_BUF_INIT;
	int i;
	(void)state;

	qe_buf_addstr(&b, "java.lang.RuntimeException: deep\n");
	for (i = 0; i < 30; i++)
		qe_buf_addf(&b, "\tat com.acme.R.f%d(R.java:%d)\n", i, i + 1);
	qe_buf_addstr(&b, "Caused by: java.lang.Error: x\n\t... 30 more\n");
	qe_buf_addstr(&b, "2024 INFO ok\n2024 ERROR next one\n");
	feed(f, b.buf);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->truncated, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_int_equal(f->col.ev[0]->dropped_lines, 28);
	assert_int_equal(f->col.ev[0]->end_pos, strstr(b.buf, "2024 INFO") - b.buf);
	/* the head (4 lines) and the tail (1 line) are kept */
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	assert_string_equal(f->col.ev[0]->lines[4], "\t... 30 more");
	assert_string_equal(f->col.ev[1]->message, "next one");
	fixture_free(f);
	qe_buf_release(&b);

	/* byte cap */
	f = fixture_new(1000, 100);
	feed(f, "java.lang.RuntimeException: deep\n"
		"\tat com.acme.R.aaaaaaaaaaaaaaaaaaaaaaaa(R.java:1)\n"
		"\tat com.acme.R.bbbbbbbbbbbbbbbbbbbbbbbb(R.java:2)\n"
		"\tat com.acme.R.cccccccccccccccccccccccc(R.java:3)\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->truncated, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_int_equal(f->col.ev[0]->dropped_lines, 2);
	assert_true(f->col.ev[0]->bytes <= 100);
	fixture_free(f);
}

static void test_pending(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	uint64_t start = 99;
	const char *l1 = "2024 ERROR a";
	(void)state;

	assert_int_equal(qe_assembler_pending(f->a, &start), 0);
	qe_assembler_feed(f->a, "2024 INFO x", 11, 0, 12);
	assert_int_equal(qe_assembler_pending(f->a, &start), 0);
	qe_assembler_feed(f->a, l1, strlen(l1), 12, 25);
	assert_int_equal(qe_assembler_pending(f->a, &start), 1);
	assert_int_equal(start, 12);
	qe_assembler_flush(f->a);
	assert_int_equal(qe_assembler_pending(f->a, &start), 0);
	assert_int_equal(f->col.n, 1);
	/* free with an open event drops it without a leak */
	qe_assembler_feed(f->a, l1, strlen(l1), 25, 38);
	fixture_free(f);
}

/* A line held as the message's and fed again keeps its own start: the
 * lines of another stream (Docker's stdout beside stderr) may lie
 * between it and the event before. */
static void test_replayed_line_keeps_its_start(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *lines[] = {
	    "Exception in thread poster-1:",
	    "Traceback (most recent call last):",
	    "  File \"/app/post.py\", line 27, in post",
	    "    raise LedgerError(\"cannot post\")",
	    "LedgerError: cannot post entry 1",
	    "Exception in thread poster-2:",
	    "Traceback (most recent call last):",
	    "  File \"/app/post.py\", line 27, in post",
	    "    raise LedgerError(\"cannot post\")",
	    "LedgerError: cannot post entry 2",
	};
	uint64_t pos = 0, second = 0;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t n = strlen(lines[i]);
		if (i == 5) {
			pos += 40; /* a line of the other stream */
			second = pos;
		}
		qe_assembler_feed(f->a, lines[i], n, pos, pos + n + 1);
		pos += n + 1;
	}
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->start_pos, 0);
	assert_int_equal(f->col.ev[1]->start_pos, second);
	assert_string_equal(f->col.ev[1]->type, "LedgerError");
	fixture_free(f);
}

/* AddressSanitizer's report, from the rule of '=' above it to its
 * "==PID==ABORTING"; LeakSanitizer's, which has no such end, to the
 * next record; UBSan's line with its frames; a rule of '=' over
 * anything else stays out of the event. */
static void test_sanitizer_reports(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "2026-12-01 10:00:00 INFO start\n"
	     "=================================================================\n"
	     "==3566==ERROR: AddressSanitizer: heap-buffer-overflow on address "
	     "0x602000000012 at pc 0x7f5755848061 bp 0x7ffcfb84ec40 sp 0x7ffcfb84e3f0\n"
	     "WRITE of size 3 at 0x602000000012 thread T0\n"
	     "    #0 0x7f5755848060 in __interceptor_memcpy "
	     "../../../../src/libsanitizer/sanitizer_common/x.inc:827\n"
	     "    #1 0x556a8c4d44b3 in copy_qty /app/batch.c:21\n"
	     "    #2 0x556a8c4d41c0 in _start (/app/prog+0x21c0)\n"
	     "\n"
	     "0x602000000012 is located 0 bytes to the right of 2-byte region\n"
	     "allocated by thread T0 here:\n"
	     "    #0 0x7f57558b89cf in __interceptor_malloc x.cpp:69\n"
	     "\n"
	     "SUMMARY: AddressSanitizer: heap-buffer-overflow x.inc:827 in memcpy\n"
	     "Shadow bytes around the buggy address:\n"
	     "=>0x0c047fff8000: fa fa[02]fa fa fa\n"
	     "  Heap left redzone:       fa\n"
	     "==3566==ABORTING\n"
	     "2026-12-01 10:00:01 INFO next\n"
	     "=================================================================\n"
	     "==12==ERROR: LeakSanitizer: detected memory leaks\n"
	     "\n"
	     "Direct leak of 16 byte(s) in 1 object(s) allocated from:\n"
	     "    #0 0x7f57558b89cf in malloc x.cpp:69\n"
	     "    #1 0x556a8c4d443b in leak /app/leak.c:9:3\n"
	     "\n"
	     "SUMMARY: AddressSanitizer: 16 byte(s) leaked in 1 allocation(s).\n"
	     "after the leak report\n"
	     "batch.c:36:11: runtime error: signed integer overflow: 2 + 2147483647 "
	     "cannot be represented in type 'int'\n"
	     "    #0 0x558eb120e635 in grow /app/batch.c:36\n"
	     "2026-12-01 10:00:02 INFO done\n"
	     "=================================================================\n"
	     "2026-12-01 10:00:03 ERROR not a sanitizer's\n");
	assert_int_equal(f->col.n, 4);
	assert_int_equal(f->col.ev[0]->nr_lines, 16);
	assert_string_equal(
	    f->col.ev[0]->lines[0],
	    "=================================================================");
	assert_string_equal(f->col.ev[0]->lines[15], "==3566==ABORTING");
	assert_string_equal(f->col.ev[0]->type, "fatal");
	assert_true(!strncmp(f->col.ev[0]->message,
			     "AddressSanitizer: heap-buffer-overflow", 38));
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	check_frame(&f->col.ev[0]->frames[0], NULL, "__interceptor_memcpy", NULL, 827, 0);
	check_frame(&f->col.ev[0]->frames[1], NULL, "copy_qty", "/app/batch.c", 21, 1);
	check_frame(&f->col.ev[0]->frames[2], NULL, "_start", NULL, 0, 0);
	assert_int_equal(f->col.ev[1]->nr_lines, 8);
	assert_string_equal(
	    f->col.ev[1]->lines[7],
	    "SUMMARY: AddressSanitizer: 16 byte(s) leaked in 1 allocation(s).");
	/* the leaked block's allocation */
	assert_int_equal(f->col.ev[1]->nr_frames, 2);
	check_frame(&f->col.ev[1]->frames[1], NULL, "leak", "/app/leak.c", 9, 1);
	assert_int_equal(f->col.ev[2]->nr_lines, 2);
	assert_string_equal(f->col.ev[2]->type, "fatal");
	assert_string_equal(
	    f->col.ev[2]->message,
	    "runtime error: signed integer overflow: 2 + 2147483647 cannot be "
	    "represented in type 'int'");
	check_frame(&f->col.ev[2]->frames[0], NULL, "grow", "/app/batch.c", 36, 1);
	assert_int_equal(f->col.ev[3]->nr_lines, 1);
	assert_string_equal(f->col.ev[3]->lines[0],
			    "2026-12-01 10:00:03 ERROR not a sanitizer's");
	fixture_free(f);
}

/* gfortran's runtime error from the "At line" line above it to its
 * last frame; ERROR STOP's line with the backtrace under it. */
static void test_fortran_errors(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"At line 21 of file batch.f90\n"
		"Fortran runtime error: Bad integer for item 1 in list input\n"
		"\n"
		"Error termination. Backtrace:\n"
		"#0  0x7f8031e218c2 in ???\n"
		"#1  0x55d33475a647 in parse_qty\n"
		"\tat /app/batch.f90:21\n"
		"2026-12-01 10:00:00 INFO next\n"
		"At line 3 of file notes.txt\n"
		"2026-12-01 10:00:00 INFO more\n"
		"ERROR STOP cannot settle 1x\n"
		"\n"
		"Error termination. Backtrace:\n"
		"#0  0x7fbac40218c2 in ???\n"
		"2026-12-01 10:00:00 INFO done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 7);
	assert_string_equal(f->col.ev[0]->lines[0], "At line 21 of file batch.f90");
	assert_string_equal(f->col.ev[0]->type, "fatal");
	assert_string_equal(f->col.ev[0]->message,
			    "Bad integer for item 1 in list input");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	check_frame(&f->col.ev[0]->frames[0], NULL, "???", NULL, 0, 0);
	check_frame(&f->col.ev[0]->frames[1], NULL, "parse_qty", "/app/batch.f90", 21, 1);
	assert_int_equal(f->col.ev[1]->nr_lines, 4);
	assert_string_equal(f->col.ev[1]->lines[0], "ERROR STOP cannot settle 1x");
	fixture_free(f);
}

/* Perl's die, as a line of its own, or with the "...propagated" line a
 * re-raising die adds; confess's calls under its line;
 * an exception object's class as the type; Log4perl's logdie line after
 * its log line, an event of its own. */
static void test_perl_die(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"no such account 42 at app.pl line 12.\n"
		"\t...propagated at app.pl line 20.\n"
		"2026-12-01 10:00:00 INFO next\n"
		"no such account 42 at lib/Bank.pm line 8.\n"
		"\tBank::find(42) called at app.pl line 20\n"
		"\tmain::run() called at app.pl line 31\n"
		"2026-12-01 10:00:00 INFO more\n"
		"Bank::Error: no such account 42 at lib/Bank.pm line 9.\n"
		"2026/12/01 10:00:00 FATAL main - cannot run 42\n"
		"cannot run 42 at app.pl line 40\n"
		"2026-12-01 10:00:00 INFO done at noon, line 3 of 9\n");
	assert_int_equal(f->col.n, 5);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_null(f->col.ev[0]->type);
	assert_int_equal(f->col.ev[1]->nr_lines, 3);
	assert_string_equal(f->col.ev[1]->lines[2],
			    "\tmain::run() called at app.pl line 31");
	assert_string_equal(f->col.ev[2]->type, "Bank::Error");
	assert_int_equal(f->col.ev[3]->nr_lines, 1);
	assert_string_equal(f->col.ev[4]->lines[0], "cannot run 42 at app.pl line 40");
	fixture_free(f);
}

/* glibc's assert() failure, one line. */
static void test_c_assert(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"app: queue.c:88: push: Assertion `q->len < q->cap' failed.\n"
		"2026-12-01 10:00:00 INFO next\n"
		/* libstdc++'s, in a C++ function with "::" in its name */
		"/usr/include/c++/12/bits/stl_deque.h:1478: std::deque<_Tp>::reference "
		"std::deque<_Tp>::front() [with _Tp = int]: Assertion '!this->empty()' "
		"failed.\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_string_equal(f->col.ev[0]->rule, "c-assert");
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	assert_string_equal(f->col.ev[1]->rule, "c-assert");
	fixture_free(f);
}

/* jshell's report of an exception a snippet threw: "Exception " and the
 * class, then frames that name snippets ("#2:1"). */
static void test_java_jshell(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Exception REPL.$JShell$12$QuotaException: over quota 3\n"
		"      at charge (#2:3)\n"
		"      at (#5:1)\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->kind, "java");
	assert_string_equal(f->col.ev[0]->type, "REPL.$JShell$12$QuotaException");
	assert_string_equal(f->col.ev[0]->message, "over quota 3");
	fixture_free(f);
}

/* A Groovy script's uncaught exception: "Caught: " and the exception,
 * the exception again, each line of its message, then its trace. */
static void test_java_groovy_caught(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Caught: QuotaException: over quota 3\n"
		"QuotaException: over quota 3\n"
		"\tat Quota.charge(quota.groovy:11)\n"
		"\tat quota.run(quota.groovy:19)\n"
		"2026-12-01 10:00:00 INFO next\n"
		"Caught: groovy.lang.MissingMethodException: No signature of method: "
		"Quota.add() is applicable for argument types: (String) values: [3]\n"
		"Possible solutions: add(int), any()\n"
		"groovy.lang.MissingMethodException: No signature of method: "
		"Quota.add() is applicable for argument types: (String) values: [3]\n"
		"Possible solutions: add(int), any()\n"
		"\tat quota.run(quota.groovy:20)\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->type, "QuotaException");
	assert_string_equal(f->col.ev[0]->message, "over quota 3");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	assert_int_equal(f->col.ev[1]->nr_lines, 5);
	assert_string_equal(f->col.ev[1]->type, "groovy.lang.MissingMethodException");
	fixture_free(f);
}

/* signale's error: "[scope] \u203a \u2716  error     " before the stack;
 * behind `kubectl logs --timestamps` too, whose time alone is before the
 * frames. */
static void test_node_signale(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "[shop] \xe2\x80\xba \xe2\x9c\x96  error     StockError: cannot reserve 1x \n"
	    "    at reserve (/app/stock.js:14:34)\n"
	    "    at Object.<anonymous> (/app/main.js:5:1)\n"
	    "2026-12-01 10:00:00 INFO next\n"
	    "2026-12-01T10:03:01.007919Z [shop] \xe2\x80\xba \xe2\x9c\x96  error     "
	    "StockError: cannot reserve 2x \n"
	    "2026-12-01T10:03:01.007929Z     at reserve (/app/stock.js:14:34)\n"
	    "2026-12-01T10:03:01.007939Z     at Object.<anonymous> (/app/main.js:5:1)\n"
	    "2026-12-01T10:03:01.007949Z next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->kind, "node");
	assert_string_equal(f->col.ev[0]->type, "StockError");
	assert_int_equal(f->col.ev[1]->nr_lines, 3);
	assert_string_equal(f->col.ev[1]->type, "StockError");
	assert_int_equal(f->col.ev[1]->nr_frames, 2);
	fixture_free(f);
}

/* The debug module's record of an error with %O: its message, the
 * error in it, then the stack on the lines under it, unprefixed; a line
 * naming no error keeps the frames out of it. */
static void test_node_debug_stack(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "2026-12-03T13:30:51.349Z shop:stock reserve failed: StockError: none left\n"
	     "    at reserve (/app/stock.js:14:34)\n"
	     "    at Object.<anonymous> (/app/main.js:5:1)\n"
	     "2026-12-01 10:00:00 INFO next\n"
	     "request took 5 ms\n"
	     "    at reserve (/app/stock.js:14:34)\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->kind, "node");
	assert_string_equal(f->col.ev[0]->type, "StockError");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* vm's SyntaxError in code given a relative file name: the location
 * line, the source, the carets, then the error and its frames. */
static void test_node_vm_relative(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "lib/qty.js:1\n"
		"qty = 1x;\n"
		"      ^\n"
		"\n"
		"SyntaxError: Invalid or unexpected token\n"
		"    at new Script (node:vm:117:7)\n"
		"    at Object.<anonymous> (/app/main.js:5:1)\n"
		"\n"
		"Node.js v20.20.2\n"
		"done 12\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->type, "SyntaxError");
	fixture_free(f);
}

/* doctest's report of a failed example, the traceback indented under
 * "Exception raised:"; and one whose output differed. */
static void test_python_doctest_failure(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "**********************************************************************\n"
		"File \"/app/qty.py\", line 9, in qty.parse\n"
		"Failed example:\n"
		"    parse('1x')\n"
		"Exception raised:\n"
		"    Traceback (most recent call last):\n"
		"      File \"<doctest qty.parse[0]>\", line 1, in <module>\n"
		"        parse('1x')\n"
		"      File \"/app/qty.py\", line 14, in parse\n"
		"        return int(s)\n"
		"    ValueError: invalid literal for int() with base 10: '1x'\n"
		"**********************************************************************\n"
		"File \"/app/qty.py\", line 11, in qty.parse\n"
		"Failed example:\n"
		"    parse('2')\n"
		"Expected:\n"
		"    3\n"
		"Got:\n"
		"    2\n"
		"1 items had failures:\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 11);
	assert_string_equal(f->col.ev[0]->type, "ValueError");
	assert_int_equal(f->col.ev[1]->nr_lines, 8);
	fixture_free(f);
}

/* unittest's report: the progress line, a rule of '=', the error's
 * title, a rule of '-', the traceback, the summary, the verdict. */
static void test_python_unittest_report(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, ".E\n"
		"======================================================================\n"
		"ERROR: test_parse (test_qty.QtyTest.test_parse)\n"
		"----------------------------------------------------------------------\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/test_qty.py\", line 9, in test_parse\n"
		"    parse('1x')\n"
		"ValueError: invalid literal for int() with base 10: '1x'\n"
		"\n"
		"----------------------------------------------------------------------\n"
		"Ran 2 tests in 0.001s\n"
		"\n"
		"FAILED (errors=1)\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 13);
	assert_string_equal(f->col.ev[0]->kind, "python");
	assert_string_equal(f->col.ev[0]->type, "ValueError");
	fixture_free(f);
}

/* argparse's exit on a bad argument: the usage line, then the
 * program's "prog: error: ..." under it; another program's is apart. */
static void test_python_argparse_error(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "usage: qty [-h] --count COUNT item\n"
		"qty: error: argument --count: invalid int value: '1x'\n"
		"usage: qty [-h] item\n"
		"other: error: no such item\n"
		"done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_string_equal(f->col.ev[0]->kind, "line");
	fixture_free(f);
}

/* A test runner's whole run: node:test's TAP with a failed test, a
 * TAP run where all passed (no event), minitest's run with an error. */
static void test_test_runner_runs(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "TAP version 13\n"
		"# Subtest: parses\n"
		"not ok 1 - parses\n"
		"  ---\n"
		"  duration_ms: 1.18\n"
		"  error: \"bad quantity '1x'\"\n"
		"  code: 'ERR_TEST_FAILURE'\n"
		"  name: 'QtyError'\n"
		"  stack: |-\n"
		"    parse (/app/qty.js:12:8)\n"
		"    TestContext.<anonymous> (/app/qty.test.js:4:4)\n"
		"  ...\n"
		"1..1\n"
		"# fail 1\n"
		"# duration_ms 7.9\n"
		"TAP version 13\n"
		"ok 1 - parses\n"
		"1..1\n"
		"# duration_ms 7.9\n"
		"Run options: --seed 1\n"
		"\n"
		"# Running:\n"
		"\n"
		"E\n"
		"\n"
		"  1) Error:\n"
		"QtyTest#test_parse:\n"
		"QtyError: bad quantity '1x'\n"
		"    qty.rb:7:in `parse'\n"
		"    qty_test.rb:21:in `test_parse'\n"
		"\n"
		"1 runs, 0 assertions, 0 failures, 1 errors, 0 skips\n"
		"done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 15);
	assert_string_equal(f->col.ev[0]->type, "QtyError");
	assert_string_equal(f->col.ev[0]->message, "bad quantity '1x'");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	assert_int_equal(f->col.ev[1]->nr_lines, 13);
	assert_string_equal(f->col.ev[1]->type, "QtyError");
	assert_int_equal(f->col.ev[1]->nr_frames, 2);
	fixture_free(f);
}

/* A Go test binary's report of a failed test: "--- FAIL:", the t.Error
 * lines, "FAIL"; and a panic in a test, under its "--- FAIL:". */
static void test_go_test_failures(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "--- FAIL: TestParse (0.00s)\n"
		"    parse_test.go:12: parse(\"x\"): bad input\n"
		"        got 0, want 1\n"
		"FAIL\n"
		"ok next\n"
		"--- FAIL: TestBoom (0.00s)\n"
		"panic: boom [recovered]\n"
		"\tpanic: boom\n"
		"\n"
		"goroutine 7 [running]:\n"
		"app.TestBoom(0x0?)\n"
		"\t/app/boom_test.go:9 +0x2a\n"
		"ok next\n"
		"--- FAIL: TestNothing (0.00s)\n"
		"ok next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->kind, "line");
	assert_string_equal(f->col.ev[1]->kind, "go");
	assert_int_equal(f->col.ev[1]->nr_lines, 7);
	assert_string_equal(f->col.ev[1]->type, "panic");
	fixture_free(f);
}

/* npmlog writes every line of a message after "heading ERR! prefix ":
 * the stack of a logged error is read without that lead. */
static void test_node_npmlog(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "shop ERR! reserve StockError: cannot reserve 1x\n"
		"shop ERR! reserve     at reserve (/app/stock.js:14:34)\n"
		"shop ERR! reserve     at Object.<anonymous> (/app/main.js:5:1)\n"
		"shop info next\n"
		"Dec  1 10:03:01 web1 app[42]: ERR! TypeError: x is not a function\n"
		"Dec  1 10:03:02 web1 app[42]: ERR!     at run (/app/main.js:9:3)\n"
		"Dec  1 10:03:03 web1 app[42]: next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->kind, "node");
	assert_string_equal(f->col.ev[0]->type, "StockError");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	assert_string_equal(f->col.ev[1]->type, "TypeError");
	fixture_free(f);
}

/* A crash handler's error line, then glibc's backtrace_symbols_fd() (or
 * backtrace_symbols()) lines: one event, of type fatal. */
static void test_c_backtrace_symbols(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "fatal: signal 11 (Segmentation fault), backtrace:\n"
		"./app(on_signal+0x25)[0x55658597c26a]\n"
		"/lib/x86_64-linux-gnu/libc.so.6(+0x3c050)[0x7f54cf019050]\n"
		"./app(main+0x9d) [0x55658597c3d1]\n"
		"2026-12-01 10:00:00 INFO next\n"
		"2026-12-01 10:00:00 ERROR request (id 3) failed\n"
		"2026-12-01 10:00:00 INFO list(a)[0x1]\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->type, "fatal");
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	assert_null(f->col.ev[1]->type);
	fixture_free(f);
}

/* Ractor#take's Ractor::RemoteError, raised in the interpreter's own code,
 * then the ractor's exception, its cause, with its own cause. */
static void test_ruby_ractor_remote_error(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "<internal:ractor>:694:in `take': thrown by remote Ractor. "
	     "(Ractor::RemoteError)\n"
	     "\tfrom app.rb:23:in `<main>'\n"
	     "app.rb:10:in `rescue in parse': bad row 3 (RowError)\n"
	     "\tfrom app.rb:7:in `parse'\n"
	     "app.rb:8:in `Integer': invalid value for Integer(): \"3\" (ArgumentError)\n"
	     "\tfrom app.rb:8:in `parse'\n"
	     "2026-12-01 10:00:00 INFO next\n"
	     "<internal:kernel>:90:in `tap': plain (Interrupt)\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_string_equal(f->col.ev[0]->kind, "ruby");
	assert_string_equal(f->col.ev[0]->type, "Ractor::RemoteError");
	assert_string_equal(f->col.ev[0]->message, "thrown by remote Ractor.");
	fixture_free(f);
}

/* rake's report: "rake aborted!", the error, its backtrace, its cause
 * after "Caused by:", the tasks and the hint to run with --trace. */
static void test_ruby_rake_aborted(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"rake aborted!\n"
		"QuotaError: over quota 3\n"
		"/app/lib/tasks/quota.rake:7:in `rescue in charge'\n"
		"/app/Rakefile:4:in `block in <top (required)>'\n"
		"\n"
		"Caused by:\n"
		"ArgumentError: invalid value for Integer(): \"3x\"\n"
		"/app/lib/tasks/quota.rake:5:in `Integer'\n"
		"Tasks: TOP => charge\n"
		"(See full trace by running task with --trace)\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 10);
	assert_string_equal(f->col.ev[0]->kind, "ruby");
	assert_string_equal(f->col.ev[0]->type, "QuotaError");
	assert_string_equal(f->col.ev[0]->message, "over quota 3");
	fixture_free(f);
}

/* Xdebug's report of an uncaught exception: the fatal error, the
 * exception again, "Call Stack:" and its numbered calls. */
static void test_php_xdebug(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "Fatal error: Uncaught QuotaException: over quota 3 in /app/q.php on line 9\n"
	    "\n"
	    "QuotaException: over quota 3 in /app/q.php on line 9\n"
	    "\n"
	    "Call Stack:\n"
	    "    0.0002     399184   1. {main}() /app/q.php:0\n"
	    "    0.0002     399400   2. charge($n = 3) /app/q.php:32\n"
	    "2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 7);
	assert_string_equal(f->col.ev[0]->kind, "php");
	assert_string_equal(f->col.ev[0]->type, "QuotaException");
	fixture_free(f);
}

/* Trace.TraceError(e.ToString()) through a .NET trace listener: "source
 * Error: id : message", the exception at its end, the frames under it;
 * behind a collector's time too. */
static void test_dotnet_trace_listener(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "app.exe Error: 0 : charge failed: QuotaException: over quota 3 ---> "
	     "System.FormatException: bad digit\n"
	     "  at Quota.Parse (System.String v) [0x00002] in /app/q.cs:12 \n"
	     "   --- End of inner exception stack trace ---\n"
	     "  at Quota.Charge (System.String v) [0x0001c] in /app/q.cs:19 \n"
	     "2026-12-01 10:00:00 INFO next\n"
	     "2026-12-01T10:00:01.000000Z app.exe Error: 0 : charge failed: "
	     "QuotaException: over quota 4\n"
	     "2026-12-01T10:00:01.000010Z   at Quota.Charge (System.String v) [0x0001c] "
	     "in /app/q.cs:19 \n"
	     "2026-12-01T10:00:01.000020Z app.exe Information: 0 : QuotaException: "
	     "none\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->kind, "dotnet");
	assert_string_equal(f->col.ev[0]->type, "QuotaException");
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	assert_string_equal(f->col.ev[1]->type, "QuotaException");
	fixture_free(f);
}

/* Twisted's logger: "[namespace#critical]", the traceback under it with a
 * tab before each line, Failure's "--- <exception caught here> ---"
 * among the frames; the main module's class without "__main__.". */
static void test_python_twisted(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-03T12:53:56+0000 [twisted.internet.defer#critical] Unhandled "
		"error in Deferred:\n"
		"2026-12-03T12:53:56+0000 [twisted.internet.defer#critical] \n"
		"\tTraceback (most recent call last):\n"
		"\t  File \"/app/main.py\", line 24, in run\n"
		"\t    d.callback(v)\n"
		"\t--- <exception caught here> ---\n"
		"\t  File \"/app/main.py\", line 11, in parse\n"
		"\t    raise QuotaError(v)\n"
		"\t__main__.QuotaError: 3\n"
		"2026-12-03T12:53:57+0000 [shop#info] next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->kind, "python");
	assert_string_equal(f->col.ev[0]->type, "QuotaError");
	assert_string_equal(f->col.ev[0]->lines[2], "Traceback (most recent call last):");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* Exception::Class's full message: the message, a blank line, then
 * Devel::StackTrace's "Trace begun at" and its calls, flush left. */
static void test_perl_stack_trace(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"cannot charge 3\n"
		"\n"
		"Trace begun at app.pl line 21\n"
		"Shop::Quota::charge('3') called at app.pl line 28\n"
		"main::run() called at app.pl line 46\n"
		"2026-12-01 10:00:00 INFO next\n"
		"Trace begun at app.pl line 21\n"
		"main::run() called at app.pl line 46\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->lines[0], "cannot charge 3");
	assert_string_equal(f->col.ev[0]->lines[4],
			    "main::run() called at app.pl line 46");
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	fixture_free(f);
}

/* cgitb's text report: the class alone, the interpreter's version, the
 * calls with their source and variables, the exception's attributes,
 * then the original traceback, its end. */
static void test_python_cgitb_text(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "QuotaError\n"
		"Python 3.11.2: /usr/bin/python3\n"
		"Thu Dec  3 12:53:56 2026\n"
		"\n"
		"A problem occurred in a Python script.  Here is the sequence of\n"
		"function calls leading up to the error, in the order they occurred.\n"
		"\n"
		" /app/main.py in charge(n=3)\n"
		"   11     raise QuotaError(n)\n"
		"QuotaError: 3\n"
		"    args = (3,)\n"
		"\n"
		"The above is a description of an error in a Python program.  Here is\n"
		"the original traceback:\n"
		"\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/main.py\", line 11, in charge\n"
		"    raise QuotaError(n)\n"
		"QuotaError: 3\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 19);
	assert_string_equal(f->col.ev[0]->kind, "python");
	assert_string_equal(f->col.ev[0]->type, "QuotaError");
	fixture_free(f);
}

/* PHP's parse error is a ParseError; slog-term's ERRO level is an error. */
static void test_php_parse_error_slog(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "[01-Jan-2024 12:00:00 UTC] PHP Parse error:  syntax error, unexpected "
		"token \"}\" in /var/www/x.php on line 7\n"
		"Jan 01 12:00:00.811 INFO started, port: 80\n"
		"Jan 01 12:00:01.219 ERRO sync failed, error: timeout, peer: 2\n"
		"Jan 01 12:00:01.220 DEBG ERRORS counted\n");
	assert_int_equal(f->col.n, 2);
	assert_string_equal(f->col.ev[0]->type, "ParseError");
	assert_string_equal(
	    f->col.ev[0]->message,
	    "syntax error, unexpected token \"}\" in /var/www/x.php on line 7");
	assert_string_equal(f->col.ev[1]->rule, "level");
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	fixture_free(f);
}

/* Tcl's errorInfo: the message line above "    while executing", a
 * quoted command over several lines, the levels up to the file; after a
 * syslog prefix on every line too; an error line of a log followed by
 * it. */
static void test_tcl_error_info(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"no such account \"42\"\n"
		"    while executing\n"
		"\"error \"no such account \\\"$id\\\"\"\"\n"
		"    (procedure \"find\" line 2)\n"
		"    invoked from within\n"
		"\"foreach id $ids {\n"
		"\tfind $id\n"
		"}\"\n"
		"    (file \"app.tcl\" line 9)\n"
		"2026-12-01 10:00:00 INFO next\n"
		"Dec  1 10:00:01 web1 app[7]: invalid command name \"post\"\n"
		"Dec  1 10:00:01 web1 app[7]:     while executing\n"
		"Dec  1 10:00:01 web1 app[7]: \"post 42\"\n"
		"Dec  1 10:00:01 web1 app[7]:     (file \"app.tcl\" line 3)\n"
		"Dec  1 10:00:02 web1 app[7]: done\n"
		"2026-12-01 10:00:03 ERROR cannot settle 42\n"
		"    while executing\n"
		"\"settle 42\"\n"
		"2026-12-01 10:00:04 INFO done\n");
	assert_int_equal(f->col.n, 3);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->lines[0], "no such account \"42\"");
	assert_string_equal(f->col.ev[0]->lines[8], "    (file \"app.tcl\" line 9)");
	assert_string_equal(f->col.ev[0]->message, "no such account \"42\"");
	assert_null(f->col.ev[0]->type);
	assert_int_equal(f->col.ev[1]->nr_lines, 4);
	assert_string_equal(f->col.ev[1]->lines[3], "    (file \"app.tcl\" line 3)");
	assert_int_equal(f->col.ev[2]->nr_lines, 3);
	fixture_free(f);
}

/* pkg/errors' "%+v" after a line of Go's standard logger without a
 * level word (log.Printf, log.Fatalf): the line, then the stack; a
 * name under such a line that no file follows is nothing. */
static void test_go_pkg_errors_logged(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"2026/12/01 10:00:01 cannot post: bad quantity \"1x\"\n"
		"main.parseQty\n"
		"\t/app/main.go:17\n"
		"main.main\n"
		"\t/app/main.go:38\n"
		"runtime.goexit\n"
		"\t/usr/lib/go/src/runtime/asm_amd64.s:1594\n"
		"2026-12-01 10:00:00 INFO next\n"
		"2026/12/01 10:00:02 reloading\n"
		"config.reload\n"
		"2026-12-01 10:00:00 INFO done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 7);
	assert_string_equal(f->col.ev[0]->lines[0],
			    "2026/12/01 10:00:01 cannot post: bad quantity \"1x\"");
	assert_string_equal(f->col.ev[0]->message, "cannot post: bad quantity \"1x\"");
	assert_null(f->col.ev[0]->type);
	fixture_free(f);
}

/* A program that printed a traceback itself and exited with a message
 * (traceback.print_exc(), then sys.exit("fatal: ...")): the message is
 * the report's last line. */
static void test_python_exit_message(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/main.py\", line 7, in main\n"
		"    open(path)\n"
		"FileNotFoundError: [Errno 2] No such file or directory: '/x.conf'\n"
		"fatal: config x unreadable\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->type, "FileNotFoundError");
	fixture_free(f);
}

/* gevent's hub after a greenlet's traceback: "<Greenlet ...> failed with
 * NAME", NAME the exception's class; another class's is no part of it. */
static void test_python_gevent_failed_with(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Traceback (most recent call last):\n"
		"  File \"/app/main.py\", line 7, in fetch\n"
		"    raise app.QuotaError(n)\n"
		"app.QuotaError: 3\n"
		"2026-12-01T10:00:00Z <Greenlet at 0x7f9e48a472e0: fetch(3)> failed with "
		"QuotaError\n"
		"\n"
		"Traceback (most recent call last):\n"
		"  File \"/app/main.py\", line 7, in fetch\n"
		"    raise app.QuotaError(n)\n"
		"app.QuotaError: 4\n"
		"2026-12-01T10:00:00Z <Greenlet at 0x7f9e48a472e0: fetch(4)> failed with "
		"KeyError\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->type, "app.QuotaError");
	assert_int_equal(f->col.ev[1]->nr_lines, 4);
	fixture_free(f);
}

/* pkg/errors' "%+v" of a wrapped error: the cause and its stack, the
 * wrapper's message, its stack; runtime.goexit's frame is in assembly. */
static void test_go_pkg_errors_wrapped(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01 10:00:00 INFO start\n"
		"error: bad quantity \"1x\"\n"
		"main.parseQty\n"
		"\t/app/main.go:17\n"
		"runtime.goexit\n"
		"\t/usr/lib/go/src/runtime/asm_amd64.s:1594\n"
		"post\n"
		"main.post\n"
		"\t/app/main.go:24\n"
		"runtime.goexit\n"
		"\t/usr/lib/go/src/runtime/asm_amd64.s:1594\n"
		"done\n"
		"2026-12-01 10:00:00 INFO next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 10);
	assert_string_equal(f->col.ev[0]->lines[5], "post");
	fixture_free(f);
}

static void test_user_rule_and_ignore(void **state)
{
	struct fixture *f = qe_xcalloc(1, sizeof(*f));
	struct qe_rule_conf rc;
	char *ign[] = {(char *)"health-check"};
	char *rule_ign[] = {(char *)"OOPS \\(harmless\\)"};
	(void)state;

	qe_config_init(&f->cfg);
	memset(&rc, 0, sizeof(rc));
	rc.name = (char *)"oops";
	rc.pattern = (char *)"^OOPS (?<type>\\w+): (?<message>.*)";
	rc.severity = (char *)"critical";
	rc.kind = (char *)"acme";
	rc.continuation = (char *)"^\\s+\\| ";
	rc.ignore = rule_ign;
	rc.nr_ignore = 1;
	f->cfg.rules = &rc;
	f->cfg.nr_rules = 1;
	f->cfg.ignore = ign;
	f->cfg.nr_ignore = 1;
	f->rules = qe_rules_new(&f->cfg);
	assert_non_null(f->rules);
	f->a = qe_assembler_new(f->rules, 0, 0, collect_fn, &f->col);

	feed(f, "OOPS Disk: sector gone\n"
		"   | detail one\n"
		"   | detail two\n"
		"not a detail\n"
		"OOPS (harmless) noise\n"
		"2024 ERROR health-check failed\n"
		"2024 ERROR real failure\n");
	assert_int_equal(f->col.n, 2);
	assert_string_equal(f->col.ev[0]->kind, "acme");
	assert_string_equal(f->col.ev[0]->rule, "oops");
	assert_string_equal(f->col.ev[0]->type, "Disk");
	assert_string_equal(f->col.ev[0]->message, "sector gone");
	assert_int_equal(f->col.ev[0]->severity, QE_SEV_CRITICAL);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[1]->message, "real failure");

	f->cfg.rules = NULL;
	f->cfg.nr_rules = 0;
	f->cfg.ignore = NULL;
	f->cfg.nr_ignore = 0;
	fixture_free(f);
}

static void test_huge_line(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	size_t n = 10 * 1024 * 1024, i;
	char *big = qe_xmalloc(n);
	clock_t t0 = clock();
	(void)state;

	/* characters that the patterns could backtrack over */
	for (i = 0; i < n; i++)
		big[i] = "a.(E:rr x)"[i % 10];
	memcpy(big, "2024 ERROR ", 11);
	qe_assembler_feed(f->a, big, n, 0, n + 1);
	qe_assembler_feed(f->a, "2024 INFO x", 11, 0, 0);
	/* and the same inside open events of each kind */
	memcpy(big, "\tat a.b.C(", 11);
	qe_assembler_feed(f->a, "panic: x", 8, 0, 0);
	qe_assembler_feed(f->a, big, n, 0, 0);
	qe_assembler_feed(f->a, "java.lang.Error: x", 18, 0, 0);
	qe_assembler_feed(f->a, big, n, 0, 0);
	qe_assembler_feed(f->a, "Error: x", 8, 0, 0);
	qe_assembler_feed(f->a, big, n, 0, 0);
	qe_assembler_feed(f->a, "Traceback (most recent call last):", 34, 0, 0);
	memcpy(big, "  File \"", 8);
	qe_assembler_feed(f->a, big, n, 0, 0);
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 5);
	assert_string_equal(f->col.ev[0]->kind, "line");
	assert_true(f->col.ev[0]->truncated);
	assert_true(f->col.ev[0]->bytes <= 65536);
	assert_string_equal(f->col.ev[1]->kind, "go");
	assert_string_equal(f->col.ev[2]->kind, "java");
	assert_int_equal(f->col.ev[2]->dropped_lines, 1);
	assert_string_equal(f->col.ev[3]->kind, "node");
	assert_string_equal(f->col.ev[4]->kind, "python");
	assert_int_equal(f->col.ev[4]->dropped_lines, 1);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0);
	free(big);
	fixture_free(f);
}

static void test_binary_bytes(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	static const char line[] = "2024 ERROR \xff\xfe\0bad\x80 bytes";
	static const char exc[] = "java.lang.IllegalStateException: \xc3\x28\0x";
	(void)state;

	qe_assembler_feed(f->a, line, sizeof(line) - 1, 0, sizeof(line));
	qe_assembler_feed(f->a, exc, sizeof(exc) - 1, 0, 0);
	qe_assembler_feed(f->a, "\tat a.B.c(B.java:1)\xff", 20, 0, 0);
	qe_assembler_feed(f->a, "\0\0\0", 3, 0, 0);
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->kind, "java");
	assert_string_equal(f->col.ev[0]->type, "java.lang.IllegalStateException");
	assert_int_equal(f->col.ev[0]->nr_frames, 1);
	fixture_free(f);
}

static void test_python_exception_group(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text = "2024-01-01 12:00:00 INFO start\n"
			   "  + Exception Group Traceback (most recent call last):\n"
			   "  |   File \"/app/batch.py\", line 52, in run\n"
			   "  |     raise ExceptionGroup(\"batch failed\", errors)\n"
			   "  |   File \"/app/util.py\", line 9, in check\n"
			   "  |     raise eg\n"
			   "  | ExceptionGroup: batch failed (2 sub-exceptions)\n"
			   "  +-+---------------- 1 ----------------\n"
			   "    | Traceback (most recent call last):\n"
			   "    |   File \"/app/worker.py\", line 17, in handle\n"
			   "    |     raise ValueError(rid)\n"
			   "    | ValueError: 12\n"
			   "    +---------------- 2 ----------------\n"
			   "    | TypeError: expected str\n"
			   "    +------------------------------------\n"
			   "2024-01-01 12:00:01 INFO next\n"
			   "  + Exception Group Traceback (most recent call last):\n"
			   "  | BaseExceptionGroup: x (1 sub-exception)\n"
			   "  +-+---------------- 1 ----------------\n"
			   "    | KeyboardInterrupt\n"
			   "    +------------------------------------\n"
			   "  | not a group line after the end\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 2);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "ExceptionGroup");
	assert_string_equal(ev->message, "batch failed (2 sub-exceptions)");
	assert_int_equal(ev->nr_lines, 14);
	/* the group's own traceback, not its members' */
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], NULL, "run", "/app/batch.py", 52, 1);
	check_frame(&ev->frames[1], NULL, "check", "/app/util.py", 9, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->type, "BaseExceptionGroup");
	assert_int_equal(ev->nr_frames, 0);
	/* the group ended with its closing line, before the stray "|" line */
	assert_int_equal(ev->nr_lines, 6);
	fixture_free(f);
}

static void test_go_http_panic(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "2024/01/01 12:00:00 GET /ok 200\n"
	    "2024/01/01 12:00:03 http: panic serving 10.0.0.1:51234: runtime error: "
	    "invalid memory address or nil pointer dereference\n"
	    "goroutine 34 [running]:\n"
	    "net/http.(*conn).serve.func1()\n"
	    "\t/usr/local/go/src/net/http/server.go:1868 +0xb9\n"
	    "panic({0x6a5e40?, 0x8a0a60?})\n"
	    "\t/usr/local/go/src/runtime/panic.go:920 +0x270\n"
	    "example.com/shop/api.(*Handler).order(0xc0000a2000)\n"
	    "\t/src/shop/api/order.go:42 +0x2d\n"
	    "created by net/http.(*Server).Serve in goroutine 1\n"
	    "\t/usr/local/go/src/net/http/server.go:3089 +0x5cb\n"
	    "2024/01/01 12:00:04 GET /ok 200\n"
	    "http: panic serving [::1]:40522: boom\n"
	    "2024/01/01 12:00:05 ERROR request failed\n"
	    "2024/01/01 12:00:05 http: panic serving 10.0.0.2:1: runtime error: x\n"
	    "goroutine 7 [running]:\n"
	    "main.handler(0x1)\n"
	    "\t/src/app/main.go:12 +0x2d\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 3);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "go");
	assert_string_equal(ev->rule, "go-http-panic");
	assert_string_equal(ev->type, "runtime.Error");
	assert_string_equal(
	    ev->message,
	    "runtime error: invalid memory address or nil pointer dereference");
	assert_int_equal(ev->severity, QE_SEV_ERROR);
	assert_int_equal(ev->nr_lines, 10);
	assert_int_equal(ev->nr_frames, 3);
	check_frame(&ev->frames[0], "net/http", "(*conn).serve.func1",
		    "/usr/local/go/src/net/http/server.go", 1868, 0);
	check_frame(&ev->frames[2], "example.com/shop/api", "(*Handler).order",
		    "/src/shop/api/order.go", 42, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->type, "panic");
	assert_string_equal(ev->message, "boom");
	assert_int_equal(ev->nr_frames, 0);
	/* an error line announcing the panic is part of it */
	ev = f->col.ev[2];
	assert_string_equal(ev->kind, "go");
	assert_string_equal(ev->type, "runtime.Error");
	assert_string_equal(ev->message, "runtime error: x");
	assert_int_equal(ev->nr_lines, 5);
	assert_int_equal(ev->nr_frames, 1);
	check_frame(&ev->frames[0], "main", "handler", "/src/app/main.go", 12, 1);
	fixture_free(f);
}

static void test_php_next_chain(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "[01-Jan-2024 12:00:00 UTC] PHP Fatal error:  Uncaught "
	    "InvalidArgumentException: bad id in /var/www/src/Repo.php:12\n"
	    "Stack trace:\n"
	    "#0 /var/www/src/Service.php(30): App\\Repo->find('x')\n"
	    "#1 {main}\n"
	    "\n"
	    "Next RuntimeException: cannot load in /var/www/src/Service.php:33\n"
	    "Stack trace:\n"
	    "#0 /var/www/public/index.php(8): App\\Service->load()\n"
	    "#1 {main}\n"
	    "  thrown in /var/www/src/Service.php on line 33\n"
	    "#0 /var/www/public/index.php(9): not part of the event\n"
	    "\n"
	    "PHP Fatal error:  Uncaught Exception: x in /a.php:2\n"
	    "Stack trace:\n"
	    "#0 {main}\n"
	    "  thrown in /a.php on line 2\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 2);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "php");
	/* the last of the chain is the one that went uncaught */
	assert_string_equal(ev->type, "RuntimeException");
	assert_string_equal(ev->message, "cannot load");
	assert_int_equal(ev->nr_lines, 10);
	assert_string_equal(ev->lines[9],
			    "  thrown in /var/www/src/Service.php on line 33");
	/* and its frames */
	assert_int_equal(ev->nr_frames, 1);
	check_frame(&ev->frames[0], "App\\Service", "load", "/var/www/public/index.php",
		    8, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->type, "Exception");
	assert_int_equal(ev->nr_lines, 4);
	fixture_free(f);
}

/* A set_exception_handler() callback's line, its own words before the
 * class and the file after "at", then getTraceAsString()'s frames. */
static void test_php_handler(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "[shop] uncaught App\\StockException: out of stock at Cart.php:12\n"
	    "#0 /var/www/src/Shop.php(20): App\\Cart->add('x')\n"
	    "#1 {main}\n"
	    "next line\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "php");
	assert_string_equal(ev->type, "App\\StockException");
	assert_string_equal(ev->message, "out of stock");
	assert_int_equal(ev->nr_lines, 3);
	assert_int_equal(ev->nr_frames, 1);
	fixture_free(f);
}

static void test_node_prelude(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "listening on 3000\n"
	    "/app/server.js:42\n"
	    "    const t = order.items.reduce(add, 0);\n"
	    "                          ^\n"
	    "\n"
	    "TypeError: Cannot read properties of undefined (reading 'reduce')\n"
	    "    at total (/app/server.js:42:27)\n"
	    "    at process.processTicksAndRejections "
	    "(node:internal/process/task_queues:95:5)\n"
	    "\n"
	    "Node.js v18.17.0\n"
	    /* a prelude with no error after it is noise */
	    "/app/lib/config.js:7\n"
	    "    x = 1\n"
	    "    ^\n"
	    "\n"
	    "listening on 3000\n"
	    /* a location line followed by an error line: that line counts */
	    "/app/lib/config.js:8\n"
	    "2024-01-01 12:00:00 ERROR db down\n"
	    "file:///app/jobs/sync.mjs:12\n"
	    "  throw new Error(`sync failed`);\n"
	    "        ^\n"
	    "Error: sync failed\n"
	    "    at run (file:///app/jobs/sync.mjs:12:9)\n"
	    "/app/x.js:3\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 3);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "node");
	assert_string_equal(ev->type, "TypeError");
	assert_int_equal(ev->nr_lines, 9);
	assert_string_equal(ev->lines[0], "/app/server.js:42");
	assert_int_equal(ev->start_pos, strlen("listening on 3000\n"));
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], NULL, "total", "/app/server.js", 42, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "line");
	assert_string_equal(ev->lines[0], "2024-01-01 12:00:00 ERROR db down");
	assert_int_equal(ev->nr_lines, 1);
	ev = f->col.ev[2];
	assert_string_equal(ev->type, "Error");
	assert_string_equal(ev->message, "sync failed");
	assert_int_equal(ev->nr_lines, 5);
	assert_int_equal(ev->nr_frames, 1);
	check_frame(&ev->frames[0], NULL, "run", "/app/jobs/sync.mjs", 12, 1);
	fixture_free(f);
}

static void test_parse_idempotent(void **state)
{
	struct qe_event *ev = qe_event_new("java", "x");
	static const char *lines[] = {"java.lang.Error: a", "\tat a.B.c(B.java:1)"};
	size_t i;
	(void)state;

	for (i = 0; i < 2; i++)
		qe_event_add_line(ev, lines[i], strlen(lines[i]));
	qe_trace_parse(ev);
	qe_trace_parse(ev);
	assert_int_equal(ev->nr_frames, 1);
	assert_string_equal(ev->type, "java.lang.Error");
	qe_event_free(ev);
}

static void check_prefix(const char *line, int ok, const char *tag, const char *body,
			 const char *text)
{
	struct qe_prefix p;
	size_t n = strlen(line);
	assert_int_equal(qe_trace_prefix(line, n, &p), ok);
	if (!ok)
		return;
	assert_int_equal(p.body - p.tag_off, strlen(tag));
	assert_memory_equal(line + p.tag_off, tag, strlen(tag));
	assert_string_equal(line + p.body, body);
	assert_string_equal(line + p.text, text);
}

static void test_prefixes(void **state)
{
	(void)state;
	check_prefix("2026-11-22T10:00:05.839123456Z panic: x", 1, "", "panic: x",
		     "panic: x");
	check_prefix("2026-11-22 10:00:05.839 panic: x", 1, "", "panic: x", "panic: x");
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] DETAIL:  Key", 1, "[13676] ",
		     "DETAIL:  Key", "DETAIL:  Key");
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] ERROR:  dup", 1, "[13676] ",
		     "ERROR:  dup", " dup");
	/* PostgreSQL's user@database: one '@', inside the word, before a
	 * word of capitals and ":  " */
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] app@shop ERROR:  dup", 1,
		     "[13676] app@shop ", "ERROR:  dup", " dup");
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] a@b@c ERROR:  dup", 1,
		     "[13676] ", "a@b@c ERROR:  dup", "a@b@c ERROR:  dup");
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] app@ ERROR:  dup", 1,
		     "[13676] ", "app@ ERROR:  dup", "app@ ERROR:  dup");
	check_prefix("2026-12-01 09:18:45.214 UTC [13676] app@shop ERROR: dup", 1,
		     "[13676] ", "app@shop ERROR: dup", "app@shop ERROR: dup");
	check_prefix("Dec  1 10:00:02 web1 app[4001]:   File \"x.py\"", 1,
		     "web1 app[4001]: ", "  File \"x.py\"", "  File \"x.py\"");
	check_prefix("[01-Dec-2026 09:06:19 UTC] RuntimeException: x in /a.php:3", 1, "",
		     "RuntimeException: x in /a.php:3",
		     "RuntimeException: x in /a.php:3");
	check_prefix("2026/12/01 09:05:58 ERROR handler failed", 1, "",
		     "ERROR handler failed", "handler failed");
	check_prefix("2026-12-01T10:00:00Z \tat a.B.c(B.java:1)", 1, "",
		     "\tat a.B.c(B.java:1)", "\tat a.B.c(B.java:1)");
	check_prefix("ERROR panic: x", 1, "", "ERROR panic: x", "panic: x");
	check_prefix("2026-12-01T10:00:01.123456+00:00 web1 app[42]: Traceback (most", 1,
		     "web1 app[42]: ", "Traceback (most", "Traceback (most");
	check_prefix("2026-12-01 10:00:01 INFO main: started", 1, "",
		     "INFO main: started", "main: started");
	check_prefix("2026-12-01T10:00:00.123456789Z stderr F \tat a.B.c(B.java:1)", 1,
		     "stderr F ", "\tat a.B.c(B.java:1)", "\tat a.B.c(B.java:1)");
	/* not prefixes */
	check_prefix("panic: runtime error", 0, NULL, NULL, NULL);
	check_prefix("2026-12-01T10:00:00Zpanic", 0, NULL, NULL, NULL);
	check_prefix("[main] started", 0, NULL, NULL, NULL);
	check_prefix("Dec 01, 2026 9:05:36 AM Fail main", 0, NULL, NULL, NULL);
	check_prefix("12345 records", 0, NULL, NULL, NULL);
	check_prefix("", 0, NULL, NULL, NULL);
}

static void test_prefixed_traces(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_event *ev;
	(void)state;

	/* a Go panic after a timestamp, only its first line prefixed */
	feed(f, "2026-11-22 10:00:05.838 INFO serving\n"
		"2026-11-22 10:00:05.839 panic: runtime error: index out of range [5] "
		"with length 3\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.main()\n"
		"\t/app/main.go:9 +0x1d\n"
		"exit status 2\n"
		"2026-11-22 10:00:06.000 INFO restarted\n");
	assert_int_equal(f->col.n, 1);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "go");
	assert_string_equal(ev->type, "runtime.Error");
	assert_int_equal(ev->nr_lines, 6);
	assert_string_equal(ev->lines[0],
			    "panic: runtime error: index out of range [5] with length 3");
	assert_int_equal(ev->nr_frames, 1);
	fixture_free(f);

	/* every line prefixed; a line of another process ends the event */
	f = fixture_new(0, 0);
	feed(f,
	     "Dec  1 10:00:01 web1 app[7]: Traceback (most recent call last):\n"
	     "Dec  1 10:00:01 web1 app[7]:   File \"/app/x.py\", line 3, in <module>\n"
	     "Dec  1 10:00:01 web1 app[7]:     main()\n"
	     "Dec  1 10:00:01 web1 app[7]: KeyError: 'a'\n"
	     "Dec  1 10:00:02 web1 app[8]:   indented line of another process\n"
	     "2026-12-01 09:18:45.214 UTC [13] ERROR:  duplicate key value\n"
	     "2026-12-01 09:18:45.214 UTC [13] DETAIL:  Key (id)=(11) already exists.\n"
	     "2026-12-01 09:18:45.215 UTC [14] LOG:  checkpoint starting\n"
	     "2026-12-01 09:18:45.216 UTC [13] STATEMENT:  insert into t values (11)\n");
	assert_int_equal(f->col.n, 2);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "KeyError");
	assert_int_equal(ev->nr_lines, 4);
	assert_string_equal(ev->lines[1], "  File \"/app/x.py\", line 3, in <module>");
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "line");
	assert_int_equal(ev->nr_lines, 2);
	assert_string_equal(ev->lines[1], "DETAIL:  Key (id)=(11) already exists.");
	fixture_free(f);
}

/* The reader hands every line in one buffer: what is known of a line
 * (its prefix, its start match) must not outlive it, though the next
 * line has the same address and length. */
static void test_reused_buffer(void **state)
{
	static const char *const lines[] = {
	    "Dec  1 10:00:01 web1 app[7]: Traceback (most recent call last):",
	    "Dec  1 10:00:01 web1 app[7]:   File \"/app/x.py\", line 3, in <module>",
	    /* as long as the line before it, without its timestamp: no
	     * prefix to strip, so no frame line of the traceback */
	    "Zzz zz zz:zz:zz web1 app[7]:   File \"/app/x.py\", line 3, in <module>",
	    "Dec  1 10:00:01 web1 app[7]: KeyError: 'a'",
	};
	struct fixture *f = fixture_new(0, 0);
	char buf[128];
	size_t i;
	(void)state;

	assert_int_equal(strlen(lines[1]), strlen(lines[2]));
	for (i = 0; i < QE_ARRAY_SIZE(lines); i++) {
		size_t len = strlen(lines[i]);
		memcpy(buf, lines[i], len);
		qe_assembler_feed(f->a, buf, len, f->pos, f->pos + len + 1);
		f->pos += len + 1;
	}
	qe_assembler_flush(f->a);
	assert_true(f->col.n >= 1);
	assert_string_equal(f->col.ev[0]->kind, "python");
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_string_equal(f->col.ev[0]->lines[1],
			    "  File \"/app/x.py\", line 3, in <module>");
	fixture_free(f);
}

/* The assembler knows three forms of a next line without the continuation
 * pattern: every built-in rule it does this for must take them. */
static void test_cheap_continuations(void **state)
{
	static const char *const at[] = {"\tat a.B.c(B.java:3)",
					 "   at X.Y.M () in <x>:0", " \t at x", "\vat y"};
	static const char *const indented[] = {"\t/app/main.go:9 +0x1d",
					       "    at f (/a.js:1:2)",
					       "  0: std::panicking", " x", "\f\r\tz"};
	/* a Go frame's function line */
	static const char *const calls[] = {
	    "main.main()",
	    "github.com/a/b.(*T).M(0xc000bacfb3, {0xc0, 0x1})",
	    "x/y.z.func1(...)\t \r",
	    "a.B[...](0x1)",
	    "main.(*S).f({0x0?, 0x1})",
	    "a-b$c{d}(()) "};
	struct fixture *f = fixture_new(0, 0);
	size_t i, k, checked = 0;
	(void)state;

	for (i = 0; i < qe_rules_count(f->rules); i++) {
		struct qe_rule_info info;
		int frames, text;
		qe_rules_info(f->rules, i, &info);
		if (!info.builtin)
			continue;
		frames = !strcmp(info.kind, "java") || !strcmp(info.kind, "dotnet");
		text = !strcmp(info.kind, "go") || !strcmp(info.kind, "node") ||
		       !strcmp(info.kind, "rust");
		for (k = 0; frames && k < QE_ARRAY_SIZE(at); k++, checked++)
			assert_true(
			    qe_rules_match_cont(f->rules, i, at[k], strlen(at[k])));
		for (k = 0; text && k < QE_ARRAY_SIZE(indented); k++, checked++)
			assert_true(qe_rules_match_cont(f->rules, i, indented[k],
							strlen(indented[k])));
		for (k = 0; !strcmp(info.kind, "go") && k < QE_ARRAY_SIZE(calls);
		     k++, checked++)
			assert_true(
			    qe_rules_match_cont(f->rules, i, calls[k], strlen(calls[k])));
	}
	/* java, dotnet; go-panic, go-http-panic, node-error, rust-panic; the
	 * two Go rules */
	assert_int_equal(checked, 2 * QE_ARRAY_SIZE(at) + 4 * QE_ARRAY_SIZE(indented) +
				      2 * QE_ARRAY_SIZE(calls));
	fixture_free(f);
}

static void test_head_and_tail(void **state)
{
	struct fixture *f = fixture_new(8, 1 << 20);
	struct qe_buf b = QE_BUF_INIT;
	int i;
	(void)state;

	qe_buf_addstr(&b, "Traceback (most recent call last):\n");
	for (i = 0; i < 20; i++)
		qe_buf_addf(&b, "  File \"/app/m.py\", line %d, in f%d\n    f%d()\n",
			    i + 1, i, i + 1);
	qe_buf_addstr(&b, "RecursionError: maximum recursion depth exceeded\n");
	feed(f, b.buf);
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->truncated, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 8);
	assert_int_equal(f->col.ev[0]->dropped_lines, 42 - 8);
	assert_int_equal(f->col.ev[0]->end_pos, b.len);
	/* the type is on the last line, which the tail keeps */
	assert_string_equal(f->col.ev[0]->type, "RecursionError");
	assert_string_equal(f->col.ev[0]->lines[7],
			    "RecursionError: maximum recursion depth exceeded");
	fixture_free(f);
	qe_buf_release(&b);
}

/* Lines that announce the trace below them belong to its event. */
static void test_announced_traces(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "2026-12-01 10:00:00 INFO start\n"
	    "Exception in thread sync-7:\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/app/sync.py\", line 23, in fetch\n"
	    "    raise StockError(sku)\n"
	    "StockError: a1\n"
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<job() done, defined at "
	    "/app/w.py:40> exception=StockError('a1')>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/app/w.py\", line 41, in job\n"
	    "    fetch(sku)\n"
	    "StockError: a1\n"
	    "#<Thread:0x00007f3b932e9570 worker.rb:40 run> terminated with exception "
	    "(report_on_exception is true):\n"
	    "worker.rb:13:in `settle': cannot settle 1x (LedgerError)\n"
	    "\tfrom worker.rb:40:in `block in <main>'\n"
	    "2026-12-01 10:00:01 INFO next\n"
	    "Task exception was never retrieved\n"
	    "2026-12-01 10:00:02 INFO the announcement alone is no event\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 3);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "StockError");
	assert_int_equal(ev->nr_lines, 5);
	assert_string_equal(ev->lines[0], "Exception in thread sync-7:");
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "python");
	assert_string_equal(ev->type, "StockError");
	assert_int_equal(ev->nr_lines, 6);
	check_frame(&ev->frames[0], NULL, "job", "/app/w.py", 41, 1);
	ev = f->col.ev[2];
	assert_string_equal(ev->kind, "ruby");
	assert_string_equal(ev->type, "LedgerError");
	assert_int_equal(ev->nr_lines, 3);
	fixture_free(f);
}

/* Mono: a class of no namespace, and a logged exception with its frames. */
static void test_dotnet_bare_class(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "Unhandled Exception:\n"
	    "LedgerException: cannot settle 1x ---> System.ArgumentException: no rate\n"
	    "  at Worker.Lookup (System.String id) [0x0001e] in <6d768add>:0 \n"
	    "   --- End of inner exception stack trace ---\n"
	    "  at Worker.Settle (System.String id) [0x0001e] in <6d768add>:0 \n"
	    "[ERROR] FATAL UNHANDLED EXCEPTION: LedgerException: cannot settle 1x\n"
	    "  at Worker.Settle (System.String id) [0x0001e] in <6d768add>:0 \n"
	    "2026-12-01 10:00:00 INFO next\n"
	    "2026-12-01T14:51:47 ERROR settle failed: LedgerException: cannot settle 1x "
	    "---> System.ArgumentException: no rate\n"
	    "  at Worker.Lookup (System.String id) [0x0001e] in <6d768add>:0 \n"
	    "   --- End of inner exception stack trace ---\n"
	    "  at Worker.Settle (System.String id) [0x0001e] in <6d768add>:0 \n"
	    "  at Worker.Main (System.String[] args) [0x00105] in <6d768add>:0 \n"
	    "2026-12-01 10:00:01 INFO next\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 2);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "dotnet");
	assert_string_equal(ev->type, "LedgerException");
	assert_string_equal(ev->message, "cannot settle 1x");
	assert_int_equal(ev->nr_lines, 7);
	assert_int_equal(ev->nr_frames, 1);
	check_frame(&ev->frames[0], "Worker", "Settle", NULL, 0, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "dotnet");
	assert_string_equal(ev->type, "LedgerException");
	assert_int_equal(ev->nr_lines, 5);
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[1], "Worker", "Main", NULL, 0, 1);
	fixture_free(f);
}

/* A Java class of the default package, known by its frames: after a
 * log4j2 line, and after java.util.logging's WARNING. */
static void test_java_default_package(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "14:51:01.028 [main] ERROR billing.Quota - quota for 1x not checked\n"
	    "Worker$QuotaException: quota check failed for 1x\n"
	    "\tat Worker.level1(Worker.java:59) ~[app/:?]\n"
	    "\tat Worker.main(Worker.java:95) ~[app/:?]\n"
	    "Caused by: java.lang.RuntimeException: lookup failed for 1x\n"
	    "\tat Worker.level2(Worker.java:51) ~[app/:?]\n"
	    "\t... 1 more\n"
	    "Dec 01, 2026 2:50:59 PM Worker main\n"
	    "WARNING: quota for 1x not checked\n"
	    "Worker$QuotaException: quota check failed for 1x\n"
	    "\tat Worker.level1(Worker.java:59)\n"
	    "\tat Worker.main(Worker.java:88)\n"
	    "Caused by: java.lang.RuntimeException: lookup failed for 1x\n"
	    "\t... 1 more\n"
	    "Dec 01, 2026 2:51:00 PM Worker main\n"
	    "WARNING: a warning alone is no event\n"
	    "2026-12-01 10:00:01 INFO next\n"
	    "TypeError: x is not a function\n"
	    "    at run (/app/x.js:3:9)\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 3);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "java");
	assert_string_equal(ev->type, "Worker$QuotaException");
	assert_int_equal(ev->nr_lines, 7);
	assert_int_equal(ev->nr_frames, 2);
	check_frame(&ev->frames[0], "Worker", "level1", "Worker.java", 59, 1);
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "java");
	assert_string_equal(ev->type, "Worker$QuotaException");
	assert_int_equal(ev->nr_lines, 7);
	assert_string_equal(ev->lines[1], "WARNING: quota for 1x not checked");
	ev = f->col.ev[2];
	assert_string_equal(ev->kind, "node");
	assert_string_equal(ev->type, "TypeError");
	assert_int_equal(ev->nr_lines, 2);
	fixture_free(f);
}

/* Node.js: an error that comes through its own code, one printed without
 * its stack, a thrown value that is no Error; winston's text line. */
static void test_node_other_throws(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *text =
	    "node:internal/process/promises:391\n"
	    "    triggerUncaughtException(err, true /* fromPromise */);\n"
	    "    ^\n"
	    "\n"
	    "[AggregateError: All promises were rejected] {\n"
	    "  [errors]: [\n"
	    "    PaymentError: card declined for 1x\n"
	    "        at Timeout._onTimeout (/app/worker.js:13:67) {\n"
	    "      retryable: false\n"
	    "    }\n"
	    "  ]\n"
	    "}\n"
	    "\n"
	    "Node.js v20.20.2\n"
	    "\n"
	    "/app/worker.js:49\n"
	    "  setTimeout(() => { throw 'timeout after ' + val; }, 1);\n"
	    "                     ^\n"
	    "timeout after 1x\n"
	    "(Use `node --trace-uncaught ...` to show where the exception was thrown)\n"
	    "\n"
	    "Node.js v20.20.2\n"
	    "/app/worker.js:50\n"
	    "  x();\n"
	    "  ^\n"
	    "a value without Node's note is no event\n"
	    "error: settle failed for 1x {\"stack\":\"RangeError: settle failed for 1x\\n"
	    "    at settle (/app/worker.js:24:11)\"}\n";
	struct qe_event *ev;

	(void)state;
	feed(f, text);
	assert_int_equal(f->col.n, 3);
	ev = f->col.ev[0];
	assert_string_equal(ev->kind, "node");
	assert_string_equal(ev->type, "AggregateError");
	assert_string_equal(ev->message, "All promises were rejected");
	assert_int_equal(ev->nr_lines, 14);
	ev = f->col.ev[1];
	assert_string_equal(ev->kind, "node");
	assert_null(ev->type);
	assert_string_equal(ev->message, "timeout after 1x");
	assert_int_equal(ev->nr_lines, 7);
	ev = f->col.ev[2];
	assert_string_equal(ev->kind, "line");
	assert_string_equal(ev->type, "RangeError");
	fixture_free(f);
}

/* A failed type assertion panics with a runtime.Error whose message has
 * no "runtime error: " */
static void test_go_type_assertion(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "panic: interface conversion: interface {} is string, not int\n"
		"\n"
		"goroutine 1 [running]:\n"
		"main.count(...)\n"
		"\t/src/app/main.go:80\n"
		"main.main()\n"
		"\t/src/app/main.go:109 +0x285\n");
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->type, "runtime.Error");
	assert_string_equal(f->col.ev[0]->message,
			    "interface conversion: interface {} is string, not int");
	fixture_free(f);
}

/* A thread that panics again while it unwinds, up to Rust's abort, and
 * main's unwrap of a lock a panicked thread poisoned: one failure each. */
static void test_rust_repanic_and_poison(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "thread 'main' (22768) panicked at batch4.rs:114:13:\n"
		"batch 1x aborted\n"
		"note: run with `RUST_BACKTRACE=1` environment variable to display a "
		"backtrace\n"
		"\n"
		"thread 'main' (22768) panicked at batch4.rs:85:9:\n"
		"guard 1x dropped while unwinding\n"
		"stack backtrace:\n"
		"   0:     0x5592309365d1 - batch4::run::h6cc69c93c154d0b6\n"
		"\n"
		"thread 'main' (22768) panicked at library/core/src/panicking.rs:233:5:\n"
		"panic in a destructor during cleanup\n"
		"thread caused non-unwinding panic. aborting.\n"
		"thread 'main' (22776) panicked at batch4.rs:114:13:\n"
		"batch 7qz aborted\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 12);
	assert_string_equal(f->col.ev[0]->message, "batch 1x aborted");
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	collect_release(&f->col);

	feed(f, "thread 'writer' (22751) panicked at batch4.rs:106:21:\n"
		"writer lost row 1x\n"
		"note: run with `RUST_BACKTRACE=1` environment variable to display a "
		"backtrace\n"
		"\n"
		"thread 'main' (22750) panicked at batch4.rs:110:37:\n"
		"called `Result::unwrap()` on an `Err` value: PoisonError { .. }\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	fixture_free(f);
}

/* Python's unraisable hook names what raised before the traceback; a
 * pool worker's traceback comes back quoted, chained to the parent's. */
static void test_python_unraisable_and_remote(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "Exception ignored in: <function Conn.__del__ at 0x7fa2e51d6980>\n"
	     "Traceback (most recent call last):\n"
	     "  File \"/app/b.py\", line 85, in __del__\n"
	     "    raise ConnectionResetError(\"reset\")\n"
	     "ConnectionResetError: peer 10.0.0.2 reset the connection\n"
	     "2026-12-01 10:00:00 INFO runner: job 1 done\n"
	     "multiprocessing.pool.RemoteTraceback: \n"
	     "\"\"\"\n"
	     "Traceback (most recent call last):\n"
	     "  File \"/usr/lib/python3.11/multiprocessing/pool.py\", line 125, in "
	     "worker\n"
	     "    result = (True, func(*args, **kwds))\n"
	     "  File \"/app/b.py\", line 77, in parse_qty\n"
	     "    return int(raw)\n"
	     "ValueError: invalid literal for int() with base 10: '1x'\n"
	     "\"\"\"\n"
	     "\n"
	     "The above exception was the direct cause of the following exception:\n"
	     "\n"
	     "Traceback (most recent call last):\n"
	     "  File \"/app/b.py\", line 120, in main\n"
	     "    p.map(parse_qty, [\"3\", val])\n"
	     "  File \"/usr/lib/python3.11/multiprocessing/pool.py\", line 774, in get\n"
	     "    raise self._value\n"
	     "ValueError: invalid literal for int() with base 10: '1x'\n"
	     "2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->type, "ConnectionResetError");
	assert_int_equal(f->col.ev[1]->nr_lines, 18);
	assert_string_equal(f->col.ev[1]->type, "ValueError");
	fixture_free(f);
}

/* concurrent.futures' remote traceback behind a collector's time
 * (`kubectl logs --timestamps`) */
static void test_python_remote_prefixed(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01T10:01:01.0Z concurrent.futures.process._RemoteTraceback: \n"
		"2026-12-01T10:01:02.0Z \"\"\"\n"
		"2026-12-01T10:01:03.0Z Traceback (most recent call last):\n"
		"2026-12-01T10:01:04.0Z   File \"/app/b.py\", line 77, in parse_qty\n"
		"2026-12-01T10:01:05.0Z     return int(raw)\n"
		"2026-12-01T10:01:06.0Z ValueError: invalid literal\n"
		"2026-12-01T10:01:07.0Z \"\"\"\n"
		"2026-12-01T10:01:08.0Z \n"
		"2026-12-01T10:01:09.0Z The above exception was the direct cause of the "
		"following exception:\n"
		"2026-12-01T10:01:10.0Z \n"
		"2026-12-01T10:01:11.0Z Traceback (most recent call last):\n"
		"2026-12-01T10:01:12.0Z   File \"/app/b.py\", line 120, in main\n"
		"2026-12-01T10:01:13.0Z     pool.submit(parse_qty, v).result()\n"
		"2026-12-01T10:01:14.0Z ValueError: invalid literal\n"
		"2026-12-01T10:01:15.0Z next\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 14);
	assert_string_equal(f->col.ev[0]->type, "ValueError");
	fixture_free(f);
}

/* socketserver (http.server's base) rules its report of what a handler
 * raised off with 40 dashes above and below; a rule alone is no event. */
static void test_python_socketserver_report(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "----------------------------------------\n"
	     "build 14 starting\n"
	     "----------------------------------------\n"
	     "Exception occurred during processing of request from ('10.1.2.3', 51000)\n"
	     "Traceback (most recent call last):\n"
	     "  File \"/usr/lib/python3.11/socketserver.py\", line 755, in __init__\n"
	     "    self.handle()\n"
	     "  File \"/srv/api/handlers.py\", line 41, in do_POST\n"
	     "    order = load(self.rfile)\n"
	     "KeyError: 'sku'\n"
	     "----------------------------------------\n"
	     "127.0.0.1 - - [01/Dec/2026 10:00:01] \"GET / HTTP/1.1\" 200 -\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->lines[0],
			    "----------------------------------------");
	assert_string_equal(f->col.ev[0]->lines[8],
			    "----------------------------------------");
	assert_string_equal(f->col.ev[0]->type, "KeyError");
	fixture_free(f);
}

/* logging.exception()'s message above the traceback ("Error on
 * request:", as Werkzeug writes it): part of the event.  A line ending in
 * ':' with no traceback under it stays what it was. */
static void test_python_announced_traceback(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Settings:\n"
		"  workers = 4\n"
		"ERROR could not open the spool:\n"
		"ready\n"
		"Failed to settle invoice 7:\n"
		"Traceback (most recent call last):\n"
		"  File \"/srv/billing/settle.py\", line 88, in settle\n"
		"    total = sum(lines)\n"
		"TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
		"done\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 1);
	assert_string_equal(f->col.ev[0]->lines[0], "ERROR could not open the spool:");
	assert_int_equal(f->col.ev[1]->nr_lines, 5);
	assert_string_equal(f->col.ev[1]->lines[0], "Failed to settle invoice 7:");
	assert_string_equal(f->col.ev[1]->type, "TypeError");
	fixture_free(f);

	/* right under a logged traceback, it heads the next one */
	f = fixture_new(0, 0);
	feed(f, "2026-12-01 10:00:00 ERROR [shop] settle failed\n"
		"Traceback (most recent call last):\n"
		"  File \"/srv/a.py\", line 3, in run\n"
		"    go()\n"
		"KeyError: 'a'\n"
		"Error on request:\n"
		"Traceback (most recent call last):\n"
		"  File \"/srv/b.py\", line 9, in handle\n"
		"    serve()\n"
		"OSError: closed\n"
		"2026-12-01 10:00:01 INFO next\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_int_equal(f->col.ev[1]->nr_lines, 5);
	assert_string_equal(f->col.ev[1]->lines[0], "Error on request:");
	fixture_free(f);
}

/* An error chain written out under its log line, one cause to a line. */
static void test_error_line_causes(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-01T10:00:00Z ERROR [shop::sync] sync failed: cannot read feed\n"
		"    Caused by: connection reset\n"
		"    caused by: peer closed\n"
		"2026-12-01T10:00:01Z INFO [shop::sync] retrying\n"
		"    caused by: nothing above it is an error\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	fixture_free(f);
}

/* Rack's dump of what a request raised (Sinatra with dump_errors): the
 * time, the class and the message, then the backtrace without "from". */
static void test_ruby_rack_dump(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "2026-12-01 10:00:00 - ArgumentError - invalid value for Integer(): \"x\":\n"
	     "\t/srv/shop/app.rb:12:in `Integer'\n"
	     "\t/srv/shop/app.rb:12:in `block in <class:Shop>'\n"
	     "\t/usr/lib/ruby/vendor_ruby/rack/builder.rb:251:in `call'\n"
	     "127.0.0.1 - - [01/Dec/2026:10:00:00 +0000] \"GET /q HTTP/1.1\" 500 30\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->type, "ArgumentError");
	assert_string_equal(f->col.ev[0]->message, "invalid value for Integer(): \"x\"");
	fixture_free(f);
}

/* The thread's default handler prints an exception's own toString(). */
static void test_java_own_tostring(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Exception in thread \"main\" LeaseConflict(lease=1x, holder=worker-2)\n"
		"\tat Batch4.acquire(batch4.java:28)\n"
		"\tat Batch4.main(batch4.java:56)\n"
		"\tSuppressed: java.lang.IllegalStateException: release of 1x failed\n"
		"\t\tat Batch4.acquire(batch4.java:29)\n"
		"\t\t... 1 more\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_string_equal(f->col.ev[0]->type, "LeaseConflict");
	assert_string_equal(f->col.ev[0]->message,
			    "LeaseConflict(lease=1x, holder=worker-2)");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* Under Node's source context, the error whose name has no "Error" in it:
 * what Node throws for a rejection with a reason that is no Error. */
static void test_node_named_error(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "node:internal/process/promises:389\n"
	    "      new UnhandledPromiseRejection(reason);\n"
	    "      ^\n"
	    "\n"
	    "UnhandledPromiseRejection: This error originated either by throwing inside "
	    "of an async function without a catch block. The promise rejected with the "
	    "reason \"quota exceeded for 1x\".\n"
	    "    at throwUnhandledRejectionsMode (node:internal/process/promises:389:7)\n"
	    "    at processPromiseRejections (node:internal/process/promises:470:17) {\n"
	    "  code: 'ERR_UNHANDLED_REJECTION'\n"
	    "}\n"
	    "\n"
	    "Node.js v20.20.2\n"
	    "2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 11);
	assert_string_equal(f->col.ev[0]->type, "UnhandledPromiseRejection");
	fixture_free(f);
}

/* Monolog's LineFormatter with a format of its own: the time without
 * brackets, stack traces of the exception and the previous one. */
static void test_monolog_own_format(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "2026-12-01 21:22:21 quotes.ERROR: quote 1x failed {\"exception\":\"[object] "
	    "(QuoteException(code: 5): quote 1x is unreadable at /app/b.php:45)\n"
	    "[stacktrace]\n"
	    "#0 /app/b.php(74): quote()\n"
	    "#1 {main}\n"
	    "\n"
	    "[previous exception] [object] (JsonException(code: 4): Syntax error at "
	    "/app/b.php:37)\n"
	    "[stacktrace]\n"
	    "#0 /app/b.php(37): json_decode()\n"
	    "#1 {main}\n"
	    "\"}\n"
	    "2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 10);
	assert_string_equal(f->col.ev[0]->type, "QuoteException");
	fixture_free(f);
}

/* Ruby's full_message after a label of the program's: the report and
 * its causes, the file without the label. */
static void test_ruby_labelled_full_message(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "sync worker: batch4.rb:22:in `rescue in sync_row': sync of 1x failed "
		"(SyncError)\n"
		"\tfrom batch4.rb:19:in `sync_row'\n"
		"\tfrom batch4.rb:40:in `<main>'\n"
		"batch4.rb:16:in `rescue in read_row': row 1x unreadable (StoreError)\n"
		"\tfrom batch4.rb:13:in `read_row'\n"
		"\tfrom batch4.rb:40:in `<main>'\n"
		"batch4.rb:14:in `Integer': invalid value for Integer(): \"1x\" "
		"(ArgumentError)\n"
		"\tfrom batch4.rb:14:in `read_row'\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 8);
	assert_string_equal(f->col.ev[0]->type, "SyncError");
	assert_string_equal(f->col.ev[0]->message, "sync of 1x failed");
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	check_frame(&f->col.ev[0]->frames[0], NULL, "rescue in sync_row", "batch4.rb", 22,
		    1);
	fixture_free(f);
}

/* An exception raised in an ensure clause while another one was on its
 * way: Ruby prints that one after it, as its cause; one event. */
static void test_ruby_raised_in_ensure(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "batch6.rb:53:in `Integer': invalid value for Integer(): \"1x\" "
		"(ArgumentError)\n"
		"\tfrom batch6.rb:53:in `ensure in <main>'\n"
		"\tfrom batch6.rb:53:in `<main>'\n"
		"batch6.rb:8:in `settle': cannot settle slot 1x: 2 free (SlotError)\n"
		"\tfrom batch6.rb:12:in `book'\n"
		"\tfrom batch6.rb:51:in `<main>'\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_string_equal(f->col.ev[0]->type, "ArgumentError");
	fixture_free(f);
}

/* asyncio's report through a logger with a format of its own: the log
 * line, the task it names, the traceback; one event of the exception. */
static void test_python_asyncio_logged(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "2026-12-02 04:22:10,124 ERROR asyncio: Task exception was never retrieved\n"
	     "future: <Task finished name='Task-2' coro=<worker() done, defined at "
	     "/app/batch6.py:43> exception=SlotError('cannot settle slot 1x: 2 free')>\n"
	     "Traceback (most recent call last):\n"
	     "  File \"/app/batch6.py\", line 44, in worker\n"
	     "    book(slot)\n"
	     "  File \"/app/batch6.py\", line 17, in settle\n"
	     "    raise SlotError(\"cannot settle slot %s: %d free\" % (slot, free))\n"
	     "SlotError: cannot settle slot 1x: 2 free\n"
	     "2026-12-01 10:00:00 INFO runner: job 1 done\n"
	     "2026-12-02 04:22:10,124 ERROR app: order 1x failed\n"
	     "future: <Task finished name='Task-3'>\n"
	     "2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 8);
	assert_string_equal(f->col.ev[0]->type, "SlotError");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	/* no announcement: the log line alone */
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	fixture_free(f);
}

/* rich's traceback box: RichHandler's log line, the box indented under
 * it, the exception line; the frames from the box's frame lines. */
static void test_python_rich_box(void **state)
{
	struct fixture *f = fixture_new(0, 0);
#define TL "\xe2\x95\xad"
#define TR "\xe2\x95\xae"
#define BL "\xe2\x95\xb0"
#define BR "\xe2\x95\xaf"
#define H "\xe2\x94\x80"
#define V "\xe2\x94\x82"
#define MARK "\xe2\x9d\xb1"
	(void)state;

	feed(f, "ERROR    booking failed for 1x                         batch6.py:62\n"
		"         " TL H H " Traceback (most recent call last) " H H TR "      \n"
		"         " V " /app/batch6.py:60 in main                " V "      \n"
		"         " V "                                          " V "      \n"
		"         " V "   59 " V "   try:                          " V "      \n"
		"         " V " " MARK " 60 " V "   book(val)                     " V
		"      \n"
		"         " V "                                          " V "      \n"
		"         " V " /app/batch6.py:17 in settle              " V "      \n"
		"         " V " " MARK " 17 " V "   raise SlotError(\"cannot settle \" " V
		"\n"
		"         " BL H H H H H H H H H H H H H H H H H H H H H H H BR "      \n"
		"         SlotError: cannot settle slot 1x: 2 free                 \n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n" TL H
		" Traceback (most recent call last) " H TR "\n" V
		" /usr/lib/python3.11/json/decoder.py:355 in raw_decode " V "\n" BL H H BR
		"\n"
		"JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n"
		"2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 11);
	assert_string_equal(f->col.ev[0]->type, "SlotError");
	assert_string_equal(f->col.ev[0]->message, "cannot settle slot 1x: 2 free");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	check_frame(&f->col.ev[0]->frames[0], NULL, "main", "/app/batch6.py", 60, 1);
	check_frame(&f->col.ev[0]->frames[1], NULL, "settle", "/app/batch6.py", 17, 1);
	assert_int_equal(f->col.ev[1]->nr_lines, 4);
	assert_string_equal(f->col.ev[1]->type, "JSONDecodeError");
	assert_int_equal(f->col.ev[1]->nr_frames, 1);
	check_frame(&f->col.ev[1]->frames[0], NULL, "raw_decode",
		    "/usr/lib/python3.11/json/decoder.py", 355, 0);
#undef TL
#undef TR
#undef BL
#undef BR
#undef H
#undef V
#undef MARK
	fixture_free(f);
}

/* node:assert's diff runs over more lines than most messages: all of
 * them are the message, up to the first frame. */
static void test_node_assert_long_diff(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "node:assert:90\n"
	    "  throw new AssertionError(obj);\n"
	    "  ^\n"
	    "\n"
	    "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:\n"
	    "+ actual - expected\n"
	    "\n"
	    "  {\n"
	    "+   free: 2,\n"
	    "-   free: 5,\n"
	    "    slot: '1x',\n"
	    "    tags: [\n"
	    "      'a',\n"
	    "+     'b'\n"
	    "-     'c'\n"
	    "    ]\n"
	    "  }\n"
	    "    at Object.<anonymous> (/app/batch6.js:31:12)\n"
	    "    at node:internal/main/run_main_module:28:49 {\n"
	    "  generatedMessage: true,\n"
	    "  code: 'ERR_ASSERTION',\n"
	    "  operator: 'deepStrictEqual'\n"
	    "}\n"
	    "\n"
	    "Node.js v20.20.2\n"
	    "2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 25);
	assert_string_equal(f->col.ev[0]->type, "AssertionError");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* A panic's report ends with its note: an indented line after it (the
 * next program's trace on the same stream) is no line of it. */
static void test_rust_note_ends_panic(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "thread 'slot-7qz' (30858) panicked at src/main.rs:52:41:\n"
		"booking thread: cannot book slot 7qz\n"
		"\n"
		"Caused by:\n"
		"    0: reading the ledger\n"
		"stack backtrace:\n"
		"   0: chainfail::main::{{closure}}\n"
		"             at ./chainfail/src/main.rs:52:41\n"
		"note: Some details are omitted, run with `RUST_BACKTRACE=full` for a "
		"verbose backtrace.\n"
		"  + Exception Group Traceback (most recent call last):\n"
		"  |   File \"/app/batch6.py\", line 40, in group\n"
		"  |     raise ExceptionGroup(\"booking failed\", errors)\n"
		"  | ExceptionGroup: booking failed (1 sub-exception)\n"
		"  +-+---------------- 1 ----------------\n"
		"    | KeyError: '1x'\n"
		"    +------------------------------------\n");
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->kind, "rust");
	assert_int_equal(f->col.ev[1]->nr_lines, 7);
	assert_string_equal(f->col.ev[1]->type, "ExceptionGroup");
	fixture_free(f);
}

/* Two exception groups one after the other, nothing between them (the
 * other lines went to another stream): two failures. */
static void test_python_groups_back_to_back(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *group = "  + Exception Group Traceback (most recent call last):\n"
			    "  |   File \"/app/batch6.py\", line 40, in group\n"
			    "  |     raise ExceptionGroup(\"booking failed\", errors)\n"
			    "  | ExceptionGroup: booking failed (1 sub-exception)\n"
			    "  +-+---------------- 1 ----------------\n"
			    "    | Traceback (most recent call last):\n"
			    "    |   File \"/app/batch6.py\", line 37, in group\n"
			    "    |     {}[slot]\n"
			    "    | KeyError: '1x'\n"
			    "    +------------------------------------\n";
	char *text = qe_xasprintf("%s%s", group, group);
	(void)state;

	feed(f, text);
	free(text);
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 10);
	assert_string_equal(f->col.ev[0]->type, "ExceptionGroup");
	assert_int_equal(f->col.ev[1]->nr_lines, 10);
	fixture_free(f);
}

/* A worker's uncaught error as the parent re-throws it: two source
 * contexts, Node's own and the worker's eval'd code, then the error. */
static void test_node_worker_two_contexts(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "node:internal/event_target:1105\n"
		"  process.nextTick(() => { throw err; });\n"
		"                           ^\n"
		"[worker eval]:3\n"
		"      function settle(slot) { throw new SlotError('no ' + slot); }\n"
		"                              ^\n"
		"\n"
		"SlotError: no 1x\n"
		"    at settle ([worker eval]:3:37)\n"
		"    at [worker eval]:4:7\n"
		"Emitted 'error' event on Worker instance at:\n"
		"    at [kOnErrorMessage] (node:internal/worker:333:10)\n"
		"\n"
		"Node.js v20.20.2\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 14);
	assert_string_equal(f->col.ev[0]->type, "SlotError");
	fixture_free(f);
}

/* The interpreter's fatal error as faulthandler reports it: one event
 * of type fatal, the failing thread's frames. */
static void test_python_fatal_error(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "Fatal Python error: Segmentation fault\n"
	     "\n"
	     "Current thread 0x00007fe85bf6b040 (most recent call first):\n"
	     "  File \"/usr/lib/python3.11/ctypes/__init__.py\", line 519 in string_at\n"
	     "  File \"/app/batch6.py\", line 93 in main\n"
	     "  File \"/app/batch6.py\", line 97 in <module>\n"
	     "\n"
	     "Thread 0x00007fe85a000640 (most recent call first):\n"
	     "  File \"/app/batch6.py\", line 20 in poll\n"
	     "\n"
	     "Extension modules: _cffi_backend (total: 1)\n"
	     "2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 11);
	assert_string_equal(f->col.ev[0]->type, "fatal");
	assert_string_equal(f->col.ev[0]->message, "Segmentation fault");
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	check_frame(&f->col.ev[0]->frames[0], NULL, "string_at",
		    "/usr/lib/python3.11/ctypes/__init__.py", 519, 0);
	check_frame(&f->col.ev[0]->frames[1], NULL, "main", "/app/batch6.py", 93, 1);
	fixture_free(f);
}

/* A record logged with stack_info: the line, then the stack where it
 * was logged; one event without an exception. */
static void test_python_stack_info(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02 04:22:10,060 ERROR bookings: slot 1x left unsettled\n"
		"Stack (most recent call last):\n"
		"  File \"/app/batch6.py\", line 97, in <module>\n"
		"    main(sys.argv[1], sys.argv[2])\n"
		"  File \"/app/batch6.py\", line 70, in main\n"
		"    logging.getLogger(\"bookings\").error(\"slot %s\", val, "
		"stack_info=True)\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 6);
	assert_string_equal(f->col.ev[0]->kind, "python");
	assert_null(f->col.ev[0]->type);
	fixture_free(f);
}

/* console.trace(): "Trace: msg" and the stack, an event of type Trace;
 * the same words without a stack are no event. */
static void test_node_console_trace(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Trace: slot 1x left unsettled\n"
		"    at Object.<anonymous> (/app/batch6.js:36:13)\n"
		"    at Module._compile (node:internal/modules/cjs/loader:1521:14)\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n"
		"Trace: on\n"
		"2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->type, "Trace");
	assert_string_equal(f->col.ev[0]->message, "slot 1x left unsettled");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* A thread's exception, reported when it died and raised again by join
 * in the joining thread: one failure. */
static void test_ruby_thread_join(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	const char *chain =
	    "batch4.rb:22:in `rescue in sync_row': sync of 1x failed (SyncError)\n"
	    "\tfrom batch4.rb:19:in `sync_row'\n"
	    "batch4.rb:16:in `rescue in read_row': row 1x unreadable (StoreError)\n"
	    "\tfrom batch4.rb:13:in `read_row'\n"
	    "batch4.rb:14:in `Integer': invalid value for Integer(): \"1x\" "
	    "(ArgumentError)\n"
	    "\tfrom batch4.rb:14:in `read_row'\n";
	char *text;
	(void)state;

	text = qe_xasprintf("#<Thread:0x00007efdbc8cada0 batch4.rb:65 run> terminated "
			    "with exception (report_on_exception is true):\n%s%s"
			    "2026-12-01 10:00:00 INFO runner: job 1 done\n%s",
			    chain, chain, chain);
	feed(f, text);
	free(text);
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 13);
	assert_string_equal(f->col.ev[0]->type, "SyncError");
	assert_int_equal(f->col.ev[1]->nr_lines, 6);
	fixture_free(f);
}

/* The error a Rust main returned, printed with its sources as anyhow
 * does: one event, no type. */
static void test_rust_main_error_sources(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "Error: sync of row 1x failed\n"
		"\n"
		"Caused by:\n"
		"    0: row 1x is not a number\n"
		"    1: invalid digit found in string\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n"
		/* eyre's: where the error was made, last */
		"Error: sync of row 7 failed\n"
		"\n"
		"Caused by:\n"
		"   0: row 7 is locked\n"
		"\n"
		"Location:\n"
		"    src/sync.rs:40:9\n"
		"2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->kind, "rust");
	assert_null(f->col.ev[0]->type);
	assert_int_equal(f->col.ev[1]->nr_lines, 7);
	assert_string_equal(f->col.ev[1]->lines[6], "    src/sync.rs:40:9");
	fixture_free(f);
}

/* console.log of an object with an error among its keys: the text, the
 * object and the error's stack are one event. */
static void test_node_error_in_object(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f,
	     "job failed {\n"
	     "  job: '1x',\n"
	     "  attempt: 3,\n"
	     "  err: TypeError: Cannot read properties of undefined (reading 'count')\n"
	     "      at retries (/app/b.js:10:20)\n"
	     "      at Object.<anonymous> (/app/b.js:33:5)\n"
	     "}\n"
	     "2026-12-01 10:00:00 INFO runner: job 1 done\n"
	     "config {\n"
	     "  port: 80,\n"
	     "}\n"
	     "ERROR job failed {\n"
	     "  id: 3\n"
	     "}\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 7);
	assert_string_equal(f->col.ev[0]->type, "TypeError");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	assert_string_equal(f->col.ev[1]->lines[0], "ERROR job failed {");
	fixture_free(f);
}

/* loguru's traceback: blank lines between frames, the values under each
 * line drawn with box characters, "> File" for the frame that caught
 * the exception; one event, its type from the last line. */
static void test_python_loguru_traceback(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02 00:31:04.085 | ERROR    | __main__:<lambda>:62 - reservation "
		"of 1x failed\n"
		"Traceback (most recent call last):\n"
		"\n"
		"  File \"/app/shop.py\", line 62, in main\n"
		"    handle(val)\n"
		"    \xe2\x94\x94 <function handle at 0x7ff21fa75760>\n"
		"\n"
		"> File \"/app/shop.py\", line 22, in handle\n"
		"    reserve(sku)\n"
		"    \xe2\x94\x82       \xe2\x94\x94 '1x'\n"
		"    \xe2\x94\x94 <function reserve at 0x7ff21fc5c4a0>\n"
		"\n"
		"  File \"/app/shop.py\", line 17, in reserve\n"
		"    raise StockError(sku)\n"
		"\n"
		"StockError: cannot reserve 1x: 2 left\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 16);
	assert_string_equal(f->col.ev[0]->type, "StockError");
	assert_string_equal(f->col.ev[0]->message, "cannot reserve 1x: 2 left");
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	check_frame(&f->col.ev[0]->frames[1], NULL, "handle", "/app/shop.py", 22, 1);
	fixture_free(f);
}

/* The logging gem's report of an exception: "<Class> message", then the
 * backtrace indented by a tab, without "from". */
static void test_ruby_logging_gem(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(
	    f,
	    "ERROR  billing : <ChargeError> card 1x declined (2 tries)\n"
	    "\tbatch5.rb:10:in `charge'\n"
	    "\tbatch5.rb:14:in `settle'\n"
	    "\tbatch5.rb:33:in `<main>'\n"
	    "2026-12-01 10:00:00 INFO runner: job 1 done\n"
	    "[2026-12-02T00:32:23] ERROR billing: <Shop::ChargeError> card 7qz declined\n"
	    "\tbatch5.rb:10:in `charge'\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 4);
	assert_string_equal(f->col.ev[0]->type, "ChargeError");
	assert_string_equal(f->col.ev[0]->message, "card 1x declined (2 tries)");
	assert_int_equal(f->col.ev[0]->nr_frames, 3);
	check_frame(&f->col.ev[0]->frames[0], NULL, "charge", "batch5.rb", 10, 1);
	assert_int_equal(f->col.ev[1]->nr_lines, 2);
	assert_string_equal(f->col.ev[1]->type, "Shop::ChargeError");
	fixture_free(f);
}

/* zap's development logger: the log line, then the stack it took, a
 * function without arguments and its file on the next line; a line
 * that only looks like a function is no frame. */
static void test_go_zap_stack(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02T00:31:48.363Z\tERROR\tapp/main.go:62\torder not placed\t"
		"{\"sku\": \"1x\"}\n"
		"main.main\n"
		"\t/src/app/main.go:62\n"
		"runtime.main\n"
		"\t/usr/lib/go-1.19/src/runtime/proc.go:250\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n"
		"2026-12-02T00:31:49.363Z\tERROR\tapp/main.go:70\tsync failed\n"
		"shard.eu\n"
		"2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 5);
	assert_string_equal(f->col.ev[0]->kind, "go");
	assert_null(f->col.ev[0]->type);
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	fixture_free(f);
}

/* winston's printf format, "${timestamp} ${level}: ${stack}": the
 * error's stack after a lower-case level. */
static void test_node_winston_printf(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02T00:36:25.231Z error: StockError: cannot reserve 1x: 2 left\n"
		"    at reserve (/app/batch5.js:24:9)\n"
		"    at Object.<anonymous> (/app/batch5.js:75:5)\n"
		"2026-12-02T00:36:25.231Z info: error count 0\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 3);
	assert_string_equal(f->col.ev[0]->type, "StockError");
	assert_string_equal(f->col.ev[0]->message, "cannot reserve 1x: 2 left");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	fixture_free(f);
}

/* A panic hook that logs the panic's info through a logger: since Rust
 * 1.73 the message follows "panicked at file:line:column:" on its own
 * line. */
static void test_rust_panic_hook_line(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02T00:32:17.864645Z ERROR tracefail: worker panicked "
		"panic=panicked at src/main.rs:12:6:\n"
		"index out of bounds: the len is 2 but the index is 3\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n"
		"2026-12-02T00:32:18Z ERROR app: not a panic: see src/main.rs:12:6:\n"
		"2026-12-01 10:00:00 INFO runner: job 2 done\n");
	assert_int_equal(f->col.n, 2);
	assert_int_equal(f->col.ev[0]->nr_lines, 2);
	assert_string_equal(f->col.ev[0]->type, "panic");
	assert_string_equal(f->col.ev[0]->message,
			    "index out of bounds: the len is 2 but the index is 3");
	assert_int_equal(f->col.ev[1]->nr_lines, 1);
	fixture_free(f);
}

/* Log4j's %rEx prints the root cause first and each exception that
 * wrapped it after "Wrapped by:": the one thrown is the last, and its
 * frames are the event's. */
static void test_java_root_cause_first(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02 00:36:39,832 ERROR billing - run 1x stopped\n"
		"java.lang.NumberFormatException: For input string: \"1x\"\n"
		"\tat java.lang.Integer.parseInt(Integer.java:668) ~[?:?]\n"
		"\tat Batch5.units(batch5.java:10) ~[app/:?]\n"
		"\tat Batch5.settle(batch5.java:15) ~[app/:?]\n"
		"\t... 1 more\n"
		"Wrapped by: java.lang.IllegalStateException: settlement of invoice 1x "
		"failed\n"
		"\tat Batch5.settle(batch5.java:17) ~[app/:?]\n"
		"\tat Batch5.main(batch5.java:38) ~[app/:?]\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 9);
	assert_string_equal(f->col.ev[0]->type, "java.lang.IllegalStateException");
	assert_string_equal(f->col.ev[0]->message, "settlement of invoice 1x failed");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	check_frame(&f->col.ev[0]->frames[0], "Batch5", "settle", "batch5.java", 17, 1);
	fixture_free(f);
}

/* Root cause first, the exception thrown a class of the default package:
 * the last "Wrapped by:" is still the one thrown. */
static void test_java_root_cause_first_default_package(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	(void)state;

	feed(f, "2026-12-02 04:23:00,034 ERROR [main] bookings - booking failed for 1x\n"
		"java.lang.NumberFormatException: For input string: \"1x\"\n"
		"\tat java.base/java.lang.Integer.parseInt(Integer.java:668)\n"
		"\tat Batch6.parse(batch6.java:22)\n"
		"\t... 2 common frames omitted\n"
		"Wrapped by: java.lang.IllegalStateException: slot 1x unreadable\n"
		"\tat Batch6.settle(batch6.java:29)\n"
		"\t... 1 common frames omitted\n"
		"Wrapped by: Batch6$SlotException: cannot book slot 1x\n"
		"\tat Batch6.book(batch6.java:37)\n"
		"\tat Batch6.main(batch6.java:70)\n"
		"2026-12-01 10:00:00 INFO runner: job 1 done\n");
	assert_int_equal(f->col.n, 1);
	assert_int_equal(f->col.ev[0]->nr_lines, 11);
	assert_string_equal(f->col.ev[0]->type, "Batch6$SlotException");
	assert_string_equal(f->col.ev[0]->message, "cannot book slot 1x");
	assert_int_equal(f->col.ev[0]->nr_frames, 2);
	check_frame(&f->col.ev[0]->frames[0], "Batch6", "book", "batch6.java", 37, 1);
	fixture_free(f);
}

/* Frames one at a time, as JSON records list them: the syntax tells the
 * kind, and each frame is read as a trace of that kind reads it. */
static void test_frames_one_at_a_time(void **state)
{
	static const struct {
		const char *frame, *kind;
	} kinds[] = {
	    {"batch4.rb:22:in `rescue in sync_row'", "ruby"},
	    {"\tfrom /app/lib/a.rb:3:in `Klass#run'", "ruby"},
	    {"  File \"/srv/a.py\", line 3, in f\n    g()\n", "python"},
	    {"#1 /srv/a.php(51): due_date()", "php"},
	    {"/srv/a.php:61", "php"},
	    {"at com.example.Stock.take(Stock.java:42)", "java"},
	    {"com.example.Stock.take(Stock.kt:42)", "java"},
	    {"java.lang.Thread.run(Native Method)", "java"},
	    {"at Shop.Cart.Add(String id) in /src/Cart.cs:line 12", "dotnet"},
	    {"at Shop.Cart.Add (System.String id) [0x0000b] in <f00d>:0", "dotnet"},
	    {"at Shop.Cart.Add(String id)", "dotnet"},
	    {"at runJob (/app/src/job.js:3:7)", "node"},
	    {"at process.tick (node:internal/process/task_queues:95:5)", "node"},
	    {"at /app/src/job.mjs:3:7", "node"},
	    {"/go/src/app/main.go:12", "go"},
	    {"somewhere", NULL},
	    {"", NULL},
	};
	struct qe_event *ev;
	size_t i;
	(void)state;

	for (i = 0; i < QE_ARRAY_SIZE(kinds); i++) {
		const char *k =
		    qe_trace_frame_kind(kinds[i].frame, strlen(kinds[i].frame));
		if (!k != !kinds[i].kind || (k && strcmp(k, kinds[i].kind)))
			fail_msg("'%s': kind %s, not %s", kinds[i].frame, k ? k : "-",
				 kinds[i].kind ? kinds[i].kind : "-");
	}
	assert_string_equal(qe_trace_file_kind("/srv/a.php:39", 13), "php");
	assert_string_equal(qe_trace_file_kind("Stock.java", 10), "java");
	assert_string_equal(qe_trace_file_kind("a.js(3)", 7), "node");
	assert_null(qe_trace_file_kind("Makefile", 8));

	ev = qe_event_new("ruby", "json");
	assert_int_equal(qe_trace_add_frame_text(ev, "app.rb:3:in `Klass#run'", 23), 1);
	assert_int_equal(
	    qe_trace_add_frame_text(ev, "/usr/lib/ruby/3.1.0/set.rb:5:in `each'", 38), 1);
	assert_int_equal(qe_trace_add_frame_text(ev, "somewhere", 9), 0);
	assert_int_equal(ev->nr_frames, 2);
	assert_string_equal(ev->frames[0].module, "Klass");
	assert_string_equal(ev->frames[0].function, "run");
	assert_int_equal(ev->frames[0].line, 3);
	assert_true(ev->frames[0].in_app);
	assert_false(ev->frames[1].in_app);
	qe_event_free(ev);

	ev = qe_event_new("java", "json");
	qe_trace_add_frame_parts(ev, NULL, "java.util.ArrayList.forEach",
				 "ArrayList.java", 1596);
	qe_trace_add_frame_parts(ev, "com.example.App", "main", "App.java", 9);
	assert_int_equal(
	    qe_trace_add_frame_text(ev, "com.example.App.run(App.java:3)", 31), 1);
	assert_int_equal(ev->nr_frames, 3);
	assert_string_equal(ev->frames[0].module, "java.util.ArrayList");
	assert_string_equal(ev->frames[0].function, "forEach");
	assert_false(ev->frames[0].in_app);
	assert_true(ev->frames[1].in_app);
	assert_string_equal(ev->frames[2].function, "run");
	qe_event_free(ev);

	ev = qe_event_new("php", "json");
	assert_int_equal(qe_trace_add_frame_text(ev, "/srv/vendor/x/A.php:12", 22), 1);
	assert_int_equal(
	    qe_trace_add_frame_text(ev, "#0 /srv/a.php(34): Cart->add()", 30), 1);
	assert_int_equal(ev->nr_frames, 2);
	assert_string_equal(ev->frames[0].file, "/srv/vendor/x/A.php");
	assert_int_equal(ev->frames[0].line, 12);
	assert_false(ev->frames[0].in_app);
	assert_string_equal(ev->frames[1].module, "Cart");
	assert_string_equal(ev->frames[1].function, "add");
	qe_event_free(ev);
}

/* qe_assembler_takes() says what feeding a line to an idle assembler
 * does, for every line of the corpora: the scan passes over the lines it
 * says nothing of, so one it gets wrong is an event lost. */
static void test_takes_is_what_feed_does(void **state)
{
	static const char *const pats[] = {
	    "tests/data/runtimes/*.log", "tests/data/runtimes-unseen/*.log",
	    "tests/data/traces/*.log",	 "tests/data/demo/*.log",
	    "tests/data/formats/*.log",	 "tests/data/analyze/*.log",
	};
	struct qe_config cfg;
	struct qe_rules *r;
	size_t p, i, lines = 0, taken = 0;
	(void)state;
	qe_config_init(&cfg);
	r = qe_rules_new(&cfg);
	assert_non_null(r);
	for (p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
		glob_t g;
		if (glob(pats[p], 0, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			char *text = slurp(g.gl_pathv[i], NULL), *l, *nl;
			assert_non_null(text);
			for (l = text; *l; l = nl + 1) {
				struct collect col = {{NULL}, 0, 0};
				struct qe_assembler *a =
				    qe_assembler_new(r, 0, 0, collect_fn, &col);
				size_t len;
				int t, changed;
				if (!(nl = strchr(l, '\n')))
					nl = l + strlen(l);
				len = (size_t)(nl - l);
				if (len && l[len - 1] == '\r')
					len--;
				t = qe_assembler_takes(a, l, len);
				/* asking twice changes nothing either */
				assert_int_equal(qe_assembler_takes(a, l, len), t);
				qe_assembler_feed(a, l, len, 0, len + 1);
				changed = qe_assembler_wants_next(a) || col.n;
				if (t != changed)
					fail_msg("%s: '%.*s': takes %d, feed %s",
						 g.gl_pathv[i], (int)len, l, t,
						 changed ? "took it" : "did nothing");
				lines++;
				taken += t;
				qe_assembler_flush(a);
				qe_assembler_free(a);
				collect_release(&col);
				if (!*nl)
					break;
			}
			free(text);
		}
		globfree(&g);
	}
	assert_true(lines > 1000);
	assert_true(taken > 100 && taken < lines);
	qe_rules_free(r);
	qe_config_release(&cfg);
}

/* Asking counts no hit for a rule: the line is matched again when fed. */
static void test_takes_counts_no_hit(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	struct qe_rule_info ri;
	size_t i, hits = 0;
	static const char line[] = "2026-12-01 10:00:00 ERROR payment failed";
	(void)state;
	assert_true(qe_assembler_takes(f->a, line, strlen(line)));
	for (i = 0; i < qe_rules_count(f->rules); i++) {
		qe_rules_info(f->rules, i, &ri);
		hits += ri.hits;
	}
	assert_int_equal(hits, 0);
	qe_assembler_feed(f->a, line, strlen(line), 0, sizeof(line));
	for (i = 0; i < qe_rules_count(f->rules); i++) {
		qe_rules_info(f->rules, i, &ri);
		hits += ri.hits;
	}
	assert_int_equal(hits, 1);
	fixture_free(f);
}

/* A line it found a start on is not matched again when fed. */
static uint64_t rules_time(struct qe_rules *r)
{
	struct qe_rule_info ri;
	uint64_t t = 0;
	size_t i;
	for (i = 0; i < qe_rules_count(r); i++) {
		qe_rules_info(r, i, &ri);
		t += ri.time_ns;
	}
	return t;
}

static void test_takes_match_is_kept(void **state)
{
	struct fixture *f = fixture_new(0, 0);
	static const char line[] = "java.lang.IllegalStateException: boom";
	char copy[sizeof(line)];
	uint64_t t;
	(void)state;
	qe_rules_set_timing(f->rules, 1);
	assert_true(qe_assembler_takes(f->a, line, strlen(line)));
	t = rules_time(f->rules);
	assert_true(t > 0);
	/* the same bytes elsewhere (the decoder's copy) */
	memcpy(copy, line, sizeof(line));
	qe_assembler_feed(f->a, copy, strlen(copy), 0, sizeof(line));
	assert_true(qe_assembler_pending(f->a, NULL));
	assert_true(rules_time(f->rules) == t);
	qe_assembler_flush(f->a);
	assert_int_equal(f->col.n, 1);
	assert_string_equal(f->col.ev[0]->type, "java.lang.IllegalStateException");
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_takes_is_what_feed_does),
	    cmocka_unit_test(test_takes_counts_no_hit),
	    cmocka_unit_test(test_takes_match_is_kept),
	    cmocka_unit_test(test_java_log_prefix),
	    cmocka_unit_test(test_java_plain_and_blank),
	    cmocka_unit_test(test_java_multiline_message),
	    cmocka_unit_test(test_python_chained),
	    cmocka_unit_test(test_python_syntax_error_location),
	    cmocka_unit_test(test_rust_join_panic),
	    cmocka_unit_test(test_main_returned_error),
	    cmocka_unit_test(test_node_anonymous_and_emitted),
	    cmocka_unit_test(test_python_message_lines),
	    cmocka_unit_test(test_message_before_frames),
	    cmocka_unit_test(test_ruby_after_error_level),
	    cmocka_unit_test(test_python_cause_and_log),
	    cmocka_unit_test(test_node_cause),
	    cmocka_unit_test(test_go_panic),
	    cmocka_unit_test(test_ruby),
	    cmocka_unit_test(test_dotnet_inner),
	    cmocka_unit_test(test_php),
	    cmocka_unit_test(test_rust),
	    cmocka_unit_test(test_single_lines),
	    cmocka_unit_test(test_glog_behind_prefix),
	    cmocka_unit_test(test_hclog_text),
	    cmocka_unit_test(test_ruby_rescued),
	    cmocka_unit_test(test_go_log_panic),
	    cmocka_unit_test(test_line_messages),
	    cmocka_unit_test(test_error_line_merge_kinds),
	    cmocka_unit_test(test_panic_level_line),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_user_rule_and_ignore),
	    cmocka_unit_test(test_huge_line),
	    cmocka_unit_test(test_binary_bytes),
	    cmocka_unit_test(test_parse_idempotent),
	    cmocka_unit_test(test_python_exception_group),
	    cmocka_unit_test(test_go_http_panic),
	    cmocka_unit_test(test_php_next_chain),
	    cmocka_unit_test(test_php_handler),
	    cmocka_unit_test(test_php_parse_error_slog),
	    cmocka_unit_test(test_java_jshell),
	    cmocka_unit_test(test_python_cgitb_text),
	    cmocka_unit_test(test_perl_stack_trace),
	    cmocka_unit_test(test_python_twisted),
	    cmocka_unit_test(test_dotnet_trace_listener),
	    cmocka_unit_test(test_php_xdebug),
	    cmocka_unit_test(test_ruby_rake_aborted),
	    cmocka_unit_test(test_ruby_ractor_remote_error),
	    cmocka_unit_test(test_c_backtrace_symbols),
	    cmocka_unit_test(test_python_gevent_failed_with),
	    cmocka_unit_test(test_java_groovy_caught),
	    cmocka_unit_test(test_node_signale),
	    cmocka_unit_test(test_node_npmlog),
	    cmocka_unit_test(test_go_test_failures),
	    cmocka_unit_test(test_test_runner_runs),
	    cmocka_unit_test(test_python_argparse_error),
	    cmocka_unit_test(test_python_unittest_report),
	    cmocka_unit_test(test_python_doctest_failure),
	    cmocka_unit_test(test_node_vm_relative),
	    cmocka_unit_test(test_node_debug_stack),
	    cmocka_unit_test(test_python_remote_prefixed),
	    cmocka_unit_test(test_node_prelude),
	    cmocka_unit_test(test_prefixes),
	    cmocka_unit_test(test_prefixed_traces),
	    cmocka_unit_test(test_reused_buffer),
	    cmocka_unit_test(test_cheap_continuations),
	    cmocka_unit_test(test_head_and_tail),
	    cmocka_unit_test(test_announced_traces),
	    cmocka_unit_test(test_dotnet_bare_class),
	    cmocka_unit_test(test_java_default_package),
	    cmocka_unit_test(test_node_other_throws),
	    cmocka_unit_test(test_go_type_assertion),
	    cmocka_unit_test(test_rust_repanic_and_poison),
	    cmocka_unit_test(test_python_unraisable_and_remote),
	    cmocka_unit_test(test_python_socketserver_report),
	    cmocka_unit_test(test_python_announced_traceback),
	    cmocka_unit_test(test_error_line_causes),
	    cmocka_unit_test(test_ruby_rack_dump),
	    cmocka_unit_test(test_java_own_tostring),
	    cmocka_unit_test(test_node_named_error),
	    cmocka_unit_test(test_monolog_own_format),
	    cmocka_unit_test(test_ruby_labelled_full_message),
	    cmocka_unit_test(test_ruby_thread_join),
	    cmocka_unit_test(test_rust_main_error_sources),
	    cmocka_unit_test(test_node_error_in_object),
	    cmocka_unit_test(test_python_loguru_traceback),
	    cmocka_unit_test(test_ruby_logging_gem),
	    cmocka_unit_test(test_go_zap_stack),
	    cmocka_unit_test(test_node_winston_printf),
	    cmocka_unit_test(test_rust_panic_hook_line),
	    cmocka_unit_test(test_java_root_cause_first),
	    cmocka_unit_test(test_ruby_raised_in_ensure),
	    cmocka_unit_test(test_python_asyncio_logged),
	    cmocka_unit_test(test_python_rich_box),
	    cmocka_unit_test(test_node_assert_long_diff),
	    cmocka_unit_test(test_rust_note_ends_panic),
	    cmocka_unit_test(test_python_groups_back_to_back),
	    cmocka_unit_test(test_node_worker_two_contexts),
	    cmocka_unit_test(test_python_fatal_error),
	    cmocka_unit_test(test_python_stack_info),
	    cmocka_unit_test(test_node_console_trace),
	    cmocka_unit_test(test_java_root_cause_first_default_package),
	    cmocka_unit_test(test_frames_one_at_a_time),
	    cmocka_unit_test(test_replayed_line_keeps_its_start),
	    cmocka_unit_test(test_sanitizer_reports),
	    cmocka_unit_test(test_fortran_errors),
	    cmocka_unit_test(test_perl_die),
	    cmocka_unit_test(test_c_assert),
	    cmocka_unit_test(test_tcl_error_info),
	    cmocka_unit_test(test_go_pkg_errors_logged),
	    cmocka_unit_test(test_python_exit_message),
	    cmocka_unit_test(test_go_pkg_errors_wrapped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
