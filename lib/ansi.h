/*
 * ansi: remove terminal escape sequences from a log line.
 *
 * Programs forced to colour (a TTY under Docker, FORCE_COLOR, --color=always)
 * wrap level words and whole lines in SGR sequences ("\e[31mERROR\e[0m"),
 * which hide them from every pattern.  Removed: CSI sequences (ESC [ ...
 * final byte 0x40-0x7e), OSC sequences (ESC ] ... BEL or ESC \), and other
 * two-byte ESC sequences.  A cut sequence at the end of the line is
 * dropped up to the end.  Bytes that are not part of a sequence are kept
 * unchanged, invalid UTF-8 included.
 */
#ifndef QE_ANSI_H
#define QE_ANSI_H

#include <stddef.h>

/* 1 when line holds an ESC byte (the cheap check: memchr). */
int qe_ansi_has(const char *line, size_t len);
/* Copy line into out (room for len bytes) without escape sequences;
 * returns the new length.  out may equal line (in place). */
size_t qe_ansi_strip(char *out, const char *line, size_t len);

#endif
