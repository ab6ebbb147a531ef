/*
 * cache.redis.url: qe_fleet_url_parse() on any text.
 *
 * Byte 0 chooses the mode.  Even: the rest is the URL.  Odd: the rest is
 * split at its first two NUL bytes into user, password and the part after
 * '@', and the URL is "redis://" or "unix://" + user ":" CANARY password
 * "@" rest, so the password is known.  Checked:
 * - a failure always says why, and neither the message nor a parsed
 *   address ever holds the password;
 * - a success is a TCP host with a port in 1..65535 or an absolute socket
 *   path, with a database in 0..1000000 and an address;
 * - the parts, written back as a URL (credentials %-escaped), parse to
 *   the same parts.
 */
#include "fuzz.h"

#include "fleet.h"
#include "util.h"

#include <string.h>

#define CANARY "Qz7pw"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	qe_set_warning_handler(NULL);
	return 0;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Every byte but unreserved ones as %XX. */
static void add_escaped(struct qe_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			qe_buf_addch(b, c);
		else
			qe_buf_addf(b, "%%%02X", c);
	}
}

static void check_roundtrip(const struct qe_fleet_url *u)
{
	struct qe_buf b = QE_BUF_INIT;
	struct qe_fleet_url v;
	int r;

	qe_buf_addstr(&b, u->socket_path ? "unix://" : "redis://");
	if (u->password) {
		if (u->user)
			add_escaped(&b, u->user);
		qe_buf_addch(&b, ':');
		add_escaped(&b, u->password);
		qe_buf_addch(&b, '@');
	}
	if (u->socket_path)
		qe_buf_addf(&b, "%s?db=%ld", u->socket_path, u->db);
	else if (strchr(u->host, ':') || u->host[0] == '[')
		qe_buf_addf(&b, "[%s]:%d/%ld", u->host, u->port, u->db);
	else
		qe_buf_addf(&b, "%s:%d/%ld", u->host, u->port, u->db);
	r = qe_fleet_url_parse(b.buf, &v);
	if (r != 0)
		fprintf(stderr, "rebuilt '%s' fails: %s\n", b.buf, qe_last_error());
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(same(u->host, v.host) && same(u->socket_path, v.socket_path));
	FUZZ_ASSERT(u->port == v.port && u->db == v.db);
	FUZZ_ASSERT(same(u->user, v.user) && same(u->password, v.password));
	FUZZ_ASSERT(same(u->address, v.address));
	qe_fleet_url_release(&v);
	qe_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qe_buf url = QE_BUF_INIT;
	struct qe_fleet_url u;
	const char *password = NULL;
	char *pw_full = NULL;
	int r;

	if (!size)
		return 0;
	if (data[0] & 1) {
		const char *p = (const char *)data + 1, *end = (const char *)data + size;
		const char *z1 = memchr(p, '\0', (size_t)(end - p));
		const char *z2 = z1 ? memchr(z1 + 1, '\0', (size_t)(end - z1 - 1)) : NULL;
		if (!z2)
			return 0;
		qe_buf_addstr(&url, data[0] & 2 ? "unix://" : "redis://");
		qe_buf_add(&url, p, (size_t)(z1 - p));
		qe_buf_addch(&url, ':');
		pw_full = qe_xasprintf(CANARY "%.*s", (int)(z2 - z1 - 1), z1 + 1);
		qe_buf_addstr(&url, pw_full);
		qe_buf_addch(&url, '@');
		qe_buf_add(&url, z2 + 1, (size_t)(end - z2 - 1));
		/* The canary must be where the password is read from: once in
		 * the text, after a user without separators, and a password
		 * without '@', '/' or '?'. */
		if (strlen(url.buf) != url.len ||
		    strstr(strstr(url.buf, CANARY) + 1, CANARY) ||
		    memchr(p, ':', (size_t)(z1 - p)) ||
		    memchr(p, '@', (size_t)(z1 - p)) ||
		    memchr(p, '/', (size_t)(z1 - p)) ||
		    memchr(p, '?', (size_t)(z1 - p)) || strpbrk(pw_full, "@/?"))
			goto out;
		password = CANARY;
	} else {
		qe_buf_add(&url, data + 1, size - 1);
		if (strlen(url.buf) != url.len)
			goto out;
	}

	qe_clear_error();
	r = qe_fleet_url_parse(url.buf, &u);
	if (r < 0) {
		FUZZ_ASSERT(*qe_last_error());
		FUZZ_ASSERT(!u.host && !u.socket_path && !u.user && !u.password &&
			    !u.address);
		if (password)
			FUZZ_ASSERT(!strstr(qe_last_error(), password));
		goto out;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(!u.host != !u.socket_path);
	FUZZ_ASSERT(u.address);
	FUZZ_ASSERT(u.db >= 0 && u.db <= 1000000);
	if (u.host)
		FUZZ_ASSERT(*u.host && u.port >= 1 && u.port <= 65535);
	else
		FUZZ_ASSERT(u.socket_path[0] == '/' && strlen(u.socket_path) >= 2);
	if (u.password)
		FUZZ_ASSERT(*u.password);
	if (password) {
		FUZZ_ASSERT(!strstr(u.address, password));
		FUZZ_ASSERT(u.password && !strncmp(u.password, CANARY, strlen(CANARY)));
	}
	check_roundtrip(&u);
	qe_fleet_url_release(&u);
out:
	free(pw_full);
	qe_buf_release(&url);
	return 0;
}
