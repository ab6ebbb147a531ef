#!/usr/bin/env python3
"""Deterministic mixed application log for the tail benchmark.

    gen_log.py [--size MB] [--seed N] [--error-rate R] [--stats FILE] OUT

Writes OUT (or standard output for '-') until it holds at least --size
megabytes (10^6 bytes), whole records only.  The same seed and size give
the same bytes on every run and every machine (only the stdlib random
module is used, whose Mersenne Twister sequence is stable).

What is in it:
  * ordinary records (INFO/DEBUG/WARN, a few TRACE) in the styles of
    several services: logback, Python logging, logfmt, JSON lines, nginx
    access lines, with variable parts (timestamps, thread names, request
    UUIDs, user ids, client IPs, URLs with ids, durations, sizes);
  * some harmless lines that mention errors ("errors=0", "retrying after
    error") which a plain grep counts but which are not error events;
  * error records, --error-rate of all records (default 0.02): about 45%
    single ERROR/FATAL/CRITICAL/SEVERE lines, the rest multi-line traces
    of Java (with "Caused by" chains and "... N more"), Python (chained
    tracebacks), Node.js, Go panics, .NET (inner exceptions), Ruby, PHP
    and Rust.  Each error record comes from one of a few hundred templates
    (fixed exception type, message shape and frames; variable ids, numbers
    and addresses), chosen with a skewed distribution so that some
    fingerprints are hot and many are rare, as in real logs.

--stats FILE writes "key value" lines: bytes, lines, records,
error_records, trace_records, error_lines (lines that belong to an error
record), templates_used.

The module also serves bench/latency.py: LogGen(seed).ordinary() returns
one ordinary record (a list with one line).
"""
import argparse
import random
import sys
import time

BASE_EPOCH = 1714521600  # 2024-05-01T00:00:00Z, fixed for determinism

THREADS = ["main", "http-nio-8080-exec-%d", "pool-2-thread-%d", "scheduler-%d",
           "kafka-consumer-%d", "ForkJoinPool.commonPool-worker-%d", "grpc-default-executor-%d"]
JAVA_LOGGERS = [
    "c.e.orders.OrderController", "c.e.orders.OrderService", "c.e.billing.InvoiceService",
    "c.e.auth.TokenFilter", "c.e.catalog.ProductRepository", "c.e.search.IndexWorker",
    "o.s.web.servlet.DispatcherServlet", "c.z.hikari.HikariDataSource",
    "o.a.kafka.clients.consumer.KafkaConsumer", "c.e.payments.StripeGateway",
    "c.e.notify.MailSender", "c.e.users.ProfileService",
]
PY_LOGGERS = ["app.api", "app.worker", "app.db", "celery.worker", "uvicorn.access",
              "app.services.billing", "app.tasks.export", "gunicorn.error"]
