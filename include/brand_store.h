/*
 * The organisation's brand, as settings (organisation_name, brand_colour)
 * and the uploaded logo (sql/029_brand.sql).
 */
#ifndef BRAND_STORE_H
#define BRAND_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"

struct store;

/*
 * {"name", "colour", "has_logo", "version"}: version changes whenever any
 * of them does, for the addresses of the brand's style sheet and logo.
 */
enum ld_err brand_store_get(struct store *s, char **json);

/*
 * Set the name and colour (already checked by core/brand.c), acting for
 * actor_id, in one transaction.
 */
enum ld_err brand_store_set(struct store *s, int64_t actor_id, const char *name,
			    const char *colour);

/* Keep the logo (type from brand_logo_type()), or remove it (bytes NULL). */
enum ld_err brand_store_set_logo(struct store *s, int64_t actor_id,
				 const char *content_type,
				 const unsigned char *bytes, size_t len);

/*
 * The logo's bytes (malloc'd) and its content type (static text);
 * LD_ENOTFOUND when there is none.
 */
enum ld_err brand_store_logo(struct store *s, const char **content_type,
			     unsigned char **bytes, size_t *len);

#endif
