/* What the dashboard's pages read that the API does not already give. */
#ifndef PAGE_STORE_H
#define PAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"

struct store;

/*
 * The link officer's home: overdue, due soon, awaiting action (the first
 * shown of each list), counts.
 */
enum ld_err page_store_home(struct store *s, int32_t today, int32_t horizon,
			    int shown, char **json);

/*
 * limit rows after offset of one of home's task lists (list: overdue,
 * due_soon, awaiting_validation, ready_to_send), as {"tasks", "total"}.
 */
enum ld_err page_store_home_tasks(struct store *s, const char *list,
				  int32_t today, int32_t horizon, size_t offset,
				  size_t limit, char **json);

/*
 * A service officer's open tasks, nearest due first: theirs and their
 * area's unassigned, of those they may read.
 */
enum ld_err page_store_my_tasks(struct store *s, const struct principal *p,
				char **json);

/* A validator's queue. */
enum ld_err page_store_validation(struct store *s, const struct principal *p,
				  char **json);

/* Complaints for the register form: newest first, at most 500. */
enum ld_err page_store_complaints(struct store *s, char **json);

/* Active users who can be assigned tasks ({id, name, area}), by name. */
enum ld_err page_store_assignees(struct store *s, char **json);

#endif
