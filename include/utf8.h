/*
 * UTF-8: the one decoder of Linkdesk.  Text from a client that is not
 * UTF-8 must never reach JSON (Jansson refuses it) or PostgreSQL (which
 * refuses it with an error): it is refused with a reason, or scrubbed
 * where it is only ever shown (a file's name, a User-Agent, a message).
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/*
 * The characters (code points) of len bytes of UTF-8; -1 when they are not
 * valid UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * are not).
 */
long utf8_chars(const char *s, size_t len);

/*
 * Make the NUL-terminated s valid UTF-8 in place: each byte that does not
 * begin a valid sequence becomes '?'.  Returns s.
 */
char *utf8_scrub(char *s);

#endif
