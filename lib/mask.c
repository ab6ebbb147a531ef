/* mask: see mask.h */
#include "mask.h"
#include "util.h"

#include <string.h>
#include <strings.h>

/* ASCII classes: independent of the locale and cheap.  One table
 * lookup each: the masker asks them of every byte of a message.  Bytes
 * >= 0x80 (and a negative char) are in no class. */
enum { C_DIGIT = 1, C_UPPER = 2, C_LOWER = 4, C_HEX = 8, C_SPACE = 16 };

#define C_AF (C_HEX | C_UPPER)
#define C_af (C_HEX | C_LOWER)
#define C_09 (C_DIGIT | C_HEX)
static const unsigned char cclass[256] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
    ['\r'] = C_SPACE, [' '] = C_SPACE,	['0'] = C_09,	  ['1'] = C_09,
    ['2'] = C_09,     ['3'] = C_09,	['4'] = C_09,	  ['5'] = C_09,
    ['6'] = C_09,     ['7'] = C_09,	['8'] = C_09,	  ['9'] = C_09,
    ['A'] = C_AF,     ['B'] = C_AF,	['C'] = C_AF,	  ['D'] = C_AF,
    ['E'] = C_AF,     ['F'] = C_AF,	['G'] = C_UPPER,  ['H'] = C_UPPER,
    ['I'] = C_UPPER,  ['J'] = C_UPPER,	['K'] = C_UPPER,  ['L'] = C_UPPER,
    ['M'] = C_UPPER,  ['N'] = C_UPPER,	['O'] = C_UPPER,  ['P'] = C_UPPER,
    ['Q'] = C_UPPER,  ['R'] = C_UPPER,	['S'] = C_UPPER,  ['T'] = C_UPPER,
    ['U'] = C_UPPER,  ['V'] = C_UPPER,	['W'] = C_UPPER,  ['X'] = C_UPPER,
    ['Y'] = C_UPPER,  ['Z'] = C_UPPER,	['a'] = C_af,	  ['b'] = C_af,
    ['c'] = C_af,     ['d'] = C_af,	['e'] = C_af,	  ['f'] = C_af,
    ['g'] = C_LOWER,  ['h'] = C_LOWER,	['i'] = C_LOWER,  ['j'] = C_LOWER,
    ['k'] = C_LOWER,  ['l'] = C_LOWER,	['m'] = C_LOWER,  ['n'] = C_LOWER,
    ['o'] = C_LOWER,  ['p'] = C_LOWER,	['q'] = C_LOWER,  ['r'] = C_LOWER,
    ['s'] = C_LOWER,  ['t'] = C_LOWER,	['u'] = C_LOWER,  ['v'] = C_LOWER,
    ['w'] = C_LOWER,  ['x'] = C_LOWER,	['y'] = C_LOWER,  ['z'] = C_LOWER,
};
#undef C_AF
#undef C_af
#undef C_09

static int in_class(int c, unsigned cls)
{
	return c >= 0 && c < 256 && (cclass[c] & cls);
}

static int is_digit(int c)
{
	return in_class(c, C_DIGIT);
}

static int is_alpha(int c)
{
	return in_class(c, C_UPPER | C_LOWER);
}

static int is_alnum(int c)
{
	return in_class(c, C_DIGIT | C_UPPER | C_LOWER);
}

static int is_upper(int c)
{
	return in_class(c, C_UPPER);
}

static int is_lower(int c)
{
	return in_class(c, C_LOWER);
}

static int is_hex(int c)
{
	return in_class(c, C_HEX);
}

static int is_space(int c)
{
	return in_class(c, C_SPACE);
}

/* Byte at i, or 0 past the end: keeps the matchers free of bound checks. */
#define AT(s, n, i) ((size_t)(i) < (n) ? (unsigned char)(s)[i] : 0)

/* Count digits from i (at most max); returns how many. */
static size_t digits(const char *s, size_t n, size_t i, size_t max)
{
	size_t k = 0;
	while (k < max && is_digit(AT(s, n, i + k)))
		k++;
	return k;
}

/* A value ends where no letter or digit follows. */
static int ends_here(const char *s, size_t n, size_t i)
{
	return !is_alnum(AT(s, n, i));
}

static size_t match_url(const char *s, size_t n)
{
	size_t i = 0, end;

	if (!is_alpha(AT(s, n, 0)))
		return 0;
	while (i < 20 && (is_alnum(AT(s, n, i)) || AT(s, n, i) == '+' ||
			  AT(s, n, i) == '.' || AT(s, n, i) == '-'))
		i++;
	if (AT(s, n, i) != ':' || AT(s, n, i + 1) != '/' || AT(s, n, i + 2) != '/')
		return 0;
	i += 3;
	end = i;
	while (end < n && !is_space(s[end]) && s[end] != '"' && s[end] != '\'' &&
	       s[end] != '<' && s[end] != '>' && s[end] != '`')
		end++;
	/* Sentence punctuation and closing brackets are not part of the URL. */
	while (end > i && strchr(".,;:)]}", s[end - 1]))
		end--;
	return end > i ? end : 0;
}

static int is_label_char(int c)
{
	return is_alnum(c) || c == '-';
}

/* A DNS name ending in a common top-level domain (a shape, not a list of
 * application words).  Returns its length and the number of labels. */
static const char *const tlds[] = {
    "com",   "net", "org",  "edu", "gov", "mil",   "int",      "io",
    "info",  "biz", "co",   "me",  "us",  "uk",	   "de",       "fr",
    "jp",    "cn",  "ru",   "nl",  "eu",  "au",	   "ca",       "ch",
    "it",    "es",  "se",   "pl",  "br",  "kr",	   "tw",       "hk",
    "local", "lan", "arpa", "dev", "app", "cloud", "internal", "localdomain",
};

/* Is the label before the one at `last` a generic second level? */
static int second_level(const char *s, size_t last)
{
	static const char *const sl[] = {"com", "net", "org", "edu", "gov",
					 "co",	"ac",  "or",  "ne"};
	size_t e = last - 1, b = e, k;

	while (b > 0 && s[b - 1] != '.')
		b--;
	for (k = 0; k < QE_ARRAY_SIZE(sl); k++)
		if (strlen(sl[k]) == e - b && !memcmp(sl[k], s + b, e - b))
			return 1;
	return 0;
}

