/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to the conductance types' vector steps (cond_step.h for
 * IF_cond_exp, cond_nmda_step.h for IF_cond_ampa_nmda): the pieces of
 * their loop bodies they share, as macros over the STEP_WAYS vectors
 * q = 0 .. STEP_WAYS - 1 of the including step's lanes (STEP_WAYS: the
 * includer's). They expand where the step has in scope its
 * vector types vd, vl, vu, its STEP_ANY_TOP, and the constant vectors
 * half (0.5), dt, t0v (t0), mag (every bit but the sign) and lim
 * (COND_XMAX's bits). Each lane does the scalar helpers' operations of
 * cond_math.h in their order (free_time, exp_neg_checked, exp_neg_poly),
 * so the bytes are theirs. */
#ifndef EVSNN_COND_VEC_H
#define EVSNN_COND_VEC_H

/* Each statement of a loop body for the STEP_WAYS vectors, one after the
 * other: their Horner chains of exp(-x) interleave, where one left the
 * processor waiting on its latency. */
#define COND_VEC_EACH(...)                                                     \
  do {                                                                         \
    for (int q = 0; q < STEP_WAYS; q++) {                                      \
      __VA_ARGS__;                                                             \
    }                                                                          \
  } while (0)

/* h[q] = free_time(u[q], t0, dt), relu(z) = (z + |z|) / 2 with |z| the
 * sign bit cleared. */
#define COND_VEC_FREE_TIME(h, u)                                               \
  do {                                                                         \
    vd r_[STEP_WAYS];                                                          \
    COND_VEC_EACH(r_[q] = (u)[q] - t0v);                                       \
    COND_VEC_EACH(r_[q] = half * (r_[q] + (vd)((vl)r_[q] & mag)));             \
    COND_VEC_EACH((h)[q] = dt - r_[q]);                                        \
    COND_VEC_EACH((h)[q] = half * ((h)[q] + (vd)((vl)(h)[q] & mag)));          \
  } while (0)

/* Nonzero when some lane of x[0 .. STEP_WAYS - 1] lies outside
 * [0, COND_XMAX] or is NaN (exp_neg_checked's test): the step then takes
 * the scalar path. */
#define COND_VEC_OUT_OF_RANGE(x)                                               \
  __extension__({                                                              \
    vu o_ = {0};                                                               \
    COND_VEC_EACH(o_ |= (lim - (vu)(x)[q]) | (vu)(x)[q]);                      \
    STEP_ANY_TOP(o_);                                                          \
  })

/* p[q] = exp_neg_poly(x[q]), Horner as there. */
#define COND_VEC_EXP_POLY(p, x)                                                \
  do {                                                                         \
    vd y_[STEP_WAYS];                                                          \
    COND_VEC_EACH(y_[q] = (x)[q] - 0.25);                                      \
    COND_VEC_EACH((p)[q] = y_[q] * 1.9345065693677845355090417e-05 +           \
                           -1.5482593791572832786669622e-04);                  \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 1.0816663293058213345804175e-03);  \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + -6.4899923673713624805436950e-03); \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 3.2450032657143100534025137e-02);  \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + -1.2980013075786056564453474e-01); \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 3.8940039153546379679937672e-01);  \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + -7.7880078307024969141991733e-01); \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 7.7880078307140532256624965e-01);  \
  } while (0)

/* p[q] = exp_neg_poly_f(x[q]) (cond_nmda_single.c), Horner as there. */
#define COND_VEC_EXP_POLY_F(p, x)                                              \
  do {                                                                         \
    vd y_[STEP_WAYS];                                                          \
    COND_VEC_EACH(y_[q] = (x)[q] - 0.25f);                                     \
    COND_VEC_EACH((p)[q] = y_[q] * -6.504507270e-03f + 3.255156800e-02f);      \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + -1.297997832e-01f);                \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 3.893980086e-01f);                 \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + -7.788007855e-01f);                \
    COND_VEC_EACH((p)[q] = (p)[q] * y_[q] + 7.788007855e-01f);                 \
  } while (0)

#endif
