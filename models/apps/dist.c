/* Random variables of traffic generators: payload sizes and on/off period
 * lengths, sampled from a caller's GSL stream, with closed-form moments
 * (see dist.h). */
#include <config.h>
#include "models/apps/dist.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "net/config.h"
#include "sim/time.h"

struct VnsDist {
    VnsDistKind kind;
    double a, b;                    /* parameters, see VnsDistKind */
    double *values;                 /* VNS_DIST_EMPIRICAL: owned */
    double *probs;                  /* and their probabilities, owned */
    size_t n_values;
    gsl_ran_discrete_t *table;      /* alias table of 'probs', owned */
};

/*
 * vns_dist_new:
 * A distribution of kind 'kind' (not VNS_DIST_EMPIRICAL) with parameters
 * 'a' and 'b' as VnsDistKind describes them. The parameters must be valid
 * (callers check input first): a bug otherwise. Returns an owned
 * distribution.
 */
VnsDist *
vns_dist_new(VnsDistKind kind, double a, double b)
{
    VnsDist *d = g_new0(VnsDist, 1);

    g_assert(kind != VNS_DIST_EMPIRICAL);
    g_assert(isfinite(a) && isfinite(b));
    switch (kind) {
    case VNS_DIST_FIXED:
        break;
    case VNS_DIST_UNIFORM:
    case VNS_DIST_UNIFORM_INT:
        g_assert(a <= b);
        break;
    case VNS_DIST_EXP:
        g_assert(a > 0);
        break;
    case VNS_DIST_EXP_INT:
        g_assert(a > 0 && b >= 1 && b == floor(b));
        break;
    case VNS_DIST_PARETO:
        g_assert(a > 0 && b > 1);
        break;
    case VNS_DIST_EMPIRICAL:
        break;
    }
    d->kind = kind;
    d->a = a;
    d->b = b;
    return d;
}

/*
 * vns_dist_new_empirical:
 * An empirical distribution from text "value:weight,value:weight,...":
 * each value an integer in [min_value, max_value], each weight a positive
 * number; weights are normalized to sum to 1. Errors (VNS_CONFIG_ERROR_
 * BAD_VALUE) say what is wrong without a file prefix. Returns an owned
 * distribution or NULL.
 */
VnsDist *
vns_dist_new_empirical(const char *text, double min_value, double max_value,
                       GError **error)
{
    g_auto(GStrv) items = g_strsplit(text, ",", -1);
    g_autoptr(VnsDist) d = g_new0(VnsDist, 1);
    size_t n = g_strv_length(items);
    double total = 0.0;

    d->kind = VNS_DIST_EMPIRICAL;
    if (n == 0 || *g_strstrip(items[0]) == '\0') {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                    "empty table, expected 'value:weight,value:weight,...'");
        return NULL;
    }
    d->values = g_new(double, n);
    d->probs = g_new(double, n);
    d->n_values = n;
    for (size_t i = 0; i < n; i++) {
        char *item = g_strstrip(items[i]);
        char *colon = strchr(item, ':');
        char *end = NULL;
        guint64 v;
        double w;

        if (colon == NULL) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "entry '%s' lacks ':', expected 'value:weight'", item);
            return NULL;
        }
        *colon = '\0';
        v = g_ascii_strtoull(item, &end, 10);
        if (!g_ascii_isdigit(item[0]) || *end != '\0' ||
            (double) v < min_value || (double) v > max_value) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "value '%s' is not an integer from %.0f to %.0f",
                        item, min_value, max_value);
            return NULL;
        }
        w = g_ascii_strtod(colon + 1, &end);
        if (end == colon + 1 || *end != '\0' || !isfinite(w) || w <= 0) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "weight '%s' of value %s is not a positive number",
                        colon + 1, item);
            return NULL;
        }
        d->values[i] = (double) v;
        d->probs[i] = w;
        total += w;
    }
    for (size_t i = 0; i < n; i++)
        d->probs[i] /= total;
    d->table = gsl_ran_discrete_preproc(n, d->probs);
    return g_steal_pointer(&d);
}

/* Reads a positive duration for a period distribution, in ps. */
static bool
dist_parse_time(const char *text, const char *what, double *out, GError **error)
{
    VnsTime t;
    GError *local = NULL;

    if (!vns_time_parse(text, &t, &local)) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                    "%s: %s", what, local->message);
        g_error_free(local);
        return false;
    }
    if (t <= 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                    "%s is zero, expected a positive duration", what);
        return false;
    }
    *out = (double) t;
    return true;
}

