/*
 * paging.h: how long a page of any list is and how far it may be asked
 * to go, for the API (?page=, ?per_page=, an audit trail's ?limit=) and
 * the pages (likely late, sanction risk, the case page's audit history),
 * and the one check of such a number.  The store trusts its callers to
 * have made it.
 */
#ifndef LINKDESK_PAGING_H
#define LINKDESK_PAGING_H

#include <stdint.h>

#include "ld_err.h"
#include "page_size.h"

struct request;

/*
 * The query's ?name= as a whole number from 1 to max into *out (left as
 * it is, the caller's default, when absent).  Anything else (a sign,
 * space, text after it, out of range) is refused with LD_EINVAL naming
 * the field and its range.
 */
enum ld_err paging_query(struct request *req, const char *name, long max,
			 long *out);

/*
 * The query's ?name= as an id (a whole number above 0: a keyset page's
 * ?before=, a list's filter by case or area) into *out, left as it is
 * when absent; anything else refused with LD_EINVAL naming the field.
 */
enum ld_err paging_query_id(struct request *req, const char *name,
			    int64_t *out);

#endif
