/* curl_dl: see curl_dl.h */
#define QE_CURL_DL_TABLE 1
#include "curl_dl.h"

#include "msg.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct qe_curl_api qe_curl;

/* The library's file name for its ABI 4, which every libcurl since 7.16
 * has; QERRORS_LIBCURL names another file (a test, a private build). */
#define CURL_SONAME "libcurl.so.4"

static int sym(void *lib, const char *name, void *slot)
{
	void *p = dlsym(lib, name);
	if (!p)
		return qe_error("cannot load libcurl: it has no %s", name);
	/* POSIX guarantees a function's address survives the round trip
	 * through void *; memcpy keeps ISO C's object/function split quiet */
	memcpy(slot, &p, sizeof(p));
	return 0;
}

int qe_curl_load(void)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	static const struct {
		const char *name;
		size_t off;
	} table[] = {
#define E(f, n) {n, offsetof(struct qe_curl_api, f)}
	    E(global_init, "curl_global_init"),
	    E(easy_init, "curl_easy_init"),
	    E(easy_setopt, "curl_easy_setopt"),
	    E(easy_getinfo, "curl_easy_getinfo"),
	    E(easy_perform, "curl_easy_perform"),
	    E(easy_cleanup, "curl_easy_cleanup"),
	    E(easy_strerror, "curl_easy_strerror"),
	    E(getdate, "curl_getdate"),
	    E(slist_append, "curl_slist_append"),
	    E(slist_free_all, "curl_slist_free_all"),
	    E(multi_init, "curl_multi_init"),
	    E(multi_setopt, "curl_multi_setopt"),
	    E(multi_add_handle, "curl_multi_add_handle"),
	    E(multi_remove_handle, "curl_multi_remove_handle"),
	    E(multi_perform, "curl_multi_perform"),
	    E(multi_poll, "curl_multi_poll"),
	    E(multi_socket_action, "curl_multi_socket_action"),
	    E(multi_info_read, "curl_multi_info_read"),
	    E(multi_cleanup, "curl_multi_cleanup"),
#undef E
	};
	const char *file;
	void *lib;
	size_t i;

	if (state)
		return state > 0 ? 0 : -1;
	state = -1;
	file = getenv("QERRORS_LIBCURL");
	if (!file || !*file)
		file = CURL_SONAME;
	lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return qe_error("cannot load libcurl (%s): %s; AI requests need it "
				"(Debian: apt-get install libcurl4)",
				file, dlerror());
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (sym(lib, table[i].name, (char *)&qe_curl + table[i].off) < 0)
			return -1;
	if (qe_curl.global_init(CURL_GLOBAL_DEFAULT))
		return qe_error("cannot initialise libcurl");
	state = 1;
	return 0;
}
