/*
 * ansi: escape sequence removal, one pass, no allocation.
 */
#include "ansi.h"

#include <string.h>

int qe_ansi_has(const char *line, size_t len)
{
	return len && memchr(line, 0x1b, len) != NULL;
}

size_t qe_ansi_strip(char *out, const char *line, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		const char *esc = memchr(line + i, 0x1b, len - i);
		size_t run = esc ? (size_t)(esc - (line + i)) : len - i;

		if (run) {
			memmove(out + o, line + i, run);
			o += run;
			i += run;
		}
		if (!esc)
			break;
		i++; /* the ESC */
		if (i >= len)
			break;
		if (line[i] == '[') {
			/* CSI: parameter and intermediate bytes 0x20-0x3f, final
			 * 0x40-0x7e */
			i++;
			while (i < len && (unsigned char)line[i] >= 0x20 &&
			       (unsigned char)line[i] <= 0x3f)
				i++;
			if (i < len && (unsigned char)line[i] >= 0x40 &&
			    (unsigned char)line[i] <= 0x7e)
				i++;
		} else if (line[i] == ']') {
			/* OSC: up to BEL or ST (ESC \) */
			i++;
			while (i < len && line[i] != 0x07 &&
			       !(line[i] == 0x1b && i + 1 < len && line[i + 1] == '\\'))
				i++;
			if (i < len)
				i += line[i] == 0x07 ? 1 : 2;
		} else if ((unsigned char)line[i] >= 0x20 &&
			   (unsigned char)line[i] <= 0x2f) {
			/* nF: intermediates then one final byte (ESC ( B) */
			while (i < len && (unsigned char)line[i] >= 0x20 &&
			       (unsigned char)line[i] <= 0x2f)
				i++;
			if (i < len)
				i++;
		} else {
			i++; /* two-byte sequence: ESC c, ESC =, ... */
		}
	}
	return o;
}
