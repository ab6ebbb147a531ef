/* utf8: see utf8.h */
#include "utf8.h"
#include "buf.h"

#include <stdint.h>

static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *qe_utf8_sanitize(const char *s, size_t len)
{
	struct qe_buf b = QE_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	qe_buf_grow(&b, len);
	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);
		if (n) {
			qe_buf_add(&b, p + i, n);
			i += n;
		} else {
			qe_buf_add(&b, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return qe_buf_detach(&b);
}
