/*
 * The Complaint Handling Code in the store: each code's timescales and a
 * complaint's stage dates (the self-assessment is sa_store.h).  JSON and
 * names come back as the store's convention says (store.h): allocated for
 * the caller to free(), set only on LD_OK.
 */
#ifndef CODE_STORE_H
#define CODE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "timeliness.h"

struct store;

/* The limits of a code (NULL: the organisation's chosen one). */
enum ld_err code_store_limits(struct store *s, const char *code,
			      struct code_limits *out, char *name,
			      size_t namelen);

/* Every code with its limits, as JSON. */
enum ld_err code_store_codes(struct store *s, char **json);

/* A complaint's stage dates; 0 means "not yet", -1 "leave as it is". */
struct stage_dates_in {
	int version;
	int32_t s1_ack, s1_response, s1_told, escalated, s2_ack, s2_response,
		s2_told;
	int s1_extension, s2_extension; /* -1: unchanged, 0: none */
	const char *s1_reason, *s2_reason;
};

enum ld_err code_store_set_stages(struct store *s, const struct principal *p,
				  int64_t complaint_id,
				  const struct stage_dates_in *in, char **json,
				  struct why *why);

#endif
