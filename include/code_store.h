/*
 * The Complaint Handling Code in the store: each code's timescales, a
 * complaint's stage dates, and the annual self-assessment against the
 * 2024 Code's provisions.
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

/* Self-assessments ------------------------------------------------------ */

enum ld_err sa_store_list(struct store *s, char **json);
enum ld_err sa_store_create(struct store *s, const struct principal *p,
			    const char *title, const char *reason,
			    int64_t remedy_id, char **json, struct why *why);
enum ld_err sa_store_get(struct store *s, int64_t id, char **json);

struct sa_answer_in {
	const char *number;
	int complies; /* 1 yes, 0 no */
	const char *evidence, *links, *commentary, *action;
	int32_t expected_on;
};

/* Answer one provision of a draft. */
enum ld_err sa_store_answer(struct store *s, const struct principal *p,
			    int64_t id, const struct sa_answer_in *in,
			    char **json, struct why *why);

/* draft -> approved (every provision answered) -> published. */
enum ld_err sa_store_approve(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t on,
			     const char *by, char **json, struct why *why);
enum ld_err sa_store_publish(struct store *s, const struct principal *p,
			     int64_t id, int version, int32_t on,
			     const char *url, char **json, struct why *why);

#endif
