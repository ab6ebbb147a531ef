/* Unit tests: masking, header removal, frame normalisation, fingerprints
 * and the frozen snapshots in tests/data/fingerprint/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fingerprint.h"
#include "mask.h"
#include "util.h"

static char *mask_msg(const char *s)
{
	return qe_fingerprint_mask(s, strlen(s));
}

static char *mask_line(const char *s)
{
	return qe_fingerprint_mask_line(s, strlen(s));
}

#define CHECK(fn, in, want)                                                              \
	do {                                                                             \
		char *got_ = fn(in);                                                     \
		if (strcmp(got_, want))                                                  \
			fail_msg("%s(\"%s\")\n   got \"%s\"\n  want \"%s\"", #fn, in,    \
				 got_, want);                                            \
		free(got_);                                                              \
	} while (0)

static void test_mask_numbers(void **state)
{
	(void)state;
	CHECK(mask_msg, "retry 3 of 10", "retry <NUM> of <NUM>");
	CHECK(mask_msg, "took 12ms and 3.5MB, 200KB left",
	      "took <NUM> and <NUM>, <NUM> left");
	CHECK(mask_msg, "keyId: -127633188", "keyId: <NUM>");
	CHECK(mask_msg, "progress 0.75 at 50%", "progress <NUM> at <NUM>");
	CHECK(mask_msg, "estimated size 5.2 KB, free 2 GB",
	      "estimated size <NUM>, free <NUM>");
	/* Same shape, different values: same template. */
	CHECK(mask_msg, "estimated size 17 B", "estimated size <NUM>");
	/* An amount restated in other units, or not: one value. */
	CHECK(mask_msg, "close, 1190 bytes (1.16 KB) sent, 815 bytes received",
	      "close, <NUM> sent, <NUM> received");
	CHECK(mask_msg, "RX bytes:1234 (1.2 KiB) ok", "RX bytes:<NUM> ok");
	CHECK(mask_msg, "len 5 (5)", "len <NUM>");
	/* words in the parenthesis are no restatement */
	CHECK(mask_msg, "retry 3 (of 10)", "retry <NUM> (of <NUM>)");
	/* A bound or an estimate keeps its sign inside the value. */
	CHECK(mask_msg, "lifetime <1 sec", "lifetime <NUM>");
	CHECK(mask_msg, "took >100ms, ~5 min left", "took <NUM>, <NUM> left");
	CHECK(mask_msg, "pri <11> x", "pri <<NUM>> x");
	/* A time unit written apart belongs to the number. */
	CHECK(mask_msg, "retrying in 5 seconds", "retrying in <NUM>");
	CHECK(mask_msg, "retrying in 1 second", "retrying in <NUM>");
}

/* The byte classes the masker uses are ASCII only: a byte >= 0x80 (a
 * negative char) or a control byte is no digit, letter or space. */
static void test_mask_byte_classes(void **state)
{
	(void)state;
	CHECK(mask_msg, "caf\xc3\xa9 42 ok", "caf\xc3\xa9 <NUM> ok");
	CHECK(mask_msg,
	      "id \xe9"
	      "42 x",
	      "id \xe9"
	      "<NUM> x");
	CHECK(mask_msg,
	      "n=\xff"
	      "7",
	      "n=\xff"
	      "<NUM>");
	CHECK(mask_msg,
	      "a\x01"
	      "12 b",
	      "a <NUM>");
	CHECK(mask_msg, "tab\t9\vx", "tab <NUM> x");
	CHECK(mask_msg, "deadbeef\xc3\xa9 0xAbC1 Fg", "deadbeef\xc3\xa9 <HEX> Fg");
}

static void test_mask_hex_ids(void **state)
{
	(void)state;
	CHECK(mask_msg, "fault at 0x7ffee3b2c9a0", "fault at <HEX>");
	CHECK(mask_msg, "commit deadbeef12345678 bad", "commit <HEX> bad");
	CHECK(mask_msg, "block blk_-6952295868487656571 gone", "block <ID> gone");
	CHECK(mask_msg, "block blk_38865049064139660 gone", "block <ID> gone");
	CHECK(mask_msg, "job job_20240101_0001 failed", "job <ID> failed");
	/* a name in capitals with a short number is a word (a protocol) */
	CHECK(mask_msg, "open through proxy socks.example.org:1080 SOCKS5",
	      "open through proxy <IP> SOCKS5");
	CHECK(mask_msg, "digest SHA256 over HTTP2", "digest SHA256 over HTTP2");
	CHECK(mask_msg, "host BAYMSGR2012806 ab12", "host <ID> <ID>");
	CHECK(mask_msg, "container container_e02_1445144423722_0020_01_000001 lost",
	      "container <ID> lost");
	CHECK(mask_msg,
	      "attempt attempt_1445144423722_0020_m_000000_0 and attempt_1_2_r_3_4",
	      "attempt <ID> and <ID>");
	CHECK(mask_msg, "Block broadcast_1_piece0 and rdd_42_3", "Block <ID> and <ID>");
	CHECK(mask_msg, "pid [1234] exited", "pid [<NUM>] exited");
	/* Words without digits are the message. */
	CHECK(mask_msg, "mod_jk child workerEnv in error state",
	      "mod_jk child workerEnv in error state");
}

