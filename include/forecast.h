/*
 * Seeing a breach before it happens: will an open task be sent after its
 * due date, and is a case heading for a sanction?  Pure: the store hands in
 * the organisation's history and today's date; the calendar is workcal's.
 *
 * The forecast.  For each service area and task kind, a Kaplan-Meier
 * estimate of S(t) = P(T - due > t): T is the working days from a task
 * being set to its answer (sent to the Ombudsman, or completed), due the
 * working days it was allowed (to its due date, the revised one if
 * agreed), so each past task is measured against its own allowance, and
 * tasks not yet answered count as censored: still unanswered after so
 * many days.  A task open on day D has not been answered up to D - 1, so
 *
 *     P(late) = P(T > due | T > c) = S(0) / S(c - due)
 *
 * with c the working days from set to D - 1.  When every task shares one
 * allowance this is the plain P(T > due | T > c); measuring against each
 * task's own keeps orders due in four weeks and in twelve, revised dates
 * and allowances shortened by bank holidays from being read as each
 * other's speed.  An area with fewer than FORECAST_MIN_TASKS tasks of a
 * kind borrows the organisation's history of that kind, and so does a task
 * open longer than every one of its area's on record (past the last
 * observation the curve says nothing: neither that the task will never be
 * answered nor that it will be soon); the reason says which.
 *
 * Everything is counted in working-day ordinals (forecast_ord): the working
 * days between two dates are the difference of their ordinals, so one
 * lookup per date serves every subtraction after.
 *
 * Invariants: a model is built once (per database snapshot, by the store)
 * and then only read, so any number of threads may evaluate it at once.
 */
#ifndef FORECAST_H
#define FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ld_err.h"
#include "workcal.h"

/* Fewer tasks than this in an area and kind: the organisation's are used. */
#define FORECAST_MIN_TASKS 10
/* The reason quotes the last this many answers. */
#define FORECAST_RECENT 20

/*
 * The words a reason uses for each task kind, in the order of core's
 * task_kinds (kinds.h), which names them.
 */
struct forecast_kind {
	const char *singular; /* "information request" */
	const char *plural;   /* "information requests" */
};
extern const struct forecast_kind forecast_kinds[];
extern const size_t forecast_kinds_count;

/* The index of a stored kind name in task_kinds, or -1. */
int forecast_kind(const char *name);

/* One task, past or open.  Dates are day numbers; 0 for none. */
struct forecast_task {
	int64_t id;
	int64_t area;
	int kind;	     /* forecast_kind() */
	int32_t set_on;	     /* the day it was set */
	int32_t due_on;	     /* its due date: the revised one if agreed */
	int32_t answered_on; /* sent or completed; 0 while open */
};

/*
 * A survival curve: S(t) = P(T > t) as a step function over the distinct
 * answer times.  Owned by the model that holds it.
 */
struct survival {
	size_t n;  /* distinct answer times */
	int *t;	   /* ascending */
	double *s; /* S just after t[i] */
	int tasks; /* observations it rests on */
	int answered;
	int *times; /* every observation's time, ascending (tasks of them) */
};

/*
 * Build a Kaplan-Meier curve from days (each a time in working days, of
 * either sign) with answered[i] false for a censored one (T > days[i]).
 * Release with forecast_survival_release().
 */
void forecast_survival_build(struct survival *sv, const int *days,
			     const bool *answered, size_t n);
void forecast_survival_release(struct survival *sv);

/* S(t): 1 before the first answer time; O(log n). */
double forecast_survival_at(const struct survival *sv, int t);

/*
 * The observations, answered or censored, later than t: those the curve
 * rests on beyond t.  None means S beyond t is not known.  O(log n).
 */
int forecast_survival_beyond(const struct survival *sv, int t);

/* The working-day ordinal of a day: LD_ERANGE outside the calendar. */
enum ld_err forecast_ord(const struct workcal *cal, int32_t day, int32_t *out);

struct forecast_group;

/* Every area's and kind's curve as known on one day. */
struct forecast_model {
	struct forecast_group *groups; /* by (area, kind) */
	size_t n;
	struct forecast_group *kinds; /* organisation-wide, by kind */
	int32_t asof;
};

/*
 * Build the model as it was known at the start of day asof: tasks set
 * before asof; answers before asof are answers, the rest censored at
 * asof - 1.  window_days > 0 keeps only tasks set within that many days
 * before asof (recent performance).  Tasks outside the calendar are
 * skipped.  Release with forecast_model_release().
 */
enum ld_err forecast_model_build(struct forecast_model *m,
				 const struct workcal *cal,
				 const struct forecast_task *tasks, size_t n,
				 int32_t asof, int window_days);
