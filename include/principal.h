/* The signed-in user a request acts for, as the store and handlers see it. */
#ifndef PRINCIPAL_H
#define PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

struct principal {
	int64_t user_id;
	int64_t session_id;	    /* 0 when signed in with an API token */
	int64_t token_id;	    /* 0 when signed in with a session */
	unsigned roles;		    /* enum role bits */
	int64_t service_area_id;    /* 0: none */
	int64_t validator_title_id; /* 0: not a validator */
	bool resident_access;	    /* granted to a service officer */
	char csrf[48];
	char name[121];
};

/* Does this user read every service area (not only their own)? */
bool principal_sees_all_areas(const struct principal *p);

/* principal_area_scope() for a reader of every area. */
#define AREA_SCOPE_ALL 0
/* principal_area_scope() for a service-area officer with no area. */
#define AREA_SCOPE_NONE (-1)

/*
 * The one area rule: the service area whose records this user may read
 * (their own, for a service-area officer), AREA_SCOPE_NONE for an officer
 * with no area, who reads none, or AREA_SCOPE_ALL.  The store passes it to
 * SQL's task_visible() and case_visible() (sql/013_area_scope.sql) through
 * area_scope(); nothing else decides what an area's officer may read.
 */
int64_t principal_area_scope(const struct principal *p);

/*
 * Does this user work in service area area_id (a service-area officer of
 * that area, who may act on its tasks)?  Never for an officer with no area.
 */
bool principal_works_in(const struct principal *p, int64_t area_id);
/*
 * May this user add, replace or remove evidence on a task of this area?
 * Link officers anywhere; service-area officers in their own area.
 */
bool principal_may_add_evidence(const struct principal *p, int64_t area_id);

/* May this user read resident details? */
bool principal_sees_residents(const struct principal *p);

#endif
