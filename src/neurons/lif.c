/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — IF_curr_exp: the exact, event-driven current-based LIF neuron.
 *
 *   tau_m dv/dt = -(v - v_rest) + x_E + x_I + R (i_offset + dc)
 *   tau_syn_E dx_E/dt = -x_E,   an input of weight w adds w to x_E
 *
 * with x in volts (the current's voltage equivalent R I, R = tau_m / cm).
 * Between inputs the solution is
 *
 *   v(t) - v_thresh = D + c_m E_m(t) + c_E E_E(t) + c_I E_I(t),
 *   E_k(t) = exp(-(t - t0) / tau_k),
 *
 * against one population-wide reference time t0. An input of weight w at t
 * adds  w k exp((t - t0)/tau_E)  to c_E and subtracts  w k exp((t - t0)/tau_m)
 * from c_m (k = tau_E / (tau_E - tau_m)) so v stays continuous: two multiply-
 * adds with factors shared by every synapse of the same delivery, no exp()
 * per synapse. t0 moves forward (rebase) before the factors overflow.
 *
 * Crossings are predicted, not sampled. Each neuron holds a certificate:
 * until t_safe its distance to threshold u = v - v_thresh stays below
 * -margin, unless it is excited again. Certificates come from two bounds on
 * the state at t (terms A_k = c_k E_k(t), s = time ahead):
 *  - leak bound: every term decays no slower than the slowest one (tau*),
 *    and a term at least twice as fast decays at least as x^2 with
 *    x = e^{-s/tau*}, so u(s) <= D + L x + Q x^2, L = A_slowest + the other
 *    positive A_k, Q = the positive A_k of the fast terms. If L + Q < -D
 *    this is tight whenever the leak dominates (CUBA: inhibition's term,
 *    tau_m = 2 tau_syn_I, falls off as x^2), and when D < 0 (rest below
 *    threshold) it certifies "never" outright.
 *  - Taylor bound: u(s) <= u + u' s + C s^2/2 with C the largest curvature u
 *    can have from now on (the sum of its positive curvature terms).
 * An excitatory input of weight w raises u by at most w K_max (the peak of its
 * PSP) at any later time, so it only lowers the margin: bounds are recomputed
 * when the margin is used up. Inhibition lowers u and changes nothing.
 * The population's crossing calendar (calendar.h) visits a neuron in the
 * min-delay window that contains its t_safe; a visit bounds u over the whole
 * window with factors shared by all neurons, and only when that bound reaches
 * threshold is the exact first crossing searched (expsum.h). Every spike found
 * in a window is delivered at least one window later, so the result is exact
 * and causal. While refractory, t_safe holds the end of the refractory period,
 * when the reset is applied lazily.
 *
 * Background (background_rate r, background_weight w_bg): Poisson inputs
 * onto each neuron, one stream per neuron drawn lazily, never synapses or
 * events. Neuron j keeps the time of its next input; its certificates end
 * no later than that time, so the calendar or a delivery finds it there,
 * and advance() adds the input at its exact time and draws the next
 * interval, -ln(U)/r with U from draw k of the stream (seed, population, j,
 * EVS_RNG_BACKGROUND): the 64 bits of words 2(k mod 2), 2(k mod 2) + 1 of
 * its Philox block k/2. While refractory the inputs are added to x_E when
 * the period ends (only x_E outlives the reset). Each input costs an exact
 * event (decay factors, a certificate, a calendar filing): the grid mode
 * (lif_grid.c) is cheaper when inputs are dense (doc/microcircuit.md).
 *
 * Per-neuron parameters: v_rest and i_offset enter the constant term D
 * alone. v_thresh, v_reset, tau_refrac and cm may differ between neurons
 * too (s->own, else NULL and the population's values): the state of
 * neuron j is kept as  g_j (v - v_thresh_j),  g_j = cm_j / cm (cm the
 * population's value, which sets R = tau_m / cm and so the weights' and
 * currents' scale). In that unit an input of weight w (a current) raises
 * the neuron's x by g_j R_j w = R w, the same for every neuron, so a delivery
 * adds w unchanged, the certificates (K_max, margins) hold as they are
 * (the unit is positive and the threshold 0), and the crossing search is
 * the same; only the reset (u = g_j (v_reset_j - v_thresh_j)), the end of
 * a refractory period (+ tau_refrac_j), the readout (v = v_thresh_j +
 * u / g_j), D (g_j (v_rest - v_thresh_j) + R (i_offset + dc)) and v_init
 * read the neuron's own constants. A weight given as a voltage (the PSC's
 * R I) would need g_j per synapse: with cm per neuron it is refused
 * (evs__lif_weight_scale).
 */
#include <math.h>
#include <stdlib.h>

#include <Random123/philox.h>

#include "neurons/lif_impl.h"
#include "neurons/types.h"

/* Share of a neuron's distance to threshold that a leak-bound certificate
 * keeps as margin for later excitation: a larger share certifies shorter
 * intervals (more visits), a smaller one is used up by fewer inputs (more
 * bound computations). Taylor certificates (near threshold) keep none, see
 * certify. Instructions on CUBA 1 s (callgrind, session 6), leak share /
 * Taylor share: 0.4 / 0.4 349.6 M, 0.4 / 0.1 342.5 M, 0.4 / 0 338.3 M,
 * 0.45 / 0 336.5 M, 0.5 / 0 336.1 M, 0.55 / 0 336.9 M, 0.6 / 0.05
 * 341.1 M; rasters unchanged. */
#define MARGIN_SHARE 0.5
/* Crossing times are solved to this accuracy (s). */
#define CROSSING_TOL 1e-13

/* Targets whose state is fetched ahead while earlier ones are updated. In
 * large networks a target's line comes from memory (~100 ns) while a
 * synapse takes a few ns: 24 ahead beat 8 by 8 % and 16 by 5 % on CUBA at
 * N = 64,000 (medians of 11 alternating runs), 32 was no better. */
#define PREFETCH_AHEAD 24

/* Unrolls the loop that follows n times (GCC 8 and later, Clang). GCC -O3
 * left deliver_term's PREFETCH_AHEAD prefetches of a delivery's first
 * targets a loop, 6 instructions a prefetch, 3 unrolled: paid by every
 * delivery of as many targets, so by each thread for its part of a row (B1
 * at N = 64,000, 0.3 s, callgrind: one thread 959.6 -> 951.2 M, each of
 * two threads about 7 M fewer; the shorter deliveries' loop unrolled by 4:
 * 951.2 -> 948.7 M, each thread 1 M fewer). */
#define PRAGMA(x) _Pragma(#x)
#define UNROLL(n) PRAGMA(GCC unroll n)

/* Draws neuron j's next background input time after t. */
static void bg_draw(lif_state *s, uint32_t j, double t) {
  uint32_t k = s->bg_draws[j]++;
  philox4x32_ctr_t c = {
      {s->pop_index, s->first + j, EVS_RNG_BACKGROUND, k >> 1}};
  philox4x32_key_t key = {{(uint32_t)s->seed, (uint32_t)(s->seed >> 32)}};
  philox4x32_ctr_t w = philox4x32(c, key);
  int i = 2 * (int)(k & 1);
  uint64_t bits = ((uint64_t)w.v[i + 1] << 32 | w.v[i]) >> 11;
  double u = ((double)bits + 0.5) * 0x1p-53; /* in (0, 1) */
  s->bg_next[j] = t - log(u) / s->bg_rate;
}

/* Adds neuron j's background inputs before time a to x_E alone (c[0] is
 * about to be recomputed by a reset at a). */
static void bg_catch_up(lif_state *s, uint32_t j, double a) {
  lif_neuron *n = &s->nr[j];
  while (s->bg_next[j] < a) {
    double tb = s->bg_next[j];
    n->c[1] += s->bg_w * s->k[0] * exp((tb - s->t0) * s->rate[1]);
    bg_draw(s, j, tb);
  }
}

/* Applies the reset that ends the refractory period at n->t_safe, given the
 * decay factors e there (the background inputs of the period first).
 * Inlined as before the neurons' own constants made it longer (CUBA 4k
 * 1 s, callgrind: a call cost 0.3 % of the run's instructions). */
static inline __attribute__((always_inline)) void
end_refractory_at(lif_state *s, lif_neuron *n, const double e[3]) {
  uint32_t j = (uint32_t)(n - s->nr);
  if (s->bg_next) bg_catch_up(s, j, n->t_safe);
  const lif_own *o = s->own ? &s->own[j] : NULL;
  double u_reset =
      o ? o->scale * (o->v_reset - o->v_thresh) : s->v_reset - s->v_thresh;
  n->c[0] = (u_reset - n->drive - n->c[1] * e[1] - n->c[2] * e[2]) / e[0];
  n->margin = 0;
}

void evs__lif_end_refractory(lif_state *s, lif_neuron *n) {
  double e[3];
  decay_factors(s, n->t_safe, e);
  end_refractory_at(s, n, e);
}

/* A lower bound on ln(num/den) for num >= den > 0: with
 * z = (num - den)/(num + den), ln(num/den) = 2 atanh(z) = 2 (z + z^3/3 +
 * z^5/5 + ...), every term positive, so the first three are a lower bound
 * (below it by less than 1.5e-4 for num/den <= 2, 3e-3 for num/den <= 3,
 * i.e. a certificate of 1.1 tau_slow; never above 3.07 however large
 * num/den: a certificate reaches at most 3.07 tau_slow ahead). One division
 * where the root and libm-free logarithm before took two; certificates
 * need a lower bound only, and one below 0 would put t_safe before the time
 * it is made. */
static inline double log_ratio_lower(double num, double den) {
  double z = (num - den) / (num + den), z2 = z * z;
  double ln = 2 * z * (1 + z2 * (1.0 / 3 + z2 * (1.0 / 5)));
  return ln > 0 ? ln : 0;
}

/* Certifies a non-refractory neuron at time t, given the decay factors e
 * at t: sets t_safe and margin from the leak bound, keeping MARGIN_SHARE of
 * the bound's distance to threshold as margin, or else from the Taylor
 * bound, with no margin. */
static inline void certify_inputs(const lif_state *s, lif_neuron *n, double t,
                                  const double e[3]) {
  double a0 = n->c[0] * e[0], a1 = n->c[1] * e[1], a2 = n->c[2] * e[2];
  double d = n->drive;
  int slow = s->slow;
  /* With x = exp(-(time ahead)/tau_slow), a positive term decaying at least
   * twice as fast as the slowest is at most a_k x^2 (into q), any other at
   * most a_k x (into l, with the slowest term whatever its sign): u stays
   * below  d + l x + q x^2.  b = l + q is that bound now. l and q, like b,
   * start at +0 and so are never -0: adding 0 for a term left out is exact. */
  double l = 0, q = 0;
  l += slow == 0 || (a0 > 0 && !s->squared[0]) ? a0 : 0;
  q += slow != 0 && a0 > 0 && s->squared[0] ? a0 : 0;
  l += slow == 1 || (a1 > 0 && !s->squared[1]) ? a1 : 0;
  q += slow != 1 && a1 > 0 && s->squared[1] ? a1 : 0;
  l += slow == 2 || (a2 > 0 && !s->squared[2]) ? a2 : 0;
  q += slow != 2 && a2 > 0 && s->squared[2] ? a2 : 0;
  double b = l + q;
  if (b < -d) {
    if (d <= 0) { /* the bound never reaches -margin */
      n->margin = -(d + (b > 0 ? b : 0));
      n->t_safe = INFINITY;
    } else {
      /* The bound rises from d + b to d; it reaches -margin where
       * q x^2 + l x + (d + margin) = 0, at the smaller root x, between 0 and
       * 1 (l < 0 there), written without cancellation; t_safe is
       * tau_slow ln(1/x) ahead. A rounding that lowers the root's
       * discriminant only brings t_safe earlier. */
      double margin = -MARGIN_SHARE * (d + b);
      n->margin = margin;
      double c0 = d + margin;
      double disc = l * l - 4 * q * c0;
      double inv_x_num = -l + sqrt(disc > 0 ? disc : 0); /* 1/x = this/2c0 */
      n->t_safe = t + s->tau_slow * log_ratio_lower(inv_x_num, 2 * c0);
    }
    return;
  }
  double u = d + a0 + a1 + a2;
  if (u >= 0) {
    n->margin = 0;
    n->t_safe = t;
    return;
  }
  const double *r = s->rate;
  double slope = 0, c = 0; /* c, like b, is never -0: adding 0 is exact */
  slope -= a0 * r[0];
  slope -= a1 * r[1];
  slope -= a2 * r[2];
  c += a0 > 0 ? a0 * r[0] * r[0] : 0;
  c += a1 > 0 ? a1 * r[1] * r[1] : 0;
  c += a2 > 0 ? a2 * r[2] * r[2] : 0;
  /* Near threshold no margin pays: certifying u < 0 up to the first zero
   * of u + slope x + c x^2/2 and renewing that at every excitatory input
   * costs less than a shorter certificate several inputs use up (CUBA at
   * N = 4,000: 6 % fewer loop instructions, 3-6 % less wall time). */
  n->margin = 0;
  double denom = slope + sqrt(slope * slope - 2 * c * u);
  n->t_safe = denom > 0 ? t - 2 * u / denom : INFINITY;
}

/* certify_inputs, ending the certificate no later than the neuron's next
 * background input. */
static inline void certify(const lif_state *s, lif_neuron *n, double t,
                           const double e[3]) {
  certify_inputs(s, n, t, e);
  if (s->bg_next) {
    double b = s->bg_next[n - s->nr];
    if (n->t_safe > b) n->t_safe = b;
  }
}

/* Files neuron j to be looked at in the window of time ts (nowhere for
 * ts = +inf), moving it from wherever it was filed. A visit changes nothing
 * before the window of t_safe, so the neuron is filed exactly there: an
 * earlier filing would only cost a visit that re-files it. */
static inline int file_at(lif_state *s, uint32_t j, double ts) {
  return evs_cal_move(&s->cal, j, ts);
}

/* Makes sure neuron j is looked at no later than the window of its t_safe. */
static inline int file(lif_state *s, uint32_t j) {
  return file_at(s, j, s->nr[j].t_safe);
}

/* Finds every spike of neuron j before time t, afterwards t_safe >= t:
 * each emitted (evs__pop_emit), or with peek appended to its list and
 * nothing else told. EVS_OK or EVS_ENOMEM. */
static inline __attribute__((always_inline)) int
find_spikes(evs_pop *pop, lif_state *s, uint32_t j, double t,
            const evs__peek_list *peek) {
  lif_neuron *n = &s->nr[j];
  while (n->t_safe < t) {
    double a = n->t_safe;
    double e[3];
    decay_factors(s, a, e);
    if (refractory(n)) {
      /* From the reset a certificate usually reaches past t: no search. */
      end_refractory_at(s, n, e);
      certify(s, n, a, e);
      continue;
    }
    double lim = t; /* the search ends at the next background input */
    if (s->bg_next) {
      if (s->bg_next[j] <= a) { /* due now: add it, certify anew */
        n->c[1] += s->bg_w * s->k[0] / e[1];
        n->c[0] -= s->bg_w * s->k[0] / e[0];
        bg_draw(s, j, a);
        certify(s, n, a, e);
        continue;
      }
      if (s->bg_next[j] < lim) lim = s->bg_next[j];
    }
    evs_expsum g = {.n = 3,
                    .d = n->drive,
                    .a = {n->c[0] * e[0], n->c[1] * e[1], n->c[2] * e[2]},
                    .r = {s->rate[0], s->rate[1], s->rate[2]},
                    .powers = &s->rates};
    double h;
    pop->crossings++;
    /* Searching beyond t costs more than the visits it saves (callgrind). */
    if (!evs__expsum_first_root(&g, lim - a, CROSSING_TOL, &h)) {
      n->t_safe = a + h;
      n->margin = 0;
      if (s->bg_next && n->t_safe > s->bg_next[j]) n->t_safe = s->bg_next[j];
      if (n->t_safe >= t) break;
      continue;
    }
    double tc = a + h;
    if (peek && !(tc < t)) break; /* a + h rounded up to t */
    int rc = evs__pop_found(pop, peek, tc, j);
    if (rc) return rc;
    n->margin = REFRACTORY;
    n->t_safe = tc + (s->own ? s->own[j].tau_ref : s->tau_ref);
  }
  return EVS_OK;
}

/* Finds every spike of neuron j before time t; afterwards t_safe >= t and
 * the neuron is filed in the calendar no later than t_safe's window.
 * Returns EVS_OK or EVS_ENOMEM. */
static int advance(evs_pop *pop, lif_state *s, uint32_t j, double t) {
  int rc = find_spikes(pop, s, j, t, NULL);
  return rc ? rc : file(s, j);
}

/* The spikes before t that advance() would find (evs_neuron_type.peek):
 * each neuron that could cross before t searched as advance() searches,
 * then its record, background stream and the crossing count put back. */
static int peek_spikes(evs_pop *pop, double t, evs_spike **spk, size_t *n,
                       size_t *cap) {
  lif_state *s = pop->state;
  const evs__peek_list out = {spk, n, cap};
  uint64_t crossings = pop->crossings;
  int rc = s->status;
  for (uint32_t j = 0; j < pop->size && rc == EVS_OK; j++) {
    if (!(s->nr[j].t_safe < t)) continue;
    lif_neuron kept = s->nr[j];
    double bg_next = s->bg_next ? s->bg_next[j] : 0;
    uint32_t bg_draws = s->bg_next ? s->bg_draws[j] : 0;
    rc = find_spikes(pop, s, j, t, &out);
    s->nr[j] = kept;
    if (s->bg_next) {
      s->bg_next[j] = bg_next;
      s->bg_draws[j] = bg_draws;
    }
  }
  pop->crossings = crossings;
  return rc;
}

/* An excitatory input used up neuron j's margin at time t: a new
 * certificate, and the calendar filing that goes with it. Inlined by force:
 * with deliver's 16-bit instances GCC stopped inlining it (CUBA at N =
 * 4,000, 1 s: 2 % more instructions, a call per pending neuron). */
static inline __attribute__((always_inline)) void
recertify(lif_state *s, uint32_t j, double t,
          const double e[3]) {
  certify(s, &s->nr[j], t, e);
  keep_status(s, file(s, j));
}

/* How the weights of one delivery are given: one per synapse, or one for
 * all of them (shared) that excites or does not. A constant in each inlined
 * instance below, so the shared instances load no weights and inhibitory
 * ones skip the certificate bookkeeping altogether. */
enum { W_ARRAY, W_SHARED_EXCITE, W_SHARED_INHIBIT };

/* Synapses of one delivery taken at a time: the most neurons that can be
 * waiting for a new certificate. */
#define PENDING_MAX 256

/* Synapse q of a delivery: onto neuron j = its target q through term r, of
 * weight weight[q] (W_ARRAY) or w_shared. An excitatory input that uses up
 * j's margin leaves j needing a new certificate at t (the caller makes it,
 * see deliver_term): j is written to pending[np] either way, and np + 1 is
 * returned if it used up the margin, np if not. */
static inline __attribute__((always_inline)) size_t
synapse(evs_pop *pop, lif_state *s, lif_neuron *nr, double t, int r, int mode,
        double fr, double fm, double kmax, const void *target, int narrow,
        const float *weight, double w_shared, size_t q, uint32_t *pending,
        size_t np) {
  uint32_t j = evs__target(target, narrow, q);
  lif_neuron *n = &nr[j];
  if (__builtin_expect(n->t_safe < t, 0)) keep_status(s, advance(pop, s, j, t));
  /* after advance: a spike it finds may change a per-synapse weight */
  double w = mode == W_ARRAY ? weight[q] : w_shared;
  n->c[r] += w * fr;
  n->c[0] -= w * fm;
  if (mode == W_SHARED_INHIBIT)
    return np; /* inhibition keeps the certificate */
  if (mode == W_ARRAY && w <= 0) return np;
  n->margin -= w * kmax; /* a refractory neuron's stays REFRACTORY */
  pending[np] = j;
  return np + (n->margin <= 0);
}

/* The synapses of one delivery through term r; r and mode are constants in
 * each inlined instance (r 1: x_E, 2: x_I). Targets are fetched
 * PREFETCH_AHEAD synapses ahead. Whether an input used up a margin is not
 * predictable (about one excitatory input in five), so instead of a branch
 * per synapse the neurons concerned are listed without one and certified
 * after every PENDING_MAX synapses (so the list cannot overflow, and the
 * loops need no test for it): every input of the delivery arrives at t,
 * and a neuron's certificate depends on its own state only, so the
 * certificates are the same as when made at once. A neuron listed twice
 * (a multapse) is certified twice, the second time without change. */
static inline __attribute__((always_inline)) void
deliver_term(evs_pop *pop, lif_state *s, double t, const double e[3], int r,
             int mode, double fr, double fm, double kmax, const void *target,
             int narrow, const float *weight, double w_shared, size_t count) {
  lif_neuron *nr = s->nr; /* never reallocated */
  uint32_t pending[PENDING_MAX];
  /* the first targets at once (a fixed count unrolls, without a loop
   * branch to mispredict), the rest PREFETCH_AHEAD synapses ahead */
  if (count >= PREFETCH_AHEAD) {
    UNROLL(PREFETCH_AHEAD)
    for (size_t q = 0; q < PREFETCH_AHEAD; q++)
      __builtin_prefetch(&nr[evs__target(target, narrow, q)], 1);
  } else {
    UNROLL(4)
    for (size_t q = 0; q < count; q++)
      __builtin_prefetch(&nr[evs__target(target, narrow, q)], 1);
  }
  size_t ahead_end = count > PREFETCH_AHEAD ? count - PREFETCH_AHEAD : 0;
  for (size_t q = 0; q < count;) {
    size_t end = count - q > PENDING_MAX ? q + PENDING_MAX : count;
    size_t ahead = end < ahead_end ? end : ahead_end;
    size_t np = 0;
    for (; q < ahead; q++) {
      __builtin_prefetch(&nr[evs__target(target, narrow, q + PREFETCH_AHEAD)],
                         1);
      np = synapse(pop, s, nr, t, r, mode, fr, fm, kmax, target, narrow, weight,
                   w_shared, q, pending, np);
    }
    for (; q < end; q++)
      np = synapse(pop, s, nr, t, r, mode, fr, fm, kmax, target, narrow, weight,
                   w_shared, q, pending, np);
    for (size_t i = 0; i < np; i++) recertify(s, pending[i], t, e);
  }
}

/* deliver_term with the mode of the delivery's weights. */
static inline __attribute__((always_inline)) void
deliver_weights(evs_pop *pop, lif_state *s, double t, const double e[3], int r,
                double fr, double fm, double kmax, const void *target,
                int narrow, const float *weight, double w_shared,
                size_t count) {
  if (weight)
    deliver_term(pop, s, t, e, r, W_ARRAY, fr, fm, kmax, target, narrow, weight,
                 0, count);
  else if (w_shared > 0)
    deliver_term(pop, s, t, e, r, W_SHARED_EXCITE, fr, fm, kmax, target, narrow,
                 NULL, w_shared, count);
  else
    deliver_term(pop, s, t, e, r, W_SHARED_INHIBIT, fr, fm, kmax, target,
                 narrow, NULL, w_shared, count);
}

/* deliver and deliver16: targets 16-bit if narrow (a constant in each). */
static inline __attribute__((always_inline)) void
deliver_w(evs_pop *pop, double t, int receptor, const void *target, int narrow,
          const float *weight, float shared, size_t count) {
  lif_state *s = pop->state;
  double e[3];
  delivery_factors(pop, s, t, e);
  int r = 1 + receptor;              /* index of the receptor's term */
  double fr = s->k[receptor] / e[r]; /* adds to the receptor's coefficient */
  double fm = s->k[receptor] / e[0]; /* keeps v continuous */
  double kmax = s->kmax[receptor];
  if (r == 1)
    deliver_weights(pop, s, t, e, 1, fr, fm, kmax, target, narrow, weight,
                    shared, count);
  else
    deliver_weights(pop, s, t, e, 2, fr, fm, kmax, target, narrow, weight,
                    shared, count);
}

static void deliver(evs_pop *pop, double t, int receptor,
                    const uint32_t *target, const float *weight, float shared,
                    size_t count) {
  deliver_w(pop, t, receptor, target, 0, weight, shared, count);
}

static void deliver16(evs_pop *pop, double t, int receptor,
                      const uint16_t *target, const float *weight, float shared,
                      size_t count) {
  deliver_w(pop, t, receptor, target, 1, weight, shared, count);
}

/* Neurons of a delivery to come whose records prefetch() starts fetching:
 * the first ones deliver() waits for (deliver_term fetches the rest
 * PREFETCH_AHEAD synapses ahead while it runs). */
#define PREFETCH_NEXT 8

/* prefetch and prefetch16: targets 16-bit if narrow. */
static inline __attribute__((always_inline)) void
prefetch_w(const evs_pop *pop, const void *target, int narrow, size_t n) {
  const lif_neuron *nr = ((const lif_state *)pop->state)->nr;
  if (n >= PREFETCH_NEXT) /* a fixed count unrolls */
    for (size_t q = 0; q < PREFETCH_NEXT; q++)
      __builtin_prefetch(&nr[evs__target(target, narrow, q)], 1);
  else
    for (size_t q = 0; q < n; q++)
      __builtin_prefetch(&nr[evs__target(target, narrow, q)], 1);
}

static void prefetch(const evs_pop *pop, const uint32_t *target, size_t n) {
  prefetch_w(pop, target, 0, n);
}

static void prefetch16(const evs_pop *pop, const uint16_t *target, size_t n) {
  prefetch_w(pop, target, 1, n);
}

/* Calendar visit: look at neuron id up to the end of the window. */
static int visit(void *ctx, uint32_t id) {
  evs_pop *pop = ctx;
  lif_state *s = pop->state;
  lif_neuron *n = &s->nr[id];
  double end = s->window_end;
  if (n->t_safe < end) {
    /* Each term is monotone, so over the window u is at most its value at
     * the end with the positive terms taken back to the window's start. */
    double umax = n->drive;
    double a[3] = {n->c[0] * s->e_end[0], n->c[1] * s->e_end[1],
                   n->c[2] * s->e_end[2]};
    for (int k = 0; k < 3; k++) umax += a[k] > 0 ? a[k] * s->grow[k] : a[k];
    int rc;
    if (refractory(n) || umax >= 0 || (s->bg_next && s->bg_next[id] < end)) {
      if ((rc = advance(pop, s, id, end))) return rc;
    }
    if (!refractory(n) && n->t_safe < end) certify(s, n, end, s->e_end);
  }
  /* The run's last window may end early (at the run's end): nothing can be
   * filed before the calendar's next window. */
  return file_at(s, id, n->t_safe > s->next_start ? n->t_safe : s->next_start);
}

/* Moves the reference time to t, rescaling every coefficient. */
static void rebase(evs_pop *pop, lif_state *s, double t) {
  double e[3];
  decay_factors(s, t, e);
  for (uint32_t j = 0; j < pop->size; j++)
    for (int k = 0; k < 3; k++) s->nr[j].c[k] *= e[k];
  s->t0 = t;
}

static int tick(evs_pop *pop, double t) {
  lif_state *s = pop->state;
  if (s->status) return s->status;
  s->window_end = t;
  s->next_start = evs_cal_window_end(&s->cal, s->cal.current);
  decay_factors(s, t, s->e_end);
  int rc = evs_cal_drain(&s->cal, visit, pop);
  if (rc) return rc;
  if (t - s->t0 > s->rebase_span) rebase(pop, s, t);
  return EVS_OK;
}

int evs__lif_advance(evs_pop *pop, uint32_t j, double t) {
  return advance(pop, pop->state, j, t);
}

void evs__lif_recertify(lif_state *s, uint32_t j, double t, const double e[3]) {
  recertify(s, j, t, e);
}

void evs__lif_rebase(evs_pop *pop, double t) { rebase(pop, pop->state, t); }

void evs__lif_bg_catch_up(lif_state *s, uint32_t j, double a) {
  bg_catch_up(s, j, a);
}

void evs__lif_bg_draw(lif_state *s, uint32_t j, double t) { bg_draw(s, j, t); }

const evs_neuron_type evs__if_curr_exp = {
    .name = "IF_curr_exp",
    .kind = EVS_POP_EXACT,
    .params = evs__lif_params,
    .n_params = P_N_PARAMS,
    .weight_scale = evs__lif_weight_scale,
    .init = evs__lif_init,
    .destroy = evs__lif_destroy,
    .deliver = deliver,
    .prefetch = prefetch,
    .deliver16 = deliver16,
    .prefetch16 = prefetch16,
    .tick = tick,
    .peek = peek_spikes,
    .voltage = evs__lif_voltage,
    .voltages = evs__lif_voltages,
    .dc_scale = evs__lif_weight_scale,
    .sliceable = 1,
    .deliver_batch = PENDING_MAX,
    .inject = evs__lif_inject,
    .recordables = evs__lif_recordables,
    .n_recordables = 2,
    .state = evs__lif_state,
    .checkpoint = evs__lif_checkpoint,
    .check_change = evs__lif_check_change,
    .change = evs__lif_change,
};
