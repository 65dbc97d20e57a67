/*
 * What an uploaded file is, from its first bytes and its name: the kinds the
 * Ombudsmen accept as evidence (PDF, Word, Excel, images, plain text, email
 * files) and nothing else.  Pure.
 */
#ifndef FILETYPE_H
#define FILETYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "ld_err.h"

/* How many leading bytes filetype_detect() wants to see. */
#define FILETYPE_HEAD 4096

/* A sanitised file name fits here. */
#define FILENAME_MAX_LEN 201

/*
 * The content type of a file named name whose first n bytes are head (n may
 * be less than FILETYPE_HEAD for a short file).  LD_EINVAL with *why when
 * the bytes are not an accepted kind or do not match the name's extension.
 */
enum ld_err filetype_detect(const char *name, const unsigned char *head,
			    size_t n, const char **content_type,
			    const char **why);

/*
 * A safe file name: the last path component, control characters and
 * characters Windows forbids replaced by '_', no leading dots, at most 200
 * bytes cut on a UTF-8 boundary; "file" when nothing is left.
 */
void filename_sanitise(const char *in, char out[FILENAME_MAX_LEN]);

#endif
