/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Prints the size of every public struct that the PyNN backend declares
 * again for cffi (python/pynn_evsnn/_capi.py) and the offset of each of its
 * fields, as the C compiler lays them out: "struct NAME SIZE" and
 * "field NAME.FIELD OFFSET" lines. tests/pynn_units.py compares them with
 * cffi's layout of its copies, which would otherwise drift silently from
 * the headers (a field added in C shifts what the library reads). */
#include <stddef.h>
#include <stdio.h>

#include <evsnn/current.h>
#include <evsnn/evsnn.h>

#define S(type) printf("struct %s %zu\n", #type, sizeof(type))
#define F(type, field)                                                         \
  printf("field %s.%s %zu\n", #type, #field, offsetof(type, field))

int main(void) {
  S(evs_error);
  F(evs_error, code);
  F(evs_error, line);
  F(evs_error, file);
  F(evs_error, msg);
  F(evs_error, about);
  F(evs_error, index);
  F(evs_error, key);
  S(evs_dist);
  F(evs_dist, kind);
  F(evs_dist, p);
  S(evs_conn_spec);
  F(evs_conn_spec, kind);
  F(evs_conn_spec, p);
  F(evs_conn_spec, n);
  F(evs_conn_spec, autapses);
  F(evs_conn_spec, multapses);
  F(evs_conn_spec, path);
  F(evs_conn_spec, weight);
  F(evs_conn_spec, delay);
  F(evs_conn_spec, delay_step);
  F(evs_conn_spec, seed);
  F(evs_conn_spec, stream);
  F(evs_conn_spec, same_population);
  S(evs_csr);
  F(evs_csr, n_pre);
  F(evs_csr, n_post);
  F(evs_csr, nnz);
  F(evs_csr, row_ptr);
  F(evs_csr, target);
  F(evs_csr, weight);
  F(evs_csr, weight_shared);
  F(evs_csr, delay_step);
  F(evs_csr, const_delay);
  F(evs_csr, grp_ptr);
  F(evs_csr, grp_delay);
  F(evs_csr, grp_end);
  F(evs_csr, min_delay);
  F(evs_csr, max_delay);
  F(evs_csr, post_ptr);
  F(evs_csr, post_pos);
  F(evs_csr, post_pre);
  S(evs_run_opts);
  F(evs_run_opts, duration);
  F(evs_run_opts, outdir);
  F(evs_run_opts, model_name);
  F(evs_run_opts, progress);
  F(evs_run_opts, progress_interval);
  F(evs_run_opts, interrupt);
  F(evs_run_opts, threads);
  S(evs_event);
  F(evs_event, t);
  F(evs_event, seq);
  F(evs_event, kind);
  F(evs_event, source);
  F(evs_event, owner);
  F(evs_event, arg);
  S(evs_spike);
  F(evs_spike, t);
  F(evs_spike, id);
  S(evs_param_def);
  F(evs_param_def, name);
  F(evs_param_def, dim);
  F(evs_param_def, def);
  F(evs_param_def, flags);
  F(evs_param_def, doc);
  S(evs_plugin_type);
  F(evs_plugin_type, name);
  F(evs_plugin_type, build);
  F(evs_plugin_type, start);
  F(evs_plugin_type, clock);
  F(evs_plugin_type, spikes);
  F(evs_plugin_type, finish);
  F(evs_plugin_type, destroy);
  F(evs_plugin_type, summary_columns);
  F(evs_plugin_type, summary);
  F(evs_plugin_type, checkpoint);
  S(evs_current_spec);
  F(evs_current_spec, kind);
  F(evs_current_spec, start);
  F(evs_current_spec, stop);
  F(evs_current_spec, amplitude);
  F(evs_current_spec, offset);
  F(evs_current_spec, frequency);
  F(evs_current_spec, phase);
  F(evs_current_spec, mean);
  F(evs_current_spec, stdev);
  F(evs_current_spec, dt);
  F(evs_current_spec, times);
  F(evs_current_spec, amplitudes);
  F(evs_current_spec, n_steps);
  S(evs_superspike_spec);
  F(evs_superspike_spec, output);
  F(evs_superspike_spec, target);
  F(evs_superspike_spec, target_period);
  F(evs_superspike_spec, trial);
  F(evs_superspike_spec, dt);
  F(evs_superspike_spec, update);
  F(evs_superspike_spec, r0);
  F(evs_superspike_spec, r0_decay_time);
  F(evs_superspike_spec, r0_decay);
  F(evs_superspike_spec, r0_decay_period);
  F(evs_superspike_spec, burn_in);
  F(evs_superspike_spec, tau_rms);
  F(evs_superspike_spec, eps);
  F(evs_superspike_spec, tau_rise);
  F(evs_superspike_spec, tau_decay);
  F(evs_superspike_spec, psp_rise);
  F(evs_superspike_spec, psp_decay);
  F(evs_superspike_spec, beta);
  F(evs_superspike_spec, u_floor);
  F(evs_superspike_spec, feedback);
  F(evs_superspike_spec, rho);
  F(evs_superspike_spec, tau_z);
  F(evs_superspike_spec, tolerance);
  F(evs_superspike_spec, class_accuracy);
  F(evs_superspike_spec, per_tick);
  F(evs_superspike_spec, record_trials);
  F(evs_superspike_spec, n_record_trials);
  return 0;
}
