/*
 * qerrors fingerprint: show how lines and events are grouped.
 *
 * By default the input goes through the rules and the assembler, as in
 * `tail`, and each error event is printed with its fingerprint.  With
 * --lines every input line is its own event, which is how grouping is
 * measured against labelled logs (bench/grouping.sh).
 */
#include "qerrors.h"
#include "event.h"
#include "fingerprint.h"
#include "grouping.h"
#include "learn.h"
#include "report.h"
#include "rules.h"
#include "source.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const fingerprint_usage[] = {
    "qerrors fingerprint [--lines] [--json] [--no-learn | --state] [FILE]",
    NULL,
};

struct fp_run {
	struct qe_grouping *grouping;
	const char *source;
	int json;
	int lines;
	int learning; /* the first of two passes: learn, print nothing */
	int write_error;
};

static void print_event(struct qe_event *ev, struct fp_run *r)
{
	struct qe_buf parts = QE_BUF_INIT;
	struct qe_fp_info info;

	if (r->write_error)
		return;
	qe_fingerprint_with(ev, r->grouping, r->source, &info);
	if (r->learning) {
		qe_fp_info_release(&info);
		return;
	}
	if (r->json) {
		json_t *o = json_object(), *p;
		qe_fingerprint_explain_with(ev, &info, &parts);
		p = json_loads(parts.buf, 0, NULL);
		json_object_set_new(o, "fingerprint", json_string(ev->fingerprint));
		json_object_set_new(o, "template", qe_report_string(ev->template));
		json_object_set_new(o, "kind", qe_report_string(ev->kind));
		json_object_set_new(o, "type",
				    ev->type ? qe_report_string(ev->type) : json_null());
		json_object_set_new(o, "stage",
				    json_string(qe_fp_stage_name(info.stage)));
		if (info.rule)
			json_object_set_new(o, "rule", qe_report_string(info.rule));
		if (!r->lines) {
			json_object_set_new(o, "message", qe_report_string(ev->message));
			json_object_set_new(o, "lines",
					    json_integer((json_int_t)ev->nr_lines));
		}
		json_object_set_new(o, "parts", p ? p : json_null());
		if (qe_report_print_json(o) < 0)
			r->write_error = 1;
		json_decref(o);
	} else {
		char *t = qe_utf8_sanitize(ev->template, strlen(ev->template));
		int w = info.rule
			    ? printf("%s  %s  [rule %s]\n", ev->fingerprint, t, info.rule)
			    : printf("%s  %s\n", ev->fingerprint, t);
		if (w < 0)
			r->write_error = 1;
		free(t);
	}
	qe_fp_info_release(&info);
	qe_buf_release(&parts);
}

static void on_event(struct qe_source *src, struct qe_event *ev, void *data)
{
	print_event(ev, data);
	qe_event_free(ev);
}

/* A copy of a stream that cannot be read twice, in an unlinked temporary
 * file: its descriptor at offset 0, or -1 with the message said. */
static int spool(int fd, const char *name)
{
	const char *dir = getenv("TMPDIR");
	struct qe_buf path = QE_BUF_INIT;
	char buf[65536];
	ssize_t n;
	int t;

	qe_buf_addf(&path, "%s/qerrors-fingerprint-XXXXXX", dir && *dir ? dir : "/tmp");
	t = mkstemp(path.buf);
	if (t < 0) {
		qe_error_msg("cannot make a temporary file for '%s' in '%s': %s", name,
			     dir && *dir ? dir : "/tmp", strerror(errno));
		qe_buf_release(&path);
		return -1;
	}
	unlink(path.buf);
	qe_buf_release(&path);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		size_t done = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		while (done < (size_t)n) {
			ssize_t w = write(t, buf + done, (size_t)n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto fail;
			done += (size_t)w;
		}
	}
	if (lseek(t, 0, SEEK_SET) == 0)
		return t;
fail:
	qe_error_msg("cannot keep '%s' for a second pass: %s", name, strerror(errno));
	close(t);
	return -1;
}

