# qerrors build. `make` builds ./qerrors; `make check` runs every test.
#   DEVELOPER=1                 adds -Werror
#   SANITIZE=address,undefined  builds sanitized binaries
#   PREFIX=/usr/local DESTDIR=  for `make install`
#   HS=0                        builds without Vectorscan (libvectorscan-dev)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system

VERSION := 0.1.0
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := yaml-0.1 libcurl libpcre2-8 sqlite3 jansson
OPTPKGS := hiredis

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))
HAVE_HIREDIS := $(shell $(PKG_CONFIG) --exists hiredis && echo 1)
ifeq ($(HAVE_HIREDIS),1)
PKG_CFLAGS += $(shell $(PKG_CONFIG) --cflags hiredis) -DQE_HAVE_HIREDIS=1
PKG_LIBS += $(shell $(PKG_CONFIG) --libs hiredis)
endif
# journal: sources need libsystemd (sd-journal); without it they are refused
# with a message and everything else builds as usual.
HAVE_SYSTEMD := $(shell $(PKG_CONFIG) --exists libsystemd && echo 1)
ifeq ($(HAVE_SYSTEMD),1)
PKG_CFLAGS += $(shell $(PKG_CONFIG) --cflags libsystemd) -DQE_HAVE_SYSTEMD=1
PKG_LIBS += $(shell $(PKG_CONFIG) --libs libsystemd)
else ifneq ($(filter-out clean format format-check,$(or $(MAKECMDGOALS),all)),)
$(info qerrors: libsystemd not found: building without journal sources)
endif

# Vectorscan (or Hyperscan, same library name): the catch-up prefilter;
# without it a portable scan does the same work, slower.  HS=0 leaves it out.
ifneq ($(HS),0)
HAVE_HS := $(shell $(PKG_CONFIG) --exists libhs && echo 1)
endif
ifeq ($(HAVE_HS),1)
PKG_CFLAGS += $(shell $(PKG_CONFIG) --cflags libhs) -DQE_HAVE_HS=1
PKG_LIBS += $(shell $(PKG_CONFIG) --libs libhs)
endif

WARNINGS := -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wwrite-strings -Wpointer-arith -Wcast-align \
	-Wundef -Wno-unused-parameter -Wold-style-definition -Wdeclaration-after-statement
ifeq ($(DEVELOPER),1)
WARNINGS += -Werror
endif

OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DQE_VERSION='"$(VERSION)"' $(WARNINGS) \
	-Ilib $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS)
LIBS := $(PKG_LIBS) -lm
# libcurl is loaded when a request is first made (lib/curl_dl.h), so the
# binary does not link it; the unit tests do, as one of them uses it.
BIN_LIBS := $(filter-out -lcurl,$(LIBS)) -ldl

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Sanitized objects live apart so a plain and a sanitized build never mix.
ifneq ($(SANITIZE),)
OBJDIR := build/san
else
OBJDIR := build/std
endif

LIB_SRC := $(sort $(wildcard lib/*.c))
CMD_SRC := $(sort $(wildcard cmd/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(OBJDIR)/%.o)
CMD_OBJ := $(CMD_SRC:%.c=$(OBJDIR)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OBJDIR)/tests/%)
LIBQE := $(OBJDIR)/libqerrors.a

all: qerrors

# The binary is linked per build flavour and copied to the top of the
# tree, so switching between plain and sanitized builds never leaves a
# stale ./qerrors behind.
qerrors: $(OBJDIR)/qerrors
	@cp $< $@

$(OBJDIR)/qerrors: $(CMD_OBJ) $(LIBQE)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(LIBQE) $(BIN_LIBS)

$(LIBQE): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/tests/%: tests/unit/%.c $(LIBQE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< $(LIBQE) \
		$(ALL_LDFLAGS) $(shell $(PKG_CONFIG) --libs cmocka) $(LIBS)

unit-tests: $(UNIT_BIN)

# `make check` runs unit then end-to-end tests and ends with "N passed, N failed".
check: qerrors unit-tests
	@OBJDIR=$(OBJDIR) sh tests/run.sh

install: qerrors
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)$(DATADIR)/doc/qerrors
	install -m 0755 qerrors $(DESTDIR)$(BINDIR)/qerrors
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 completions/qerrors.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/qerrors
	install -m 0644 completions/_qerrors $(DESTDIR)$(DATADIR)/zsh/site-functions/_qerrors
	install -m 0644 completions/qerrors.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/qerrors.fish
	install -m 0644 qerrors.yaml.example README.md $(DESTDIR)$(DATADIR)/doc/qerrors/
	@if [ -f contrib/qerrors.service ]; then \
		sed 's|@BINDIR@|$(BINDIR)|g' contrib/qerrors.service > $(DESTDIR)$(SYSTEMDDIR)/qerrors.service; \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/qerrors.service; fi

clean:
	rm -rf build qerrors

FORMAT_SRC = $(wildcard lib/*.c lib/*.h cmd/*.c cmd/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h)

format:
	clang-format -i $(FORMAT_SRC)

# Fails, naming the files, when any source does not match .clang-format.
format-check:
	@bad=; for f in $(FORMAT_SRC); do \
		clang-format "$$f" | cmp -s - "$$f" || bad="$$bad $$f"; done; \
	if [ -n "$$bad" ]; then echo "not formatted (run 'make format'):$$bad" >&2; exit 1; fi

# Static analysis with the checks in .clang-tidy, every file in parallel.
tidy:
	@sh scripts/tidy.sh -std=c11 -D_GNU_SOURCE "-DQE_VERSION='\"$(VERSION)\"'" -Ilib -Icmd \
		$(PKG_CFLAGS)

# Include cycles among lib/ headers (and lib/ including cmd/).
include-check:
	@python3 scripts/check-includes.py

.PHONY: all qerrors check install clean format format-check tidy include-check unit-tests

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