void forecast_model_release(struct forecast_model *m);

/* A forecast for one open task, with what its reason quotes. */
struct forecast {
	bool known;	/* there is history to forecast from */
	double p_late;	/* 0..1 when known */
	bool fallback;	/* the organisation's history of the kind was used */
	bool longest;	/* because none of the area's was open this long */
	bool overdue;	/* already past its due date unanswered */
	int elapsed;	/* working days open, set to today */
	int due_days;	/* working days, set to due */
	int area_tasks; /* the area's own tasks of the kind */
	int recent;	/* the last answers quoted (up to FORECAST_RECENT) */
	int recent_in_time; /* of those, answered by their due dates */
	int history;	    /* tasks the curve rests on */
};

/*
 * Forecast task t (open on today) from m.  LD_ERANGE when a date lies
 * outside the calendar; LD_EINVAL for an unknown kind.
 */
enum ld_err forecast_task(const struct forecast_model *m,
			  const struct workcal *cal,
			  const struct forecast_task *t, int32_t today,
			  struct forecast *out);

/*
 * The reason in words, appended to out: "Repairs and Maintenance has
 * answered 3 of its last 20 information requests by their due dates; this
 * one has been open 9 of its 15 working days."
 */
enum ld_err forecast_reason(const struct forecast *f, const char *area_name,
			    int kind, struct buf *out);

/* A probability as a whole percentage, rounded: 0.456 -> 46. */
int forecast_percent(double p);

/*
 * The backtest: replay the history day by day over the working days
 * from..to, forecasting each task open that day (and not yet past due)
 * from what was known that day only, and score against what happened:
 * the Brier score of the forecast and of a naive baseline (the area's
 * share of known outcomes that were late, by kind, with the same
 * fallback), and calibration by decile.  Outcomes still unknown at the
 * end of the data (open, not yet due on end) are left out.
 */
#define FORECAST_DECILES 10
struct forecast_decile {
	long n;
	double predicted; /* mean forecast */
	double observed;  /* share late */
};
struct forecast_score {
	long predictions;
	double brier;
	double baseline_brier;
	struct forecast_decile deciles[FORECAST_DECILES];
};
enum ld_err forecast_backtest(const struct workcal *cal,
			      const struct forecast_task *tasks, size_t n,
			      int32_t from, int32_t to, int32_t end,
			      int window_days, struct forecast_score *out);

/*
 * Sanction risk, from the Ombudsmen's own rules as rows of data: a rule
 * names its Ombudsman, a condition (one of the few below), its window in
 * working days, and the words a link officer reads.  Adding an Ombudsman's
 * rule is a row of forecast_sanction_rules[].
 */
enum sanction_condition {
	/* A final chaser received and a request still unanswered. */
	SANCTION_FINAL_CHASER_UNANSWERED,
	/* An extension agreed, its revised date within `days` working days
	 * (or passed) and no update recorded since it was agreed. */
	SANCTION_EXTENSION_NO_UPDATE,
	/* A request past its response date after a chaser. */
	SANCTION_PAST_DUE_AFTER_CHASER,
};

struct sanction_rule {
	const char *code;      /* "hos_final_chaser" */
	const char *ombudsman; /* its code: "HOS" */
	enum sanction_condition condition;
	int days; /* the window or the time to act, in working days */
	const char *words;
};
extern const struct sanction_rule forecast_sanction_rules[];
extern const size_t forecast_sanction_rules_count;

/* What the store knows of one open case; 0 for a date that is none. */
struct sanction_facts {
	const char *ombudsman;
	int32_t final_chaser_on;  /* the latest final chaser received */
	int32_t final_chaser_due; /* its response date, if it gave one */
	int32_t chaser_on;	  /* the latest chaser of either kind */
	int32_t extension_on;	  /* the latest extension agreed */
	int32_t extension_due;	  /* its revised date */
	int32_t update_on;	  /* the latest thing sent to the Ombudsman */
	int open_requests;	  /* requests and chaser responses unanswered */
	int32_t open_due;	  /* the earliest due date of those */
};

struct sanction_flag {
	const struct sanction_rule *rule;
	int32_t since;	/* the event that raised it */
	int32_t act_by; /* by when to act */
};

/*
 * The rules that a case's facts meet today, at most max into out, in rule
 * order; returns how many.  A date the calendar cannot reach is worked
 * out in calendar days instead.
 */
size_t forecast_sanctions(const struct workcal *cal,
			  const struct sanction_facts *f, int32_t today,
			  struct sanction_flag *out, size_t max);

#endif
