#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

int spool_open(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/linkdesk-spool-XXXXXX", dir) >=
	    (int)sizeof(path))
		return -1;
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		log_warn("cannot make a spool file in %s", dir);
		return -1;
	}
	unlink(path);
	return fd;
}

enum ld_err spool_failed(void)
{
	if (errno == ENOSPC || errno == EDQUOT) {
		log_warn("the spool's disk is full");
		return LD_EUNAVAILABLE;
	}
	return LD_EIO;
}
