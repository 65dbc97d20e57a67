#include "utf8.h"

#include <stdint.h>

long utf8_chars(const char *s, size_t len)
{
	/* The least code point of each length: shorter is an overlong form. */
	static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
	long n = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t more;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			n++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			more = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (len - i <= more)
			return -1;
		for (size_t k = 1; k <= more; k++) {
			unsigned char cc = (unsigned char)s[i + k];
			if ((cc & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (cc & 0x3f);
		}
		if (cp < least[more] || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return -1;
		i += more + 1;
		n++;
	}
	return n;
}

char *utf8_scrub(char *s)
{
	size_t len = 0;
	while (s[len])
		len++;
	for (size_t i = 0; i < len;) {
		/* The longest valid sequence starting here, if any. */
		size_t n = 0;
		for (size_t k = 1; k <= 4 && i + k <= len; k++)
			if (utf8_chars(s + i, k) == 1) {
				n = k;
				break;
			}
		if (!n) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
	return s;
}
