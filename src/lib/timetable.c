/*
 * timetable.c: the rules of an election's phases: their order, which
 * phase a time falls in, the refusal of an action outside its phase, and
 * amendments that may only move a time forward.
 */
#include <config.h>

#include <string.h>

#include "teller/timetable.h"
#include "teller/util.h"

static const char *const phase_names[TL_PHASE_COUNT] = {
	[TL_PHASE_NOMINATIONS] = "nominations",
	[TL_PHASE_PETITIONS] = "petitions",
	[TL_PHASE_VOTING] = "voting",
	[TL_PHASE_CHALLENGE] = "challenge",
};

const char *
tl_phase_name(enum tl_phase phase)
{
	if ((unsigned)phase >= TL_PHASE_COUNT)
		return "unknown";
	return phase_names[phase];
}

int
tl_phase_from_name(const char *name)
{
	for (int i = 0; i < TL_PHASE_COUNT; i++)
		if (strcmp(phase_names[i], name) == 0)
			return i;
	return -1;
}

int
tl_timetable_has_nominations(const struct tl_timetable *tt)
{
	return tt->phase[TL_PHASE_NOMINATIONS].present ||
	    tt->phase[TL_PHASE_PETITIONS].present;
}

int64_t
tl_timetable_nominations_end(const struct tl_timetable *tt)
{
	if (tt->phase[TL_PHASE_PETITIONS].present)
		return tt->phase[TL_PHASE_PETITIONS].closes;
	if (tt->phase[TL_PHASE_NOMINATIONS].present)
		return tt->phase[TL_PHASE_NOMINATIONS].closes;
	return 0;
}

int
tl_timetable_check(const struct tl_timetable *tt, int code,
    struct tl_error *err)
{
	char a[TL_TIME_LEN], b[TL_TIME_LEN];
	int previous = -1;

	for (int p = 0; p < TL_PHASE_COUNT; p++) {
		const struct tl_window *w = &tt->phase[p];

		if (!w->present)
			continue;
		if (w->closes <= w->opens) {
			tl_time_format(w->opens, a);
			tl_time_format(w->closes, b);
			return tl_error_set(err, code, "the %s phase must close "
			    "after it opens (opens %s, closes %s)",
			    phase_names[p], a, b);
		}
		if (previous >= 0 && w->opens < tt->phase[previous].closes) {
			tl_time_format(tt->phase[previous].closes, a);
			tl_time_format(w->opens, b);
			return tl_error_set(err, code, "the %s phase opens at %s, "
			    "before the %s phase closes at %s; phases may not "
			    "overlap", phase_names[p], b, phase_names[previous],
			    a);
		}
		previous = p;
	}
	return TL_OK;
}

void
tl_timetable_locate(const struct tl_timetable *tt, int64_t t, int *current,
    int *next)
{
	*current = -1;
	*next = -1;
	for (int p = 0; p < TL_PHASE_COUNT; p++) {
		const struct tl_window *w = &tt->phase[p];

		if (!w->present)
			continue;
		if (t >= w->opens && t < w->closes)
			*current = p;
		else if (t < w->opens && *next < 0)
			*next = p;
	}
}

int
tl_timetable_require(const struct tl_timetable *tt, const char *election,
    enum tl_phase phase, int64_t t, const char *action, struct tl_error *err)
{
	const struct tl_window *w = &tt->phase[phase];
	char opens[TL_TIME_LEN], closes[TL_TIME_LEN], when[TL_TIME_LEN];

	if (!w->present)
		return tl_error_set(err, TL_EPHASE, "%s: election %s has no %s "
		    "phase in its timetable", action, election,
		    phase_names[phase]);
	if (t >= w->opens && t < w->closes)
		return TL_OK;
	tl_time_format(w->opens, opens);
	tl_time_format(w->closes, closes);
	tl_time_format(t, when);
	return tl_error_set(err, TL_EPHASE, "%s: the %s phase of election %s "
	    "runs from %s to %s, and it is %s %s", action, phase_names[phase],
	    election, opens, closes, t < w->opens ? "not open yet: it is" :
	    "over: it is", when);
}

/* One time of an amendment: later than the one in force, which must not
 * have come yet. */
static int
check_move(enum tl_phase phase, const char *which, int64_t old, int64_t new,
    int64_t now, struct tl_error *err)
{
	char a[TL_TIME_LEN], b[TL_TIME_LEN];

	tl_time_format(old, a);
	tl_time_format(new, b);
	if (new <= old)
		return tl_error_set(err, TL_EPHASE, "the %s phase %s at %s; an "
		    "amendment may only move it later, not to %s",
		    phase_names[phase], which, a, b);
	if (now >= old) {
		tl_time_format(now, b);
		return tl_error_set(err, TL_EPHASE, "the %s phase %s at %s, "
		    "which has already come (it is %s); a time that has passed "
		    "cannot be amended", phase_names[phase],
		    strcmp(which, "opens") == 0 ? "opened" : "closed", a, b);
	}
	return TL_OK;
}

int
tl_timetable_amend(struct tl_timetable *tt, enum tl_phase phase,
    int has_opens, int64_t opens, int has_closes, int64_t closes,
    int64_t now, struct tl_error *err)
{
	struct tl_timetable changed;
	struct tl_window *w;
	int r;

	if ((unsigned)phase >= TL_PHASE_COUNT)
		return tl_error_set(err, TL_EUSAGE, "no such phase");
	if (!has_opens && !has_closes)
		return tl_error_set(err, TL_EUSAGE, "an amendment gives a new "
		    "opens time, a new closes time, or both");
	if (!tt->phase[phase].present)
		return tl_error_set(err, TL_EPHASE, "the election has no %s "
		    "phase to amend", phase_names[phase]);
	changed = *tt;
	w = &changed.phase[phase];
	if (has_opens) {
		if ((r = check_move(phase, "opens", w->opens, opens, now, err)) !=
		    TL_OK)
			return r;
		w->opens = opens;
	}
	if (has_closes) {
		if ((r = check_move(phase, "closes", w->closes, closes, now,
		    err)) != TL_OK)
			return r;
		w->closes = closes;
	}
	if ((r = tl_timetable_check(&changed, TL_EPHASE, err)) != TL_OK)
		return tl_error_prefix(err, "the amended timetable is not valid "
		    "(move the later phases first)");
	*tt = changed;
	return TL_OK;
}
