/*
 * curl_dl: libcurl, loaded the first time a request is about to be made.
 *
 * Most runs never speak HTTP (no AI service configured, `fingerprint`,
 * `summary`), yet linking libcurl maps it and its TLS, LDAP, SSH and
 * Kerberos libraries into every process: about 6 MiB of resident memory
 * and most of the dynamic loader's relocations.  ai.c and ai_probe.c
 * include this header instead of <curl/curl.h>; their curl_* calls go
 * through a table that qe_curl_load() fills from libcurl.so.4.
 */
#ifndef QE_CURL_DL_H
#define QE_CURL_DL_H

/* the table's prototypes are the library's; the type-checking and
 * argument-count macros that stand for some calls are replaced below */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct qe_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *e);
	void (*easy_cleanup)(CURL *e);
	const char *(*easy_strerror)(CURLcode code);
	time_t (*getdate)(const char *s, const time_t *unused);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *fds, unsigned int n,
				int timeout_ms, int *nfds);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int mask,
					 int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
};

extern struct qe_curl_api qe_curl;

/* Loads libcurl and runs curl_global_init() once: 0, or -1 with a message
 * saying what could not be loaded.  Every curl_* call must come after. */
int qe_curl_load(void);

#ifndef QE_CURL_DL_TABLE
#undef curl_global_init
#define curl_global_init qe_curl.global_init
#undef curl_easy_init
#define curl_easy_init qe_curl.easy_init
#undef curl_easy_setopt
#define curl_easy_setopt qe_curl.easy_setopt
#undef curl_easy_getinfo
#define curl_easy_getinfo qe_curl.easy_getinfo
#undef curl_easy_perform
#define curl_easy_perform qe_curl.easy_perform
#undef curl_easy_cleanup
#define curl_easy_cleanup qe_curl.easy_cleanup
#undef curl_easy_strerror
#define curl_easy_strerror qe_curl.easy_strerror
#undef curl_getdate
#define curl_getdate qe_curl.getdate
#undef curl_slist_append
#define curl_slist_append qe_curl.slist_append
#undef curl_slist_free_all
#define curl_slist_free_all qe_curl.slist_free_all
#undef curl_multi_init
#define curl_multi_init qe_curl.multi_init
#undef curl_multi_setopt
#define curl_multi_setopt qe_curl.multi_setopt
#undef curl_multi_add_handle
#define curl_multi_add_handle qe_curl.multi_add_handle
#undef curl_multi_remove_handle
#define curl_multi_remove_handle qe_curl.multi_remove_handle
#undef curl_multi_perform
#define curl_multi_perform qe_curl.multi_perform
#undef curl_multi_poll
#define curl_multi_poll qe_curl.multi_poll
#undef curl_multi_socket_action
#define curl_multi_socket_action qe_curl.multi_socket_action
#undef curl_multi_info_read
#define curl_multi_info_read qe_curl.multi_info_read
#undef curl_multi_cleanup
#define curl_multi_cleanup qe_curl.multi_cleanup
#endif

#endif
