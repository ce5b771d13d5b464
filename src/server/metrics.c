/*
 * metrics.c: what teller serve counts, and its Prometheus text exposition
 * (version 0.0.4) for GET /metrics: requests by route and status, ballots
 * accepted and refused by reason, and histograms of commit latency and of
 * ballots per commit (the size of the groups).  Counts are integers;
 * seconds are printed from microseconds with integer arithmetic.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"

static const unsigned statuses[METRICS_STATUSES] = {
	200, 201, 400, 403, 404, 405, 409, 413, 500, 502, 503, 429, 304,
	410, 204,
};

/* Upper bounds of the commit latency buckets, in microseconds. */
static const uint64_t commit_bounds[METRICS_COMMIT_BUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 10000000,
};

static const uint64_t group_bounds[METRICS_GROUP_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024,
};

static const char *const route_names[ROUTE_COUNT] = {
	[ROUTE_ELECTIONS] = "elections",
	[ROUTE_ELECTION] = "election",
	[ROUTE_BALLOTS] = "ballots",
	[ROUTE_TREE_HEAD] = "tree_head",
	[ROUTE_LOG] = "log",
	[ROUTE_INCLUSION] = "inclusion_proof",
	[ROUTE_CONSISTENCY] = "consistency_proof",
	[ROUTE_RESULTS] = "results",
	[ROUTE_RECORD] = "record",
	[ROUTE_CREDENTIALS] = "credentials",
	[ROUTE_CREDENTIAL_KEYS] = "credential_keys",
	[ROUTE_HEALTHZ] = "healthz",
	[ROUTE_METRICS] = "metrics",
	[ROUTE_COSIGNATURES] = "cosignatures",
	[ROUTE_COSIGNED_HEAD] = "cosigned_head",
	[ROUTE_RECEIPT] = "receipt",
	[ROUTE_VOTER] = "voter",
	[ROUTE_ENROL_CHECK] = "enrol_check",
	[ROUTE_ENROL] = "enrol",
	[ROUTE_PAGE] = "page",
	[ROUTE_STATIC] = "static",
	[ROUTE_UNKNOWN] = "unknown",
};

const char *
metrics_route_name(enum route_id route)
{
	return route_names[route];
}

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void
metrics_destroy(struct metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void
metrics_request(struct metrics *m, enum route_id route, unsigned status)
{
	size_t i;

	for (i = 0; i < METRICS_STATUSES; i++)
		if (statuses[i] == status)
			break;
	atomic_fetch_add(&m->requests[route][i], 1);
}

void
metrics_ballot(struct metrics *m, int code)
{
	if (code == TL_OK)
		atomic_fetch_add(&m->accepted, 1);
	else if (code < 0 && code >= TL_ERROR_MIN)
		atomic_fetch_add(&m->rejected[-code], 1);
}

void
metrics_credential(struct metrics *m, int code)
{
	if (code == TL_OK)
		atomic_fetch_add(&m->credentials_issued, 1);
	else if (code < 0 && code >= TL_ERROR_MIN)
		atomic_fetch_add(&m->credentials_refused[-code], 1);
}

void
metrics_timed_out(struct metrics *m)
{
	atomic_fetch_add(&m->timed_out, 1);
}

void
metrics_commit(struct metrics *m, uint64_t micros, size_t ballots)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < METRICS_COMMIT_BUCKETS; i++)
		if (micros <= commit_bounds[i])
			m->commit_buckets[i]++;
	m->commit_count++;
	m->commit_sum_us += micros;
	for (size_t i = 0; i < METRICS_GROUP_BUCKETS; i++)
		if (ballots <= group_bounds[i])
			m->group_buckets[i]++;
	m->group_count++;
	m->group_sum += ballots;
	pthread_mutex_unlock(&m->lock);
}

/* Microseconds as decimal seconds: 2500 -> "0.0025". */
static int
add_seconds(struct tl_buf *out, uint64_t micros)
{
	char frac[8];
	size_t n;

	snprintf(frac, sizeof(frac), "%06llu",
	    (unsigned long long)(micros % 1000000));
	for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return tl_buf_addf(out, "%llu.%s", (unsigned long long)(micros /
	    1000000), frac);
}