SERVICES = ["orders", "billing", "auth", "catalog", "search", "gateway", "notify", "users"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"]
PATHS = ["/api/v1/orders/%d", "/api/v1/users/%d/profile", "/api/v2/catalog/items/%d",
         "/api/v1/invoices/%d/pdf", "/health", "/metrics", "/api/v1/search?q=item%d",
         "/static/js/app.%x.js", "/api/v1/carts/%d/items", "/login", "/api/v1/payments/%d"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0",
          "curl/8.5.0", "okhttp/4.12.0", "python-requests/2.31.0", "Go-http-client/2.0"]
WORDS = ["cache", "session", "token", "index", "batch", "export", "report", "invoice",
         "cart", "order", "profile", "webhook", "snapshot", "shard", "replica", "lease"]


class LogGen:
    def __init__(self, seed=42):
        self.r = random.Random(seed)
        self.ms = 0
        self._sec = -1
        self._iso = self._sp = ""
        self.templates = build_templates(random.Random(seed * 7919 + 1))
        # skewed popularity: template i has weight 1/(i+1)^0.9
        w = [1.0 / (i + 1) ** 0.9 for i in range(len(self.templates))]
        tot = sum(w)
        acc, self.cum = 0.0, []
        for x in w:
            acc += x / tot
            self.cum.append(acc)
        self.used = set()

    # ---- variable parts ----
    def tick(self):
        self.ms += self.r.randrange(0, 7)
        sec = self.ms // 1000
        if sec != self._sec:
            self._sec = sec
            t = time.gmtime(BASE_EPOCH + sec)
            self._iso = time.strftime("%Y-%m-%dT%H:%M:%S", t)
            self._sp = time.strftime("%Y-%m-%d %H:%M:%S", t)
            self._php = time.strftime("%d-%b-%Y %H:%M:%S", t)
            self._nginx = time.strftime("%d/%b/%Y:%H:%M:%S +0000", t)

    def iso(self):
        return "%s.%03dZ" % (self._iso, self.ms % 1000)

    def sp(self):
        return "%s,%03d" % (self._sp, self.ms % 1000)

    def uuid(self):
        x = "%032x" % self.r.getrandbits(128)
        return "%s-%s-4%s-a%s-%s" % (x[:8], x[8:12], x[13:16], x[17:20], x[20:])

    def ip(self):
        r = self.r.getrandbits(24)
        return "10.%d.%d.%d" % (r >> 16, (r >> 8) & 255, r & 255)

    def thread(self):
        t = self.r.choice(THREADS)
        return t % self.r.randrange(1, 40) if "%d" in t else t

    def url(self):
        p = self.r.choice(PATHS)
        return p % self.r.randrange(1, 10**6) if "%" in p else p

    def fill(self, s):
        """Replace the variable markers of a template."""
        if "{" not in s:
            return s
        r = self.r
        return s.format(
            id=r.randrange(1000, 10**7), uuid=self.uuid(), ip=self.ip(),
            ms=r.randrange(1, 30000), user="u%d" % r.randrange(1, 500000),
            port=r.choice([5432, 6379, 9092, 3306, 443, 8080]),
            n=r.randrange(2, 64), hex="%x" % r.getrandbits(40),
            addr="0x%x" % (0xc000000000 + r.getrandbits(24)), url=self.url(),
            ts=self.iso())

    # ---- records ----
    def ordinary(self):
        self.tick()
        r = self.r
        k = r.randrange(100)
        if k < 28:
            lvl = "INFO" if k < 20 else ("DEBUG" if k < 26 else "WARN")
            return ["%s %-5s [%s] %s - %s %s completed %d in %dms user=u%d req=%s" % (
                self.sp(), lvl, self.thread(), r.choice(JAVA_LOGGERS), r.choice(METHODS),
                self.url(), r.choice((200, 200, 200, 201, 204, 304, 404)),
                r.randrange(1, 900), r.randrange(1, 500000), self.uuid())]
        if k < 44:
            lvl = r.choice(("INFO", "INFO", "DEBUG", "WARNING"))
            return ["%s %s:%s:processed %s batch %d of %d (%d items) in %.3fs" % (
                self.sp(), lvl, r.choice(PY_LOGGERS), r.choice(WORDS), r.randrange(1, 400),
                r.randrange(400, 800), r.randrange(1, 5000), r.random() * 4)]
        if k < 60:
            lvl = r.choice(("info", "info", "debug", "warn"))
            return ['time=%s level=%s msg="request served" service=%s method=%s path=%s '
                    'status=%d duration=%dms bytes=%d remote=%s trace_id=%032x' % (
                        self.iso(), lvl, r.choice(SERVICES), r.choice(METHODS), self.url(),
                        r.choice((200, 200, 201, 302, 404)), r.randrange(1, 2000),
                        r.randrange(100, 900000), self.ip(), r.getrandbits(128))]
        if k < 74:
            lvl = r.choice(("info", "info", "debug", "warn"))
            return ['{"ts":"%s","level":"%s","logger":"%s","msg":"%s %s","user_id":%d,'
                    '"request_id":"%s","latency_ms":%.1f}' % (
                        self.iso(), lvl, r.choice(SERVICES), r.choice(("loaded", "saved",
                                                                         "evicted", "refreshed")),
                        r.choice(WORDS), r.randrange(1, 500000), self.uuid(),
                        r.random() * 300)]
        if k < 88:
            return ['%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s" rt=%.3f' % (
                self.ip(), self._nginx, r.choice(METHODS), self.url(),
                r.choice((200, 200, 200, 301, 304, 404, 499)), r.randrange(0, 200000),
                r.choice(AGENTS), r.random())]
        if k < 95:
            return ["%s DEBUG [%s] %s - cache %s key=%s:%d size=%d ttl=%ds" % (
                self.sp(), self.thread(), r.choice(JAVA_LOGGERS), r.choice(("hit", "miss", "put")),
                r.choice(WORDS), r.randrange(1, 10**6), r.randrange(1, 65536),
                r.randrange(10, 3600))]
        if k < 98:
            return ["%s WARN  [%s] %s - retrying %s call after error: timeout after %dms "
                    "(attempt %d/5)" % (self.sp(), self.thread(), r.choice(JAVA_LOGGERS),
                                        r.choice(SERVICES), r.randrange(100, 5000),
                                        r.randrange(1, 5))]
        return ["%s INFO:app.health:checks ok=%d errors=0 warnings=%d uptime=%ds" % (
            self.sp(), r.randrange(5, 40), r.randrange(0, 3), r.randrange(10, 10**6))]

    def error(self):
        self.tick()
        u = self.r.random()
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < u:
                lo = mid + 1
            else:
                hi = mid
        self.used.add(lo)
        tpl = self.templates[lo]
        return tpl.kind, [self.fill(x) for x in tpl.render(self)]


# ---- error templates ----

class Template:
    def __init__(self, kind, head, body):
        self.kind = kind  # "line" or "trace"
        self.head = head  # callable(gen) -> header lines (timestamped)
        self.body = body  # fixed lines with {markers}

    def render(self, g):
        return self.head(g) + self.body


PKGS = ["com.example.orders", "com.example.billing", "com.example.auth", "com.example.catalog",
        "com.example.search", "com.example.payments", "com.example.users", "com.example.notify"]
JAVA_CLASSES = ["Service", "Controller", "Repository", "Client", "Worker", "Handler", "Mapper",
                "Validator", "Scheduler", "Gateway"]
JAVA_METHODS = ["process", "handle", "load", "save", "find", "validate", "submit", "refresh",
                "apply", "execute", "doFilter", "invoke", "call", "run"]
JAVA_EXC = [
    ("java.lang.IllegalStateException", "{w} {id} is in state {s}"),
    ("java.lang.NullPointerException", 'Cannot invoke "{C}.get{W}()" because "{v}" is null'),
    ("java.lang.IllegalArgumentException", "invalid {w} id: {id}"),
    ("java.util.concurrent.TimeoutException", "{w} call timed out after {ms} ms"),
    ("org.springframework.dao.DataIntegrityViolationException",
     "could not execute statement; constraint [uk_{w}_{v}]"),
    ("java.io.UncheckedIOException", "failed to read {w} {uuid}"),
    ("com.fasterxml.jackson.databind.exc.MismatchedInputException",
     "Cannot deserialize value of type `{C}` from Array value"),
    ("java.lang.ArrayIndexOutOfBoundsException", "Index {n} out of bounds for length {n}"),
    ("org.springframework.web.client.HttpServerErrorException$BadGateway",
     '502 Bad Gateway: "upstream {w} unavailable"'),
    ("java.util.ConcurrentModificationException", None),
]
JAVA_CAUSES = [
    ("java.sql.SQLTransientConnectionException",
     "HikariPool-1 - Connection is not available, request timed out after {ms}ms."),
    ("java.net.SocketTimeoutException", "Read timed out"),
    ("java.net.ConnectException", "Connection refused (Connection refused) to {ip}:{port}"),
    ("org.postgresql.util.PSQLException",
     'ERROR: duplicate key value violates unique constraint "{v}_pkey"'),
    ("java.io.EOFException", None),
]
LIB_FRAMES = [
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
    "org.springframework.transaction.interceptor.TransactionInterceptor.invoke"
    "(TransactionInterceptor.java:119)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1791)",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
]


def java_frames(r, n):
    out = []
    for _ in range(n):
        pkg = r.choice(PKGS)
        c = pkg.split(".")[-1].capitalize() + r.choice(JAVA_CLASSES)
        out.append("\tat %s.%s.%s(%s.java:%d)" % (pkg, c, r.choice(JAVA_METHODS), c,
                                                   r.randrange(20, 900)))
    for f in r.sample(LIB_FRAMES, r.randrange(2, 6)):
        out.append("\tat " + f)
    return out


def fixed_words(r, s):
    """Bind the non-variable markers of an exception message."""
    if s is None:
        return None
    return (s.replace("{w}", r.choice(WORDS)).replace("{W}", r.choice(WORDS).capitalize())
            .replace("{C}", r.choice(PKGS) + "." + r.choice(JAVA_CLASSES))
            .replace("{v}", r.choice(WORDS)).replace("{s}", r.choice(("CANCELLED", "CLOSED",
                                                                          "PENDING", "LOCKED"))))


def java_template(r):
    exc, msg = r.choice(JAVA_EXC)
    msg = fixed_words(r, msg)
    logger = r.choice(JAVA_LOGGERS)
    what = "%s %s failed" % (r.choice(JAVA_METHODS).capitalize(), r.choice(WORDS))
    body = ["%s: %s" % (exc, msg) if msg else exc]
    body += java_frames(r, r.randrange(3, 12))
    depth = r.choice((0, 1, 1, 2))
    for _ in range(depth):
        cexc, cmsg = r.choice(JAVA_CAUSES)
        cmsg = fixed_words(r, cmsg)
        body.append("Caused by: %s: %s" % (cexc, cmsg) if cmsg else "Caused by: " + cexc)
        body += java_frames(r, r.randrange(1, 5))
        body.append("\t... %d more" % r.randrange(8, 60))

    def head(g):
        return ["%s ERROR [%s] %s - %s for request {uuid}" % (g.sp(), g.thread(), logger, what)]
    return Template("trace", head, body)


PY_EXC = [
    ("KeyError", "'{w}_id'"), ("ValueError", "invalid literal for int() with base 10: '{hex}'"),
    ("psycopg2.OperationalError", "server closed the connection unexpectedly"),
    ("redis.exceptions.ConnectionError", "Error 111 connecting to {ip}:{port}. Connection refused."),
    ("TimeoutError", "{w} request timed out after {ms} ms"),
    ("AttributeError", "'NoneType' object has no attribute '{w}'"),
    ("sqlalchemy.exc.IntegrityError",
     '(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint "{v}_pkey"'),
    ("app.errors.UpstreamError", "{w} service returned 503 for {user}"),
]


def py_frames(r, n):
    out = []
    for _ in range(n):
        mod = r.choice(("app/api", "app/services", "app/db", "app/tasks", "app/models"))
        w = r.choice(WORDS)
        out.append('  File "/srv/app/%s/%s.py", line %d, in %s_%s' % (
            mod, w, r.randrange(10, 600), r.choice(JAVA_METHODS), r.choice(WORDS)))
        out.append("    %s = %s.%s(%s)" % (w, r.choice(WORDS), r.choice(JAVA_METHODS),
                                            r.choice(WORDS)))
    return out


def python_template(r):
    logger = r.choice(PY_LOGGERS)
    body = []
    if r.random() < 0.5:
        exc, msg = r.choice(PY_EXC)
        body.append("Traceback (most recent call last):")
        body += py_frames(r, r.randrange(2, 6))
        body.append("%s: %s" % (exc, fixed_words(r, msg)))
        body.append("")
        body.append(r.choice(("The above exception was the direct cause of the following "
                              "exception:", "During handling of the above exception, another "
                              "exception occurred:")))
        body.append("")
    exc, msg = r.choice(PY_EXC)
    body.append("Traceback (most recent call last):")
    body += py_frames(r, r.randrange(2, 8))
    body.append("%s: %s" % (exc, fixed_words(r, msg)))
    what = "%s %s failed" % (r.choice(("job", "task", "request")), r.choice(WORDS))

    def head(g):
        return ["%s ERROR:%s:%s (user {user})" % (g.sp(), logger, what)]
    return Template("trace", head, body)


NODE_EXC = [
    ("TypeError", "Cannot read properties of undefined (reading '{w}')"),
    ("Error", "connect ECONNREFUSED {ip}:{port}"),
    ("Error [ERR_HTTP_HEADERS_SENT]", "Cannot set headers after they are sent to the client"),
    ("RangeError", "Invalid array length"),
    ("SyntaxError", "Unexpected token < in JSON at position {n}"),
    ("Error", "ETIMEDOUT {ip}:{port}"),
]


def node_template(r):
    exc, msg = r.choice(NODE_EXC)
    body = ["%s: %s" % (exc, fixed_words(r, msg))]
    for _ in range(r.randrange(3, 9)):
        w = r.choice(WORDS)
        body.append("    at %s%s (/srv/app/src/%s/%s.js:%d:%d)" % (
            r.choice(JAVA_METHODS), w.capitalize(), r.choice(SERVICES), w,
            r.randrange(5, 400), r.randrange(1, 60)))
    body.append("    at process.processTicksAndRejections (node:internal/process/"
                "task_queues:95:5)")
    return Template("trace", lambda g: [], body)


GO_PANICS = ["runtime error: invalid memory address or nil pointer dereference",
             "runtime error: index out of range [{n}] with length {n}",
             "assignment to entry in nil map",
             "send on closed channel",
             "runtime error: slice bounds out of range [:{n}] with capacity {n}"]


def go_template(r):
    p = r.choice(GO_PANICS)
    body = ["panic: " + p]
    if "nil pointer" in p:
        body.append("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc={addr}]")
    body += ["", "goroutine {n} [running]:"]
    for _ in range(r.randrange(2, 7)):
        svc = r.choice(SERVICES)
        body.append("github.com/example/%s/internal/%s.(*%s).%s(%s, {{%s, %s}})" % (
            svc, r.choice(WORDS), r.choice(WORDS).capitalize() + "Handler",
            r.choice(JAVA_METHODS).capitalize(), "{addr}", "{addr}", "{addr}"))
        body.append("\t/src/internal/%s/%s.go:%d +0x%x" % (svc, r.choice(WORDS),
                                                           r.randrange(10, 500),
                                                           r.randrange(16, 900)))
    body.append("created by net/http.(*Server).Serve in goroutine 1")
    body.append("\t/usr/local/go/src/net/http/server.go:3086 +0x5cb")
    body.append("exit status 2")
    return Template("trace", lambda g: [], body)


DOTNET_EXC = [
    ("System.InvalidOperationException", "Sequence contains no elements"),
    ("System.ArgumentNullException", "Value cannot be null. (Parameter '{w}')"),
    ("System.NullReferenceException", "Object reference not set to an instance of an object."),
    ("Microsoft.EntityFrameworkCore.DbUpdateException",
     "An error occurred while saving the entity changes. See the inner exception for details."),
    ("System.Net.Http.HttpRequestException", "Connection refused ({ip}:{port})"),
]


def dotnet_frames(r, n):
    out = []
    for _ in range(n):
        w = r.choice(WORDS).capitalize()
        out.append("   at Shop.%s.%sService.%sAsync(Int32 id) in /src/Shop/%s/%sService.cs:"
                   "line %d" % (w, w, r.choice(JAVA_METHODS).capitalize(), w, w,
                                r.randrange(10, 400)))
    return out


def dotnet_template(r):
    exc, msg = r.choice(DOTNET_EXC)
    body = ["Unhandled exception. %s: %s" % (exc, fixed_words(r, msg))]
    if r.random() < 0.4:
        body[0] = "%s: %s" % (exc, fixed_words(r, msg))
        body.append(" ---> Npgsql.PostgresException (0x80004005): 40001: could not serialize "
                    "access due to concurrent update")
        body += dotnet_frames(r, r.randrange(1, 4))
        body.append("   --- End of inner exception stack trace ---")
    body += dotnet_frames(r, r.randrange(2, 8))
    body.append("   at System.Threading.Tasks.Task.<>c.<ThrowAsync>b__128_1(Object state)")
    return Template("trace", lambda g: [], body)


RUBY_EXC = [("NoMethodError", "undefined method `{w}' for nil:NilClass"),
            ("ActiveRecord::RecordInvalid", "Validation failed: Email has already been taken"),
            ("ZeroDivisionError", "divided by 0"),
            ("Redis::CannotConnectError", "Error connecting to Redis on {ip}:{port} (ECONNREFUSED)")]


def ruby_template(r):
    exc, msg = r.choice(RUBY_EXC)
    w = r.choice(WORDS)
    body = ["/srv/app/app/models/%s.rb:%d:in `%s': %s (%s)" % (
        w, r.randrange(5, 300), r.choice(JAVA_METHODS), fixed_words(r, msg), exc)]
    for _ in range(r.randrange(2, 7)):
        w = r.choice(WORDS)
        body.append("\tfrom /srv/app/app/controllers/%ss_controller.rb:%d:in `%s'" % (
            w, r.randrange(5, 200), r.choice(JAVA_METHODS)))
    body.append("\tfrom /usr/local/bundle/gems/actionpack-7.1.3/lib/action_controller/metal/"
                "basic_implicit_render.rb:6:in `send_action'")
    return Template("trace", lambda g: [], body)


PHP_EXC = [("PDOException", "SQLSTATE[HY000] [2002] Connection refused"),
           ("TypeError", "App\\Cart::add(): Argument #1 ($qty) must be of type int, string given"),
           ("Error", "Call to a member function {w}() on null"),
           ("RuntimeException", "Unable to write to /var/www/storage/{w}/{hex}.cache")]


def php_template(r):
    exc, msg = r.choice(PHP_EXC)
    w = r.choice(WORDS).capitalize()
    line = r.randrange(5, 300)
    body = ["Stack trace:"]
    for i in range(r.randrange(2, 6)):
        x = r.choice(WORDS).capitalize()
        body.append("#%d /var/www/html/src/%s.php(%d): App\\%s->%s()" % (
            i, x, r.randrange(5, 300), x, r.choice(JAVA_METHODS)))
    body.append("#%d {{main}}" % (len(body) - 1))
    body.append("  thrown in /var/www/html/src/%s.php on line %d" % (w, line))
    first = "PHP Fatal error:  Uncaught %s: %s in /var/www/html/src/%s.php:%d" % (
        exc, fixed_words(r, msg), w, line)

    def head(g):
        return ["[%s UTC] %s" % (g._php, first)]
    return Template("trace", head, body)


RUST_PANICS = ["called `Option::unwrap()` on a `None` value",
               "called `Result::unwrap()` on an `Err` value: Os {{ code: 28, kind: StorageFull, "
               "message: \"No space left on device\" }}",
               "index out of bounds: the len is {n} but the index is {n}",
               "attempt to subtract with overflow"]


def rust_template(r):
    p = r.choice(RUST_PANICS)
    loc = "src/%s/%s.rs:%d:%d" % (r.choice(("handlers", "store", "net")), r.choice(WORDS),
                                  r.randrange(5, 400), r.randrange(1, 60))
    thr = r.choice(("main", "tokio-runtime-worker", "actix-rt|system:0|arbiter:1"))
    if r.random() < 0.5:
        body = ["thread '%s' panicked at %s:" % (thr, loc), p]
    else:
        body = ["thread '%s' panicked at '%s', %s" % (thr, p, loc)]
    body.append("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace")
    return Template("trace", lambda g: [], body)


LINE_MSGS = [
    "Failed to {v} {w} {{id}}: connection reset by peer",
    "Unable to {v} {w} for user {{user}}: timeout after {{ms}}ms",
    "{W} sync failed after {{n}} attempts, giving up",
    "Could not acquire lock on {w}:{{id}} held by {{ip}}",
    "Payment {{id}} rejected by gateway: card_declined",
    "Upstream {w} returned 500 for {{url}}",
    "Disk usage on /var/lib/{w} at 97%, writes will fail",
    "Consumer group {w}-{v} lost partition {{n}}",
    "Invalid signature on webhook {{uuid}} from {{ip}}",
    "Query on {w} exceeded statement_timeout ({{ms}} ms)",
]


def line_template(r):
    m = (r.choice(LINE_MSGS).replace("{v}", r.choice(JAVA_METHODS))
         .replace("{w}", r.choice(WORDS)).replace("{W}", r.choice(WORDS).capitalize()))
    m = m.replace("{{", "{").replace("}}", "}")
    style = r.randrange(6)
    lvl = r.choice(("ERROR", "ERROR", "ERROR", "FATAL", "CRITICAL", "SEVERE"))
    logger = r.choice(JAVA_LOGGERS)
    pyl = r.choice(PY_LOGGERS)
    svc = r.choice(SERVICES)
    if style <= 1:
        return Template("line", lambda g: ["%s %s [%s] %s - %s req={uuid}" % (
            g.sp(), lvl, g.thread(), logger, m)], [])
    if style == 2:
        return Template("line", lambda g: ["%s %s:%s:%s" % (g.sp(), lvl, pyl, m)], [])
    if style == 3:
        return Template("line", lambda g: ['time=%s level=%s msg="%s" service=%s '
                                           'trace_id={hex}{hex}' % (
                                               g.iso(), lvl.lower(), m.replace('"', "'"), svc)],
                        [])
    if style == 4:
        return Template("line", lambda g: ['{{"ts":"%s","level":"%s","logger":"%s","msg":"%s",'
                                           '"user_id":{id}}}' % (
                                               g.iso(), lvl.lower(), svc, m.replace('"', "'"))],
                        [])
    return Template("line", lambda g: ["%s [%s] %s: %s" % (g.iso(), lvl, svc, m)], [])


def build_templates(r):
    out = []
    makers = [(line_template, 140), (java_template, 60), (python_template, 30),
              (node_template, 20), (go_template, 15), (dotnet_template, 15),
              (ruby_template, 10), (php_template, 10), (rust_template, 10)]
    for fn, n in makers:
        for _ in range(n):
            out.append(fn(r))
    r.shuffle(out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=float, default=200, help="megabytes (10^6 bytes)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--error-rate", type=float, default=0.02)
    ap.add_argument("--stats")
    a = ap.parse_args()
    g = LogGen(a.seed)
    target = int(a.size * 1e6)
    f = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    written = lines = records = err = traces = err_lines = 0
    buf = []
    bl = 0
    rnd = g.r.random
    while written + bl < target:
        if rnd() < a.error_rate:
            kind, rec = g.error()
            err += 1
            traces += kind == "trace"
            err_lines += len(rec)
        else:
            rec = g.ordinary()
        records += 1
        lines += len(rec)
        s = "\n".join(rec) + "\n"
        buf.append(s)
        bl += len(s.encode()) if not s.isascii() else len(s)
        if len(buf) >= 4096:
            f.write("".join(buf))
            written += bl
            buf, bl = [], 0
    f.write("".join(buf))
    written += bl
    if f is not sys.stdout:
        f.close()
    if a.stats:
        with open(a.stats, "w") as s:
            for k, v in (("bytes", written), ("lines", lines), ("records", records),
                         ("error_records", err), ("trace_records", traces),
                         ("error_lines", err_lines), ("templates_used", len(g.used))):
                s.write("%s %d\n" % (k, v))


if __name__ == "__main__":
    main()
