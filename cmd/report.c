/* Shared event output: see report.h */
#include "report.h"

#include "event.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

json_t *qe_report_string(const char *s)
{
	char *clean;
	json_t *j;
	if (!s)
		return json_null();
	clean = qe_utf8_sanitize(s, strlen(s));
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("");
}

json_t *qe_report_event_json(const struct qe_event *ev)
{
	json_t *o = json_object(), *lines = json_array();
	size_t i;
	for (i = 0; i < ev->nr_lines; i++)
		json_array_append_new(lines, qe_report_string(ev->lines[i]));
	json_object_set_new(o, "fingerprint", json_string(ev->fingerprint));
	json_object_set_new(o, "kind", qe_report_string(ev->kind));
	json_object_set_new(o, "type", qe_report_string(ev->type));
	json_object_set_new(o, "message", qe_report_string(ev->message));
	json_object_set_new(o, "severity", json_string(qe_severity_name(ev->severity)));
	json_object_set_new(o, "rule", qe_report_string(ev->rule));
	json_object_set_new(o, "template", qe_report_string(ev->template));
	json_object_set_new(o, "truncated", json_boolean(ev->truncated));
	json_object_set_new(o, "lines", lines);
	return o;
}

int qe_report_print_json(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = 0;
	if (!s)
		return -1;
	if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF)
		rc = -1;
	free(s);
	return rc;
}

json_t *qe_report_parse_advice(const char *text)
{
	json_error_t err;
	json_t *j;
	if (!text)
		return NULL;
	j = json_loads(text, 0, &err);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void print_field(FILE *out, const char *indent, const char *label, const char *bold,
			const char *reset, const char *text)
{
	const char *p = text, *nl;
	char *clean;
	if (!text || !*text)
		return;
	clean = qe_utf8_sanitize(text, strlen(text));
	p = clean;
	fprintf(out, "%s%s%s:%s ", indent, bold, label, reset);
	while ((nl = strchr(p, '\n'))) {
		fprintf(out, "%.*s\n%s  ", (int)(nl - p), p, indent);
		p = nl + 1;
	}
	fprintf(out, "%s\n", p);
	free(clean);
}

void qe_report_advice_text(struct qe_ctx *ctx, FILE *out, json_t *advice, const char *indent)
{
	const char *bold = qe_color_code(ctx, "\033[1m");
	const char *reset = qe_color_code(ctx, "\033[0m");
	json_t *conf = json_object_get(advice, "confidence");
	json_t *refs = json_object_get(advice, "references");
	print_field(out, indent, "summary", bold, reset,
		    json_string_value(json_object_get(advice, "summary")));
	print_field(out, indent, "root cause", bold, reset,
		    json_string_value(json_object_get(advice, "root_cause")));
	print_field(out, indent, "fix", bold, reset,
		    json_string_value(json_object_get(advice, "fix")));
	if (json_is_number(conf))
		fprintf(out, "%s%sconfidence:%s %.2f\n", indent, bold, reset,
			json_number_value(conf));
	if (json_is_array(refs) && json_array_size(refs)) {
		size_t i;
		json_t *r;
		fprintf(out, "%s%sreferences:%s\n", indent, bold, reset);
		json_array_foreach(refs, i, r)
		{
			if (json_is_string(r)) {
				char *c = qe_utf8_sanitize(json_string_value(r),
							   strlen(json_string_value(r)));
				fprintf(out, "%s  - %s\n", indent, c);
				free(c);
			}
		}
	}
}
