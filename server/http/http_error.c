#include "http.h"

unsigned int http_status(enum ld_err err)
{
	static const unsigned int status[] = {
		[LD_OK] = 200,
		[LD_EINVAL] = 400,
		[LD_EVALIDATION] = 422,
		[LD_ERANGE] = 422,
		[LD_ENOTFOUND] = 404,
		[LD_EGONE] = 410,
		[LD_ECONFLICT] = 409,
		[LD_EPRECONDITION] = 412,
		[LD_EUNAUTHORISED] = 401,
		[LD_EFORBIDDEN] = 403,
		[LD_ETOOLARGE] = 413,
		[LD_EMETHOD] = 405,
		[LD_ERATELIMIT] = 429,
		[LD_EUNAVAILABLE] = 503,
		[LD_ETIMEOUT] = 503,
		[LD_EDB] = 500,
		[LD_EIO] = 500,
		[LD_EINTERNAL] = 500,
	};
	if ((unsigned)err >= sizeof(status) / sizeof(status[0]))
		return 500;
	return status[err];
}
