/*
 * What an uploaded file is, from its first bytes and its name: the kinds the
 * Ombudsmen accept as evidence (PDF, Word, Excel, images, plain text, email
 * files) and nothing else.  The bytes are recognised by libmagic (the
 * database of file(1)), not by a prefix of our own: a ZIP archive renamed
 * .docx is a ZIP archive.  Thread-safe: each thread opens libmagic once
 * and keeps its handle until the thread ends.
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
 * the name's extension is not an accepted kind or libmagic finds the bytes
 * are not of that kind (text must be UTF-8 as well; an empty text file is
 * accepted).  LD_EIO with *why when libmagic's database cannot be loaded.
 * *content_type and *why are static text.
 */
enum ld_err filetype_detect(const char *name, const unsigned char *head,
			    size_t n, const char **content_type,
			    const char **why);

/*
 * libmagic's MIME type for n bytes, with no rule of ours ("image/png"),
 * valid until the thread's next call; NULL when n is 0 or libmagic's
 * database cannot be loaded.
 */
const char *filetype_mime(const unsigned char *bytes, size_t n);

/*
 * A safe file name: the last path component, control characters and
 * characters Windows forbids replaced by '_', no leading dots, at most 200
 * bytes cut on a UTF-8 boundary; "file" when nothing is left.
 */
void filename_sanitise(const char *in, char out[FILENAME_MAX_LEN]);

#endif