static void test_mask_addresses(void **state)
{
	(void)state;
	CHECK(mask_msg, "id 8f14e45f-ceea-467a-9575-2b2e4d1b3c5a x", "id <UUID> x");
	CHECK(mask_msg, "from 173.234.31.186 port 22", "from <IP> port <NUM>");
	CHECK(mask_msg, "connect /10.10.34.11:45307 ok", "connect /<IP> ok");
	CHECK(mask_msg, "dial [2001:db8::1]:8080 failed", "dial [<IP>]:<NUM> failed");
	CHECK(mask_msg, "peer fe80::1ff:fe23:4567:890a down", "peer <IP> down");
	/* a list of one kind joined by bare commas is one value */
	CHECK(mask_msg, "from 10.11.10.1,10.11.21.138 status 200",
	      "from <IP> status <NUM>");
	CHECK(mask_msg, "channel changed to 132,+1", "channel changed to <NUM>");
	CHECK(mask_msg, "lock=12, flags=0x1", "lock=<NUM>, flags=<HEX>");
	CHECK(mask_msg, "at 10.0.0.1,42 ok", "at <IP>,<NUM> ok");
	CHECK(mask_msg, "lookup ns.example.com failed", "lookup <IP> failed");
	CHECK(mask_msg, "lookup customer-1-2-3.uninet-ide.com.mx failed",
	      "lookup <IP> failed");
	CHECK(mask_msg, "mail to bob.smith+x@mail.example.org bounced",
	      "mail to <EMAIL> bounced");
	CHECK(mask_msg, "GET https://api.example.com/v1/users/42?id=7 failed",
	      "GET <URL> failed");
	CHECK(mask_msg, "save to hdfs://host:9000/user/out, done", "save to <URL>, done");
	/* Class names are not host names. */
	CHECK(mask_msg, "at org.apache.hadoop.ipc.Client",
	      "at org.apache.hadoop.ipc.Client");
}

static void test_mask_times(void **state)
{
	(void)state;
	CHECK(mask_msg, "at 2024-01-02T15:04:05.123Z done", "at <TS> done");
	CHECK(mask_msg, "at 2024-01-02 15:04:05,978 done", "at <TS> done");
	CHECK(mask_msg, "at 2024/01/02 done", "at <TS> done");
	CHECK(mask_msg, "at Jan  2 15:04:05 done", "at <TS> done");
	CHECK(mask_msg, "at Sun Dec 04 04:47:44 2005 done", "at <TS> done");
	CHECK(mask_msg, "at 10/Oct/2000:13:55:36 -0700 done", "at <TS> done");
	CHECK(mask_msg, "at 15:04:05 done", "at <TS> done");
	CHECK(mask_msg, "at 20171223-22:15:29:606 done", "at <TS> done");
	/* A clock without seconds: a time of day or a span (mm:ss). */
	CHECK(mask_msg, "lifetime 02:19", "lifetime <TS>");
	CHECK(mask_msg, "lifetime 01:07:37", "lifetime <TS>");
	CHECK(mask_msg, "at 9:30 done", "at <TS> done");
	CHECK(mask_msg, "ratio 1:2 and 12:345", "ratio <NUM>:<NUM> and <NUM>:<NUM>");
	CHECK(mask_msg, "mac 00:1a:2b:3c:4d:5e x", "mac <IP> x");
	CHECK(mask_msg, "epoch 1445144423722 done", "epoch <NUM> done");
	/* A dotted quad is an address, not a time. */
	CHECK(mask_msg, "from 5.36.59.76 x", "from <IP> x");
}