static size_t match_domain(const char *s, size_t n, size_t *labels)
{
	size_t i = 0, last = 0, nl = 0, k, len;

	for (;;) {
		size_t st = i;
		/* Labels are at most 63 bytes and names 253: stopping there
		 * keeps a hostile a.a.a... or a-a-a... line linear. */
		while (i < n && is_label_char(s[i]) && i - st <= 63)
			i++;
		if (i == st || i - st > 63 || i > 253)
			return 0;
		last = st;
		nl++;
		if (AT(s, n, i) == '.' && is_alnum(AT(s, n, i + 1)))
			i++;
		else
			break;
	}
	if (nl < 2)
		return 0;
	len = i - last;
	for (k = 0; k < len; k++)
		if (!is_lower((unsigned char)s[last + k]))
			return 0;
	for (k = 0; k < QE_ARRAY_SIZE(tlds); k++)
		if (strlen(tlds[k]) == len && !memcmp(tlds[k], s + last, len))
			break;
	if (k == QE_ARRAY_SIZE(tlds)) {
		/* Any country code under a generic second level: com.mx, co.uk */
		if (len != 2 || nl < 3 || !second_level(s, last))
			return 0;
	} else if (len == 2 && nl < 3) {
		/* Two-letter country codes double as file suffixes. */
		return 0;
	}
	/* "name.com(" is a call, "x.com_y" an identifier. */
	if (AT(s, n, i) == '(' || AT(s, n, i) == '_')
		return 0;
	*labels = nl;
	return i;
}

