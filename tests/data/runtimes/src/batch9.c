/* The ninth batch's C program: glibc's double-free check, a SIGSEGV
 * handler printing backtrace_symbols_fd. */
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry { char *name; int qty; };

static void release(struct entry *e) { free(e->name); }

static void double_free(const char *v) {
	struct entry e = { strdup(v), 0 };
	release(&e);
	release(&e);
}

void on_segv(int sig) {
	void *frames[32];
	int n = backtrace(frames, 32);
	char msg[64];
	int len = snprintf(msg, sizeof msg, "fatal: signal %d (%s), backtrace:\n", sig, strsignal(sig));
	write(2, msg, len);
	backtrace_symbols_fd(frames, n, 2);
	_exit(139);
}

struct entry *find_entry(const char *v) { return strchr(v, '#') ? (struct entry *)v : NULL; }

int entry_qty(const char *v) { return find_entry(v)->qty; }

int main(int argc, char **argv) {
	if (argc < 3) return 2;
	if (!strcmp(argv[1], "double-free")) double_free(argv[2]);
	else if (!strcmp(argv[1], "segv")) {
		signal(SIGSEGV, on_segv);
		printf("%d\n", entry_qty(argv[2]));
	}
	return 0;
}