static void test_mask_strings_paths(void **state)
{
	(void)state;
	CHECK(mask_msg, "KeyError: 'user_42'", "KeyError: '<STR>'");
	/* a quoted value is one value whatever its shape */
	CHECK(mask_msg, "bad quantity \"12 pcs\" in order",
	      "bad quantity \"<STR>\" in order");
	CHECK(mask_msg, "postcode \"SW1A 1AA\" rejected", "postcode \"<STR>\" rejected");
	CHECK(mask_msg, "пользователь «Иван» не найден",
	      "пользователь «<STR>» не найден");
	CHECK(mask_msg, "no such user “Mary Ann”", "no such user “<STR>”");
	/* a quote does not run on into the next line */
	CHECK(mask_msg, "can't open\nuser 'bob' locked",
	      "can't open user '<STR>' locked");
	CHECK(mask_msg, "column \"email\" missing", "column \"<STR>\" missing");
	CHECK(mask_msg, "Can't find child 42", "Can't find child <NUM>");
	CHECK(mask_msg, "request \"GET /api/v2/items/123 HTTP/1.1\" failed",
	      "request \"GET <PATH> HTTP/<NUM>\" failed");
	CHECK(mask_msg, "open /var/lib/app/tmp/upload-8372.part: no such file",
	      "open <PATH>: no such file");
	CHECK(mask_msg, "read ~/data/x.csv", "read <PATH>");
	CHECK(mask_msg, "load C:\\Windows\\system32\\x.dll now", "load <PATH> now");
	/* One component is a name, not a path. */
	CHECK(mask_msg, "Resolved host to /default-rack",
	      "Resolved host to /default-rack");
	CHECK(mask_msg, "login failed user=root tty=ssh state=RUNNING ok=true",
	      "login failed user=<STR> tty=<STR> state=RUNNING ok=true");
	CHECK(mask_msg, "Invalid user webmaster from 1.2.3.4",
	      "Invalid user <ID> from <IP>");
	CHECK(mask_msg, "Invalid user  0101 from 1.2.3.4", "Invalid user <ID> from <IP>");
	CHECK(mask_msg, "check pass; user unknown", "check pass; user <ID>");
	CHECK(mask_msg, "the user is not allowed", "the user is not allowed");
	CHECK(mask_msg, "  spaced \t out  ", "spaced out");
}

static void test_mask_header(void **state)
{
	(void)state;
	CHECK(mask_line,
	      "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 "
	      "for block "
	      "blk_3886 terminating",
	      "PacketResponder <NUM> for block <ID> terminating");
	CHECK(mask_line,
	      "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.App: Created app "
	      "appattempt_1_2_3",
	      "Created app <ID>");
	CHECK(mask_line,
	      "Dec 10 06:55:46 LabSZ sshd[24200]: Connection closed by 1.2.3.4",
	      "Connection closed by <IP>");
	CHECK(mask_line, "[Sun Dec 04 04:47:44 2005] [error] mod_jk child init 1 -2",
	      "mod_jk child init <NUM> <NUM>");
	CHECK(mask_line,
	      "2015-07-29 17:41:44,747 - INFO  "
	      "[QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:Fast@774] "
	      "- Notification time out: 3200",
	      "Notification time out: <NUM>");
	CHECK(mask_line, "17/06/09 20:10:40 INFO executor.Backend: Got assigned task 42",
	      "Got assigned task <NUM>");
	/* "TIME|component|pid|message": the fields closed by '|' are header */
	CHECK(mask_line,
	      "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
	      "onStandStepChanged <NUM>");
	CHECK(mask_line, "2024-01-01 10:00:00|ERROR|worker-2|disk full on /srv",
	      "disk full on /srv");
	/* after the time, host and component words before a level in capitals */
	CHECK(mask_line,
	      "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
	      "R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error "
	      "corrected",
	      "instruction cache parity error corrected");
	CHECK(mask_line, "2024-01-01 10:00:00 web-1 nginx ERROR upstream timed out",
	      "upstream timed out");
	CHECK(mask_line, "2024-01-01 10:00:00 user bob logged in at 10:01",
	      "user <ID> logged in at <TS>");
	/* a file name before the time; oslo.log's "logger [context]" */
	CHECK(mask_line,
	      "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
	      "nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae "
	      "113d3a99c3da401fbd62cc2caa5b96d2 - - -] 10.11.10.1 \"GET /v2/x HTTP/1.1\" "
	      "status: 200",
	      "<IP> \"GET <PATH> HTTP/<NUM>\" status: <NUM>");
	CHECK(mask_line,
	      "2017-05-16 00:00:00.008 25746 INFO nova.compute.manager [-] [instance: "
	      "3edec1e4-9678-4a3a-a21b-a145a4ee5e61] VM Started (Lifecycle Event)",
	      "[instance: <UUID>] VM Started (Lifecycle Event)");
	/* a host written as a number, before a syslog header */
	CHECK(
	    mask_line,
	    "- 1131566462 2005.11.09 #8# Nov 9 12:01:02 #8#/#8# crond(pam_unix)[23469]: "
	    "session closed for user root",
	    "session closed for user <ID>");
	/* '|' in the message after a blank is no header field */
	CHECK(mask_line, "2024-01-01 10:00:00 GET /a|b|c done", "GET /a|b|c done");
	CHECK(mask_line, "03-17 16:13:38.811  1702  2395 D WindowManager: freeze 3 apps",
	      "freeze <NUM> apps");
	/* The same message at another time and from another process. */
	CHECK(mask_line, "Jan  2 01:02:03 web7 app[1]: Connection closed by 5.6.7.8",
	      "Connection closed by <IP>");
	/* A collector's stamp and host before a syslog line's own header. */
	CHECK(mask_line,
	      "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 "
	      "crond(pam_unix)[2915]: session closed for user root",
	      "session closed for user <ID>");
	CHECK(mask_line,
	      "1131566461 2005.11.09 web-7 2005-11-09 12:01:01 ERROR disk full on /srv",
	      "disk full on /srv");
	/* a word before a date in the message is no host */
	CHECK(mask_line, "2026-01-01 10:00:00 INFO Scheduled 2026-01-02 10:00:00 run 4",
	      "Scheduled <TS> run <NUM>");
	/* A bracketed time, then a program (and its tag) before " - ". */
	CHECK(mask_line,
	      "[10.30 16:49:06] chrome.exe - proxy.example.org:5070 close, 0 bytes sent",
	      "<IP> close, <NUM> sent");
	CHECK(mask_line,
	      "[10.30 16:49:06] chrome.exe *64 - www.example.com:443 open through proxy "
	      "p.example.org:5070 HTTPS",
	      "<IP> open through proxy <IP> HTTPS");
	CHECK(mask_line, "[2026-01-02 10:00:00] app #2 - started", "started");
	/* an address after the program is the message's, not a time */
	CHECK(
	    mask_line,
	    "[10.30 21:08:03] spoolsv.exe *64 - 127.0.0.1:135 error : Could not connect",
	    "<IP> error : Could not connect");
	CHECK(mask_line, "2026-01-02 10:00:00 127.0.0.1:80 error : refused",
	      "<IP> error : refused");
	/* a record number, names, then the time in seconds: header */
	CHECK(mask_line, "41 rack-3 power supply 1700000000 1 voltage low on rail 2",
	      "voltage low on rail <NUM>");
	/* after a real time such a number is the message's */
	CHECK(mask_line, "2024-01-01 10:00:00 upload size was 1700000000 in total",
	      "upload size was <NUM> in total");
	CHECK(mask_line, "41 sent 1700000000", "sent <NUM>");
	/* a block of digits is a pid, no time; a tag needs its separator */
	CHECK(mask_line, "[1234] worker - job done", "worker - job done");
	CHECK(mask_line, "[10.30 16:49:06] run *64 times - done",
	      "run *<NUM> times - done");
	/* No header: nothing removed; a line of header only is kept. */
	CHECK(mask_line, "connection refused", "connection refused");
	CHECK(mask_line, "2024-01-02 15:04:05", "<TS>");
}

