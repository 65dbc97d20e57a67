#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

#define SWEEP_AGE_SECONDS 3600

/* Remove the files of folder path, then the folder. */
static void remove_folder(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char name[4096];
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    snprintf(name, sizeof(name), "%s/%s", path, e->d_name) <
			    (int)sizeof(name))
			unlink(name);
	closedir(d);
	rmdir(path);
}

void spool_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int removed = 0;
	if (!d)
		return;
	time_t old = time(NULL) - SWEEP_AGE_SECONDS;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "linkdesk-bundle-", 16) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(path) ||
		    lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    st.st_mtime > old)
			continue;
		remove_folder(path);
		removed++;
	}
	closedir(d);
	if (removed)
		log_warn("removed %d bundle folders left by a stopped server",
			 removed);
}
