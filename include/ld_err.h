/*
 * The one error enum of Linkdesk: every fallible function returns it, 0 for
 * success.  The HTTP layer maps each value to a status code in one table
 * (server/http/http_error.c).
 */
#ifndef LD_ERR_H
#define LD_ERR_H

#include <stdbool.h>

enum ld_err {
	LD_OK = 0,
	LD_EINVAL,	/* malformed input: bad JSON, wrong type, bad date */
	LD_EVALIDATION, /* well-formed input that breaks a rule of the domain */
	LD_ERANGE,	/* a date outside the loaded holiday calendar */
	LD_ENOTFOUND,	/* no such thing, or not visible to this user */
	LD_EGONE,	/* was here and is no more: a revoked feed */
	LD_ECONFLICT,	/* refused transition or duplicate key */
	LD_EPRECONDITION, /* stale version (If-Match) */
	LD_EUNAUTHORISED, /* not signed in */
	LD_EFORBIDDEN,	  /* signed in but not entitled */
	LD_ETOOLARGE,	  /* body or value over its limit */
	LD_EMETHOD,	  /* the address does not take this method */
	LD_ERATELIMIT,	  /* too many attempts */
	LD_EUNAVAILABLE,  /* the database cannot be reached */
	LD_ETIMEOUT,	  /* the database gave up: a lock or a slow statement */
	LD_EDB,		  /* the database answered with an unexpected error */
	LD_EIO,		  /* a file or socket failed */
	LD_EINTERNAL,	  /* a bug: should never be seen */
};

/*
 * Why a change was refused, for the person who asked: the field at fault
 * (NULL for the request as a whole) and a sentence.
 */
struct why {
	const char *field;
	char msg[256];
};

/*
 * The database could not do it now (unreachable, out of space, a lock or a
 * statement timeout): nothing was saved, and the same request may succeed
 * later.  Pages show such an error as a whole page, not as a field's.
 */
bool ld_err_transient(enum ld_err err);

/* A short lower-case name for an error, e.g. "not_found"; never NULL. */
const char *ld_err_name(enum ld_err err);

#endif
