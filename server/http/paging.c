/* The one check of a paged list's numbers (paging.h). */
#include "paging.h"

#include <errno.h>
#include <stdlib.h>

#include "http.h"

enum ld_err paging_query(struct request *req, const char *name, long max,
			 long *out)
{
	const char *v = request_query(req, name);
	char *end;
	long n;
	if (!v)
		return LD_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || errno || *end || n < 1 || n > max)
		return request_fail(req, LD_EINVAL, name,
				    "%s must be a whole number from 1 to %ld",
				    name, max);
	*out = n;
	return LD_OK;
}

enum ld_err paging_query_id(struct request *req, const char *name, int64_t *out)
{
	const char *v = request_query(req, name);
	char *end;
	if (!v)
		return LD_OK;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n <= 0)
		return request_fail(req, LD_EINVAL, name,
				    "%s must be an id (a whole number above 0)",
				    name);
	*out = n;
	return LD_OK;
}
