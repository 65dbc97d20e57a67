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
		if (!strncmp(text, "/feeds/", 7)) {
			said = "(token)";
			keep = 7;
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
