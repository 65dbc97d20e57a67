/*
 * The organisation's brand on the dashboard: the rules for its name, its
 * colour and its logo, in one place for the brand page and the store.
 */
#ifndef BRAND_H
#define BRAND_H

#include <stdbool.h>
#include <stddef.h>

/* The colour GOV.UK Frontend uses when none is set. */
#define BRAND_COLOUR_DEFAULT "#1d70b8"

/* The longest organisation name, in characters. */
#define BRAND_NAME_MAX 120

/* The largest logo, in bytes (the migration's check says the same). */
#define BRAND_LOGO_MAX (200 * 1024)

/*
 * The colour text as the page needs it ("#rrggbb", lower case) into out,
 * from "#rrggbb" or "#RRGGBB" with spaces around.  False with *why when it
 * is not such a colour or when white text on it would not reach the 4.5:1
 * contrast of WCAG 2.2 AA (the header's name and the banners' titles are
 * white on it).
 */
bool brand_colour_parse(const char *in, char out[8], const char **why);

/* WCAG 2.2's contrast ratio of white on the colour "#rrggbb". */
double brand_contrast_with_white(const char *colour);

/* False with *why when name (trimmed) is empty or too long. */
bool brand_name_valid(const char *name, const char **why);

/*
 * The logo's content type from libmagic's answer for its bytes: PNG or
 * SVG, or NULL with *why for anything else or a logo too large.
 */
const char *brand_logo_type(const char *magic_type, size_t size,
			    const char **why);

#endif
