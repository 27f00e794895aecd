/* Random variables of traffic generators: payload sizes (whole bytes) and
 * on/off period lengths (picoseconds), each with a closed-form mean.
 *
 * Sizes are integer-valued: a fixed size, a uniform integer in [min, max],
 * an exponential rounded up to whole bytes and truncated at max (a
 * truncated geometric distribution), or an empirical table of values and
 * weights. Periods are real-valued: fixed, uniform, exponential or Pareto.
 * doc/models/traffic.md states every definition. */
#ifndef VNS_DIST_H
#define VNS_DIST_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gsl/gsl_rng.h>

typedef enum {
    VNS_DIST_FIXED,         /* always 'a' */
    VNS_DIST_UNIFORM,       /* real, uniform on [a, b) */
    VNS_DIST_UNIFORM_INT,   /* integer, uniform on {a, ..., b} */
    VNS_DIST_EXP,           /* real, exponential with mean a */
    VNS_DIST_EXP_INT,       /* integer, ceil(Exp(mean a)) given <= b */
    VNS_DIST_PARETO,        /* real, Pareto with mean a and shape b > 1 */
    VNS_DIST_EMPIRICAL,     /* values[i] with probability weights[i] */
} VnsDistKind;

typedef struct VnsDist VnsDist;

VnsDist *vns_dist_new(VnsDistKind kind, double a, double b);
VnsDist *vns_dist_new_empirical(const char *text, double min_value,
                                double max_value, GError **error);
VnsDist *vns_dist_parse_period(const char *text, GError **error);
void vns_dist_free(VnsDist *dist);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsDist, vns_dist_free)

VnsDistKind vns_dist_kind(const VnsDist *dist);
double vns_dist_sample(const VnsDist *dist, gsl_rng *rng);
double vns_dist_mean(const VnsDist *dist);
double vns_dist_variance(const VnsDist *dist);
double vns_dist_max(const VnsDist *dist);

#endif