/*
 * vns_dist_parse_period:
 * Reads a period distribution: "10ms" (fixed), "exp:10ms" (exponential with
 * mean 10 ms), "pareto:10ms:1.5" (Pareto with mean 10 ms and shape 1.5,
 * which must exceed 1 for the mean to exist) or "uniform:5ms:15ms"
 * (uniform on [5 ms, 15 ms)). Values are in picoseconds. Errors
 * (VNS_CONFIG_ERROR_BAD_VALUE) carry no file prefix. Returns an owned
 * distribution or NULL.
 */
VnsDist *
vns_dist_parse_period(const char *text, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(text, ":", -1);
    guint n = g_strv_length(parts);
    double a, b;
    char *end = NULL;

    if (n == 0) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                    "empty period, expected 'DURATION', 'exp:MEAN', "
                    "'pareto:MEAN:SHAPE' or 'uniform:MIN:MAX'");
        return NULL;
    }
    if (n == 1) {
        if (!dist_parse_time(parts[0], "the period", &a, error))
            return NULL;
        return vns_dist_new(VNS_DIST_FIXED, a, 0);
    }
    if (strcmp(parts[0], "exp") == 0 && n == 2) {
        if (!dist_parse_time(parts[1], "the mean", &a, error))
            return NULL;
        return vns_dist_new(VNS_DIST_EXP, a, 0);
    }
    if (strcmp(parts[0], "pareto") == 0 && n == 3) {
        if (!dist_parse_time(parts[1], "the mean", &a, error))
            return NULL;
        b = g_ascii_strtod(parts[2], &end);
        if (end == parts[2] || *end != '\0' || !isfinite(b) || b <= 1.0) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "Pareto shape '%s', expected a number above 1 (the "
                        "mean is infinite otherwise)", parts[2]);
            return NULL;
        }
        return vns_dist_new(VNS_DIST_PARETO, a, b);
    }
    if (strcmp(parts[0], "uniform") == 0 && n == 3) {
        VnsTime lo;
        GError *local = NULL;
        if (!vns_time_parse(parts[1], &lo, &local)) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "the lower bound: %s", local->message);
            g_error_free(local);
            return NULL;
        }
        if (!dist_parse_time(parts[2], "the upper bound", &b, error))
            return NULL;
        a = (double) lo;
        if (a >= b) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                        "'%s': the lower bound is not below the upper bound",
                        text);
            return NULL;
        }
        return vns_dist_new(VNS_DIST_UNIFORM, a, b);
    }
    g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE,
                "'%s' is not a period, expected 'DURATION', 'exp:MEAN', "
                "'pareto:MEAN:SHAPE' or 'uniform:MIN:MAX'", text);
    return NULL;
}

/*
 * vns_dist_free:
 * Frees 'dist' and its tables; NULL does nothing.
 */
void
vns_dist_free(VnsDist *dist)
{
    if (dist == NULL)
        return;
    if (dist->table != NULL)
        gsl_ran_discrete_free(dist->table);
    g_free(dist->values);
    g_free(dist->probs);
    g_free(dist);
}

/*
 * vns_dist_kind:
 * The kind 'dist' was made with.
 */
VnsDistKind
vns_dist_kind(const VnsDist *dist)
{
    return dist->kind;
}

/* 1 - q^M for the truncated geometric, q = exp(-1/mean): computed with
 * expm1 to keep precision when M/mean is small. */
static double
dist_geo_mass(const VnsDist *d)
{
    return -expm1(-d->b / d->a);
}

/*
 * vns_dist_sample:
 * One sample drawn from 'rng'. Integer kinds return whole numbers.
 * VNS_DIST_EXP_INT inverts the truncated geometric's distribution function
 * P(K <= k) = (1 - q^k) / (1 - q^M), q = exp(-1/mean), so it uses exactly
 * one uniform variate per sample.
 */
