#include "inbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "kinds.h"

#define FOLD_MAX (8u << 20)

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Fold keeping case or not: the two folds of one text have the same
 * length, so a match found in the lower-case one is quoted from the other.
 */
static enum ld_err fold(const char *text, bool keep_case, struct buf *out)
{
	enum ld_err err = LD_OK;
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)text; *p && !err;
	     p++) {
		if (is_space(*p) || (p[0] == 0xc2 && p[1] == 0xa0)) {
			if (p[0] == 0xc2)
				p++;
			space = true;
			continue;
		}
		if (space && out->len)
			err = buf_addch(out, ' ');
		space = false;
		if (!err)
			err = buf_addch(out,
					keep_case ? (char)*p : lower((char)*p));
	}
	return err;
}

enum ld_err inbox_fold(const char *text, struct buf *out)
{
	return fold(text ? text : "", false, out);
}

/* Subject or body, folded both ways. */
struct text {
	struct buf low, orig;
};

static void text_init(struct text *t, const char *s)
{
	buf_init(&t->low, FOLD_MAX);
	buf_init(&t->orig, FOLD_MAX);
	/* Past the cap the text is cut short: the rules read its start. */
	(void)fold(s ? s : "", false, &t->low);
	(void)fold(s ? s : "", true, &t->orig);
	if (t->low.len != t->orig.len) {
		buf_reset(&t->low);
		buf_reset(&t->orig);
	}
}

static void text_release(struct text *t)
{
	buf_release(&t->low);
	buf_release(&t->orig);
}

