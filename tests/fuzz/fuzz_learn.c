/*
 * Learnt templates: lines of arbitrary bytes masked and learnt by two
 * learners, one of them with no index (they must agree), then the learnt
 * set exported and imported into a third; every line also imported into
 * it as if it were a record from a state or a fleet.
 */
#include "fuzz.h"

#include "fingerprint.h"
#include "learn.h"
#include "util.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int is_id(const char *id)
{
	size_t i;

	for (i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return 0;
	return id[16] == '\0';
}

static int reimport(const struct qe_learnt *t, void *data)
{
	if (!t->retired)
		FUZZ_ASSERT(qe_learn_import(data, t) == 0);
	return 0;
}

#define CAP 32
#define CAP_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qe_learn *a = qe_learn_new(CAP, CAP_BYTES, 0),
			*b = qe_learn_new(CAP, CAP_BYTES, 0),
			*c = qe_learn_new(CAP, CAP_BYTES, 0);
	const char *s = (const char *)data, *end = s + size;
	struct qe_learn_stats st;
	char fp[17] = "0123456789abcdef";
	long long t = 0;

	/* b compares with every template: the index must find the same */
	qe_learn_set_scan(b, 1);

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *masked = qe_fingerprint_mask(s, len), id1[17], id2[17];
		char *raw = qe_xstrndup(s, len);
		struct qe_learnt rec;

		/* a different mask fingerprint per line, as the mask would give */
		snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)t * 2654435761u);
		qe_learn_match(a, "", masked, fp, t, id1, NULL);
		qe_learn_match(b, "", masked, fp, t, id2, NULL);
		FUZZ_ASSERT(is_id(id1));
		/* deterministic, and the index finds what the scan finds:
		 * the same lines give the same ids */
		FUZZ_ASSERT(!strcmp(id1, id2));
		memset(&rec, 0, sizeof(rec));
		rec.id = fp;
		rec.type = "";
		rec.tmpl = raw;
		rec.first_seen = t;
		qe_learn_import(c, &rec);
		free(masked);
		free(raw);
		t++;
		s += len + 1;
	}
	qe_learn_stats(a, &st);
	FUZZ_ASSERT(st.templates <= CAP && st.bytes <= CAP_BYTES);
	qe_learn_export(a, 0, reimport, c);
	qe_learn_stats(c, &st);
	FUZZ_ASSERT(st.templates <= CAP && st.bytes <= CAP_BYTES);
	qe_learn_free(a);
	qe_learn_free(b);
	qe_learn_free(c);
	return 0;
}
