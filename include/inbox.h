/*
 * The Ombudsman inbox's proposals: what a message in the shared mailbox
 * most likely is, and why, so that a link officer can register it with one
 * decision.  Pure: the rules come in as data (the senders each Ombudsman
 * writes from, its reference mask, the phrases that mark each kind of
 * correspondence: rows of sql/025_inbox.sql), the letter as text, the
 * calendar and today as arguments.  Nothing here decides; a person does.
 *
 * Text is matched folded: ASCII letters in lower case, every run of white
 * space (a no-break space too) one space, so a phrase broken over two lines
 * still matches.
 */
#ifndef INBOX_H
#define INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ld_err.h"
#include "reference.h"
#include "workcal.h"

/* A domain an Ombudsman writes from (its subdomains too). */
struct inbox_sender {
	const char *domain; /* "housing-ombudsman.org.uk" */
	const char *ombudsman;
};

/* Its reference mask, as reference_normalise() takes it. */
struct inbox_ombudsman {
	const char *code;
	const char *mask; /* NULL: free text, never searched for */
};

/*
 * A phrase that marks a kind of correspondence.  Phrases are tried in the
 * order given (the store gives the longest first, so "final chaser" wins
 * over "chaser"); ombudsman NULL: any Ombudsman's.
 */
struct inbox_phrase {
	const char *ombudsman;
	const char *kind;
	const char *phrase;
};

struct inbox_rules {
	const struct inbox_sender *senders;
	size_t nsenders;
	const struct inbox_ombudsman *ombudsmen;
	size_t nombudsmen;
	const struct inbox_phrase *phrases;
	size_t nphrases;
};

/* A message as GMime read it, reduced to what the rules look at. */
struct inbox_letter {
	const char *from_address; /* "casework@lgo.org.uk" */
	const char *subject;
	const char *body; /* the text, HTML already reduced */
	int32_t dated_on; /* its Date: as a London date; 0: none */
};

#define INBOX_REFS_MAX	4
#define INBOX_QUOTE_MAX 120

/* What the rules found in one letter. */
struct inbox_finding {
	const char *ombudsman; /* by sender; NULL: not an Ombudsman's domain */
	char domain[256];      /* the sender's domain, lower case */
	/* References in the Ombudsmen's masks, those of the subject first. */
	struct {
		const char *ombudsman;
		char reference[REFERENCE_MAX];
		bool in_subject;
	} refs[INBOX_REFS_MAX];
	int nrefs;
	const char *kind;   /* "other" when no phrase matched */
	const char *phrase; /* the rule's phrase that matched, or NULL */
	char phrase_text[INBOX_QUOTE_MAX]; /* the words as the letter has them
					    */
	bool phrase_in_subject;
	int32_t due_on; /* the response date the letter sets; 0: none */
	char due_text[INBOX_QUOTE_MAX]; /* the words that set it */
	bool due_out_of_range; /* working days past the loaded calendar */
};

/*
 * Read a letter by the rules.  cal turns "within N working days" into a
 * date; "within N weeks" is calendar weeks.  Dates are taken from the
 * letter's own date (dated_on), the one "the date of this letter" names.
 */
void inbox_find(const struct inbox_rules *rules,
		const struct inbox_letter *letter, const struct workcal *cal,
		struct inbox_finding *out);

/* The case a reference names, as the store found it. */
struct inbox_case {
	int64_t id; /* 0: no case has the reference */
	const char *ombudsman;
	const char *reference;
	bool closed;
	int32_t closed_on;
};

/* A case closed longer ago than this is not proposed (days). */
#define INBOX_CLOSED_LONG_AGO_DAYS 90

enum inbox_target {
	INBOX_TARGET_NONE,     /* nothing to propose: a person chooses */
	INBOX_TARGET_CASE,     /* correspondence on an existing case */
	INBOX_TARGET_NEW_CASE, /* a case to register, reference filled in */
};

struct inbox_proposal {
	enum inbox_target target;
	int64_t case_id;
	const char *ombudsman;
	char reference[REFERENCE_MAX];
	const char *kind;
	int32_t received_on;
	int32_t due_on;
};

/*
 * Decide the proposal from a finding and the case its first reference
 * names (c may be NULL when there was no reference), received on the day
 * given, and write the reasons in words into reasons, one sentence per
 * line, e.g. "reference 202612345 matches HOS 202612345".  Returns
 * LD_ETOOLARGE only when reasons overflows.
 */
enum ld_err inbox_propose(const struct inbox_finding *f,
			  const struct inbox_case *c, int32_t received_on,
			  int32_t today, struct inbox_proposal *out,
			  struct buf *reasons);

/* Fold text for matching (see above) into out. */
enum ld_err inbox_fold(const char *text, struct buf *out);

/*
 * HTML reduced to its text: tags dropped (script and style with their
 * contents), block ends and <br> as line breaks, character references
 * decoded (a code point that is not valid UTF-8 becomes U+FFFD).
 */
enum ld_err inbox_html_text(const char *html, struct buf *out);

/* The kinds a proposal may name (correspondence kinds and determination). */
bool inbox_kind_known(const char *kind);

#endif
