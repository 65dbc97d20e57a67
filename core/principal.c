#include "principal.h"

#include "workflow.h"

bool principal_sees_all_areas(const struct principal *p)
{
	/* Service-area officers are confined to their area; nobody else. */
	return p->roles &
	       (ROLE_LINK_OFFICER | ROLE_VALIDATOR | ROLE_LEADERSHIP);
}

int64_t principal_area_scope(const struct principal *p)
{
	if (principal_sees_all_areas(p))
		return AREA_SCOPE_ALL;
	/* No area is no records, never every area's. */
	return p->service_area_id > 0 ? p->service_area_id : AREA_SCOPE_NONE;
}

bool principal_works_in(const struct principal *p, int64_t area_id)
{
	return (p->roles & ROLE_SERVICE_OFFICER) && p->service_area_id > 0 &&
	       p->service_area_id == area_id;
}

bool principal_may_add_evidence(const struct principal *p, int64_t area_id)
{
	return (p->roles & ROLE_LINK_OFFICER) || principal_works_in(p, area_id);
}

bool principal_sees_residents(const struct principal *p)
{
	/*
	 * Link officers handle the resident's case; anyone else only with an
	 * explicit grant.  Leadership reads figures, not people.
	 */
	return (p->roles & ROLE_LINK_OFFICER) || p->resident_access;
}