static size_t match_email(const char *s, size_t n)
{
	size_t i = 0, labels, d;

	while (i < 64 && i < n &&
	       (is_alnum(s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '%' ||
		s[i] == '+' || s[i] == '-'))
		i++;
	if (i == 0 || AT(s, n, i) != '@')
		return 0;
	d = match_domain(s + i + 1, n - i - 1, &labels);
	return d ? i + 1 + d : 0;
}

static size_t match_uuid(const char *s, size_t n)
{
	static const size_t groups[] = {8, 4, 4, 4, 12};
	size_t i = 0, g, k;

	for (g = 0; g < QE_ARRAY_SIZE(groups); g++) {
		if (g && AT(s, n, i) != '-')
			return 0;
		i += g ? 1 : 0;
		for (k = 0; k < groups[g]; k++, i++)
			if (!is_hex(AT(s, n, i)))
				return 0;
	}
	return ends_here(s, n, i) ? i : 0;
}

/* Is c, in either case, one of the lower-case ASCII letters in set? */
static int initial_in(int c, unsigned set)
{
	c |= 0x20;
	return c >= 'a' && c <= 'z' && ((set >> (c - 'a')) & 1);
}

#define LETTER(c) (1u << ((c) - 'a'))
#define MONTH_INITIALS                                                                   \
	(LETTER('j') | LETTER('f') | LETTER('m') | LETTER('a') | LETTER('s') |           \
	 LETTER('o') | LETTER('n') | LETTER('d'))
#define DAY_INITIALS (LETTER('m') | LETTER('t') | LETTER('w') | LETTER('f') | LETTER('s'))

/* Do the k bytes at s spell the lower-case ASCII word w in any case?  A
 * byte ORed with 0x20 is a lower-case letter only when it was a letter. */
static int ci_word(const char *s, const char *w, size_t k)
{
	size_t j;
	for (j = 0; j < k; j++)
		if (((unsigned char)s[j] | 0x20) != (unsigned char)w[j])
			return 0;
	return 1;
}

static int is_month(const char *s, size_t n, size_t i, size_t *len)
{
	static const char *const months[] = {
	    "january", "february", "march",	"april",   "may",      "june",
	    "july",    "august",   "september", "october", "november", "december"};
	size_t m, k;

	if (i + 3 > n || !initial_in((unsigned char)s[i], MONTH_INITIALS))
		return 0;
	for (m = 0; m < QE_ARRAY_SIZE(months); m++) {
		size_t full;
		if (!ci_word(s + i, months[m], 3))
			continue;
		full = strlen(months[m]);
		k = (i + full <= n && ci_word(s + i, months[m], full)) ? full : 3;
		if (is_alpha(AT(s, n, i + k)))
			continue;
		*len = k;
		return 1;
	}
	return 0;
}

static int is_weekday(const char *s, size_t n, size_t i, size_t *len)
{
	static const char *const days[] = {"monday", "tuesday",	 "wednesday", "thursday",
					   "friday", "saturday", "sunday"};
	size_t d, k;

	if (i + 3 > n || !initial_in((unsigned char)s[i], DAY_INITIALS))
		return 0;
	for (d = 0; d < QE_ARRAY_SIZE(days); d++) {
		size_t full;
		if (!ci_word(s + i, days[d], 3))
			continue;
		full = strlen(days[d]);
		k = (i + full <= n && ci_word(s + i, days[d], full)) ? full : 3;
		if (is_alpha(AT(s, n, i + k)))
			continue;
		*len = k;
		return 1;
	}
	return 0;
}

/* hh:mm:ss with optional fraction and zone; separators ':', or '.' right
 * after a date (a lone 1.22.33 is more likely an address or a version). */
static size_t match_time(const char *s, size_t n, size_t i, int dots)
{
	size_t st = i, d, k;
	int sep;

	d = digits(s, n, i, 2);
	if (!d)
		return 0;
	i += d;
	sep = AT(s, n, i);
	if (sep != ':' && !(dots && sep == '.'))
		return 0;
	for (k = 0; k < 2; k++) {
		if (AT(s, n, i) != sep || digits(s, n, i + 1, 3) != 2)
			return 0;
		i += 3;
	}
	/* Fraction: ".123", ",123" or ":123". */
	if ((AT(s, n, i) == '.' || AT(s, n, i) == ',' || AT(s, n, i) == ':') &&
	    (d = digits(s, n, i + 1, 9)) > 0 && !is_digit(AT(s, n, i + 1 + d))) {
		i += 1 + d;
	}
	if (AT(s, n, i) == 'Z' && !is_alnum(AT(s, n, i + 1))) {
		i++;
	} else if ((AT(s, n, i) == '+' || AT(s, n, i) == '-') &&
		   digits(s, n, i + 1, 2) == 2) {
		size_t z = i + 3;
		if (AT(s, n, z) == ':')
			z++;
		if (digits(s, n, z, 2) == 2 && !is_digit(AT(s, n, z + 2)))
			i = z + 2;
	}
	/* Six colon groups are an address, not a time. */
	if (AT(s, n, i) == ':' && is_hex(AT(s, n, i + 1)))
		return 0;
	if (is_alnum(AT(s, n, i)))
		return 0;
	return i - st;
}

/* After a date at i: an optional time joined by 'T', ' ', '_' or '-'. */
static size_t date_time_tail(const char *s, size_t n, size_t i)
{
	int c = AT(s, n, i);
	size_t t;

	if (c == 'T' || c == ' ' || c == '_' || c == '-' || c == ':') {
		t = match_time(s, n, i + 1, 1);
		if (t)
			return i + 1 + t;
	}
	return is_alnum(c) ? 0 : i;
}

static size_t match_ts(const char *s, size_t n)
{
	size_t a, b, c, i, len;
	int sep;

	if (is_digit(AT(s, n, 0))) {
		a = digits(s, n, 0, 9);
		sep = AT(s, n, a);
		/* 2024-01-02, 2024/01/02, 2005.06.03, 02/01/2024, 17/06/09 */
		if (sep == '-' || sep == '/' || sep == '.') {
			b = digits(s, n, a + 1, 3);
			if (b >= 1 && b <= 2 && AT(s, n, a + 1 + b) == sep) {
				c = digits(s, n, a + 2 + b, 5);
				i = a + 2 + b + c;
				if ((a == 4 && c >= 1 && c <= 2) ||
				    (sep != '.' && a == 2 && b == 2 &&
				     (c == 2 || c == 4)) ||
				    (a <= 2 && b <= 2 && c == 4)) {
					i = date_time_tail(s, n, i);
					if (i)
						return i;
				}
			}
			/* 10/Oct/2000:13:55:36 -0700 */
			if (sep == '/' && a <= 2 && is_month(s, n, a + 1, &len) &&
			    AT(s, n, a + 1 + len) == '/' &&
			    digits(s, n, a + 2 + len, 4) == 4) {
				i = a + 6 + len;
				i = date_time_tail(s, n, i);
				if (i && AT(s, n, i) == ' ' &&
				    (AT(s, n, i + 1) == '+' || AT(s, n, i + 1) == '-') &&
				    digits(s, n, i + 2, 4) == 4)
					i += 6;
				if (i)
					return i;
			}
		}
		/* 20171223-22:15:29 */
		if (a == 8 && (sep == '-' || sep == 'T' || sep == '_' || sep == ' ')) {
			size_t t = match_time(s, n, a + 1, 0);
			if (t)
				return a + 1 + t;
		}
		if ((len = match_time(s, n, 0, 0)) != 0)
			return len;
		/* 16:49 or 02:19: a clock without seconds (a time of day, or
		 * a span in minutes and seconds), the same slot as 01:07:37 */
		if (a <= 2 && sep == ':' && digits(s, n, a + 1, 3) == 2 &&
		    !is_alnum(AT(s, n, a + 3)) &&
		    !((AT(s, n, a + 3) == ':' || AT(s, n, a + 3) == '.') &&
		      is_alnum(AT(s, n, a + 4))))
			return a + 3;
		return 0;
	}
	/* [Weekday[,]] Month day time [year] */
	i = 0;
	if (is_weekday(s, n, 0, &len)) {
		i = len;
		if (AT(s, n, i) == ',')
			i++;
		if (AT(s, n, i) != ' ')
			return 0;
		while (AT(s, n, i) == ' ')
			i++;
	}
	if (!is_month(s, n, i, &len))
		return 0;
	i += len;
	if (AT(s, n, i) != ' ')
		return 0;
	while (AT(s, n, i) == ' ')
		i++;
	a = digits(s, n, i, 3);
	if (a < 1 || a > 2)
		return 0;
	i += a;
	if (AT(s, n, i) == ',')
		i++;
	if (AT(s, n, i) != ' ')
		return 0;
	while (AT(s, n, i) == ' ')
		i++;
	if (digits(s, n, i, 5) == 4 && !is_digit(AT(s, n, i + 4))) {
		/* Month day year [time] */
		i += 4;
		if (AT(s, n, i) == ' ' && (len = match_time(s, n, i + 1, 0)))
			i += 1 + len;
		return is_alnum(AT(s, n, i)) ? 0 : i;
	}
	len = match_time(s, n, i, 0);
	if (!len)
		return 0;
	i += len;
	if (AT(s, n, i) == ' ' && digits(s, n, i + 1, 5) == 4 &&
	    !is_alnum(AT(s, n, i + 5)))
		i += 5;
	return i;
}

static size_t match_port(const char *s, size_t n, size_t i)
{
	size_t d;

	if (AT(s, n, i) == ':' && (d = digits(s, n, i + 1, 6)) >= 1 && d <= 5 &&
	    !is_alnum(AT(s, n, i + 1 + d)))
		return i + 1 + d;
	return i;
}

static size_t match_ipv4(const char *s, size_t n)
{
	size_t i = 0, g, d;

	for (g = 0; g < 4; g++) {
		if (g && AT(s, n, i) != '.')
			return 0;
		i += g ? 1 : 0;
		d = digits(s, n, i, 4);
		if (d < 1 || d > 3)
			return 0;
		i += d;
	}
	if (is_alnum(AT(s, n, i)) || (AT(s, n, i) == '.' && is_digit(AT(s, n, i + 1))))
		return 0;
	return match_port(s, n, i);
}

static size_t match_ipv6(const char *s, size_t n)
{
	size_t i = 0, colons = 0, run = 0;
	int dbl = 0;

	while (i < n && i < 64 && (is_hex(s[i]) || s[i] == ':')) {
		if (s[i] == ':') {
			if (i && s[i - 1] == ':') {
				if (dbl)
					return 0;
				dbl = 1;
			}
			colons++;
			run = 0;
		} else if (++run > 4) {
			return 0;
		}
		i++;
	}
	if (i && s[i - 1] == ':' && !(i >= 2 && s[i - 2] == ':'))
		i--, colons--;
	if (colons < 2 || (!dbl && colons < 5) || colons > 8)
		return 0;
	if (is_alnum(AT(s, n, i)) || AT(s, n, i) == '.')
		return 0;
	return i;
}

static size_t match_hex0x(const char *s, size_t n)
{
	size_t i = 2;

	if (AT(s, n, 0) != '0' || (AT(s, n, 1) != 'x' && AT(s, n, 1) != 'X') ||
	    !is_hex(AT(s, n, 2)))
		return 0;
	while (is_hex(AT(s, n, i)))
		i++;
	return is_alnum(AT(s, n, i)) ? 0 : i;
}

static int is_path_char(int c)
{
	return is_alnum(c) || (c && strchr("._-/~+@%$#*=\\", c));
}

/* An absolute path with at least two components, a ~/ path, or C:\... */
static size_t match_path(const char *s, size_t n)
{
	size_t i = 0, comps = 0;

	if (AT(s, n, 0) == '~' && AT(s, n, 1) == '/')
		i = 1, comps = 1;
	else if (is_alpha(AT(s, n, 0)) && AT(s, n, 1) == ':' && AT(s, n, 2) == '\\')
		i = 2, comps = 1;
	else if (AT(s, n, 0) != '/' || AT(s, n, 1) == '/')
		return 0;
	while (i < n && is_path_char((unsigned char)s[i])) {
		if ((s[i] == '/' || s[i] == '\\') && is_path_char(AT(s, n, i + 1)) &&
		    AT(s, n, i + 1) != '/')
			comps++;
		i++;
	}
	while (i > 0 && (s[i - 1] == '.' || s[i - 1] == '='))
		i--;
	return comps >= 2 ? i : 0;
}

/* The closing mark of a typographic quote opening at s: «» and “”, in
 * UTF-8.  Sets *open_len; NULL when s opens none. */
static const char *typo_close(const char *s, size_t n, size_t *open_len)
{
	if (AT(s, n, 0) == 0xc2 && AT(s, n, 1) == 0xab) {
		*open_len = 2;
		return "\xc2\xbb";
	}
	if (AT(s, n, 0) == 0xe2 && AT(s, n, 1) == 0x80 && AT(s, n, 2) == 0x9c) {
		*open_len = 3;
		return "\xe2\x80\x9d";
	}
	return NULL;
}

/* «value» or “value” on one line within a bound: length, else 0. */
static size_t match_typo_quoted(const char *s, size_t n, size_t *open_len,
				size_t *close_len)
{
	const char *close = typo_close(s, n, open_len);
	size_t i, cl;

	if (!close)
		return 0;
	cl = strlen(close);
	for (i = *open_len; i + cl <= n && i < 512; i++) {
		if (s[i] == '\n')
			return 0;
		if (!memcmp(s + i, close, cl)) {
			if (i == *open_len)
				return 0;
			*close_len = cl;
			return i + cl;
		}
	}
	return 0;
}

/* 'value', "value" or `value` closed on the same line within a bound. */
static size_t match_quoted(const char *s, size_t n)
{
	int q = AT(s, n, 0);
	size_t i;

	if (q != '\'' && q != '"' && q != '`')
		return 0;
	for (i = 1; i < n && i < 512; i++) {
		if (s[i] == '\n')
			return 0;
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == q) {
			if (i == 1 || is_alnum(AT(s, n, i + 1)))
				return 0;
			return i + 1;
		}
	}
	return 0;
}

