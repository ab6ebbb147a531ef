/*
 * decode_driver: time the decoding stage over a file, as the source stage
 * will run it: lines -> decoder -> one assembler per stream key, and JSON
 * records of level error or above turned into events (their exception
 * text assembled like text).  With --format raw the decoder is left out
 * and lines go straight to one assembler: the text scan it is compared to.
 *
 *     decode_driver --format auto|text|json|docker|cri|syslog|raw FILE
 *
 * Prints one line: format bytes lines records quick events, then wall-clock
 * seconds and MB/s, then CPU seconds (user + system) and MB/s: on a shared
 * machine the CPU figures are the ones to compare.
 * Built by bench/formats.sh against build/std/libqerrors.a.
 */
#include "assemble.h"
#include "config.h"
#include "decode.h"
#include "event.h"
#include "lines.h"
#include "rules.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 64

struct ctx {
	struct qe_rules *rules;
	struct qe_decoder *d;
	uint32_t keys[MAX_KEYS];
	struct qe_assembler *a[MAX_KEYS];
	size_t nk;
	unsigned long events;
};

static void on_event(struct qe_event *ev, void *data)
{
	struct ctx *c = data;
	c->events++;
	qe_event_free(ev);
}

static struct qe_assembler *asm_for(struct ctx *c, uint32_t key)
{
	size_t i;
	for (i = 0; i < c->nk; i++)
		if (c->keys[i] == key)
			return c->a[i];
	if (c->nk == MAX_KEYS)
		return c->a[0];
	c->keys[c->nk] = key;
	c->a[c->nk] = qe_assembler_new(c->rules, 200, 65536, on_event, c);
	return c->a[c->nk++];
}

static void on_dline(const struct qe_dline *l, void *data)
{
	struct ctx *c = data;
	qe_assembler_feed(asm_for(c, l->meta.key), l->text, l->len, l->start_pos, l->end_pos);
}

/* Records go through qe_decode_record_event(), as the source stage will. */
static void on_record(const struct qe_record *r, void *data)
{
	struct ctx *c = data;
	struct qe_event *ev = qe_decode_record_event(r, c->rules, 200, 65536);
	if (ev)
		on_event(ev, c);
}

static void on_line(const char *line, size_t len, uint64_t start, uint64_t end,
		    unsigned flags, void *data)
{
	struct ctx *c = data;
	if (c->d)
		qe_decoder_feed(c->d, line, len, start, end);
	else
		qe_assembler_feed(c->a[0], line, len, start, end);
}

int main(int argc, char **argv)
{
	struct qe_config cfg;
	struct ctx c;
	struct qe_lines l;
	struct qe_decode_opts o;
	struct qe_decode_cb cb = {on_dline, on_record};
	struct timespec t0, t1, c0, c1;
	enum qe_format f = QE_FMT_AUTO;
	int fd, raw;
	size_t i;
	double s, cs;

	if (argc != 4 || strcmp(argv[1], "--format")) {
		fprintf(stderr, "usage: decode_driver --format FORMAT|raw FILE\n");
		return 2;
	}
	raw = !strcmp(argv[2], "raw");
	if (!raw && qe_format_parse(argv[2], &f) < 0) {
		fprintf(stderr, "decode_driver: %s\n", qe_last_error());
		return 2;
	}
	fd = open(argv[3], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[3]);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	qe_config_init(&cfg);
	c.rules = qe_rules_new(&cfg);
	if (!c.rules) {
		fprintf(stderr, "decode_driver: %s\n", qe_last_error());
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.format = f;
	if (raw)
		asm_for(&c, 0);
	else
		c.d = qe_decoder_new(&o, &cb, &c);
	qe_lines_init(&l, 65536, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	if (qe_lines_read_fd(&l, fd, argv[3], on_line, &c) < 0) {
		fprintf(stderr, "decode_driver: %s\n", qe_last_error());
		return 1;
	}
	if (c.d)
		qe_decoder_flush(c.d);
	for (i = 0; i < c.nk; i++)
		qe_assembler_flush(c.a[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cs = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	printf("%s %llu %llu %llu %llu %lu %.3f %.1f %.3f %.1f\n",
	       raw ? "raw" : qe_decoder_format_name(c.d), (unsigned long long)l.bytes,
	       (unsigned long long)l.lines,
	       c.d ? (unsigned long long)qe_decoder_stats(c.d)->records : 0ULL,
	       c.d ? (unsigned long long)qe_decoder_stats(c.d)->quick : 0ULL, c.events, s,
	       (double)l.bytes / 1e6 / s, cs, (double)l.bytes / 1e6 / cs);
	for (i = 0; i < c.nk; i++)
		qe_assembler_free(c.a[i]);
	qe_decoder_free(c.d);
	qe_lines_release(&l);
	qe_rules_free(c.rules);
	qe_config_release(&cfg);
	close(fd);
	return 0;
}