int cmd_fingerprint(int argc, char **argv, struct qe_ctx *ctx)
{
	int lines = 0, json = 0, no_learn = 0, use_state = 0, nargs, fd = STDIN_FILENO,
	    rc = QE_EXIT_OK;
	const struct qe_option opts[] = {
	    QE_OPT_FLAG_(0, "lines", &lines, "treat every line as its own event"),
	    QE_OPT_FLAG_(0, "json", &json,
			 "one JSON object per event: fingerprint, template, kind, type, "
			 "stage, parts"),
	    QE_OPT_FLAG_(0, "no-learn", &no_learn,
			 "group by the mask alone, without learning templates"),
	    QE_OPT_FLAG_(0, "state", &use_state,
			 "start from the templates tail learnt (the state, read-only)"),
	    QE_OPT_END_,
	};
	struct fp_run r;
	struct qe_rules *rules = NULL;
	struct qe_source_conf sc;
	struct qe_source *src = NULL;
	struct qe_source_counts counts;
	const char *name = "standard input";
	char **args;

	memset(&r, 0, sizeof(r));
	nargs = qe_parse_options(argc, argv, opts, fingerprint_usage, &args);
	if (nargs < 0)
		return QE_EXIT_USAGE;
	if (nargs > 1) {
		qe_error_msg("fingerprint takes at most one FILE");
		qe_usage(stderr, opts, fingerprint_usage);
		return QE_EXIT_USAGE;
	}
	if (qe_ctx_load_config(ctx) < 0)
		return QE_EXIT_USAGE;
	r.json = json;
	r.lines = lines;
	if (no_learn)
		ctx->cfg.grouping_learn = 0;
	if (no_learn && use_state) {
		qe_error_msg("--no-learn and --state cannot be used together");
		return QE_EXIT_USAGE;
	}
	r.grouping = qe_grouping_new(&ctx->cfg);
	if (!r.grouping) {
		qe_error_msg("%s", qe_last_error());
		return QE_EXIT_USAGE;
	}
	if (use_state) {
		/* what tail learnt, so that this groups the way it does; nothing
		 * learnt here is written back */
		struct qe_store *st =
		    qe_store_open(qe_ctx_state_dir(ctx), QE_STORE_READONLY);
		if (!st || qe_grouping_load(r.grouping, st, NULL) < 0) {
			qe_error_msg("%s", qe_last_error());
			qe_store_close(st);
			qe_grouping_free(r.grouping);
			return QE_EXIT_FAILURE;
		}
		qe_store_close(st);
	}
	if (nargs == 1 && strcmp(args[0], "-")) {
		name = args[0];
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			qe_error_msg("cannot open '%s': %s", name, strerror(errno));
			qe_grouping_free(r.grouping);
			return QE_EXIT_FAILURE;
		}
	}
	r.source = name;
	if (!lines) {
		rules = qe_rules_new(&ctx->cfg);
		if (!rules) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_USAGE;
			goto out;
		}
	}
	qe_source_conf_from_config(&sc, &ctx->cfg, rules);
	if (lines)
		sc.flags = QE_SOURCE_EACH_LINE;
	sc.on_event = on_event;
	sc.data = &r;
	sc.path = fd == STDIN_FILENO ? NULL : name;
	/* With learning, the whole input is learnt first and then every line
	 * is shown with the group it has at the end: a slot that turned out
	 * to vary groups its first lines too.  A pipe is kept in a temporary
	 * file for the second pass. */
	r.learning = qe_grouping_learner(r.grouping) != NULL;
	if (r.learning && lseek(fd, 0, SEEK_CUR) < 0) {
		int t = spool(fd, name);
		if (t < 0) {
			rc = QE_EXIT_FAILURE;
			goto out;
		}
		if (fd != STDIN_FILENO)
			close(fd);
		fd = t;
	}
	for (;;) {
		off_t at = r.learning ? lseek(fd, 0, SEEK_CUR) : 0;
		src = qe_source_new(&sc, 0);
		if (!src) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_USAGE;
			goto out;
		}
		if (qe_source_read_fd(src, fd, name, &counts) < 0) {
			qe_error_msg("%s", qe_last_error());
			rc = QE_EXIT_FAILURE;
			goto out;
		}
		if (!r.learning)
			break;
		qe_source_free(src);
		src = NULL;
		r.learning = 0;
		if (lseek(fd, at, SEEK_SET) < 0) {
			qe_error_msg("cannot read '%s' again: %s", name, strerror(errno));
			rc = QE_EXIT_FAILURE;
			goto out;
		}
	}
	if (counts.truncated_lines) {
		qe_warn_msg("%llu line%s longer than %ld bytes cut",
			    (unsigned long long)counts.truncated_lines,
			    counts.truncated_lines == 1 ? "" : "s",
			    ctx->cfg.max_line_bytes);
	}
	if (r.write_error && rc == QE_EXIT_OK)
		rc = QE_EXIT_FAILURE;
out:
	qe_source_free(src);
	qe_rules_free(rules);
	qe_grouping_free(r.grouping);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