/* Number with optional sign, fraction, exponent-free unit (12ms, 3.5MB, 50%). */
static size_t match_number(const char *s, size_t n)
{
	size_t i = 0, d, u;

	if (AT(s, n, 0) == '-' || AT(s, n, 0) == '+')
		i++;
	d = digits(s, n, i, n);
	if (!d)
		return 0;
	i += d;
	while (AT(s, n, i) == '.' && (d = digits(s, n, i + 1, n)) > 0)
		i += 1 + d;
	if (AT(s, n, i) == '%')
		return i + 1;
	for (u = 0; is_alpha(AT(s, n, i + u)); u++)
		;
	if (u > 0 && u <= 3 && !is_digit(AT(s, n, i + u)))
		return i + u;
	return is_alnum(AT(s, n, i)) ? 0 : i;
}

/* Whether s[0, len) is, in any case, one of the lower-case words of
 * list.  Their first letter rules out most of them without a strlen()
 * (a byte ORed with 0x20 equals a lower-case letter only when it is
 * that letter in either case). */
static int word_among(const char *s, size_t len, const char *const *list, size_t nr)
{
	size_t k;

	if (!len)
		return 0;
	for (k = 0; k < nr; k++)
		if (((unsigned char)s[0] | 0x20) == (unsigned char)list[k][0] &&
		    strlen(list[k]) == len && !strncasecmp(list[k], s, len))
			return 1;
	return 0;
}

/* " KB" after a number: a unit written apart belongs to the number. */
static size_t unit_after(const char *s, size_t n)
{
	static const char *const units[] = {
	    "b",      "kb",	 "mb",	"gb",	"tb",	  "pb",	     "kib",  "mib",
	    "gib",    "tib",	 "ms",	"us",	"ns",	  "bytes",   "sec",  "secs",
	    "second", "seconds", "min", "mins", "minute", "minutes", "hour", "hours"};
	size_t e;

	if (AT(s, n, 0) != ' ')
		return 0;
	for (e = 1; is_alpha(AT(s, n, e)); e++)
		;
	if (e == 1 || is_digit(AT(s, n, e)) || AT(s, n, e) == '_' || AT(s, n, e) == '-')
		return 0;
	return word_among(s + 1, e - 1, units, QE_ARRAY_SIZE(units)) ? e : 0;
}

/*
 * " (1.16 KB)" after a number: the same amount restated in other units
 * ("1190 bytes (1.16 KB)", "RX bytes:1234 (1.2 KiB)") is part of the
 * value; lines that restate it and lines that do not are one message.
 */
static size_t restated_after(const char *s, size_t n)
{
	size_t i = 0, m;

	if (AT(s, n, i) == ' ')
		i++;
	if (AT(s, n, i) != '(')
		return 0;
	i++;
	if ((m = match_number(s + i, n - i)) == 0)
		return 0;
	i += m;
	i += unit_after(s + i, n - i);
	if (AT(s, n, i) != ')' || is_alnum(AT(s, n, i + 1)))
		return 0;
	return i + 1;
}

/*
 * A placeholder.  Values of one kind joined by bare commas (two
 * addresses of a forwarded-for chain, "132,+1") are one list, and a list
 * of any length one value: a chain of one address or of two is the same
 * message.
 */
static void put(struct qe_buf *out, const char *ph)
{
	size_t k = strlen(ph);

	if (out->len > k && out->buf[out->len - 1] == ',' &&
	    !memcmp(out->buf + out->len - 1 - k, ph, k)) {
		qe_buf_truncate(out, out->len - 1);
		return;
	}
	qe_buf_addstr(out, ph);
}

/* Is the word [s, s+len) a lone enum-like constant (RUNNING, true)? */
static int is_constant_word(const char *s, size_t len)
{
	size_t k;
	int lower = 0;

	if ((len == 4 && !strncasecmp(s, "true", 4)) ||
	    (len == 5 && !strncasecmp(s, "false", 5)) ||
	    (len == 4 && !strncasecmp(s, "null", 4)) ||
	    (len == 4 && !strncasecmp(s, "none", 4)))
		return 1;
	for (k = 0; k < len; k++)
		if (is_lower((unsigned char)s[k]))
			lower = 1;
	/* ALL_CAPS and CamelCase are names of states; lowercase is data. */
	return !lower || is_upper((unsigned char)s[0]);
}

