/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
 *
 * Session 18, task b1grid (issue 17, item 5): a standalone prototype of a
 * lean clocked B1 (CUBA, doc/benchmarks.md "B1"; models/cuba.ini) run the
 * way Brian2 runs it, to measure whether a float grid step could make B1
 * 5x Brian2 C++ standalone. Not library code; see 2026-12-07-s18-b1grid.md.
 *
 * Build: gcc -O3 -march=native -o b1grid 2026-12-07-s18-b1grid.c -lm
 * Run:   ./b1grid N [duration_s] [seed] [variant: 0 plain, 1 scaled]
 *
 * Model (Brian2's brian2_models.py CUBA, method 'exact', dt = 0.1 ms):
 *   dv/dt = (ge + gi - (v - El))/taum  (unless refractory),
 *   dge/dt = -ge/taue, dgi/dt = -gi/taui; taum 20 ms, El -49 mV, taue 5 ms,
 *   taui 10 ms, threshold v > -50 mV, reset -60 mV, refractory 5 ms;
 *   N neurons, 0.8 N excitatory, each ordered pair i != j connected with
 *   p = 80/N; an E spike adds 1.62 mV to ge, an I spike -9 mV to gi, seen at
 *   the next step (Brian2's zero delay); v0 uniform in [-60, -50] mV.
 * State: float v, ge, gi and an int32 last-spike step in structure-of-arrays
 * (16 B a neuron). A step is Brian2's schedule fused into one pass:
 *   groups (exact propagators; v frozen while refractory, ge/gi decay),
 *   thresholds (v > Vt and not refractory), resets (v = Vr, last = step),
 * followed by the synapses slot (each spike's CSR row adds the constant
 * weight of its population to ge or gi of the targets; the reset touches
 * only v and last, the deliveries only ge and gi, so the fused order equals
 * Brian2's groups -> thresholds -> synapses -> resets).
 * Refractoriness is Brian2's: not_refractory = (step - last) >= 50.
 * Variant 0 ("plain") stores the decayed ge and gi every step (3 stores a
 * lane). Variant 1 ("scaled") keeps ge_i = fe * se_i with one global
 * factor fe that decays instead (fe *= ae a step; a delivery adds w / fe
 * to se_i; se is renormalised, se *= fe and fe = 1, when fe < 1e-6), so a
 * step stores only v: the same model, other roundings.
 */
#define _POSIX_C_SOURCE 199309L
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Seconds on a clock: CLOCK_MONOTONIC (wall) or the process's CPU time. */
static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
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

/* The network: SoA float state, int32 last-spike step, CSR by source. */
struct net {
	int n, n_e;
	float *v, *ge, *gi;
	int32_t *last;
	uint32_t *rowptr, *col, *spk;
};

/* Per-step constants of the exact propagators. */
struct prop {
	float el, am, ce, ci, ae, ai, vt, vr;
	int refrac;
};

/* One step's groups + thresholds + resets over all neurons; the spiking
 * indices go to nt->spk in increasing order; returns their count. ce and
 * ci in pp already include the global factors in the scaled variant, where
 * ge and gi are not decayed (scaled = 1). */
static inline __attribute__((always_inline)) int
neuron_step(struct net *nt, const struct prop *pp, long k, int scaled)
{
	int ns = 0, n = nt->n;
	float *v = nt->v, *ge = nt->ge, *gi = nt->gi;
	int32_t *last = nt->last;
	uint32_t *spk = nt->spk;
#ifdef __AVX512F__
	const __m512 vel = _mm512_set1_ps(pp->el), vam = _mm512_set1_ps(pp->am),
		     vce = _mm512_set1_ps(pp->ce), vci = _mm512_set1_ps(pp->ci),
		     vae = _mm512_set1_ps(pp->ae), vai = _mm512_set1_ps(pp->ai),
		     vvt = _mm512_set1_ps(pp->vt), vvr = _mm512_set1_ps(pp->vr);
	const __m512i vk = _mm512_set1_epi32((int)k),
		      vref = _mm512_set1_epi32(pp->refrac),
		      v16 = _mm512_set1_epi32(16);
	__m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					12, 13, 14, 15);
	for (int i = 0; i < n; i += 16) {
		__m512 x = _mm512_load_ps(v + i);
		__m512 e = _mm512_load_ps(ge + i);
		__m512 g = _mm512_load_ps(gi + i);
		__m512i l = _mm512_load_si512(last + i);
		__mmask16 refr = _mm512_cmplt_epi32_mask(
			_mm512_sub_epi32(vk, l), vref);
		__m512 xn = _mm512_fmadd_ps(_mm512_sub_ps(x, vel), vam, vel);
		xn = _mm512_fmadd_ps(e, vce, xn);
		xn = _mm512_fmadd_ps(g, vci, xn);
		x = _mm512_mask_blend_ps(refr, xn, x);
		__mmask16 sp = _mm512_cmp_ps_mask(x, vvt, _CMP_GT_OQ) &
			       (__mmask16)~refr;
		x = _mm512_mask_mov_ps(x, sp, vvr);
		_mm512_store_ps(v + i, x);
		if (!scaled) {
			_mm512_store_ps(ge + i, _mm512_mul_ps(e, vae));
			_mm512_store_ps(gi + i, _mm512_mul_ps(g, vai));
		}
		/* Spikes are rare; stores are the loop's bottleneck on Zen 4
		 * and its compress to memory is microcoded (~100 cycles):
		 * write last and compress in a register only when a lane
		 * spiked. */
		if (sp) {
			_mm512_mask_store_epi32(last + i, sp, vk);
			_mm512_storeu_si512(spk + ns,
					    _mm512_maskz_compress_epi32(sp, idx));
			ns += __builtin_popcount(sp);
		}
		idx = _mm512_add_epi32(idx, v16);
	}
#elif defined(__AVX2__) && defined(__FMA__)
	/* The AVX2 fallback: 8 lanes, the same pass. */
	const __m256 vel = _mm256_set1_ps(pp->el), vam = _mm256_set1_ps(pp->am),
		     vce = _mm256_set1_ps(pp->ce), vci = _mm256_set1_ps(pp->ci),
		     vae = _mm256_set1_ps(pp->ae), vai = _mm256_set1_ps(pp->ai),
		     vvt = _mm256_set1_ps(pp->vt), vvr = _mm256_set1_ps(pp->vr);
	const __m256i vk = _mm256_set1_epi32((int)k),
		      vrm1 = _mm256_set1_epi32(pp->refrac - 1);
	for (int i = 0; i < n; i += 8) {
		__m256 x = _mm256_load_ps(v + i);
		__m256 e = _mm256_load_ps(ge + i);
		__m256 g = _mm256_load_ps(gi + i);
		__m256i l = _mm256_load_si256((const __m256i *)(last + i));
		/* All ones where NOT refractory: k - last > refrac - 1. */
		__m256 nref = _mm256_castsi256_ps(_mm256_cmpgt_epi32(
			_mm256_sub_epi32(vk, l), vrm1));
		__m256 xn = _mm256_fmadd_ps(_mm256_sub_ps(x, vel), vam, vel);
		xn = _mm256_fmadd_ps(e, vce, xn);
		xn = _mm256_fmadd_ps(g, vci, xn);
		x = _mm256_blendv_ps(x, xn, nref);
		__m256 spv = _mm256_and_ps(_mm256_cmp_ps(x, vvt, _CMP_GT_OQ),
					   nref);
		int sp = _mm256_movemask_ps(spv);
		x = _mm256_blendv_ps(x, vvr, spv);
		_mm256_store_ps(v + i, x);
		if (!scaled) {
			_mm256_store_ps(ge + i, _mm256_mul_ps(e, vae));
			_mm256_store_ps(gi + i, _mm256_mul_ps(g, vai));
		}
		while (sp) {
			int b = __builtin_ctz(sp);
			sp &= sp - 1;
			last[i + b] = (int32_t)k;
			spk[ns++] = (uint32_t)(i + b);
		}
	}
#else
	for (int i = 0; i < n; i++) {
		int refr = (int32_t)k - last[i] < pp->refrac;
		float x = v[i];
		if (!refr)
			x = pp->el + (x - pp->el) * pp->am + ge[i] * pp->ce +
			    gi[i] * pp->ci;
		if (!scaled) {
			ge[i] *= pp->ae;
			gi[i] *= pp->ai;
		}
		if (!refr && x > pp->vt) {
			x = pp->vr;
			last[i] = (int32_t)k;
			spk[ns++] = (uint32_t)i;
		}
		v[i] = x;
	}
#endif
	return ns;
}

/* The synapses slot: each spike's row adds we (E source) to ge or wi
 * (I source) to gi of its targets; returns the synaptic events. */
static long deliver(struct net *nt, int ns, float we, float wi)
{
	long events = 0;
	const uint32_t *rowptr = nt->rowptr, *col = nt->col, *spk = nt->spk;
	for (int s = 0; s < ns; s++) {
		uint32_t i = spk[s], a = rowptr[i], b = rowptr[i + 1];
		if (s + 2 < ns) {
			/* Rows are ~80 targets (5 lines): fetch ahead. */
			const uint32_t *r = col + rowptr[spk[s + 2]];
			for (int c = 0; c < 6; c++)
				__builtin_prefetch(r + 16 * c);
		}
		float *tgt = i < (uint32_t)nt->n_e ? nt->ge : nt->gi;
		float w = i < (uint32_t)nt->n_e ? we : wi;
		events += b - a;
		for (uint32_t j = a; j < b; j++)
			tgt[col[j]] += w;
	}
	return events;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4000;
	double duration = argc > 2 ? atof(argv[2]) : 2.0;
	rng_state = argc > 3 ? strtoull(argv[3], 0, 10) : 1;
	int scaled = argc > 4 ? atoi(argv[4]) : 0;
	if (n <= 0 || n % 16) {
		fprintf(stderr, "N must be a positive multiple of 16\n");
		return 1;
	}
	const double dt = 0.1, taum = 20, taue = 5, taui = 10; /* ms */
	const float we = 1.62f, wi = -9; /* mV */
	const long steps = lround(duration * 1e4);
	/* Exact propagators over dt (computed in double, stored in float). */
	const double de = exp(-dt / taue), di = exp(-dt / taui);
	const double ce = taue / (taue - taum) * (de - exp(-dt / taum));
	const double ci = taui / (taui - taum) * (di - exp(-dt / taum));
	struct prop pp = {-49, (float)exp(-dt / taum), (float)ce, (float)ci,
			  (float)de, (float)di, -50, -60, 50};
	struct net nt = {.n = n, .n_e = (int)lround(0.8 * n)};

	/* Connectivity: CSR by source, targets ascending, geometric skips. */
	double tb = now_s();
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
			if (nsyn == cap && !(nt.col = realloc(nt.col,
							     (cap *= 2) * 4))) {
				perror("realloc");
				return 1;
			}
			nt.col[nsyn++] = (uint32_t)j;
		}
	}
	nt.rowptr[n] = (uint32_t)nsyn;
	nt.v = xalloc((size_t)n * 4);
	nt.ge = xalloc((size_t)n * 4);
	nt.gi = xalloc((size_t)n * 4);
	nt.last = xalloc((size_t)n * 4);
	nt.spk = xalloc((size_t)n * 4 + 64); /* 16 lanes of slack */
	for (int i = 0; i < n; i++) {
		nt.v[i] = (float)(-60 + 10 * rng_unif());
		nt.last[i] = -1000000;
	}
	tb = now_s() - tb;

	long total_spikes = 0, events = 0;
	double t_neur = 0, t_del = 0, fe = 1, fi = 1;
	double t0 = now_s(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (long k = 0; k < steps; k++) {
		double ta = now_s();
		int ns;
		if (scaled) {
			pp.ce = (float)(ce * fe);
			pp.ci = (float)(ci * fi);
			ns = neuron_step(&nt, &pp, k, 1);
			fe *= de;
			fi *= di;
		} else {
			ns = neuron_step(&nt, &pp, k, 0);
		}
		double tm = now_s();
		events += deliver(&nt, ns, (float)(we / fe), (float)(wi / fi));
		if (fe < 1e-6 || fi < 1e-6) {
			/* Renormalise (every ~690 steps; counted in the
			 * deliveries' time): ge = fe * se. */
			for (int i = 0; i < n; i++) {
				nt.ge[i] *= (float)fe;
				nt.gi[i] *= (float)fi;
			}
			fe = fi = 1;
		}
		double td = now_s();
		t_neur += tm - ta;
		t_del += td - tm;
		total_spikes += ns;
	}
	double loop = now_s() - t0;
	double loop_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	double rate = total_spikes / (n * duration);
	printf("{\"n\": %d, \"duration_s\": %g, \"variant\": \"%s\", "
	       "\"synapses\": %zu, \"build_s\": %.3f, \"loop_s\": %.4f, "
	       "\"loop_cpu_s\": %.4f, \"s_per_sim_s\": %.4f, "
	       "\"neuron_s\": %.4f, \"deliver_s\": %.4f, "
	       "\"other_s\": %.4f, \"spikes\": %ld, \"rate_hz\": %.3f, "
	       "\"events\": %ld, \"ns_per_event\": %.2f, "
	       "\"ns_per_neuron_step\": %.3f, \"deliver_ns_per_event\": %.2f}\n",
	       n, duration, scaled ? "scaled" : "plain", nsyn, tb, loop,
	       loop_cpu, loop / duration, t_neur, t_del, loop - t_neur - t_del,
	       total_spikes, rate, events, 1e9 * loop / (events ? events : 1),
	       1e9 * t_neur / ((double)n * steps),
	       1e9 * t_del / (events ? events : 1));
	return 0;
}
