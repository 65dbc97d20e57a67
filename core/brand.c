#include "brand.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* WCAG 2.2's relative luminance of one sRGB channel, 0 to 255. */
static double channel(int v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static bool parse_rgb(const char *s, int rgb[3])
{
	if (strlen(s) != 7 || s[0] != '#' ||
	    strspn(s + 1, "0123456789abcdefABCDEF") != 6)
		return false;
	long v = strtol(s + 1, NULL, 16);
	rgb[0] = (int)(v >> 16);
	rgb[1] = (int)((v >> 8) & 0xff);
	rgb[2] = (int)(v & 0xff);
	return true;
}

double brand_contrast_with_white(const char *colour)
{
	int rgb[3];
	if (!parse_rgb(colour, rgb))
		return 0;
	double l = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) +
		   0.0722 * channel(rgb[2]);
	return 1.05 / (l + 0.05);
}

bool brand_colour_parse(const char *in, char out[8], const char **why)
{
	char s[8];
	int rgb[3];
	while (*in == ' ')
		in++;
	size_t n = strlen(in);
	while (n && in[n - 1] == ' ')
		n--;
	if (n != 7) {
		*why = "Enter the colour as # and six hexadecimal digits, like "
		       "#1d70b8";
		return false;
	}
	memcpy(s, in, 7);
	s[7] = '\0';
	if (!parse_rgb(s, rgb)) {
		*why = "Enter the colour as # and six hexadecimal digits, like "
		       "#1d70b8";
		return false;
	}
	snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
	if (brand_contrast_with_white(out) < 4.5) {
		*why = "Choose a darker colour: white text on it must have a "
		       "contrast of at least 4.5 to 1";
		return false;
	}
	return true;
}

bool brand_name_valid(const char *name, const char **why)
{
	while (*name == ' ')
		name++;
	size_t n = strlen(name);
	while (n && name[n - 1] == ' ')
		n--;
	if (!n) {
		*why = "Enter the organisation's name";
		return false;
	}
	long chars = utf8_chars(name, n);
	if (chars < 0) {
		*why = "The organisation's name must be text";
		return false;
	}
	if (chars > BRAND_NAME_MAX) {
		*why = "The organisation's name must be 120 characters or "
		       "fewer";
		return false;
	}
	return true;
}

const char *brand_logo_type(const char *magic_type, size_t size,
			    const char **why)
{
	if (!size) {
		*why = "Choose a logo: a PNG or SVG file";
		return NULL;
	}
	if (size > BRAND_LOGO_MAX) {
		*why = "The logo must be smaller than 200 KB";
		return NULL;
	}
	if (magic_type && !strcmp(magic_type, "image/png"))
		return "image/png";
	if (magic_type && !strcmp(magic_type, "image/svg+xml"))
		return "image/svg+xml";
	*why = "The logo must be a PNG or SVG file";
	return NULL;
}
