/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to lif_grid.c: steps 1 and 2 of IF_curr_exp_grid's step
 * in vectors of STEP_LANES neurons, compiled for the target STEP_TARGET
 * into the function STEP_NAME. lif_grid.c includes this file once for each
 * width it offers (2 lanes on any x86-64, 4 with AVX2, 8 with AVX-512) and
 * picks the widest the processor has; each neuron's arithmetic is the
 * scalar formula's in its order whatever the width (ISO C: no fused
 * multiply-add), so the widths give the same bytes.
 *
 * STEP_NAME(s, j0, j1, with_bg, shift, pending, re, ri) runs the neurons
 * [j0, j1) (j0 and j1 multiples of STEP_LANES: the arrays are padded with
 * neurons at v = -inf, which stay there and never reach threshold), with
 * the background count of byte shift / 8 of bg[j] when with_bg, the
 * pending inputs p (then cleared) when pending (else p is all +0 and is
 * neither read nor written: the sums start from +0 all the same) and the
 * ring slots re and ri (then cleared) when re is not NULL, and returns 1 if
 * some lane reached threshold, else 0. The refractory test is a selection
 * by masks. (The compiler does not vectorise the scalar loop: with
 * -ftrapping-math it will not compute the new potential of a refractory
 * neuron.) */

#define STEP_CAT_(a, b) a##b
#define STEP_CAT(a, b) STEP_CAT_(a, b)
#define STEP_BODY STEP_CAT(STEP_NAME, _body)

STEP_TARGET static inline int STEP_BODY(grid_state *restrict s, size_t j0,
                                        size_t j1, int with_bg, int shift,
                                        int pending, int with_ring,
                                        double *restrict re,
                                        double *restrict ri) {
  typedef double vd __attribute__((vector_size(STEP_LANES * sizeof(double))));
  typedef int64_t vl __attribute__((vector_size(STEP_LANES * sizeof(int64_t))));
  typedef int32_t vi __attribute__((vector_size(STEP_LANES * sizeof(int32_t))));
  vl reached = {0}; /* lanes where some neuron is at or above threshold */
  const double p22 = s->p22, p11e = s->p11[0], p11i = s->p11[1];
  const double p21e = s->p21[0], p21i = s->p21[1], w_bg = s->w_bg;
  for (size_t j = j0; j < j1; j += STEP_LANES) {
    vd v, v_inf, xe, xi, in_e = {0}, in_i = {0}, ref;
    VEC_LOAD(v, s->v + j);
    VEC_LOAD(v_inf, s->v_inf + j);
    VEC_LOAD(xe, s->x[0] + j);
    VEC_LOAD(xi, s->x[1] + j);
    if (pending) {
      VEC_LOAD(in_e, s->p[0] + j);
      VEC_LOAD(in_i, s->p[1] + j);
      VEC_STORE(s->p[0] + j, (vd){0});
      VEC_STORE(s->p[1] + j, (vd){0});
    }
    VEC_LOAD(ref, s->ref + j);
    /* 1. the potential, unless refractory (then one step less) */
    vd vn = v_inf + (v - v_inf) * p22 + p21e * xe + p21i * xi;
    vl free = ref == 0;
    const vd one = (vd){0} + 1.0;
    v = (vd)(((vl)vn & free) | ((vl)v & ~free));
    VEC_STORE(s->v + j, v);
    reached |= v >= s->v_thresh;
    VEC_STORE(s->ref + j, ref - (vd)((vl)one & ~free));
    /* 2. the synaptic terms take the step's inputs */
    if (with_ring) {
      vd ae, ai;
      VEC_LOAD(ae, re + j);
      VEC_LOAD(ai, ri + j);
      in_e += ae;
      in_i += ai;
      VEC_STORE(re + j, (vd){0});
      VEC_STORE(ri + j, (vd){0});
    }
    if (with_bg) {
      vi c;
      VEC_LOAD(c, s->bg + j);
      in_e += w_bg * __builtin_convertvector((c >> shift) & 0xff, vd);
    }
    vd a = xe * p11e + in_e, b = xi * p11i + in_i;
    /* A synaptic term left alone decays into subnormal numbers (after
     * ~3,500 steps at tau_syn = 0.5 ms), where every operation costs ~100
     * times more: the DC-driven microcircuit ran 6 times slower than the
     * Poisson-driven one. Below X_TINY a term moves v by less than half an
     * ulp of any potential above 1 uV, so setting it to 0 changes nothing. */
    const vl sign = (vl){0} + INT64_MIN;
    VEC_STORE(s->x[0] + j, (vd)((vl)a & ~((vd)((vl)a & ~sign) < X_TINY)));
    VEC_STORE(s->x[1] + j, (vd)((vl)b & ~((vd)((vl)b & ~sign) < X_TINY)));
  }
  for (int l = 0; l < STEP_LANES; l++)
    if (reached[l]) return 1;
  return 0;
}

/* The eight cases, each with its flags constant in the loop. */
STEP_TARGET static int STEP_NAME(grid_state *restrict s, size_t j0, size_t j1,
                                 int with_bg, int shift, int pending,
                                 double *restrict re, double *restrict ri) {
  if (pending) {
    if (re)
      return with_bg ? STEP_BODY(s, j0, j1, 1, shift, 1, 1, re, ri)
                     : STEP_BODY(s, j0, j1, 0, 0, 1, 1, re, ri);
    return with_bg ? STEP_BODY(s, j0, j1, 1, shift, 1, 0, NULL, NULL)
                   : STEP_BODY(s, j0, j1, 0, 0, 1, 0, NULL, NULL);
  }
  if (re)
    return with_bg ? STEP_BODY(s, j0, j1, 1, shift, 0, 1, re, ri)
                   : STEP_BODY(s, j0, j1, 0, 0, 0, 1, re, ri);
  return with_bg ? STEP_BODY(s, j0, j1, 1, shift, 0, 0, NULL, NULL)
                 : STEP_BODY(s, j0, j1, 0, 0, 0, 0, NULL, NULL);
}

#undef STEP_BODY
#undef STEP_CAT
#undef STEP_CAT_
#undef STEP_NAME
#undef STEP_LANES
#undef STEP_TARGET