static void test_mask_bounds(void **state)
{
	size_t n = QE_MASK_MAX_INPUT * 4, k;
	char *big = qe_xmalloc(n + 1), *t;
	static const char bad[] = "bad \xff\xfe byte 42";

	(void)state;
	for (k = 0; k < n; k++)
		big[k] = "a1 "[k % 3];
	big[n] = '\0';
	t = qe_fingerprint_mask(big, n);
	assert_true(strlen(t) <= 2 * QE_MASK_MAX_INPUT);
	free(t);
	t = qe_fingerprint_mask_line(big, n);
	free(t);
	free(big);
	t = qe_fingerprint_mask(bad, sizeof(bad) - 1);
	assert_string_equal(t, "bad \xff\xfe byte <NUM>");
	free(t);
	t = qe_fingerprint_mask("", 0);
	assert_string_equal(t, "");
	free(t);
	/* Unterminated constructs at the very end of the input. */
	CHECK(mask_msg, "x 'open", "x 'open");
	CHECK(mask_msg, "x 0x", "x <NUM>");
	CHECK(mask_msg, "x 12.", "x <NUM>.");
	CHECK(mask_msg, "x 1.2.3.", "x <NUM>.");
	CHECK(mask_msg, "x 2024-01-", "x <NUM>-<NUM>-");
	CHECK(mask_msg, "x [", "x [");
	CHECK(mask_line, "[unclosed header", "[unclosed header");
}

/* ---- events ---- */

static struct qe_event *line_event(const char *line)
{
	struct qe_event *ev = qe_event_new("line", "line");
	free(ev->message);
	ev->message = qe_xstrdup(line);
	qe_event_add_line(ev, line, strlen(line));
	return ev;
}

static void add_frame(struct qe_event *ev, const char *module, const char *function,
		      const char *file, long line, int in_app)
{
	struct qe_frame f;
	f.module = (char *)module;
	f.function = (char *)function;
	f.file = (char *)file;
	f.line = line;
	f.in_app = in_app;
	qe_event_add_frame(ev, &f);
}

