/*
 * Ombudsman references.  Each Ombudsman's format is data: a mask in which
 * '#' stands for a digit (HOS "#########", LGSCO "## ### ###").  Input may
 * use spaces, hyphens or no separators; it is reduced to its digits and laid
 * out in the mask, so "24-013-880" and "24013880" both become "24 013 880".
 */
#ifndef REFERENCE_H
#define REFERENCE_H

#include <stddef.h>

#include "ld_err.h"

#define REFERENCE_MAX 41

/*
 * Normalise input against mask into out (REFERENCE_MAX bytes).  A NULL mask
 * means free text: trimmed, 1 to 40 printable characters.  LD_EINVAL when
 * the input does not fit.
 */
enum ld_err reference_normalise(const char *mask, const char *input,
				char out[REFERENCE_MAX]);

#endif