double
vns_dist_sample(const VnsDist *dist, gsl_rng *rng)
{
    double k;

    switch (dist->kind) {
    case VNS_DIST_FIXED:
        return dist->a;
    case VNS_DIST_UNIFORM:
        return gsl_ran_flat(rng, dist->a, dist->b);
    case VNS_DIST_UNIFORM_INT:
        return dist->a + (double) gsl_rng_uniform_int(
            rng, (unsigned long) (dist->b - dist->a) + 1);
    case VNS_DIST_EXP:
        return gsl_ran_exponential(rng, dist->a);
    case VNS_DIST_EXP_INT:
        k = ceil(-dist->a * log1p(-gsl_rng_uniform(rng) * dist_geo_mass(dist)));
        return CLAMP(k, 1.0, dist->b);
    case VNS_DIST_PARETO:
        /* Scale x_m = mean (shape - 1) / shape gives the requested mean. */
        return gsl_ran_pareto(rng, dist->b, dist->a * (dist->b - 1) / dist->b);
    case VNS_DIST_EMPIRICAL:
        return dist->values[gsl_ran_discrete(rng, dist->table)];
    }
    g_assert_not_reached();
}

/* E[K] and E[K^2] of the truncated geometric on {1..M}, by summation (the
 * tests check them against the closed form). */
static void
dist_geo_moments(const VnsDist *d, double *m1, double *m2)
{
    double q = exp(-1.0 / d->a), p = 1.0, s0 = 0, s1 = 0, s2 = 0;

    for (double k = 1; k <= d->b; k++) {
        s0 += p;
        s1 += k * p;
        s2 += k * k * p;
        p *= q;
    }
    *m1 = s1 / s0;
    *m2 = s2 / s0;
}

/*
 * vns_dist_mean:
 * The distribution's mean.
 */
double
vns_dist_mean(const VnsDist *dist)
{
    double m1, m2, s = 0;

    switch (dist->kind) {
    case VNS_DIST_FIXED:
        return dist->a;
    case VNS_DIST_UNIFORM:
    case VNS_DIST_UNIFORM_INT:
        return (dist->a + dist->b) / 2;
    case VNS_DIST_EXP:
    case VNS_DIST_PARETO:
        return dist->a;
    case VNS_DIST_EXP_INT:
        dist_geo_moments(dist, &m1, &m2);
        return m1;
    case VNS_DIST_EMPIRICAL:
        for (size_t i = 0; i < dist->n_values; i++)
            s += dist->probs[i] * dist->values[i];
        return s;
    }
    g_assert_not_reached();
}

/*
 * vns_dist_variance:
 * The distribution's variance (infinite for a Pareto shape of 2 or less).
 */
double
vns_dist_variance(const VnsDist *dist)
{
    double m1, m2, n, xm, al, s = 0, mean;

    switch (dist->kind) {
    case VNS_DIST_FIXED:
        return 0;
    case VNS_DIST_UNIFORM:
        return (dist->b - dist->a) * (dist->b - dist->a) / 12;
    case VNS_DIST_UNIFORM_INT:
        n = dist->b - dist->a + 1;
        return (n * n - 1) / 12;
    case VNS_DIST_EXP:
        return dist->a * dist->a;
    case VNS_DIST_EXP_INT:
        dist_geo_moments(dist, &m1, &m2);
        return m2 - m1 * m1;
    case VNS_DIST_PARETO:
        al = dist->b;
        if (al <= 2)
            return INFINITY;
        xm = dist->a * (al - 1) / al;
        return xm * xm * al / ((al - 1) * (al - 1) * (al - 2));
    case VNS_DIST_EMPIRICAL:
        mean = vns_dist_mean(dist);
        for (size_t i = 0; i < dist->n_values; i++)
            s += dist->probs[i] * (dist->values[i] - mean) * (dist->values[i] - mean);
        return s;
    }
    g_assert_not_reached();
}

/*
 * vns_dist_max:
 * The largest value a sample can take (infinite when unbounded).
 */
double
vns_dist_max(const VnsDist *dist)
{
    double m = 0;

    switch (dist->kind) {
    case VNS_DIST_FIXED:
        return dist->a;
    case VNS_DIST_UNIFORM:
    case VNS_DIST_UNIFORM_INT:
    case VNS_DIST_EXP_INT:
        return dist->b;
    case VNS_DIST_EXP:
    case VNS_DIST_PARETO:
        return INFINITY;
    case VNS_DIST_EMPIRICAL:
        for (size_t i = 0; i < dist->n_values; i++)
            m = MAX(m, dist->values[i]);
        return m;
    }
    g_assert_not_reached();
}