static struct qe_event *trace_event(const char *kind, const char *type, const char *msg)
{
	struct qe_event *ev = qe_event_new(kind, kind);
	free(ev->message);
	ev->message = qe_xstrdup(msg);
	ev->type = qe_xstrdup(type);
	qe_event_add_line(ev, msg, strlen(msg));
	return ev;
}

static char *fp_of(struct qe_event *ev)
{
	char *fp;
	qe_fingerprint(ev);
	fp = qe_xstrdup(ev->fingerprint);
	qe_event_free(ev);
	return fp;
}

static void assert_same(char *a, char *b)
{
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void assert_differ(char *a, char *b)
{
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void test_fingerprint_format(void **state)
{
	struct qe_event *ev = line_event("disk full on /dev/sda1");
	size_t k;

	(void)state;
	qe_fingerprint(ev);
	assert_int_equal(strlen(ev->fingerprint), 16);
	for (k = 0; k < 16; k++)
		assert_non_null(strchr("0123456789abcdef", ev->fingerprint[k]));
	assert_string_equal(ev->template, "disk full on <PATH>");
	/* Computing twice changes nothing and does not leak. */
	qe_fingerprint(ev);
	assert_string_equal(ev->template, "disk full on <PATH>");
	qe_event_free(ev);
}

static void test_fingerprint_messages(void **state)
{
	(void)state;
	assert_same(
	    fp_of(line_event("2024-01-01 10:00:00 ERROR timeout after 30s to 10.0.0.1")),
	    fp_of(line_event("2024-03-09 23:59:59 ERROR timeout after 5s to 10.0.0.2")));
	assert_same(fp_of(line_event("user 17 not found")),
		    fp_of(line_event("user 17 not found")));
	assert_differ(fp_of(line_event("timeout after 30s")),
		      fp_of(line_event("refused after 30s")));
	/* The rule that found a line does not split its group. */
	{
		struct qe_event *a = line_event("disk full"),
				*b = line_event("disk full");
		free(b->kind);
		b->kind = qe_xstrdup("myrule");
		assert_same(fp_of(a), fp_of(b));
	}
}

static struct qe_event *java_trace(const char *type, const char *msg, const char *fn2)
{
	struct qe_event *ev = trace_event("java", type, msg);
	add_frame(ev, "java.util.HashMap", "get", "HashMap.java", 10, 0);
	add_frame(ev, "com.acme.Orders$$EnhancerBySpringCGLIB$$3f2a91", "lambda$find$0",
		  "Orders.java", 88, 1);
	add_frame(ev, "com.acme.Orders$1", fn2, "Orders.java", 120, 1);
	return ev;
}

static void test_fingerprint_traces(void **state)
{
	struct qe_event *a, *b;

	(void)state;
	/* Messages vary; the trace identity does not. */
	assert_same(
	    fp_of(java_trace("java.lang.IllegalStateException", "order 42", "run")),
	    fp_of(java_trace("java.lang.IllegalStateException", "other text", "run")));
	assert_differ(
	    fp_of(java_trace("java.lang.IllegalStateException", "x", "run")),
	    fp_of(java_trace("java.lang.IllegalArgumentException", "x", "run")));
	assert_differ(fp_of(java_trace("java.lang.IllegalStateException", "x", "run")),
		      fp_of(java_trace("java.lang.IllegalStateException", "x", "call")));

	/* Generated names differ between builds, line numbers between versions. */
	a = trace_event("java", "E", "m");
	add_frame(a, "com.acme.Svc$$EnhancerBySpringCGLIB$$aaaa11", "lambda$go$0", NULL,
		  1, 1);
	add_frame(a, "com.acme.Svc$$Lambda$12/0x0000000800c0b440", "apply", NULL, 2, 1);
	add_frame(a, "com.acme.Svc$1", "run", NULL, 3, 1);
	b = trace_event("java", "E", "m");
	add_frame(b, "com.acme.Svc$$EnhancerBySpringCGLIB$$bbbb22", "lambda$go$7", NULL,
		  9, 1);
	add_frame(b, "com.acme.Svc$$Lambda$99/0x0000000801234567", "apply", NULL, 8, 1);
	add_frame(b, "com.acme.Svc$2", "run", NULL, 7, 1);
	assert_same(fp_of(a), fp_of(b));

	/* Library frames do not count while there are in-app frames. */
	a = trace_event("java", "E", "m");
	add_frame(a, "org.lib.A", "x", NULL, 1, 0);
	add_frame(a, "com.acme.B", "y", NULL, 2, 1);
	b = trace_event("java", "E", "m");
	add_frame(b, "org.lib.Other", "z", NULL, 1, 0);
	add_frame(b, "com.acme.B", "y", NULL, 2, 1);
	assert_same(fp_of(a), fp_of(b));

	/* Without in-app frames, the top frames decide. */
	a = trace_event("java", "E", "m");
	add_frame(a, "org.lib.A", "x", NULL, 1, 0);
	b = trace_event("java", "E", "m");
	add_frame(b, "org.lib.B", "x", NULL, 1, 0);
	assert_differ(fp_of(a), fp_of(b));

	/* A trace without frames: type and masked message. */
	assert_same(
	    fp_of(trace_event("java", "java.io.IOException", "closed after 3 tries")),
	    fp_of(trace_event("java", "java.io.IOException", "closed after 9 tries")));
	assert_differ(fp_of(trace_event("java", "java.io.IOException", "closed")),
		      fp_of(trace_event("java", "java.io.EOFException", "closed")));
}

static char *template_of(struct qe_event *ev)
{
	char *t;
	qe_fingerprint(ev);
	t = qe_xstrdup(ev->template);
	qe_event_free(ev);
	return t;
}

/* Repeats are remembered: what is remembered must be told apart by all
 * that decides the result, whatever came before. */
static void test_fingerprint_repeats(void **state)
{
	static const char line[] = "2024-01-01 10:00:00 ERROR disk full on /dev/sda1";
	char *t;
	int round;
	struct qe_event *a, *b;

	(void)state;
	for (round = 0; round < 2; round++) {
		/* A line loses its header; an exception's message is masked whole. */
		t = template_of(line_event(line));
		assert_string_equal(t, "disk full on <PATH>");
		free(t);
		t = template_of(trace_event("java", "E", line));
		assert_string_equal(t, "<TS> ERROR disk full on <PATH>");
		free(t);
		assert_differ(fp_of(trace_event("java", "E", "x")),
			      fp_of(trace_event("java", "F", "x")));
		/* The same frames under another kind or type. */
		assert_differ(fp_of(java_trace("E", "x", "run")),
			      fp_of(java_trace("F", "x", "run")));
		a = java_trace("E", "x", "run");
		free(a->kind);
		a->kind = qe_xstrdup("kotlin");
		assert_differ(fp_of(a), fp_of(java_trace("E", "x", "run")));
		/* A module and a file of the same text are normalised apart. */
		a = trace_event("java", "E", "m");
		add_frame(a, "src/app7/main.py", "run", NULL, 1, 1);
		b = trace_event("java", "E", "m");
		add_frame(b, NULL, "run", "src/app7/main.py", 1, 1);
		assert_differ(fp_of(a), fp_of(b));
		/* Which frames are in-app decides which are hashed. */
		a = trace_event("java", "E", "m");
		add_frame(a, "org.lib.A", "x", NULL, 1, 1);
		add_frame(a, "com.acme.B", "y", NULL, 2, 0);
		b = trace_event("java", "E", "m");
		add_frame(b, "org.lib.A", "x", NULL, 1, 0);
		add_frame(b, "com.acme.B", "y", NULL, 2, 1);
		assert_differ(fp_of(a), fp_of(b));
	}
}

static void test_frames_languages(void **state)
{
	struct qe_event *a, *b;

	(void)state;
	/* Rust hash suffix. */
	a = trace_event("rust", "panicked", "m");
	add_frame(a, "app::db", "connect::h0123456789abcdef", NULL, 1, 1);
	b = trace_event("rust", "panicked", "m");
	add_frame(b, "app::db", "connect::hfedcba9876543210", NULL, 5, 1);
	assert_same(fp_of(a), fp_of(b));

	/* .NET compiler-generated names. */
	a = trace_event("dotnet", "System.Exception", "m");
	add_frame(a, "Acme.Worker+<RunAsync>d__5", "MoveNext", NULL, 1, 1);
	add_frame(a, "Acme.Program+<>c", "<Main>b__0_1", NULL, 1, 1);
	b = trace_event("dotnet", "System.Exception", "m");
	add_frame(b, "Acme.Worker+<RunAsync>d__12", "MoveNext", NULL, 1, 1);
	add_frame(b, "Acme.Program+<>c", "<Main>b__3_0", NULL, 1, 1);
	assert_same(fp_of(a), fp_of(b));

	/* Go closures and offsets. */
	a = trace_event("go", "runtime error", "m");
	add_frame(a, "main", "handler.func1", "/home/a/src/app/main.go", 42, 1);
	b = trace_event("go", "runtime error", "m");
	add_frame(b, "main", "handler.func2", "/build/src/app/main.go", 50, 1);
	assert_same(fp_of(a), fp_of(b));

	/* Python: file paths of other hosts, users and interpreter versions. */
	a = trace_event("python", "KeyError", "m");
	add_frame(a, NULL, "main", "/home/alice/proj/app/run.py", 1, 1);
	add_frame(a, NULL, "get", "/usr/lib/python3.11/site-packages/requests/api.py", 73,
		  1);
	b = trace_event("python", "KeyError", "m");
	add_frame(b, NULL, "main", "/srv/deploy/app/run.py", 3, 1);
	add_frame(b, NULL, "get",
		  "/opt/venv/lib/python3.12/site-packages/requests/api.py", 80, 1);
	assert_same(fp_of(a), fp_of(b));

	/* Node: pnpm store versions and line:column in the file. */
	a = trace_event("node", "TypeError", "m");
	add_frame(a, NULL, "handle",
		  "/srv/app/node_modules/.pnpm/express@4.18.2/node_modules/express/lib/"
		  "layer.js:95:5",
		  95, 1);
	b = trace_event("node", "TypeError", "m");
	add_frame(b, NULL, "handle",
		  "/home/u/x/node_modules/.pnpm/express@4.19.0/node_modules/express/lib/"
		  "layer.js:97:9",
		  97, 1);
	assert_same(fp_of(a), fp_of(b));

	/* But another file is another call site. */
	a = trace_event("node", "TypeError", "m");
	add_frame(a, NULL, "handle", "/srv/app/src/users.js:12:7", 12, 1);
	b = trace_event("node", "TypeError", "m");
	add_frame(b, NULL, "handle", "/srv/app/src/orders.js:12:7", 12, 1);
	assert_differ(fp_of(a), fp_of(b));
}

static void test_python_innermost(void **state)
{
	struct qe_event *a, *b;
	int k;

	(void)state;
	/* Python prints the failing frame last: deep stacks that share the
	 * entry frames but fail elsewhere are different errors. */
	a = trace_event("python", "ValueError", "m");
	b = trace_event("python", "ValueError", "m");
	for (k = 0; k < QE_FINGERPRINT_FRAMES + 2; k++) {
		add_frame(a, "app.entry", "step", NULL, k, 1);
		add_frame(b, "app.entry", "step", NULL, k, 1);
	}
	add_frame(a, "app.db", "query", NULL, 1, 1);
	add_frame(b, "app.cache", "get", NULL, 1, 1);
	assert_differ(fp_of(a), fp_of(b));
}

static void test_explain(void **state)
{
	struct qe_event *ev =
	    java_trace("java.lang.IllegalStateException", "order 42", "run");
	struct qe_buf b = QE_BUF_INIT;
	json_t *j, *frames;

	(void)state;
	qe_fingerprint(ev);
	qe_fingerprint_explain(ev, &b);
	j = json_loads(b.buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")),
			 QE_FINGERPRINT_VERSION);
	assert_string_equal(json_string_value(json_object_get(j, "basis")), "frames");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "java");
	assert_string_equal(json_string_value(json_object_get(j, "type")),
			    "java.lang.IllegalStateException");
	assert_string_equal(json_string_value(json_object_get(j, "template")),
			    "order <NUM>");
	frames = json_object_get(j, "frames");
	assert_int_equal(json_array_size(frames), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(frames, 0), "module")),
	    "com.acme.Orders");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(frames, 0), "function")),
	    "lambda$find");
	json_decref(j);
	qe_event_free(ev);

	/* A message event, with bytes that are not UTF-8. */
	qe_buf_reset(&b);
	ev = line_event("bad \xff byte 7");
	qe_fingerprint_explain(ev, &b);
	j = json_loads(b.buf, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "basis")), "message");
	assert_true(json_is_null(json_object_get(j, "type")));
	assert_int_equal(json_array_size(json_object_get(j, "frames")), 0);
	json_decref(j);
	qe_event_free(ev);
	qe_buf_release(&b);
}

