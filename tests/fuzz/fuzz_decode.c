/*
 * Decoding: qe_decoder_feed() over lines of any bytes in every format,
 * then flush, checked against the invariants of decode.h.
 *
 * Input: byte 0 picks the format (low 3 bits) and a small or the default
 * cap on joined lines (bit 3); the rest is split at '\n' into lines.
 * Byte 1 bit 0 sends the data through qe_decoder_feed_meta() instead.
 * Every record is also made into its event (qe_decode_record_event()).
 */
#include "fuzz.h"

#include "ansi.h"
#include "config.h"
#include "decode.h"
#include "event.h"
#include "rules.h"
#include "util.h"

#include <string.h>

struct rec {
	size_t max_line;
	uint64_t input_len;
	uint64_t text_lines, records;
};

static struct qe_config cfg;
static struct qe_rules *rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	qe_config_init(&cfg);
	rules = qe_rules_new(&cfg);
	FUZZ_ASSERT(rules);
	return 0;
}

static void check_meta(const struct qe_decode_meta *m)
{
	FUZZ_ASSERT(m->level >= -1 && m->level <= QE_SEV_FATAL);
	FUZZ_ASSERT(!m->stream || !strcmp(m->stream, "stdout") ||
		    !strcmp(m->stream, "stderr"));
}

static void on_line(const struct qe_dline *l, void *data)
{
	struct rec *r = data;
	FUZZ_ASSERT(l->text[l->len] == '\0');
	FUZZ_ASSERT(l->body_off <= l->len);
	FUZZ_ASSERT(!memchr(l->text, 0x1b, l->len)); /* escapes always removed */
	FUZZ_ASSERT(l->start_pos <= l->end_pos && l->end_pos <= r->input_len);
	if (l->flags & QE_DLINE_JOINED)
		FUZZ_ASSERT(l->len <= r->max_line);
	if (l->flags & QE_DLINE_CUT)
		FUZZ_ASSERT(l->len == r->max_line);
	check_meta(&l->meta);
	r->text_lines++;
}

static void on_record(const struct qe_record *rc, void *data)
{
	struct rec *r = data;
	FUZZ_ASSERT(rc->text);
	FUZZ_ASSERT(!strchr(rc->text, '\n'));
	FUZZ_ASSERT(rc->start_pos <= rc->end_pos && rc->end_pos <= r->input_len);
	FUZZ_ASSERT(rc->raw && rc->raw_len <= r->input_len);
	if (!rc->parsed)
		FUZZ_ASSERT(rc->meta.level >= 0 && rc->meta.level < QE_SEV_ERROR);
	check_meta(&rc->meta);
	{
		struct qe_event *ev = qe_decode_record_event(rc, rules, 20, 4096);
		if (ev) {
			FUZZ_ASSERT(ev->message && ev->nr_lines >= 1);
			FUZZ_ASSERT(ev->start_pos == rc->start_pos);
			qe_event_free(ev);
		} else {
			FUZZ_ASSERT(!rc->parsed || rc->meta.level < QE_SEV_ERROR);
		}
	}
	r->records++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {on_line, on_record};
	struct rec r;
	struct qe_decoder *d;
	const struct qe_decode_stats *st;
	const char *s;
	size_t pos, n;

	if (size < 2)
		return 0;
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	o.format = (enum qe_format)(data[0] & 7) % (QE_FMT_JOURNAL + 1);
	o.max_line_bytes = (data[0] & 8) ? 16 : 0;
	o.now_ms = 1796119200000LL;
	r.max_line = o.max_line_bytes ? o.max_line_bytes : 65536;
	s = (const char *)data + 2;
	n = size - 2;
	r.input_len = n;
	d = qe_decoder_new(&o, &cb, &r);
	FUZZ_ASSERT(d);
	if (data[1] & 1) {
		struct qe_decode_meta m;
		memset(&m, 0, sizeof(m));
		m.time_ms = -1;
		m.level = -1;
		qe_decoder_feed_meta(d, s, n, &m, 0, n);
	} else {
		for (pos = 0; pos < n;) {
			const char *nl = memchr(s + pos, '\n', n - pos);
			size_t len = nl ? (size_t)(nl - (s + pos)) : n - pos;
			uint64_t end = pos + len + (nl ? 1 : 0);
			uint64_t pend;
			qe_decoder_feed(d, s + pos, len, pos, end);
			if (qe_decoder_pending(d, &pend))
				FUZZ_ASSERT(pend <= end);
			pos = end;
		}
	}
	qe_decoder_flush(d);
	FUZZ_ASSERT(!qe_decoder_pending(d, NULL));
	st = qe_decoder_stats(d);
	/* every physical line delivered once: as text, as a record or merged */
	FUZZ_ASSERT(st->lines == st->text_lines + st->records + st->joined);
	FUZZ_ASSERT(st->text_lines == r.text_lines && st->records == r.records);
	FUZZ_ASSERT(st->quick <= st->records);
	qe_decoder_free(d);
	return 0;
}
