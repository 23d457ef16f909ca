/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
 *
 * Session 18, task b1ev (issue 17, item 5): a standalone micro-benchmark of
 * the lower bound of a compact exact event-driven B1 (CUBA at 64,000; see
 * 2026-12-07-s18-b1ev.md). Not library code.
 *
 * Build: gcc -O3 -march=native -o b1ev 2026-12-07-s18-b1ev.c -lm
 * Run:   ./b1ev N E.ras I.ras [reps] [seed]   (rasters of an evsnn run)
 *        ./b1ev N - - [reps] [seed]           (Poisson 5.6 Hz, 2 s)
 *
 * It replays an input stream: B1's connectivity (p = 80/N, i != j, CSR by
 * source, the generator of 2026-12-07-s18-b1grid.c) and a spike train in
 * time order (E ids 0..0.8N-1, I ids after them), and times per synaptic
 * event, in passes over the whole train alternating within the process:
 *  floor  a float input += w per target (the physical floor);
 *  upd16  the compact exact update, 16 B a neuron (float c_m, c_E, c_I,
 *         margin): per spike fr, fm (one exp: B1's tau_m = 2 tau_I =
 *         4 tau_E gives the others as powers), per target c_r += fr,
 *         c_m -= fm, for excitation margin -= w kmax and the neuron listed
 *         branch-free when the margin is used up; prefetch 24 targets
 *         ahead (lif.c's PREFETCH_AHEAD); the listed neurons get a new
 *         margin from a table (no certificate), t0 rebased every 50 ms;
 *  upd32  the same with double c_m, c_E, c_I, margin (32 B a neuron);
 *  cert16 upd16 with a real leak-bound certificate per listed neuron (the
 *         state at t from factors shared by the delivery, the bound's
 *         root: a sqrt, one division and a log, branch-free, t_safe
 *         stored); cert - upd = its cost;
 *  cert32 the same on upd32; cert16_nolog: cert16 with t_safe from
 *         -ln y >= 1 - y instead of a log (at most tau_m ahead);
 *  search an exact crossing search per spike of the train: safeguarded
 *         Newton on D + sum of three exponentials in a 0.1 ms window, to
 *         1e-13 s (lif.c's CROSSING_TOL), on instances drawn once;
 *         search_poly: the same from the chord's root, e^{-x} as a
 *         degree-7 polynomial (x <= 0.02 in the window).
 * The states are not the network's (the train is replayed open loop, the
 * targets' own spikes do not follow from their states): the margins a
 * certificate leaves are drawn from a table whose mean makes 0.24 listings
 * a synaptic event, the count evsnn measures on B1 (doc/benchmarks.md).
 * Left out: the certificates' calendar (visits, filings), refractoriness,
 * the event queue, spike output. CPU time (CLOCK_PROCESS_CPUTIME_ID).
 */
#define _POSIX_C_SOURCE 199309L
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFETCH_AHEAD 24
#define MTAB 4096
/* max and min as selects (fmax, fmin are libm calls without -ffast-math) */
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/* sqrt without libm's errno branch */
#define SQRT(x) _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(x)))

static uint64_t rng_state;

/* splitmix64: the next 64 random bits. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform double in (0, 1). */
static double rng_unif(void)
{
	return ((rng_next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void *xalloc(size_t bytes)
{
	void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
	if (!p) {
		perror("aligned_alloc");
		exit(1);
	}
	memset(p, 0, bytes);
	return p;
}

struct spike {
	double t;
	uint32_t src;
};

static int by_time(const void *a, const void *b)
{
	const struct spike *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

/* Appends the spikes of a raster (time [s] id per line, # comments),
 * ids offset by off. */
static void read_ras(const char *path, uint32_t off, struct spike **sp,
		     size_t *ns, size_t *cap)
{
	FILE *f = fopen(path, "r");
	char line[256];
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof line, f)) {
		double t;
		unsigned id;
		if (line[0] == '#' || sscanf(line, "%lf %u", &t, &id) != 2)
			continue;
		if (*ns == *cap && !(*sp = realloc(*sp, (*cap = 2 * *cap + 1024) *
						       sizeof **sp))) {
			perror("realloc");
			exit(1);
		}
		(*sp)[(*ns)++] = (struct spike){t, off + id};
	}
	fclose(f);
}

/* Model constants (ms, mV). */
static const double TM = 20, TE = 5, TI = 10, D = 1; /* v_rest - v_thresh */
static const double WE = 1.62, WI = -9;

struct net {
	int n, n_e;
	uint32_t *rowptr, *col;
	struct spike *sp;
	size_t ns;
	float mtab[MTAB];
	double kmax, ke, ki; /* PSP peak of a unit E input; tau_r/(tau_r-tau_m) */
};

/* 1: the floor. */
static double run_floor(const struct net *nt, float *in)
{
	double c = cpu_s();
	for (size_t s = 0; s < nt->ns; s++) {
		uint32_t i = nt->sp[s].src, a = nt->rowptr[i], b = nt->rowptr[i + 1];
		float w = i < (uint32_t)nt->n_e ? (float)WE : (float)WI;
		if (s + 2 < nt->ns) {
			const uint32_t *r = nt->col + nt->rowptr[nt->sp[s + 2].src];
			for (int k = 0; k < 6; k++)
				__builtin_prefetch(r + 16 * k);
		}
		for (uint32_t j = a; j < b; j++)
			in[nt->col[j]] += w;
	}
	return cpu_s() - c;
}

/* 2 and 3: the compact exact update of type T (float or double), with a
 * leak-bound certificate per listed neuron when cert. */
#define DEFINE_UPDATE(NAME, T)                                                 \
	struct rec_##NAME {                                                    \
		T cm, ce, ci, margin;                                          \
	};                                                                     \
	static double run_##NAME(const struct net *nt, struct rec_##NAME *r,   \
				 uint32_t *list, double *tsafe, int cert,      \
				 long *listed)                                 \
	{                                                                      \
		double c = cpu_s(), t0 = 0;                                    \
		const uint32_t *col = nt->col;                                 \
		uint32_t mt = 0;                                               \
		long nl = 0;                                                   \
		for (size_t s = 0; s < nt->ns; s++) {                          \
			double t = nt->sp[s].t * 1e3; /* ms */                 \
			if (t - t0 > 50) { /* rebase t0 */                     \
				double d = t - t0;                             \
				T am = (T)exp(-d / TM), ae = (T)exp(-d / TE),  \
				  ai = (T)exp(-d / TI);                        \
				for (int j = 0; j < nt->n; j++) {              \
					r[j].cm *= am;                         \
					r[j].ce *= ae;                         \
					r[j].ci *= ai;                         \
				}                                              \
				t0 = t;                                        \
			}                                                      \
			uint32_t i = nt->sp[s].src, a = nt->rowptr[i],         \
				 b = nt->rowptr[i + 1], np = 0;                \
			int exc = i < (uint32_t)nt->n_e;                       \
			/* One exp a spike: B1's tau_m = 2 tau_I = 4 tau_E */  \
			double em = exp((t - t0) / TM), e2 = em * em;          \
			T fr, fm, dm = exc ? (T)(WE * nt->kmax) : 0;           \
			if (exc) {                                             \
				fr = (T)(WE * nt->ke * e2 * e2);               \
				fm = (T)(WE * nt->ke * em);                    \
			} else {                                               \
				fr = (T)(WI * nt->ki * e2);                    \
				fm = (T)(WI * nt->ki * em);                    \
			}                                                      \
			if (s + 2 < nt->ns) {                                  \
				const uint32_t *q =                            \
					col + nt->rowptr[nt->sp[s + 2].src];   \
				for (int k = 0; k < 6; k++)                    \
					__builtin_prefetch(q + 16 * k);        \
			}                                                      \
			for (uint32_t j = a; j < b; j++) {                     \
				if (j + PREFETCH_AHEAD < b)                    \
					__builtin_prefetch(                    \
						&r[col[j + PREFETCH_AHEAD]],   \
						1);                            \
				struct rec_##NAME *x = &r[col[j]];             \
				if (exc)                                       \
					x->ce += fr;                           \
				else                                           \
					x->ci += fr;                           \
				x->cm -= fm;                                   \
				x->margin -= dm;                               \
				list[np] = col[j];                             \
				np += x->margin <= 0;                          \
			}                                                      \
			nl += np;                                              \
			if (!np)                                               \
				continue;                                      \
			if (!cert) {                                           \
				for (uint32_t k = 0; k < np; k++)              \
					r[list[k]].margin =                    \
						(T)nt->mtab[mt++ & (MTAB - 1)];\
				continue;                                      \
			}                                                      \
			/* Factors shared by the delivery: E_k(t). */          \
			double gm = 1 / em, gi = gm * gm, ge = gi * gi;        \
			for (uint32_t k = 0; k < np; k++) {                    \
				uint32_t j = list[k];                          \
				struct rec_##NAME *x = &r[j];                  \
				double am = x->cm * gm, ae = x->ce * ge,       \
				       ai = x->ci * gi, u = D + am + ae + ai;  \
				/* u(s) <= D + L y + Q y^2, y = e^{-s/tm}:     \
				 * the first y where the bound reaches -m,     \
				 * branch-free (selects) */                    \
				double l = am, q = MAX(ae, 0) + MAX(ai, 0);    \
				double m = nt->mtab[mt++ & (MTAB - 1)];        \
				double cc = D + m, disc = l * l - 4 * q * cc;  \
				double sq = SQRT(MAX(disc, 0));                \
				/* one division: select, then divide */        \
				double y = (q > 0 ? -l - sq : -cc) /           \
					   (q > 0 ? 2 * q : MIN(l, -1e-300));  \
				y = MIN(MAX(y, 1e-300), 1);                    \
				/* cert 2: -ln y >= 1 - y (at most tau_m: the  \
				 * margin runs out first, every ~3 E inputs) */\
				double sl = cert == 1 ? -TM * log(y)           \
						      : TM * (1 - y);          \
				/* u >= 0: a crossing search is due now */    \
				tsafe[j] = t + sl * (u < 0);                   \
				x->margin = (T)m;                              \
			}                                                      \
		}                                                              \
		*listed = nl;                                                  \
		return cpu_s() - c;                                            \
	}

DEFINE_UPDATE(f16, float)
DEFINE_UPDATE(d32, double)

/* A crossing-search instance: u(s) = D + A_m e^{-s/TM} + A_E e^{-s/TE}
 * + A_I e^{-s/TI} with u(0) < 0 < u(h), h = 0.1 ms. */
struct inst {
	double am, ae, ai;
};

static double f_u(const struct inst *p, double s, double *du)
{
	double xm = p->am * exp(-s / TM), xe = p->ae * exp(-s / TE),
	       xi = p->ai * exp(-s / TI);
	*du = -xm / TM - xe / TE - xi / TI;
	return D + xm + xe + xi;
}

/* e^{-x} for 0 <= x <= 0.02 (s / tau in a 0.1 ms window): Taylor to
 * degree 7, error below 1e-17. */
static inline double exp_small(double x)
{
	return 1 + -x * (1 + -x * (1.0 / 2 + -x * (1.0 / 6 + -x * (1.0 / 24 +
	       -x * (1.0 / 120 + -x * (1.0 / 720 + -x * (1.0 / 5040)))))));
}

/* f_u with exp_small (the window's s, in ms, is at most 0.1). */
static double f_u_poly(const struct inst *p, double s, double *du)
{
	const double im = 1 / 20.0, ie = 1 / 5.0, ii = 1 / 10.0; /* 1/tau */
	double xm = p->am * exp_small(s * im), xe = p->ae * exp_small(s * ie),
	       xi = p->ai * exp_small(s * ii);
	*du = -xm * im - xe * ie - xi * ii;
	return D + xm + xe + xi;
}

/* The first crossing in [0, h]: Newton kept inside a bisection bracket,
 * to 1e-13 s (1e-10 ms), with exp (poly 0) or exp_small (poly 1).
 * Returns it; *it counts iterations. */
static double search(const struct inst *p, double h, int poly, long *it)
{
	double (*fu)(const struct inst *, double, double *) =
		poly ? f_u_poly : f_u;
	double lo = 0, hi = h, s = 0, du, u = fu(p, s, &du);
	if (poly) { /* start at the chord's root (u(0) < 0 < u(h)) */
		double dh, uh = fu(p, h, &dh);
		s = h * u / (u - uh);
		u = fu(p, s, &du);
		if (u < 0)
			lo = s;
		else
			hi = s;
	}
	for (int k = 0; k < 100; k++) {
		++*it;
		double sn = du > 0 ? s - u / du : 0.5 * (lo + hi);
		if (!(sn > lo && sn < hi))
			sn = 0.5 * (lo + hi);
		if (fabs(sn - s) < 1e-10)
			return sn;
		s = sn;
		u = fu(p, s, &du);
		if (u < 0)
			lo = s;
		else
			hi = s;
		if (hi - lo < 1e-10)
			return 0.5 * (lo + hi);
	}
	return s;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: b1ev N E.ras|- I.ras|- [reps] [seed]\n");
		return 1;
	}
	struct net nt = {.n = atoi(argv[1])};
	int reps = argc > 4 ? atoi(argv[4]) : 5;
	rng_state = argc > 5 ? strtoull(argv[5], 0, 10) : 1;
	int n = nt.n;
	nt.n_e = (int)lround(0.8 * n);
	if (reps < 1 || reps > 99 || n < 100) {
		fprintf(stderr, "bad arguments\n");
		return 1;
	}

	/* Connectivity: CSR by source, targets ascending, geometric skips. */
	const double p = 80.0 / n, lq = log1p(-p);
	nt.rowptr = xalloc((size_t)(n + 1) * 4);
	size_t cap = (size_t)(n * 80.0 * 1.1) + 1024, nsyn = 0;
	nt.col = xalloc(cap * 4);
	for (int i = 0; i < n; i++) {
		nt.rowptr[i] = (uint32_t)nsyn;
		for (long j = -1;;) {
			j += 1 + (long)floor(log(rng_unif()) / lq);
			if (j >= n)
				break;
			if (j == i)
				continue;
			if (nsyn == cap &&
			    !(nt.col = realloc(nt.col, (cap *= 2) * 4))) {
				perror("realloc");
				return 1;
			}
			nt.col[nsyn++] = (uint32_t)j;
		}
	}
	nt.rowptr[n] = (uint32_t)nsyn;

	/* The spike train. */
	size_t scap = 0;
	double dur = 2;
	if (strcmp(argv[2], "-")) {
		read_ras(argv[2], 0, &nt.sp, &nt.ns, &scap);
		read_ras(argv[3], (uint32_t)nt.n_e, &nt.sp, &nt.ns, &scap);
	} else {
		for (int i = 0; i < n; i++)
			for (double t = 0;;) {
				t += -log(rng_unif()) / 5.6;
				if (t >= dur)
					break;
				if (nt.ns == scap &&
				    !(nt.sp = realloc(nt.sp, (scap = 2 * scap + 1024) *
								     sizeof *nt.sp))) {
					perror("realloc");
					return 1;
				}
				nt.sp[nt.ns++] = (struct spike){t, (uint32_t)i};
			}
	}
	qsort(nt.sp, nt.ns, sizeof *nt.sp, by_time);
	long events = 0;
	for (size_t s = 0; s < nt.ns; s++) {
		if (nt.sp[s].src >= (uint32_t)n) {
			fprintf(stderr, "id %u out of range\n", nt.sp[s].src);
			return 1;
		}
		events += nt.rowptr[nt.sp[s].src + 1] - nt.rowptr[nt.sp[s].src];
	}

	/* PSP constants; margins in units of w kmax, mean 2.83 (0.24
	 * listings a synaptic event, 80 % of them excitatory). */
	double tp = log(TM / TE) * TM * TE / (TM - TE);
	nt.ke = TE / (TE - TM);
	nt.ki = TI / (TI - TM);
	nt.kmax = -nt.ke * (exp(-tp / TM) - exp(-tp / TE));
	for (int k = 0; k < MTAB; k++)
		nt.mtab[k] = (float)(WE * nt.kmax * 5.67 * rng_unif());

	/* Search instances: a crossing in (0, h), h = 0.1 ms. */
	size_t ni = nt.ns;
	struct inst *in = xalloc(ni * sizeof *in);
	for (size_t k = 0; k < ni; k++) {
		double du;
		do {
			in[k].ae = 10 * rng_unif();
			in[k].ai = -10 * rng_unif();
			in[k].am = -D - in[k].ae - in[k].ai - 0.05 * rng_unif();
		} while (!(f_u(&in[k], 0.1, &du) > 0));
	}

	float *inp = xalloc((size_t)n * 4);
	struct rec_f16 *r16 = xalloc((size_t)n * sizeof *r16);
	struct rec_d32 *r32 = xalloc((size_t)n * sizeof *r32);
	uint32_t *list = xalloc((size_t)n * 4);
	double *tsafe = xalloc((size_t)n * 8);
	for (int j = 0; j < n; j++) {
		r16[j].margin = nt.mtab[j & (MTAB - 1)];
		r32[j].margin = nt.mtab[j & (MTAB - 1)];
	}
	double tf[99], tu16[99], tu32[99], tc16[99], tc32[99], ts[99], tx16[99],
	       tpl[99];
	long l16 = 0, l32 = 0, lc16 = 0, lc32 = 0, lx16 = 0, iters = 0, ip = 0;
	double sink = 0;
	for (int k = 0; k < reps; k++) {
		tf[k] = run_floor(&nt, inp);
		tu16[k] = run_f16(&nt, r16, list, tsafe, 0, &l16);
		tc16[k] = run_f16(&nt, r16, list, tsafe, 1, &lc16);
		tu32[k] = run_d32(&nt, r32, list, tsafe, 0, &l32);
		tc32[k] = run_d32(&nt, r32, list, tsafe, 1, &lc32);
		tx16[k] = run_f16(&nt, r16, list, tsafe, 2, &lx16);
		double c = cpu_s();
		iters = 0;
		for (size_t q = 0; q < ni; q++)
			sink += search(&in[q], 0.1, 0, &iters);
		ts[k] = cpu_s() - c;
		c = cpu_s();
		ip = 0;
		for (size_t q = 0; q < ni; q++)
			sink -= search(&in[q], 0.1, 1, &ip);
		tpl[k] = cpu_s() - c;
	}
	for (int j = 0; j < n; j++)
		sink += inp[j] + r16[j].cm + r32[j].cm + tsafe[j];
	double maxdiff = 0; /* the two searches agree (ms) */
	for (size_t q = 0; q < ni; q++) {
		long a = 0;
		double d = fabs(search(&in[q], 0.1, 0, &a) -
				search(&in[q], 0.1, 1, &a));
		maxdiff = MAX(maxdiff, d);
	}
	double ev = 1e-9 * (double)events;
	double f = median(tf, reps) / ev, u16 = median(tu16, reps) / ev,
	       u32 = median(tu32, reps) / ev, c16 = median(tc16, reps) / ev,
	       c32 = median(tc32, reps) / ev, se = median(ts, reps) / ev,
	       x16 = median(tx16, reps) / ev, sp = median(tpl, reps) / ev;
	printf("{\"n\": %d, \"synapses\": %zu, \"spikes\": %zu, "
	       "\"events\": %ld, \"reps\": %d,\n"
	       " \"listed_per_event\": %.3f, \"search_iters_per_search\": %.2f,"
	       " \"ns_per_search\": %.1f,\n"
	       " \"ns_per_search_poly\": %.1f, \"iters_poly\": %.2f, "
	       "\"max_diff_ms\": %.2g,\n"
	       " \"ns_per_event\": {\"floor\": %.2f, \"upd16\": %.2f, "
	       "\"cert16\": %.2f, \"cert16_nolog\": %.2f, \"upd32\": %.2f, "
	       "\"cert32\": %.2f, \"search\": %.2f, \"search_poly\": %.2f},\n"
	       " \"sum16\": %.2f, \"sum16_lean\": %.2f, \"sum32\": %.2f, "
	       "\"sink\": %g}\n",
	       n, nsyn, nt.ns, events, reps, (double)lc16 / events,
	       (double)iters / ni, se * events / ni, sp * events / ni, (double)ip / ni, maxdiff, f, u16,
	       c16, x16, u32, c32, se, sp, c16 + se, x16 + sp, c32 + se, sink);
	return 0;
}