static int
render_histograms(struct metrics *m, struct tl_buf *out)
{
	uint64_t commits[METRICS_COMMIT_BUCKETS], groups[METRICS_GROUP_BUCKETS];
	uint64_t ncommit, sum_us, ngroup, sum_group;
	int r = TL_OK;

	pthread_mutex_lock(&m->lock);
	memcpy(commits, m->commit_buckets, sizeof(commits));
	memcpy(groups, m->group_buckets, sizeof(groups));
	ncommit = m->commit_count;
	sum_us = m->commit_sum_us;
	ngroup = m->group_count;
	sum_group = m->group_sum;
	pthread_mutex_unlock(&m->lock);

	r |= tl_buf_adds(out, "# HELP teller_commit_duration_seconds Time from "
	    "BEGIN to the end of COMMIT of each group of ballots.\n"
	    "# TYPE teller_commit_duration_seconds histogram\n");
	for (size_t i = 0; i < METRICS_COMMIT_BUCKETS; i++) {
		r |= tl_buf_adds(out, "teller_commit_duration_seconds_bucket"
		    "{le=\"");
		r |= add_seconds(out, commit_bounds[i]);
		r |= tl_buf_addf(out, "\"} %llu\n",
		    (unsigned long long)commits[i]);
	}
	r |= tl_buf_addf(out, "teller_commit_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\nteller_commit_duration_seconds_sum ",
	    (unsigned long long)ncommit);
	r |= add_seconds(out, sum_us);
	r |= tl_buf_addf(out, "\nteller_commit_duration_seconds_count %llu\n",
	    (unsigned long long)ncommit);

	r |= tl_buf_adds(out, "# HELP teller_commit_ballots Ballots in each "
	    "committed group.\n# TYPE teller_commit_ballots histogram\n");
	for (size_t i = 0; i < METRICS_GROUP_BUCKETS; i++)
		r |= tl_buf_addf(out, "teller_commit_ballots_bucket{le=\"%llu\"} "
		    "%llu\n", (unsigned long long)group_bounds[i],
		    (unsigned long long)groups[i]);
	r |= tl_buf_addf(out, "teller_commit_ballots_bucket{le=\"+Inf\"} %llu\n"
	    "teller_commit_ballots_sum %llu\nteller_commit_ballots_count %llu\n",
	    (unsigned long long)ngroup, (unsigned long long)sum_group,
	    (unsigned long long)ngroup);
	return r;
}

/* A counter of what was refused, by reason (the error code). */
static int
render_by_code(struct tl_buf *out, const char *name, const char *what,
    atomic_uint_fast64_t *by_code)
{
	int r = tl_buf_addf(out, "# HELP %s %s refused, by reason (the error "
	    "code).\n# TYPE %s counter\n", name, what, name);

	for (int code = -1; code >= TL_ERROR_MIN; code--)
		r |= tl_buf_addf(out, "%s{reason=\"%s\"} %llu\n", name,
		    tl_error_name(code),
		    (unsigned long long)atomic_load(&by_code[-code]));
	return r;
}

int
metrics_render(struct metrics *m, struct tl_buf *out)
{
	int r = TL_OK;

	r |= tl_buf_adds(out, "# HELP teller_http_requests_total HTTP requests "
	    "answered, by route and status.\n"
	    "# TYPE teller_http_requests_total counter\n");
	for (size_t route = 0; route < ROUTE_COUNT; route++)
		for (size_t i = 0; i <= METRICS_STATUSES; i++) {
			uint64_t n = atomic_load(&m->requests[route][i]);

			if (n == 0)
				continue;
			if (i < METRICS_STATUSES)
				r |= tl_buf_addf(out, "teller_http_requests_total"
				    "{route=\"%s\",status=\"%u\"} %llu\n",
				    route_names[route], statuses[i],
				    (unsigned long long)n);
			else
				r |= tl_buf_addf(out, "teller_http_requests_total"
				    "{route=\"%s\",status=\"other\"} %llu\n",
				    route_names[route], (unsigned long long)n);
		}
	r |= tl_buf_addf(out, "# HELP teller_ballots_accepted_total Ballots "
	    "committed.\n# TYPE teller_ballots_accepted_total counter\n"
	    "teller_ballots_accepted_total %llu\n",
	    (unsigned long long)atomic_load(&m->accepted));
	r |= render_by_code(out, "teller_ballots_rejected_total", "Ballots",
	    m->rejected);
	r |= tl_buf_addf(out, "# HELP teller_credentials_issued_total Secret "
	    "elections' credential requests answered (or answered again).\n"
	    "# TYPE teller_credentials_issued_total counter\n"
	    "teller_credentials_issued_total %llu\n",
	    (unsigned long long)atomic_load(&m->credentials_issued));
	r |= render_by_code(out, "teller_credentials_refused_total",
	    "Credential requests", m->credentials_refused);
	r |= tl_buf_addf(out, "# HELP teller_connections_timed_out_total "
	    "Connections closed for not sending a whole request within "
	    "--request-timeout.\n"
	    "# TYPE teller_connections_timed_out_total counter\n"
	    "teller_connections_timed_out_total %llu\n",
	    (unsigned long long)atomic_load(&m->timed_out));
	r |= render_histograms(m, out);
	return r != TL_OK ? TL_ENOMEM : TL_OK;
}
