/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — checkpoints of an object held in parts (io/checkpoint.h): a
 * threaded run's population slices, a projection's per-thread rule
 * instances and filters. Each part's hook is walked on a stream of its own
 * that records its calls; saving writes them as the whole object's hook
 * would on one thread (per-element arrays joined, counters summed, flags
 * or'ed, the rest checked to be the same and written once), loading reads
 * them through the first part's walk and replays them for the others, each
 * part taking its share. So the file does not depend on the number of
 * threads that wrote it or will read it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint_impl.h"

/* One recorded call: its kind, its elements and their bytes (saving: the
 * part's; loading: the whole object's). */
typedef struct op {
  int kind;
  size_t n, elem;
  unsigned char *data;
} op;

struct evs_ckpt_ops {
  op *op;
  size_t n, cap;
};

static void ops_free(struct evs_ckpt_ops *o) {
  for (size_t i = 0; o && i < o->n; i++) free(o->op[i].data);
  if (o) free(o->op);
  free(o);
}

/* Appends a call of kind with n elements of elem bytes, its data a copy
 * of p (NULL: zeroed) or, with own set, p itself (taken). NULL when out of
 * memory. */
static op *record(evs_ckpt *ck, int kind, const void *p, size_t n, size_t elem,
                  int own) {
  struct evs_ckpt_ops *o = ck->ops;
  if (o->n == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 16;
    op *q = realloc(o->op, cap * sizeof *q);
    if (!q) return NULL;
    o->op = q;
    o->cap = cap;
  }
  op *r = &o->op[o->n];
  *r = (op){.kind = kind, .n = n, .elem = elem};
  if (own) {
    r->data = (void *)p;
  } else {
    size_t bytes = n * elem;
    if (!(r->data = malloc(bytes ? bytes : 1))) return NULL;
    if (p) memcpy(r->data, p, bytes);
  }
  o->n++;
  return r;
}

static int nomem(evs_ckpt *ck) {
  return evs__ckpt_fail(ck, EVS_ENOMEM, "out of memory in a checkpoint");
}

/* The elements of the whole object that a call of kind reads when it has
 * n in part k's walk. */
static size_t whole_count(const evs_ckpt_parts *ps, int kind, size_t n) {
  switch (kind) {
  case EVS_CKOP_NEURONS: return ps->whole;
  case EVS_CKOP_SYNAPSES: return (size_t)ps->synapses;
  default: return n;
  }
}

/* Checks that a per-element call of part k fits the parts' map. */
static int fits(evs_ckpt *ck, int kind, size_t n) {
  const evs_ckpt_parts *ps = ck->parts;
  int ok = 1;
  switch (kind) {
  case EVS_CKOP_NEURONS: ok = ps->size && n == ps->size[ck->part]; break;
  case EVS_CKOP_ROWS: ok = ps->row_part && n == ps->rows; break;
  case EVS_CKOP_GROUPS: ok = ps->grp_part && n == ps->groups; break;
  case EVS_CKOP_SYNAPSES: ok = ps->syn_part != NULL; break;
  default: break;
  }
  if (ok) return EVS_OK;
  return evs_ckpt_refuse(ck,
                         "%s: an array of %zu elements that does not match "
                         "its threads' parts",
                         ps->what, n);
}

/* Part k's share of the whole call r, into p (n elements). */
static void deal(const evs_ckpt *ck, const op *r, void *p, size_t n) {
  const evs_ckpt_parts *ps = ck->parts;
  const size_t e = r->elem;
  switch (r->kind) {
  case EVS_CKOP_NEURONS:
    memcpy(p, r->data + (size_t)ps->first[ck->part] * e, n * e);
    break;
  case EVS_CKOP_SYNAPSES:
    for (uint64_t q = 0; q < ps->synapses; q++)
      if (ps->syn_part[q] == ck->part && ps->syn_at[q] < n)
        memcpy((unsigned char *)p + ps->syn_at[q] * e, r->data + q * e, e);
    break;
  case EVS_CKOP_COUNT: {
    uint64_t c = 0;
    if (ck->part == 0) memcpy(&c, r->data, sizeof c);
    memcpy(p, &c, sizeof c);
    break;
  }
  default: memcpy(p, r->data, n * e); break;
  }
}

/* Reads call kind's whole data from the file's stream (EVS_CK_SPLIT). */
static int read_whole(evs_ckpt *ck, int kind, size_t n, size_t elem,
                      unsigned char *buf) {
  evs_ckpt *f = ck->parent;
  switch (kind) {
  case EVS_CKOP_BYTES:
  case EVS_CKOP_COUNT:
  case EVS_CKOP_ANY: return evs_ckpt_bytes(f, buf, n * elem);
  default: return evs_ckpt_fixed(f, buf, n, elem);
  }
}

int evs__ckpt_part_op(evs_ckpt *ck, int kind, void *p, size_t n, size_t elem) {
  if (ck->status) return ck->status;
  if (kind >= EVS_CKOP_NEURONS && kind <= EVS_CKOP_SYNAPSES &&
      fits(ck, kind, n))
    return ck->status;
  if (ck->mode == EVS_CK_CAPTURE)
    return record(ck, kind, p, n, elem, 0) ? EVS_OK : nomem(ck);
  const op *r;
  if (ck->mode == EVS_CK_SPLIT) {
    size_t whole = whole_count(ck->parts, kind, n);
    op *w = record(ck, kind, NULL, whole, elem, 0);
    if (!w) return nomem(ck);
    if (read_whole(ck, kind, whole, elem, w->data)) {
      ck->status = ck->parent->status;
      return ck->status;
    }
    r = w;
  } else { /* EVS_CK_REPLAY */
    if (ck->cursor >= ck->ops->n)
      return evs_ckpt_refuse(ck, "%s: its threads' parts walk differently",
                             ck->parts->what);
    r = &ck->ops->op[ck->cursor++];
    if (r->kind != kind || r->elem != elem ||
        (kind <= EVS_CKOP_FIXED && r->n != n))
      return evs_ckpt_refuse(ck, "%s: its threads' parts walk differently",
                             ck->parts->what);
  }
  deal(ck, r, p, n);
  return EVS_OK;
}

int evs__ckpt_part_array(evs_ckpt *ck, void **p, size_t *n, size_t *cap,
                         size_t elem) {
  if (ck->status) return ck->status;
  if (ck->mode == EVS_CK_CAPTURE)
    return record(ck, EVS_CKOP_ARRAY, *p, *n, elem, 0) ? EVS_OK : nomem(ck);
  const op *r;
  if (ck->mode == EVS_CK_SPLIT) {
    void *buf = NULL;
    size_t m = 0;
    if (evs_ckpt_array(ck->parent, &buf, &m, NULL, elem)) {
      free(buf);
      return ck->status = ck->parent->status;
    }
    if (!(r = record(ck, EVS_CKOP_ARRAY, buf, m, elem, 1))) {
      free(buf);
      return nomem(ck);
    }
  } else {
    if (ck->cursor >= ck->ops->n ||
        ck->ops->op[ck->cursor].kind != EVS_CKOP_ARRAY ||
        ck->ops->op[ck->cursor].elem != elem)
      return evs_ckpt_refuse(ck, "%s: its threads' parts walk differently",
                             ck->parts->what);
    r = &ck->ops->op[ck->cursor++];
  }
  void *q = malloc(r->n ? r->n * elem : 1);
  if (!q) return nomem(ck);
  memcpy(q, r->data, r->n * elem);
  free(*p);
  *p = q;
  *n = r->n;
  if (cap) *cap = r->n ? r->n : 1;
  return EVS_OK;
}

/* A stream for part k of parts in mode, errors into ck's. */
static evs_ckpt sub_stream(evs_ckpt *ck, const evs_ckpt_parts *parts,
                           uint32_t k, evs_ck_mode mode,
                           struct evs_ckpt_ops *ops) {
  evs_ckpt s;
  memset(&s, 0, sizeof s);
  s.mode = mode;
  s.ops = ops;
  s.parent = ck;
  s.parts = parts;
  s.part = k;
  s.loading = mode != EVS_CK_CAPTURE;
  s.err = ck->err;
  s.path = ck->path;
  return s;
}

/* Writes the recorded calls of every part as one (evs__ckpt_gather). */
static int write_joined(evs_ckpt *ck, const evs_ckpt_parts *ps,
                        struct evs_ckpt_ops **cap) {
  for (uint32_t k = 1; k < ps->n; k++)
    if (cap[k]->n != cap[0]->n)
      return evs_ckpt_refuse(ck, "%s: its threads' parts walk differently",
                             ps->what);
  for (size_t i = 0; i < cap[0]->n && !ck->status; i++) {
    const op *o0 = &cap[0]->op[i];
    const size_t e = o0->elem;
    for (uint32_t k = 1; k < ps->n; k++) {
      const op *o = &cap[k]->op[i];
      if (o->kind != o0->kind || o->elem != e ||
          (o0->kind <= EVS_CKOP_ARRAY &&
           (o->n != o0->n || memcmp(o->data, o0->data, o->n * e) != 0)))
        return evs_ckpt_refuse(ck,
                               "%s: its threads hold different values where "
                               "one thread holds one (item %zu of its state)",
                               ps->what, i + 1);
    }
    switch (o0->kind) {
    case EVS_CKOP_BYTES: evs_ckpt_bytes(ck, o0->data, o0->n * e); continue;
    case EVS_CKOP_FIXED: evs_ckpt_fixed(ck, o0->data, o0->n, e); continue;
    case EVS_CKOP_ARRAY: {
      void *d = o0->data;
      size_t n = o0->n;
      evs_ckpt_array(ck, &d, &n, NULL, e);
      continue;
    }
    case EVS_CKOP_COUNT: {
      uint64_t sum = 0, c;
      for (uint32_t k = 0; k < ps->n; k++) {
        memcpy(&c, cap[k]->op[i].data, sizeof c);
        sum += c;
      }
      evs_ckpt_bytes(ck, &sum, sizeof sum);
      continue;
    }
    case EVS_CKOP_ANY: {
      int any = 0, f;
      for (uint32_t k = 0; k < ps->n; k++) {
        memcpy(&f, cap[k]->op[i].data, sizeof f);
        any |= f != 0;
      }
      evs_ckpt_bytes(ck, &any, sizeof any);
      continue;
    }
    default: break;
    }
    /* a per-element array: the whole object's from the parts' */
    size_t whole = whole_count(ps, o0->kind, o0->n);
    unsigned char *buf = malloc(whole ? whole * e : 1);
    if (!buf) return nomem(ck);
    for (size_t j = 0; j < whole; j++) {
      uint32_t k;
      size_t at = j;
      switch (o0->kind) {
      case EVS_CKOP_NEURONS:
        for (k = 0; k + 1 < ps->n && j >= (size_t)ps->first[k + 1]; k++) {
        }
        at = j - ps->first[k];
        break;
      case EVS_CKOP_ROWS: k = ps->row_part[j]; break;
      case EVS_CKOP_GROUPS: k = ps->grp_part[j]; break;
      default:
        k = ps->syn_part[j];
        at = (size_t)ps->syn_at[j];
        break;
      }
      if (k >= ps->n || at >= cap[k]->op[i].n) {
        free(buf);
        return evs_ckpt_refuse(ck, "%s: an element outside its threads' parts",
                               ps->what);
      }
      memcpy(buf + j * e, cap[k]->op[i].data + at * e, e);
    }
    evs_ckpt_fixed(ck, buf, whole, e);
    free(buf);
  }
  return ck->status;
}

int evs__ckpt_gather(evs_ckpt *ck, const evs_ckpt_parts *parts,
                     evs_ckpt_part_hook hook, void *ctx) {
  if (ck->status) return ck->status;
  struct evs_ckpt_ops **cap = calloc(parts->n ? parts->n : 1, sizeof *cap);
  if (!cap) return nomem(ck);
  for (uint32_t k = 0; k < parts->n && !ck->status; k++) {
    if (!(cap[k] = calloc(1, sizeof *cap[k]))) {
      nomem(ck);
      break;
    }
    evs_ckpt s = sub_stream(ck, parts, k, EVS_CK_CAPTURE, cap[k]);
    hook(ctx, k, &s);
    if (s.status) ck->status = s.status; /* its message is in ck->err */
  }
  if (!ck->status && parts->n) write_joined(ck, parts, cap);
  for (uint32_t k = 0; k < parts->n; k++) ops_free(cap[k]);
  free(cap);
  return ck->status;
}

int evs__ckpt_scatter(evs_ckpt *ck, const evs_ckpt_parts *parts,
                      evs_ckpt_part_hook hook, void *ctx) {
  if (ck->status || parts->n == 0) return ck->status;
  struct evs_ckpt_ops *ops = calloc(1, sizeof *ops);
  if (!ops) return nomem(ck);
  for (uint32_t k = 0; k < parts->n && !ck->status; k++) {
    evs_ckpt s =
        sub_stream(ck, parts, k, k ? EVS_CK_REPLAY : EVS_CK_SPLIT, ops);
    hook(ctx, k, &s);
    if (!s.status && k && s.cursor != ops->n)
      evs_ckpt_refuse(&s, "%s: its threads' parts walk differently",
                      parts->what);
    if (s.status && !ck->status) ck->status = s.status;
  }
  ops_free(ops);
  return ck->status;
}
