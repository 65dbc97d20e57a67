/*
 * Secrets with libsodium: random tokens for sessions, API keys and feeds,
 * their SHA-256 for storage and look-up, and Argon2id password hashes.
 */
#ifndef SECRET_H
#define SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "ld_err.h"

#define SECRET_TOKEN_LEN  44 /* 32 random bytes, base64url, plus NUL */
#define SECRET_HASH_LEN	  32
#define SECRET_PWHASH_LEN 128

/* Call once at start-up; LD_EINTERNAL if libsodium cannot start. */
enum ld_err secret_init(void);

/* A fresh 256-bit token as unpadded base64url. */
void secret_token(char out[SECRET_TOKEN_LEN]);

/* SHA-256 of a token, as stored. */
void secret_hash(const char *token, unsigned char out[SECRET_HASH_LEN]);

/*
 * Hash a password with Argon2id at libsodium's moderate limits, or its
 * interactive limits when fast is set (tests and demo data only).
 */
enum ld_err secret_password_hash(const char *password, bool fast,
				 char out[SECRET_PWHASH_LEN]);

/* True when password matches hash; constant time in the password. */
bool secret_password_verify(const char *hash, const char *password);

/* Constant-time equality of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

/*
 * text as the log may hold it (out, size bytes, always terminated): what a
 * URL in it carries that the log must not, up to the next space or quote,
 * said instead: a feed's token after "/feeds/" (it is the feed's
 * password; the path spelt in any case or percent-encoded too) as
 * "(token)", and a query string (a search may be a
 * resident's name) as "?(query)".  The request log and libmicrohttpd's
 * own messages both go through it.
 */
void secret_log_text(const char *text, char *out, size_t size);

#endif