/* Copy len bytes of the original text at off, cut at a whole character. */
static void quote(const struct text *t, size_t off, size_t len, char *out,
		  size_t outlen)
{
	if (len >= outlen) {
		len = outlen - 1;
		while (len > 0 &&
		       ((unsigned char)t->orig.ptr[off + len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, t->orig.ptr + off, len);
	out[len] = '\0';
}

/* References -------------------------------------------------------- */

#define GROUPS_MAX 12

static bool is_sep(char c)
{
	return c == ' ' || c == '-' || c == '/' || c == '.';
}

/* The lengths of the runs of '#' in a mask. */
static int mask_groups(const char *mask, int *groups, int *ndigits)
{
	int n = 0;
	*ndigits = 0;
	for (const char *m = mask; *m; m++) {
		if (*m != '#')
			continue;
		if (m == mask || m[-1] != '#') {
			if (n == GROUPS_MAX)
				return 0;
			groups[n++] = 0;
		}
		groups[n - 1]++;
		(*ndigits)++;
	}
	return n;
}

static void add_ref(struct inbox_finding *f, const char *ombudsman,
		    const char *mask, const char *digits, bool in_subject)
{
	char ref[REFERENCE_MAX];
	if (reference_normalise(mask, digits, ref))
		return;
	for (int i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].reference, ref) &&
		    !strcmp(f->refs[i].ombudsman, ombudsman))
			return;
	if (f->nrefs == INBOX_REFS_MAX)
		return;
	f->refs[f->nrefs].ombudsman = ombudsman;
	memcpy(f->refs[f->nrefs].reference, ref, sizeof(ref));
	f->refs[f->nrefs].in_subject = in_subject;
	f->nrefs++;
}

/*
 * A reference is a run of digit groups, joined by single separators, that
 * is either all the mask's digits in one group or grouped as the mask
 * groups them: "24013880" or "24 013 880", "24-013-880", but not the
 * "2027-01-12" of a date nor the "0300 061 0614" of a telephone.
 */
static void find_refs(const struct inbox_rules *rules, const char *ombudsman,
		      const char *text, bool in_subject,
		      struct inbox_finding *f)
{
	for (const char *p = text; *p; p++) {
		if (!is_digit(*p) || (p > text && is_digit(p[-1])))
			continue;
		const char *start[GROUPS_MAX];
		int len[GROUPS_MAX], n = 0;
		const char *q = p;
		while (n < GROUPS_MAX) {
			start[n] = q;
			while (is_digit(*q))
				q++;
			len[n] = (int)(q - start[n]);
			n++;
			if (is_sep(*q) && is_digit(q[1]))
				q++;
			else
				break;
		}
		for (size_t o = 0; o < rules->nombudsmen; o++) {
			const struct inbox_ombudsman *om = &rules->ombudsmen[o];
			int groups[GROUPS_MAX], ndigits, ng;
			if (!om->mask ||
			    (ombudsman && strcmp(om->code, ombudsman)))
				continue;
			ng = mask_groups(om->mask, groups, &ndigits);
			for (int i = 0; ng && i < n; i++) {
				char digits[REFERENCE_MAX];
				size_t nd = 0;
				if (len[i] == ndigits &&
				    ndigits < REFERENCE_MAX) {
					memcpy(digits, start[i],
					       (size_t)ndigits);
					digits[ndigits] = '\0';
					add_ref(f, om->code, om->mask, digits,
						in_subject);
					continue;
				}
				if (i + ng > n)
					continue;
				bool same = true;
				for (int g = 0; g < ng && same; g++)
					same = len[i + g] == groups[g];
				for (int g = 0; same && g < ng; g++) {
					memcpy(digits + nd, start[i + g],
					       (size_t)len[i + g]);
					nd += (size_t)len[i + g];
				}
				if (same && nd < REFERENCE_MAX) {
					digits[nd] = '\0';
					add_ref(f, om->code, om->mask, digits,
						in_subject);
				}
			}
		}
		p = q - 1;
	}
}

/* Due dates --------------------------------------------------------- */

static const char *const number_words[] = {
	"zero",	    "one",	"two",	    "three",   "four",	  "five",
	"six",	    "seven",	"eight",    "nine",    "ten",	  "eleven",
	"twelve",   "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
	"eighteen", "nineteen", "twenty"};

static const char *const tens_words[] = {"twenty", "thirty", "forty", "fifty",
					 "sixty"};

static const char *const month_names[] = {
	"january", "february", "march",	    "april",   "may",	   "june",
	"july",	   "august",   "september", "october", "november", "december"};

static const char *const weekday_names[] = {"monday",	"tuesday", "wednesday",
					    "thursday", "friday",  "saturday",
					    "sunday"};

static bool word_at(const char *p, const char *w, const char **end)
{
	size_t n = strlen(w);
	if (strncmp(p, w, n) || (p[n] >= 'a' && p[n] <= 'z'))
		return false;
	*end = p + n;
	return true;
}

/* "15", "fifteen", "twenty-one", "fifteen (15)": 1 to 99. */
static bool number_at(const char *p, int *out, const char **end)
{
	int n = 0;
	const char *q = p;
	if (is_digit(*q)) {
		while (is_digit(*q) && n < 1000)
			n = n * 10 + (*q++ - '0');
		if (is_digit(*q) || n < 1 || n > 99)
			return false;
	} else {
		bool found = false;
		for (size_t t = 0; t < sizeof(tens_words) / sizeof(*tens_words);
		     t++) {
			if (!word_at(q, tens_words[t], &q))
				continue;
			n = 20 + 10 * (int)t;
			found = true;
			if ((*q == '-' || *q == ' ') && q[1] >= 'a' &&
			    q[1] <= 'z') {
				for (int u = 1; u <= 9; u++)
					if (word_at(q + 1, number_words[u],
						    &q)) {
						n += u;
						break;
					}
			}
			break;
		}
		for (int w = 1; !found && w < 20; w++)
			if (word_at(q, number_words[w], &q)) {
				n = w;
				found = true;
			}
		if (!found)
			return false;
		/* "fifteen (15)": the figure must agree. */
		if (q[0] == ' ' && q[1] == '(') {
			int m = 0;
			const char *r = q + 2;
			while (is_digit(*r) && m < 1000)
				m = m * 10 + (*r++ - '0');
			if (*r == ')' && m == n)
				q = r + 1;
		}
	}
	*out = n;
	*end = q;
	return true;
}

/* "[tuesday[,] ]12[th] january[,] 2027" */
static bool date_at(const char *p, int32_t *out, const char **end)
{
	const char *q = p;
	for (size_t w = 0; w < 7; w++)
		if (word_at(q, weekday_names[w], &q)) {
			if (*q == ',')
				q++;
			if (*q++ != ' ')
				return false;
			break;
		}
	int day = 0, month = 0, year = 0;
	for (int i = 0; i < 2 && is_digit(*q); i++)
		day = day * 10 + (*q++ - '0');
	if (!day || is_digit(*q))
		return false;
	static const char *const suffixes[] = {"st", "nd", "rd", "th"};
	for (size_t s = 0; s < 4; s++)
		if (!strncmp(q, suffixes[s], 2)) {
			q += 2;
			break;
		}
	if (*q++ != ' ')
		return false;
	for (int m = 0; m < 12 && !month; m++) {
		size_t full = strlen(month_names[m]);
		if (!strncmp(q, month_names[m], full) &&
		    !(q[full] >= 'a' && q[full] <= 'z')) {
			q += full;
			month = m + 1;
		} else if (!strncmp(q, month_names[m], 3) &&
			   !(q[3] >= 'a' && q[3] <= 'z')) {
			q += 3;
			if (*q == '.')
				q++;
			month = m + 1;
		}
	}
	if (!month)
		return false;
	if (*q == ',')
		q++;
	if (*q++ != ' ')
		return false;
	for (int i = 0; i < 4; i++) {
		if (!is_digit(*q))
			return false;
		year = year * 10 + (*q++ - '0');
	}
	if (is_digit(*q) || year < DATE_MIN_YEAR || year > DATE_MAX_YEAR ||
	    !date_valid_ymd(year, month, day))
		return false;
	*out = date_from_ymd(year, month, day);
	*end = q;
	return true;
}

static const char *const date_leads[] = {"no later than ", "not later than ",
					 "on or before ", "by "};

/* What follows "within N working days" and is quoted with it. */
static const char *const anchors[] = {" of the date of this letter",
				      " of the date of this email",
				      " of the date of this e-mail",
				      " of the date of this message",
				      " of this letter",
				      " of this email",
				      " of receipt of this letter",
				      " of receipt of this email",
				      " of the date of our letter"};

/*
 * The earliest phrase in t that sets a response date: "by [weekday]
 * 12 January 2027", "within 15 working days [of the date of this
 * letter]", "within four weeks", "within 28 days".
 */
static void find_due(const struct text *t, const struct workcal *cal,
		     int32_t dated_on, struct inbox_finding *f)
{
	const char *low = buf_str(&t->low);
	for (const char *p = low; *p; p++) {
		if (p > low && p[-1] >= 'a' && p[-1] <= 'z')
			continue;
		const char *end = NULL;
		int32_t due = 0;
		bool out_of_range = false;
		for (size_t l = 0;
		     !end && l < sizeof(date_leads) / sizeof(*date_leads);
		     l++) {
			size_t n = strlen(date_leads[l]);
			if (!strncmp(p, date_leads[l], n) &&
			    !date_at(p + n, &due, &end))
				end = NULL;
			/* A date before the letter's own answers nothing. */
			if (end && dated_on && due < dated_on)
				end = NULL;
		}
		const char *q;
		int num;
		if (!end && dated_on && word_at(p, "within", &q) && *q == ' ' &&
		    number_at(q + 1, &num, &q)) {
			const char *r;
			if (!strncmp(q, " working days", 13) ||
			    !strncmp(q, " working day", 12)) {
				end = q + (q[12] == 's' ? 13 : 12);
				if (workcal_add(cal, dated_on, num, &due))
					out_of_range = true;
			} else if (word_at(q + (*q == ' '), "weeks", &r) ||
				   word_at(q + (*q == ' '), "week", &r)) {
				end = r;
				due = dated_on + 7 * num;
			} else if (word_at(q + (*q == ' '), "days", &r) ||
				   word_at(q + (*q == ' '), "calendar days",
					   &r)) {
				end = r;
				due = dated_on + num;
			}
			for (size_t a = 0;
			     end && a < sizeof(anchors) / sizeof(*anchors);
			     a++) {
				size_t n = strlen(anchors[a]);
				if (!strncmp(end, anchors[a], n)) {
					end += n;
					break;
				}
			}
		}
		if (!end)
			continue;
		f->due_on = out_of_range ? 0 : due;
		f->due_out_of_range = out_of_range;
		quote(t, (size_t)(p - low), (size_t)(end - p), f->due_text,
		      sizeof(f->due_text));
		return;
	}
}

/* Kinds ------------------------------------------------------------- */

/* What an Ombudsman may send: core's kinds less the organisation's own. */
bool inbox_kind_known(const char *kind)
{
	const struct corr_kind *k = corr_kind_find(kind);
	return k && !k->outgoing;
}

static bool find_kind(const struct inbox_rules *rules, const char *ombudsman,
		      const struct text *t, bool in_subject,
		      struct inbox_finding *f)
{
	for (size_t i = 0; i < rules->nphrases; i++) {
		const struct inbox_phrase *ph = &rules->phrases[i];
		struct buf want;
		if (ph->ombudsman && ombudsman &&
		    strcmp(ph->ombudsman, ombudsman))
			continue;
		if (!inbox_kind_known(ph->kind))
			continue;
		buf_init(&want, 1024);
		const char *hit = NULL;
		if (!inbox_fold(ph->phrase, &want) && want.len)
			hit = strstr(buf_str(&t->low), buf_str(&want));
		size_t len = want.len;
		buf_release(&want);
		if (!hit)
			continue;
		f->kind = ph->kind;
		f->phrase = ph->phrase;
		f->phrase_in_subject = in_subject;
		quote(t, (size_t)(hit - buf_str(&t->low)), len, f->phrase_text,
		      sizeof(f->phrase_text));
		return true;
	}
	return false;
}

void inbox_find(const struct inbox_rules *rules,
		const struct inbox_letter *letter, const struct workcal *cal,
		struct inbox_finding *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = "other";
	const char *at = letter->from_address
				 ? strrchr(letter->from_address, '@')
				 : NULL;
	size_t n = 0;
	for (const char *d = at ? at + 1 : "";
	     *d && *d != '>' && n + 1 < sizeof(out->domain); d++)
		out->domain[n++] = lower(*d);
	out->domain[n] = '\0';
	for (size_t i = 0; n && i < rules->nsenders; i++) {
		const char *d = rules->senders[i].domain;
		size_t dl = strlen(d);
		if (!strcmp(out->domain, d) ||
		    (n > dl && out->domain[n - dl - 1] == '.' &&
		     !strcmp(out->domain + n - dl, d))) {
			out->ombudsman = rules->senders[i].ombudsman;
			break;
		}
	}

	struct text subject, body;
	text_init(&subject, letter->subject);
	text_init(&body, letter->body);
	find_refs(rules, out->ombudsman, buf_str(&subject.low), true, out);
	find_refs(rules, out->ombudsman, buf_str(&body.low), false, out);
	if (!find_kind(rules, out->ombudsman, &subject, true, out))
		(void)find_kind(rules, out->ombudsman, &body, false, out);
	find_due(&subject, cal, letter->dated_on, out);
	if (!out->due_on && !out->due_out_of_range)
		find_due(&body, cal, letter->dated_on, out);
	text_release(&subject);
	text_release(&body);
}

/* Proposals --------------------------------------------------------- */

static enum ld_err say_date(struct buf *b, int32_t day)
{
	char text[DATE_LONG_LEN];
	date_format_long(day, text);
	return buf_addstr(b, text);
}

enum ld_err inbox_propose(const struct inbox_finding *f,
			  const struct inbox_case *c, int32_t received_on,
			  int32_t today, struct inbox_proposal *out,
			  struct buf *reasons)
{
	enum ld_err err = LD_OK;
	memset(out, 0, sizeof(*out));
	out->kind = f->kind;
	out->received_on = received_on;
	out->due_on = f->due_on;
	out->ombudsman = f->ombudsman;

	if (!f->ombudsman)
		err = buf_printf(reasons,
				 "the sender's domain %s is not one the "
				 "Ombudsmen write from: nothing is proposed "
				 "until a person chooses the case\n",
				 f->domain[0] ? f->domain : "(none)");
	if (!err && f->nrefs == 0)
		err = buf_addstr(reasons,
				 "no reference in an Ombudsman's "
				 "format was found: choose the case\n");
	if (!err && f->ombudsman && f->nrefs > 0) {
		memcpy(out->reference, f->refs[0].reference,
		       sizeof(out->reference));
		if (c && c->id && c->closed &&
		    today - c->closed_on > INBOX_CLOSED_LONG_AGO_DAYS) {
			err = buf_printf(reasons,
					 "reference %s matches %s %s, closed "
					 "on ",
					 f->refs[0].reference, c->ombudsman,
					 c->reference);
			if (!err)
				err = say_date(reasons, c->closed_on);
			if (!err)
				err = buf_printf(
					reasons,
					" (%d days ago): check it before "
					"choosing the case\n",
					(int)(today - c->closed_on));
		} else if (c && c->id) {
			out->target = INBOX_TARGET_CASE;
			out->case_id = c->id;
			err = buf_printf(
				reasons, "reference %s matches %s %s%s\n",
				f->refs[0].reference, c->ombudsman,
				c->reference,
				f->refs[0].in_subject ? " (in the subject)"
						      : "");
			if (!err && c->closed) {
				out->kind = "other";
				err = buf_addstr(reasons,
						 "the case is closed, "
						 "so it is proposed as "
						 "other correspondence\n");
			}
		} else {
			out->target = INBOX_TARGET_NEW_CASE;
			err = buf_printf(reasons,
					 "no case has reference %s: a new %s "
					 "case with that reference\n",
					 f->refs[0].reference, f->ombudsman);
		}
	}
	if (!err && f->phrase)
		err = buf_printf(reasons, "the %s says \"%s\"\n",
				 f->phrase_in_subject ? "subject" : "body",
				 f->phrase_text);
	else if (!err)
		err = buf_addstr(reasons,
				 "no phrase of a kind of correspondence "
				 "was found: proposed as other "
				 "correspondence\n");
	if (!err && f->due_on) {
		err = buf_printf(
			reasons,
			"the letter asks for an answer \"%s\": ", f->due_text);
		if (!err)
			err = say_date(reasons, f->due_on);
		if (!err)
			err = buf_addch(reasons, '\n');
	} else if (!err && f->due_out_of_range) {
		err = buf_printf(reasons,
				 "the letter asks for an answer \"%s\", past "
				 "the bank holidays loaded: enter the due "
				 "date\n",
				 f->due_text);
	}
	if (!err && received_on) {
		err = buf_addstr(reasons, "received on ");
		if (!err)
			err = say_date(reasons, received_on);
		if (!err)
			err = buf_addch(reasons, '\n');
	}
	return err;
}

/* HTML -------------------------------------------------------------- */

static bool tag_is(const char *tag, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(tag[i]) != name[i])
			return false;
	return len == n || tag[n] == ' ' || tag[n] == '/' || tag[n] == '\t' ||
	       tag[n] == '\n' || tag[n] == '\r' || tag[n] == '>';
}

