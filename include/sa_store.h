/*
 * The annual self-assessment against the Complaint Handling Code's
 * provisions, in the store.  Every call that changes one answers with the
 * whole self-assessment as JSON in *json, allocated for the caller to
 * free() and set only on LD_OK; a refusal (LD_EVALIDATION, LD_ECONFLICT,
 * LD_EPRECONDITION) names the field and says why in *why.
 */
#ifndef SA_STORE_H
#define SA_STORE_H

#include <stdint.h>

#include "ld_err.h"
#include "principal.h"

struct store;

/* Every self-assessment, newest first, as a JSON array. */
enum ld_err sa_store_list(struct store *s, char **json);
/* A new draft against the organisation's code; remedy_id (0 for none) is
 * the Ombudsman's order it answers.  *json: the draft, whole. */
enum ld_err sa_store_create(struct store *s, const struct principal *p,
			    const char *title, const char *reason,
			    int64_t remedy_id, char **json, struct why *why);
/* One self-assessment with every provision and answer; LD_ENOTFOUND. */
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
