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
/* May this user read resident details? */
bool principal_sees_residents(const struct principal *p);

#endif