static const char *const block_tags[] = {
	"br",  "/p",	 "p",	"/div", "/tr",	       "/li",
	"li",  "/h1",	 "/h2", "/h3",	"/h4",	       "/h5",
	"/h6", "/table", "/ul", "/ol",	"/blockquote", "hr"};

static enum ld_err add_code_point(struct buf *out, unsigned long cp)
{
	char enc[4];
	size_t n;
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		enc[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		enc[0] = (char)(0xc0 | (cp >> 6));
		enc[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		enc[0] = (char)(0xe0 | (cp >> 12));
		enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		enc[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		enc[0] = (char)(0xf0 | (cp >> 18));
		enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		enc[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(out, enc, n);
}

static const struct {
	const char *name;
	unsigned long cp;
} entities[] = {{"amp", '&'},	   {"lt", '<'},	       {"gt", '>'},
		{"quot", '"'},	   {"apos", '\''},     {"nbsp", 0xa0},
		{"pound", 0xa3},   {"ndash", 0x2013},  {"mdash", 0x2014},
		{"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201c},
		{"rdquo", 0x201d}, {"hellip", 0x2026}, {"copy", 0xa9}};

/* A character reference at p ('&'); *used is how much it took, 0: none. */
static enum ld_err entity(const char *p, struct buf *out, size_t *used)
{
	*used = 0;
	if (p[1] == '#') {
		char *end;
		bool hex = p[2] == 'x' || p[2] == 'X';
		const char *digits = p + (hex ? 3 : 2);
		if (!(hex ? strchr("0123456789abcdefABCDEF", *digits) && *digits
			  : is_digit(*digits)))
			return LD_OK;
		unsigned long cp = strtoul(digits, &end, hex ? 16 : 10);
		if (end - digits > 8)
			cp = 0xfffd;
		*used = (size_t)(end - p) + (*end == ';');
		return add_code_point(out, cp);
	}
	for (size_t i = 0; i < sizeof(entities) / sizeof(*entities); i++) {
		size_t n = strlen(entities[i].name);
		if (!strncmp(p + 1, entities[i].name, n) && p[1 + n] == ';') {
			*used = n + 2;
			return add_code_point(out, entities[i].cp);
		}
	}
	return LD_OK;
}

enum ld_err inbox_html_text(const char *html, struct buf *out)
{
	enum ld_err err = LD_OK;
	const char *p = html ? html : "";
	while (*p && !err) {
		if (*p == '<') {
			if (!strncmp(p, "<!--", 4)) {
				const char *e = strstr(p + 4, "-->");
				p = e ? e + 3 : p + strlen(p);
				continue;
			}
			const char *e = strchr(p, '>');
			if (!e)
				break;
			const char *tag = p + 1;
			size_t len = (size_t)(e - tag);
			const char *skip = NULL;
			if (tag_is(tag, len, "script"))
				skip = "</script";
			else if (tag_is(tag, len, "style"))
				skip = "</style";
			else if (tag_is(tag, len, "head"))
				skip = "</head";
			if (skip) {
				const char *s = strcasestr(e, skip);
				const char *close = s ? strchr(s, '>') : NULL;
				p = close ? close + 1 : p + strlen(p);
				continue;
			}
			for (size_t i = 0;
			     i < sizeof(block_tags) / sizeof(*block_tags); i++)
				if (tag_is(tag, len, block_tags[i])) {
					err = buf_addch(out, '\n');
					break;
				}
			if (!err &&
			    (tag_is(tag, len, "td") || tag_is(tag, len, "th")))
				err = buf_addch(out, ' ');
			p = e + 1;
		} else if (*p == '&') {
			size_t used;
			err = entity(p, out, &used);
			if (!err && !used)
				err = buf_addch(out, '&');
			p += used ? used : 1;
		} else {
			err = buf_addch(out, *p++);
		}
	}
	return err;
}
