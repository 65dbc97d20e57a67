/*
 * application/x-www-form-urlencoded bodies and query strings, decoded into
 * a JSON object of strings (a repeated name gives an array).  Pure.
 */
#ifndef FORM_H
#define FORM_H

#include <jansson.h>
#include <stddef.h>

#include "ld_err.h"

/*
 * Decode text of len bytes.  LD_EINVAL for a bad percent escape or text
 * that is not UTF-8.  *out is a new reference.
 */
enum ld_err form_parse(const char *text, size_t len, json_t **out);

#endif