/*
 * The value after "key=" when it is a plain word: masked unless it looks
 * like a constant.  Numbers and shaped values are handled by the scanner.
 */
static size_t match_kv_word(const char *s, size_t n)
{
	size_t i = 0;

	if (!is_alpha(AT(s, n, 0)))
		return 0;
	while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.' ||
			 s[i] == '@' || s[i] == '$'))
		i++;
	while (i > 0 && s[i - 1] == '.')
		i--;
	if (is_constant_word(s, i))
		return 0;
	return i;
}

/*
 * "user NAME": account names are data, whatever their shape.  When the
 * word at [i, i+len) names an account and a name follows, returns the
 * end of the name, else 0.  Function words that follow "user" in prose
 * ("user is", "user not found") are not names.
 */
static size_t user_value(const char *s, size_t n, size_t i, size_t len)
{
	static const char *const keys[] = {"user", "username"};
	static const char *const prose[] = {
	    "a",       "an",	  "the",     "is",     "was",
	    "has",     "had",	  "not",     "does",   "did",
	    "and",     "or",	  "to",	     "in",     "on",
	    "of",      "for",	  "from",    "by",     "with",
	    "at",      "as",	  "id",	     "name",   "authentication",
	    "account", "session", "request", "data",   "can",
	    "cannot",  "may",	  "must",    "should", "will",
	    "be",      "been",	  "are",     "this",   "that",
	    "if"};
	size_t b, e;

	if (!word_among(s + i, len, keys, QE_ARRAY_SIZE(keys)) ||
	    AT(s, n, i + len) != ' ')
		return 0;
	for (b = i + len; AT(s, n, b) == ' ';)
		b++;
	for (e = b; e < n && (is_alnum((unsigned char)s[e]) || strchr("._-@$", s[e]));
	     e++)
		;
	while (e > b && (s[e - 1] == '.' || s[e - 1] == '-'))
		e--;
	if (e == b || e - b > 64 || (e < n && !is_space(s[e]) && !strchr(",;)]", s[e])))
		return 0;
	return word_among(s + b, e - b, prose, QE_ARRAY_SIZE(prose)) ? 0 : e;
}

/*
 * A name in capitals with a short number (SOCKS5, HTTP2, SHA256, UTF8):
 * a protocol or an algorithm, a word of the message rather than an id.
 */
static int numbered_name(const char *s, size_t len)
{
	size_t k = 0;

	while (k < len && is_upper((unsigned char)s[k]))
		k++;
	return k >= 3 && len - k >= 1 && len - k <= 3 && digits(s, len, k, 4) == len - k;
}

static int word_start(const char *s, size_t i)
{
	return i == 0 || !is_alnum((unsigned char)s[i - 1]);
}

/* Three words or more: a phrase rather than one value. */
static int is_phrase(const char *s, size_t n)
{
	size_t k, spaces = 0;

	for (k = 0; k < n; k++)
		if (s[k] == ' ' && k > 0 && s[k - 1] != ' ')
			spaces++;
	return spaces >= 2;
}

/*
 * Is the token at s a run of letters alone, followed by none of the
 * bytes that would carry it on into a shaped value ('.' of a host or an
 * e-mail, ':' of a URL scheme or an IPv6 address, '-' of a UUID, ...)?
 * Most words of a message are; of the shaped values only a time stamp
 * ("Jan 2 10:00:00") can start with one, so the other matchers need not
 * look.
 */
static int plain_word(const char *s, size_t n)
{
	size_t j = 0;
	int next;

	while (j < n && is_alpha((unsigned char)s[j]))
		j++;
	next = AT(s, n, j);
	return j > 0 && !is_digit(next) && (!next || !strchr(".-+@:_%", next));
}

