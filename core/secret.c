#include "secret.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum ld_err secret_init(void)
{
	return sodium_init() < 0 ? LD_EINTERNAL : LD_OK;
}

void secret_token(char out[SECRET_TOKEN_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, SECRET_TOKEN_LEN, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void secret_hash(const char *token, unsigned char out[SECRET_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

enum ld_err secret_password_hash(const char *password, bool fast,
				 char out[SECRET_PWHASH_LEN])
{
	_Static_assert(crypto_pwhash_STRBYTES <= SECRET_PWHASH_LEN,
		       "password hash buffer too small");
	unsigned long long ops = fast ? crypto_pwhash_OPSLIMIT_INTERACTIVE
				      : crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = fast ? crypto_pwhash_MEMLIMIT_INTERACTIVE
			  : crypto_pwhash_MEMLIMIT_MODERATE;
	if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
				  crypto_pwhash_ALG_ARGON2ID13))
		return LD_EINTERNAL;
	return LD_OK;
}

bool secret_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

/* The byte a "%hh" at t stands for, or -1 when t is no such escape. */
static int escaped(const char *t)
{
	unsigned char byte;
	size_t n = 0;
	const char *end = NULL;
	if (*t != '%' || !t[1] || !t[2] ||
	    sodium_hex2bin(&byte, 1, t + 1, 2, NULL, &n, &end) || n != 1 ||
	    end != t + 3)
		return -1;
	return byte;
}

/*
 * How many bytes of t spell want, each of its characters as itself or
 * percent-encoded, letters in either case ("/%66eeds/", "/FEEDS/"); 0 if
 * they do not.  A server decodes the path before it routes it, so each is
 * the same feed.
 */
static size_t spells(const char *t, const char *want)
{
	const char *start = t;
	for (; *want; want++) {
		char c = *t;
		size_t used = 1;
		int e = escaped(t);
		if (e >= 0) {
			c = (char)e;
			used = 3;
		}
		if (!c || (c != *want && (c | 0x20) != *want))
			return 0;
		t += used;
	}
	return (size_t)(t - start);
}

void secret_log_text(const char *text, char *out, size_t size)
{
	/* Where a URL in a message ends. */
	static const char end[] = " \t\r\n'\"`<>";
	size_t o = 0;
	if (!size)
		return;
	while (*text && o + 1 < size) {
		const char *said = NULL;
		size_t keep = 0;
		if ((keep = spells(text, "/feeds/"))) {
			said = "(token)";
		} else if (*text == '?') {
			said = "(query)";
			keep = 1;
		}
		if (!said) {
			out[o++] = *text++;
			continue;
		}
		int n = snprintf(out + o, size - o, "%.*s%s", (int)keep, text,
				 said);
		if (n < 0 || (size_t)n >= size - o)
			return; /* cut short, terminated by snprintf */
		o += (size_t)n;
		text += keep;
		text += strcspn(text, end);
	}
	out[o] = '\0';
}
