#include "principal.h"

#include "workflow.h"

bool principal_sees_all_areas(const struct principal *p)
{
	/* Service-area officers are confined to their area; nobody else. */
	return p->roles &
	       (ROLE_LINK_OFFICER | ROLE_VALIDATOR | ROLE_LEADERSHIP);
}

bool principal_sees_residents(const struct principal *p)
{
	/*
	 * Link officers handle the resident's case; anyone else only with an
	 * explicit grant.  Leadership reads figures, not people.
	 */
	return (p->roles & ROLE_LINK_OFFICER) || p->resident_access;
}