static void mask_span(const char *s, size_t n, struct qe_buf *out, int depth)
{
	size_t i = 0, m, start = out->len;
	size_t nodigit_end = 0; /* end of the last id-run found to have no digit */

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t j, labels;
		int has_digit, all_hex, shaped;

		if (is_space(c) || c < 0x20) {
			while (i < n && (is_space(s[i]) || (unsigned char)s[i] < 0x20))
				i++;
			if (out->len > start && out->buf[out->len - 1] != ' ')
				qe_buf_addch(out, ' ');
			continue;
		}
		if (c == '=' && i > 0 &&
		    (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) {
			qe_buf_addch(out, '=');
			i++;
			if ((m = match_kv_word(s + i, n - i)) != 0) {
				/* Let shaped values (URLs, e-mails, hosts) keep their
				 * name. */
				if (!match_url(s + i, n - i) &&
				    !match_email(s + i, n - i) &&
				    !match_domain(s + i, n - i, &labels)) {
					put(out, "<STR>");
					i += m;
				}
			}
			continue;
		}
		if (!word_start(s, i)) {
			qe_buf_addch(out, c);
			i++;
			continue;
		}
		if ((m = match_quoted(s + i, n - i)) != 0) {
			/* A quoted value is data, whatever its shape ("abc",
			 * "12 pcs", "SW1A 1AA"); a quoted phrase of three words
			 * or more (a request line, a sentence) is masked like the
			 * rest. */
			qe_buf_addch(out, c);
			if (depth == 0 && is_phrase(s + i + 1, m - 2))
				mask_span(s + i + 1, m - 2, out, depth + 1);
			else
				put(out, "<STR>");
			qe_buf_addch(out, c);
			i += m;
			continue;
		}
		{
			size_t ol, cl;
			if ((m = match_typo_quoted(s + i, n - i, &ol, &cl)) != 0) {
				/* «name», “name”: the same, with typographic quotes */
				qe_buf_add(out, s + i, ol);
				if (depth == 0 && is_phrase(s + i + ol, m - ol - cl))
					mask_span(s + i + ol, m - ol - cl, out,
						  depth + 1);
				else
					put(out, "<STR>");
				qe_buf_add(out, s + i + m - cl, cl);
				i += m;
				continue;
			}
		}
		if (c == '/' || c == '~' || (is_alpha(c) && AT(s, n, i + 1) == ':')) {
			if ((m = match_path(s + i, n - i)) != 0) {
				put(out, "<PATH>");
				i += m;
				continue;
			}
		}
		if (c == ':' && AT(s, n, i + 1) == ':' &&
		    (m = match_ipv6(s + i, n - i)) != 0) {
			put(out, "<IP>");
			i = match_port(s, n, i + m);
			continue;
		}
		if ((c == '<' || c == '>' || c == '~') && is_digit(AT(s, n, i + 1)) &&
		    (m = match_number(s + i + 1, n - i - 1)) != 0 &&
		    AT(s, n, i + 1 + m) != '>') {
			/* a bound or an estimate ("<1 sec", ">100ms", "~5 min"):
			 * the sign is part of the value, so "<1 sec" and "00:02"
			 * stay in one slot */
			put(out, "<NUM>");
			m += 1;
			m += unit_after(s + i + m, n - i - m);
			i += m;
			continue;
		}
		if (!is_alnum(c) &&
		    !((c == '-' || c == '+') && is_digit(AT(s, n, i + 1)))) {
			qe_buf_addch(out, c);
			i++;
			continue;
		}
		/* Word start: try the shaped values, most specific first. */
		shaped = !plain_word(s + i, n - i);
		if (shaped && (m = match_url(s + i, n - i)) != 0) {
			put(out, "<URL>");
		} else if (shaped && (m = match_email(s + i, n - i)) != 0) {
			put(out, "<EMAIL>");
		} else if (shaped && (m = match_uuid(s + i, n - i)) != 0) {
			put(out, "<UUID>");
		} else if ((m = match_ts(s + i, n - i)) != 0) {
			put(out, "<TS>");
		} else if (shaped && ((m = match_domain(s + i, n - i, &labels)) != 0 ||
				      (m = match_ipv4(s + i, n - i)) != 0 ||
				      (m = match_ipv6(s + i, n - i)) != 0)) {
			/* One placeholder for names and addresses: the same message
			 * carries either, depending on reverse lookups. */
			put(out, "<IP>");
			m = match_port(s + i, n - i, m);
		} else if (shaped && (m = match_hex0x(s + i, n - i)) != 0) {
			put(out, "<HEX>");
		} else if (shaped && (m = match_number(s + i, n - i)) != 0) {
			put(out, "<NUM>");
			m += unit_after(s + i + m, n - i - m);
			m += restated_after(s + i + m, n - i - m);
		} else if (!is_alnum(c)) {
			/* A sign not followed by a number of ours. */
			qe_buf_addch(out, c);
			m = 1;
		} else {
			/*
			 * A run of letters, digits, '_' and inner '-': a word, or
			 * an id when it has a digit (blk_-42, job_2024_0001,
			 * broadcast_1_piece0, ip-10-0-0-1).  The whole run is
			 * one id so that ids of different shapes still agree.
			 */
			has_digit = 0;
			all_hex = 1;
			if (i < nodigit_end) {
				/* inside a run already scanned and found digit-free:
				 * the rest of it has no digit either (keeps a-a-a-...
				 * linear instead of quadratic) */
				j = i;
				goto plain;
			}
			for (j = i; j < n; j++) {
				unsigned char d = (unsigned char)s[j];
				if ((d == '_' || d == '-') &&
				    (is_alnum(AT(s, n, j + 1)) ||
				     (AT(s, n, j + 1) == '-' &&
				      is_digit(AT(s, n, j + 2))))) {
					all_hex = 0;
					continue;
				}
				if (!is_alnum(d))
					break;
				if (is_digit(d))
					has_digit = 1;
				if (!is_hex(d))
					all_hex = 0;
			}
			if (!has_digit)
				nodigit_end = j;
		plain:
			if (!has_digit) {
				/* Plain words are kept one alphanumeric run at a time. */
				for (j = i; j < n && is_alnum((unsigned char)s[j]); j++)
					;
			}
			m = j - i;
			if (!has_digit && (j = user_value(s, n, i, m)) != 0) {
				qe_buf_add(out, s + i, m);
				put(out, " <ID>");
				m = j - i;
			} else if (!has_digit || numbered_name(s + i, m))
				qe_buf_add(out, s + i, m);
			else if (all_hex && m >= 8)
				put(out, "<HEX>");
			else
				put(out, "<ID>");
		}
		i += m;
	}
	while (out->len > start && out->buf[out->len - 1] == ' ')
		qe_buf_truncate(out, out->len - 1);
}

void qe_mask_append(const char *s, size_t n, struct qe_buf *out)
{
	if (n > QE_MASK_MAX_INPUT)
		n = QE_MASK_MAX_INPUT;
	mask_span(s, n, out, 0);
}

/* ---- the header of a log line ---- */

static int is_level(const char *s, size_t len)
{
	static const char *const levels[] = {
	    "trace",	 "debug",    "info",  "information", "notice",
	    "warn",	 "warning",  "error", "err",	     "severe",
	    "fatal",	 "critical", "crit",  "alert",	     "emerg",
	    "emergency", "fine",     "finer", "finest",	     "verbose",
	};
	return word_among(s, len, levels, QE_ARRAY_SIZE(levels));
}

/* Digits joined by date/time punctuation: 2015-10-18, 18:01:47,978, 148. */
static int is_stamp(const char *s, size_t len)
{
	size_t k, d = 0;

	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		if (is_digit(c))
			d++;
		else if (!strchr("-/:.,+TZ", c))
			return 0;
	}
	/* an address ("127.0.0.1:135") is no time */
	return d > 0 && is_digit((unsigned char)s[0]) && match_ipv4(s, len) != len;
}

/* 2 to max bytes of letters, digits and the joiners, a letter among them. */
static int word_of(const char *s, size_t len, size_t max, const char *joiners)
{
	size_t k;
	int alpha = 0;

	if (len < 2 || len > max)
		return 0;
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		if (is_alpha(c))
			alpha = 1;
		else if (!is_digit(c) && !strchr(joiners, c))
			return 0;
	}
	return alpha;
}

/* A logger, program or host name: letters, digits and a few joiners. */
static int is_name(const char *s, size_t len)
{
	return word_of(s, len, 128, "._-$/@[]()#<>");
}

/* s[i..e) written in capitals. */
static int is_capitals(const char *s, size_t i, size_t e)
{
	for (; i < e; i++)
		if (!is_upper((unsigned char)s[i]))
			return 0;
	return 1;
}

static size_t skip_blank(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* End of a header token: space, tab or '|'. */
static size_t token_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '|')
		i++;
	return i;
}

/* Matching close bracket of s[i] (nesting counted), or 0. */
static size_t close_bracket(const char *s, size_t n, size_t i)
{
	char open = s[i], close = open == '[' ? ']' : open == '(' ? ')' : '>';
	size_t depth = 0, k;

	for (k = i; k < n && k < i + 256; k++) {
		if (s[k] == open)
			depth++;
		else if (s[k] == close && --depth == 0)
			return k + 1;
	}
	return 0;
}

/* A name that is a host, container or pod rather than a word: it has a
 * digit or a joiner in it (web-1, worker.7, ip-10-0-0-1). */
