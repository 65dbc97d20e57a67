#include "ld_err.h"

const char *ld_err_name(enum ld_err err)
{
	switch (err) {
	case LD_OK: return "ok";
	case LD_EINVAL: return "invalid";
	case LD_EVALIDATION: return "validation_failed";
	case LD_ERANGE: return "out_of_range";
	case LD_ENOTFOUND: return "not_found";
	case LD_EGONE: return "gone";
	case LD_ECONFLICT: return "conflict";
	case LD_EPRECONDITION: return "precondition_failed";
	case LD_EUNAUTHORISED: return "unauthorised";
	case LD_EFORBIDDEN: return "forbidden";
	case LD_ETOOLARGE: return "too_large";
	case LD_EMETHOD: return "method_not_allowed";
	case LD_ERATELIMIT: return "rate_limited";
	case LD_EUNAVAILABLE: return "unavailable";
	case LD_ETIMEOUT: return "timeout";
	case LD_EDB: return "database_error";
	case LD_EIO: return "io_error";
	case LD_EINTERNAL: return "internal_error";
	}
	return "internal_error";
}

bool ld_err_transient(enum ld_err err)
{
	return err == LD_EUNAVAILABLE || err == LD_ETIMEOUT;
}