/* ---- frozen snapshots ---- */

static const char *data_dir(void)
{
	const char *d = getenv("QE_TEST_DATA");
	return d && *d ? d : "tests/data";
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct qe_buf b = QE_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		fail_msg("cannot open '%s' (run from the top of the repository or set "
			 "QE_TEST_DATA)",
			 path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		qe_buf_add(&b, chunk, n);
	fclose(f);
	return qe_buf_detach(&b);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		fail_msg("cannot write '%s'", path);
}

static int regenerate(void)
{
	const char *w = getenv("QE_FINGERPRINT_SNAPSHOT_WRITE");
	return w && *w == '1';
}

static void test_snapshot_lines(void **state)
{
	char *in_path = qe_xasprintf("%s/fingerprint/lines.txt", data_dir());
	char *exp_path = qe_xasprintf("%s/fingerprint/lines.expected", data_dir());
	char *in = read_text(in_path), *p, *nl, *expected;
	struct qe_buf got = QE_BUF_INIT;
	int nr = 0;

	(void)state;
	for (p = in; *p; p = nl + 1) {
		struct qe_event *ev;
		char *line;
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		line = qe_xstrndup(p, (size_t)(nl - p + (*nl != '\n')));
		ev = line_event(line);
		qe_fingerprint(ev);
		qe_buf_addf(&got, "%s  %s\n", ev->fingerprint, ev->template);
		qe_event_free(ev);
		free(line);
		nr++;
	}
	assert_true(nr >= 10);
	if (regenerate())
		write_text(exp_path, got.buf);
	expected = read_text(exp_path);
	if (strcmp(expected, got.buf))
		fail_msg("fingerprints of %s changed; if intended, bump "
			 "QE_FINGERPRINT_VERSION "
			 "and regenerate (tests/data/fingerprint/README).  Now:\n%s",
			 in_path, got.buf);
	free(expected);
	qe_buf_release(&got);
	free(in);
	free(in_path);
	free(exp_path);
}

static char *field(char **cursor)
{
	char *s = *cursor, *bar = strchr(s, '|');
	if (bar) {
		*bar = '\0';
		*cursor = bar + 1;
	} else {
		*cursor = s + strlen(s);
	}
	return *s ? s : NULL;
}

static void test_snapshot_traces(void **state)
{
	char *path = qe_xasprintf("%s/fingerprint/traces.txt", data_dir());
	char *text = read_text(path), *p, *nl;
	struct qe_buf out = QE_BUF_INIT;
	struct qe_event *ev = NULL;
	int blocks = 0, failures = 0;

	(void)state;
	for (p = text; *p; p = nl + 1) {
		char *line;
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		line = qe_xstrndup(p, (size_t)(nl - p));
		if (!ev && strncmp(line, "kind: ", 6) == 0) {
			ev = qe_event_new(line + 6, line + 6);
		} else if (ev && !strncmp(line, "type: ", 6)) {
			ev->type = qe_xstrdup(line + 6);
		} else if (ev && !strncmp(line, "message: ", 9)) {
			free(ev->message);
			ev->message = qe_xstrdup(line + 9);
			qe_event_add_line(ev, line + 9, strlen(line + 9));
		} else if (ev && !strncmp(line, "frame: ", 7)) {
			char *c = line + 7, *mod = field(&c), *fn = field(&c),
			     *file = field(&c), *ln = field(&c), *app = field(&c);
			add_frame(ev, mod, fn, file, ln ? atol(ln) : 0,
				  app && *app == '1');
		} else if (ev && !strncmp(line, "fingerprint:", 12)) {
			const char *want = line + 12;
			while (*want == ' ')
				want++;
			qe_fingerprint(ev);
			if (strcmp(want, ev->fingerprint)) {
				print_error("trace block %d (%s): want '%s', got '%s'\n",
					    blocks + 1, ev->kind, want, ev->fingerprint);
				failures++;
			}
			qe_buf_addf(&out, "fingerprint: %s", ev->fingerprint);
			qe_event_free(ev);
			ev = NULL;
			blocks++;
			free(line);
			if (!*nl)
				break;
			qe_buf_addch(&out, '\n');
			continue;
		}
		qe_buf_addstr(&out, line);
		if (*nl)
			qe_buf_addch(&out, '\n');
		free(line);
		if (!*nl)
			break;
	}
	qe_event_free(ev);
	assert_true(blocks >= 6);
	if (regenerate())
		write_text(path, out.buf);
	else if (failures)
		fail_msg("%d trace fingerprints changed; if intended, bump "
			 "QE_FINGERPRINT_VERSION and regenerate "
			 "(tests/data/fingerprint/README)",
			 failures);
	qe_buf_release(&out);
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_numbers),
	    cmocka_unit_test(test_mask_hex_ids),
	    cmocka_unit_test(test_mask_byte_classes),
	    cmocka_unit_test(test_mask_addresses),
	    cmocka_unit_test(test_mask_times),
	    cmocka_unit_test(test_mask_strings_paths),
	    cmocka_unit_test(test_mask_header),
	    cmocka_unit_test(test_mask_bounds),
	    cmocka_unit_test(test_fingerprint_format),
	    cmocka_unit_test(test_fingerprint_messages),
	    cmocka_unit_test(test_fingerprint_traces),
	    cmocka_unit_test(test_fingerprint_repeats),
	    cmocka_unit_test(test_frames_languages),
	    cmocka_unit_test(test_python_innermost),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_snapshot_lines),
	    cmocka_unit_test(test_snapshot_traces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