static int is_source_name(const char *s, size_t len)
{
	size_t k;

	if (!is_name(s, len) || !is_alpha((unsigned char)s[0]))
		return 0;
	for (k = 0; k < len; k++)
		if (!is_alpha((unsigned char)s[k]))
			return 1;
	return 0;
}

static int is_header_word(const char *s, size_t len);

/* "[10.30 16:49:06]", "[2026-01-02 10:00:00,123]": a bracketed block that
 * holds a time of day (stamps only, one with ':' among them); a block of
 * digits alone ("[1234]") is a pid or a thread. */
static int stamp_block(const char *s, size_t len)
{
	size_t i = 0, e;
	int clock = 0;

	if (len && match_ts(s, len) == len)
		return 1;
	while (i < len) {
		for (e = i; e < len && s[e] != ' '; e++)
			;
		if (e > i) {
			if (!is_stamp(s + i, e - i))
				return 0;
			if (memchr(s + i, ':', e - i))
				clock = 1;
		}
		i = e + 1;
	}
	return clock;
}

/* A mark and a number after a program's name ("*64" of a 64-bit
 * process, "#2" of a second instance). */
static int is_name_tag(const char *s, size_t len)
{
	size_t k;
	int digit = 0;

	if (len < 2 || len > 8 || (s[0] != '*' && s[0] != '#'))
		return 0;
	for (k = 1; k < len; k++) {
		if (is_digit((unsigned char)s[k]))
			digit = 1;
		else if (!is_alpha((unsigned char)s[k]))
			return 0;
	}
	return digit;
}

/*
 * What some collectors put before the line's own header: a source name
 * and '|' (docker compose: "web-1  | "), a source name before a
 * timestamp ("worker.7 2026-..."), RFC 5424's "<PRI>VERSION".  Returns the
 * length to skip; *rfc5424 set for the latter.
 */
static size_t source_prefix(const char *s, size_t n, int *rfc5424)
{
	size_t e, j, d;

	*rfc5424 = 0;
	if (AT(s, n, 0) == '<' && (d = digits(s, n, 1, 4)) >= 1 && d <= 3 &&
	    AT(s, n, 1 + d) == '>') {
		/* syslog's priority: "<11>1 2026-..." (RFC 5424), "<11>Dec  1 ..." */
		if (is_digit(AT(s, n, 2 + d)) && AT(s, n, 3 + d) == ' ') {
			*rfc5424 = 1;
			return 4 + d;
		}
		if (is_alpha(AT(s, n, 2 + d)))
			return 2 + d;
	}
	e = token_end(s, n, 0);
	if (e == 0)
		return 0;
	j = skip_blank(s, n, e);
	/* a file name before the time ("nova-api.log.1.2017-05-16_13:53:08
	 * 2017-05-16 00:00:00.008 ...") */
	if (j == e + 1 &&
	    (is_alpha((unsigned char)s[0]) || is_digit((unsigned char)s[0])) &&
	    memchr(s, '.', e) && is_header_word(s, e) && !match_ts(s, n) &&
	    match_ts(s + j, n - j))
		return j;
	if (!is_source_name(s, e))
		return 0;
	if (j < n && s[j] == '|' && (j + 1 >= n || s[j + 1] == ' '))
		return skip_blank(s, n, j + 1);
	if (j == e + 1 && match_ts(s + j, n - j))
		return j;
	return 0;
}

/* A level word ("ERROR", "error:", "[ERROR]", "<error>") at i: its end, or 0. */
static size_t level_token(const char *s, size_t n, size_t i)
{
	size_t e;

	if (i < n && (s[i] == '[' || s[i] == '<')) {
		e = close_bracket(s, n, i);
		if (e > i + 2 && is_level(s + i + 1, e - i - 2) &&
		    (e >= n || s[e] == ' ' || s[e] == ':'))
			return e < n && s[e] == ':' ? e + 1 : e;
		return 0;
	}
	e = token_end(s, n, i);
	if (e > i && s[e - 1] == ':' && is_level(s + i, e - i - 1))
		return e;
	/* "ERROR message", not "error opening ..." in prose: levels written
	 * in capitals */
	if (e > i && is_level(s + i, e - i) && e < n && s[e] == ' ' &&
	    is_capitals(s, i, e))
		return e;
	return 0;
}

/* A word of a header before its level: a host, program or component
 * ("web-1", "RAS", "R02-M1-N0-C:J12-U11"), no sentence punctuation. */
static int is_header_word(const char *s, size_t len)
{
	return len && s[len - 1] != ':' && s[len - 1] != ',' &&
	       word_of(s, len, 64, "._-/:[]()#");
}

static int digits_in(const char *s, size_t len)
{
	size_t k;
	for (k = 0; k < len; k++)
		if (is_digit((unsigned char)s[k]))
			return 1;
	return 0;
}

/* A host written as a number with marks ("#8#", "#8#/#8#"): no letter. */
static int is_host_number(const char *s, size_t len)
{
	size_t k, d = 0;

	if (len < 1 || len > 32)
		return 0;
	for (k = 0; k < len; k++) {
		if (is_digit((unsigned char)s[k]))
			d++;
		else if (!strchr("#/._-", s[k]))
			return 0;
	}
	return d > 0 && !is_digit((unsigned char)s[0]);
}

/*
 * After a timestamp: up to three header words, then a level in capitals
 * ("2005-06-03-15.42.50 R02-M1-N0 RAS KERNEL INFO message", "... web-1
 * nginx ERROR ..."): the end of the level, or 0.
 */
static size_t words_then_level(const char *s, size_t n, size_t i)
{
	size_t w, e;

	for (w = 0; w < 4; w++) {
		i = skip_blank(s, n, i);
		e = token_end(s, n, i);
		if (e == i || e >= n || s[e] != ' ')
			return 0;
		if (w && is_level(s + i, e - i))
			return is_capitals(s, i, e) ? e : 0;
		if (!is_header_word(s + i, e - i))
			return 0;
		i = e;
	}
	return 0;
}

/*
 * After a record number (digits and nothing else from the start of the
 * line, so no time yet): one to three header words, then the line's time
 * in seconds since 1970, ten digits ("2568643 node-70 action start
 * 1074119817 1 message"): the end of that time, or 0.  After a real
 * timestamp such a number is the message's.
 */
static size_t words_then_seconds(const char *s, size_t n, size_t i)
{
	size_t w, e;

	for (e = 0; e < i; e++)
		if (!is_digit((unsigned char)s[e]) && s[e] != ' ')
			return 0;

	for (w = 0; w < 4; w++) {
		i = skip_blank(s, n, i);
		e = token_end(s, n, i);
		if (e == i || e >= n || s[e] != ' ')
			return 0;
		if (w && e - i == 10 && digits(s, n, i, 10) == 10 && s[i] != '0')
			return e;
		if (!is_header_word(s + i, e - i))
			return 0;
		i = e;
	}
	return 0;
}

