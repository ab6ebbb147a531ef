/* pods: see pods.h */
#include "pods.h"
#include "report.h"

#include "decode.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Names come from file names: show them without control characters. */
static char *clean(const char *s)
{
	char *t = qe_utf8_sanitize(s, strlen(s));
	size_t i;
	for (i = 0; t[i]; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			t[i] = '?';
	return t;
}

struct load {
	struct qe_pods *p;
	size_t sources;
};

static int on_source(const struct qe_group_source *src, void *data)
{
	struct load *l = data;
	struct qe_pods *p = l->p;
	struct qe_k8s k;
	struct qe_pod *d;
	size_t i;

	l->sources++;
	if (!src->source || !qe_k8s_from_path(src->source, &k))
		return 0;
	for (i = 0; i < p->n; i++) {
		d = &p->v[i];
		if (!strcmp(d->pod, k.pod) && !strcmp(d->namespace, k.namespace)) {
			/* sources come most recent first: the container and
			 * last time stay those of the first one */
			d->count += src->count;
			if (src->first_seen < d->first_seen)
				d->first_seen = src->first_seen;
			return 0;
		}
	}
	QE_ALLOC_GROW(p->v, p->n + 1, p->alloc);
	d = &p->v[p->n++];
	d->pod = clean(k.pod);
	d->namespace = clean(k.namespace);
	d->container = clean(k.container);
	d->count = src->count;
	d->first_seen = src->first_seen;
	d->last_seen = src->last_seen;
	return 0;
}

int qe_pods_load(struct qe_store *s, const char *fp, struct qe_pods *out)
{
	struct load l;
	memset(out, 0, sizeof(*out));
	l.p = out;
	l.sources = 0;
	if (qe_store_group_sources(s, fp, on_source, &l) < 0) {
		qe_pods_release(out);
		return -1;
	}
	out->capped = out->n && l.sources >= QE_STORE_GROUP_SOURCES_MAX;
	return 0;
}

void qe_pods_release(struct qe_pods *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].pod);
		free(p->v[i].namespace);
		free(p->v[i].container);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int qe_pods_in_namespace(const struct qe_pods *p, const char *ns)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].namespace, ns))
			return 1;
	return 0;
}

void qe_pods_count(const struct qe_pods *p, char *buf, size_t n)
{
	snprintf(buf, n, "%zu%s", p->n, p->capped ? "+" : "");
}

char *qe_pods_list(const struct qe_pods *p)
{
	struct qe_buf b = QE_BUF_INIT;
	size_t i, shown = p->n < QE_PODS_SHOWN ? p->n : QE_PODS_SHOWN;
	for (i = 0; i < shown; i++) {
		if (i)
			qe_buf_addstr(&b, i + 1 == p->n ? " and " : ", ");
		qe_buf_addf(&b, "%s/%s", p->v[i].namespace, p->v[i].pod);
	}
	if (shown < p->n)
		qe_buf_addf(&b, " and %zu%s more", p->n - shown, p->capped ? "+" : "");
	if (!b.buf)
		qe_buf_addstr(&b, "");
	return qe_buf_detach(&b);
}

void qe_pods_json(json_t *obj, const struct qe_pods *p)
{
	json_t *list = json_array();
	size_t i;
	for (i = 0; i < p->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "pod", json_string(p->v[i].pod));
		json_object_set_new(o, "namespace", json_string(p->v[i].namespace));
		json_object_set_new(o, "container", json_string(p->v[i].container));
		json_object_set_new(o, "count", json_integer(p->v[i].count));
		json_object_set_new(o, "first_seen",
				    qe_report_time_json(p->v[i].first_seen));
		json_object_set_new(o, "last_seen",
				    qe_report_time_json(p->v[i].last_seen));
		json_array_append_new(list, o);
	}
	json_object_set_new(obj, "pod", p->n ? json_string(p->v[0].pod) : json_null());
	json_object_set_new(obj, "namespace",
			    p->n ? json_string(p->v[0].namespace) : json_null());
	json_object_set_new(obj, "container",
			    p->n ? json_string(p->v[0].container) : json_null());
	json_object_set_new(obj, "pods", json_integer((json_int_t)p->n));
	json_object_set_new(obj, "pods_capped", json_boolean(p->capped));
	json_object_set_new(obj, "pod_list", list);
}