size_t qe_mask_header_len(const char *s, size_t n)
{
	size_t i = 0, e, len, tokens, done = 0, m;
	int stripped = 0, stamped = 0, rfc5424 = 0;

	if (n > QE_MASK_MAX_INPUT)
		n = QE_MASK_MAX_INPUT;
	if ((i = source_prefix(s, n, &rfc5424)) != 0) {
		done = i;
		stripped = 1;
	}
	if (rfc5424) {
		/* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA */
		size_t k;
		for (k = 0; k < 5 && i < n; k++)
			i = skip_blank(s, n, token_end(s, n, skip_blank(s, n, i)));
		i = skip_blank(s, n, i);
		if (i < n && s[i] == '-')
			i++;
		while (i < n && s[i] == '[' && (e = close_bracket(s, n, i)) != 0)
			i = e;
		i = skip_blank(s, n, i);
		return i < n ? i : 0;
	}
	for (tokens = 0; tokens < 16; tokens++) {
		i = skip_blank(s, n, i);
		if (i < n && s[i] == '|') {
			i++;
			if (stripped)
				done = i;
			/* "TIME|component|pid|message": after a timestamp, the
			 * fields each closed by '|' are header too */
			while (stamped && done == i && (e = token_end(s, n, i)) > i &&
			       e < n && s[e] == '|' && e - i <= 64 &&
			       (is_name(s + i, e - i) || digits(s, n, i, 20) == e - i))
				i = done = e + 1;
			continue;
		}
		if (i >= n)
			break;
		if (s[i] == '[') {
			/* [timestamp] [level] [thread] [pid]: header blocks */
			e = close_bracket(s, n, i);
			if (!e)
				break;
			if (stamp_block(s + i + 1, e - i - 2))
				stamped = 1;
			i = e;
			if (AT(s, n, i) == ':')
				i++;
			stripped = 1;
			done = i;
			continue;
		}
		if ((m = match_ts(s + i, n - i)) != 0) {
			i += m;
			if (AT(s, n, i) == ',' || AT(s, n, i) == ':')
				i++;
			stripped = stamped = 1;
			done = i;
			continue;
		}
		e = token_end(s, n, i);
		len = e - i;
		if (len && s[e - 1] == ':' && len > 1)
			len--;
		if ((len == 1 && (s[i] == '-' || s[i] == ':')) ||
		    (len == 2 && s[i] == '-' && s[i + 1] == '-')) {
			if (e >= n)
				break;
			i = e;
			continue;
		}
		if (is_stamp(s + i, len) || (is_month(s, n, i, &m) && m == len) ||
		    (is_weekday(s, n, i, &m) && m == len)) {
			stripped = stamped = 1;
			i = done = e;
			continue;
		}
		if (is_level(s + i, len) || (stamped && len == 1 && e < n &&
					     strchr("VDIWEFA", s[i]) && s[e] == ' ')) {
			stripped = 1;
			i = done = e;
			continue;
		}
		if (stamped &&
		    (is_source_name(s + i, len) || is_host_number(s + i, len) ||
		     (is_header_word(s + i, len) && memchr(s + i, ':', len) &&
		      digits_in(s + i, len))) &&
		    e + 1 < n && s[e] == ' ' &&
		    (match_ts(s + e + 1, n - e - 1) ||
		     (is_month(s, n, e + 1, &m) && AT(s, n, e + 1 + m) == ' '))) {
			/* a collector's "stamp host" before the line's own
			 * header ("1131566461 2005.11.09 dn228 Nov 9 ...") */
			i = done = e;
			continue;
		}
		if (stamped && s[e - 1] != ':' && is_name(s + i, len) && e + 2 < n &&
		    s[e] == ' ' && s[e + 1] == '-' && s[e + 2] == ' ') {
			/* "TIME - logger.name - LEVEL - message" (Python's
			 * logging cookbook format) */
			i = done = e;
			continue;
		}
		if (stamped && s[e - 1] != ':' && is_name(s + i, len) && e + 1 < n &&
		    s[e] == ' ') {
			/* "[TIME] program.exe *64 - message": a name and its
			 * tag before the separator */
			size_t t = e + 1, te = token_end(s, n, t);
			if (is_name_tag(s + t, te - t) && te + 2 < n && s[te] == ' ' &&
			    s[te + 1] == '-' && s[te + 2] == ' ') {
				i = done = te;
				continue;
			}
		}
		if (stamped && ((m = words_then_level(s, n, i)) != 0 ||
				(m = words_then_seconds(s, n, i)) != 0)) {
			i = done = m;
			continue;
		}
		break;
	}
	if (!stripped)
		return 0;
	i = skip_blank(s, n, done);
	e = token_end(s, n, i);
	if (e > i + 1 && s[e - 1] == ':' && is_name(s + i, e - i - 1) &&
	    !match_url(s + i, n - i)) {
		/* logger.Name: message */
		done = e;
	} else if (stamped && e + 1 < n && s[e] == ' ' && s[e + 1] == '[' &&
		   is_name(s + i, e - i) && memchr(s + i, '.', e - i) &&
		   (m = close_bracket(s, n, e + 1)) != 0 && m < n && s[m] == ' ') {
		/* logger.name [context] message (oslo.log: "[req-... - -]") */
		done = m;
	} else if (stamped && e < n && s[e] == ' ' &&
		   (is_name(s + i, e - i) || is_host_number(s + i, e - i))) {
		/* syslog: host program[pid]: message */
		size_t j = skip_blank(s, n, e), f = token_end(s, n, j);
		if (f > j + 1 && s[f - 1] == ':' && is_name(s + j, f - j - 1))
			done = f;
	}
	i = skip_blank(s, n, done);
	/* A separator between header and message: "... - message". */
	if (i + 1 < n && s[i] == '-' && s[i + 1] == ' ')
		i = skip_blank(s, n, i + 1);
	/* A level after the program or logger: "shop[12]: ERROR message". */
	if (i > 0 && (e = level_token(s, n, i)) != 0 && skip_blank(s, n, e) < n)
		i = skip_blank(s, n, e);
	return i;
}

void qe_mask_line(const char *line, size_t len, struct qe_buf *out)
{
	size_t h = qe_mask_header_len(line, len);

	/* A line that is all header keeps it, so that it still says something. */
	if (h >= len)
		h = 0;
	qe_mask_append(line + h, len - h, out);
}
