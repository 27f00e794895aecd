/* Tests of the log-linear histogram: bucket layout, exact summaries,
 * quantiles of known distributions and of the same samples sorted, merge,
 * reset, and the gnuplot text. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#ifdef HAVE_MALLINFO2
#include <malloc.h>
#endif
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "stats/histogram.h"
#include "stats/stats.h"

#define N_SAMPLES 1000000

/* Quantile levels checked against the sorted samples: the usual report
 * levels plus both ends and a fine sweep (added in the loop). */
static const double levels[] = {
    0.0, 1e-6, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999,
    0.99999, 1.0,
};

static int
compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

    return (x > y) - (x < y);
}

/* The sample quantile the histogram estimates: x_r of the sorted samples,
 * r = max(1, ceil(q * n)). */
static uint64_t
sorted_quantile(const uint64_t *sorted, size_t n, double q)
{
    double r = ceil(q * (double) n);
    size_t rank = r < 1.0 ? 1 : (size_t) r;

    return sorted[(rank > n ? n : rank) - 1];
}

/* Samples of an exponential distribution with mean 'mean_ps', rounded to
 * whole picoseconds. */
static uint64_t *
draw_exponential(size_t n, double mean_ps, unsigned long seed)
{
    uint64_t *x = g_new(uint64_t, n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (uint64_t) llround(gsl_ran_exponential(rng, mean_ps));
    gsl_rng_free(rng);
    return x;
}

/* Samples of a uniform distribution on [0, width_ps), floored to whole
 * picoseconds. */
static uint64_t *
draw_uniform(size_t n, double width_ps, unsigned long seed)
{
    uint64_t *x = g_new(uint64_t, n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (uint64_t) floor(gsl_rng_uniform(rng) * width_ps);
    gsl_rng_free(rng);
    return x;
}

/* Samples spread over the whole uint64 range: a random 64-bit word shifted
 * right by a random 0..63 bits, so every binade gets samples, including
 * those above 2^53 where doubles no longer hold every integer. */
static uint64_t *
draw_all_binades(size_t n, unsigned long seed)
{
    uint64_t *x = g_new(uint64_t, n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        uint64_t hi = gsl_rng_get(rng);
        uint64_t lo = gsl_rng_get(rng);

        x[i] = ((hi << 32) | lo) >> gsl_rng_uniform_int(rng, 64);
    }
    gsl_rng_free(rng);
    return x;
}

static VnsHistogram *
histogram_of(const uint64_t *x, size_t n, unsigned bits)
{
    VnsHistogram *h = vns_histogram_new(bits, NULL);

    cr_assert_not_null(h);
    for (size_t i = 0; i < n; i++)
        vns_histogram_record(h, x[i]);
    return h;
}

/* Checks the estimate at level q against the exact quantile of the sorted
 * samples: the error must be within the stated bound, with no slack. */
static void
check_against_sorted(const VnsHistogram *h, const uint64_t *sorted, size_t n,
                     double q)
{
    double bound = vns_histogram_relative_error(h);
    double exact = (double) sorted_quantile(sorted, n, q);
    double est = vns_histogram_quantile(h, q);

    cr_assert(fabs(est - exact) <= bound * exact,
              "q %.6g: estimate %.17g, exact %.17g, bound %g", q, est, exact,
              bound);
}

static void
check_all_levels(const uint64_t *x, size_t n, unsigned bits)
{
    g_autoptr(VnsHistogram) h = histogram_of(x, n, bits);
    uint64_t *sorted = g_memdup2(x, n * sizeof(uint64_t));

    qsort(sorted, n, sizeof(uint64_t), compare_u64);
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
        check_against_sorted(h, sorted, n, levels[i]);
    for (int i = 0; i <= 1000; i++)
        check_against_sorted(h, sorted, n, i / 1000.0);
    cr_assert_eq(vns_histogram_min(h), sorted[0]);
    cr_assert_eq(vns_histogram_max(h), sorted[n - 1]);
    g_free(sorted);
}

Test(histogram, rejects_out_of_range_precision)
{
    g_autoptr(GError) error = NULL;
    VnsHistogram *h = vns_histogram_new(0, &error);

    cr_assert_null(h);
    cr_assert(g_error_matches(error, VNS_STATS_ERROR, VNS_STATS_ERROR_RANGE));
    g_clear_error(&error);
    h = vns_histogram_new(VNS_HISTOGRAM_MAX_BITS + 1, &error);
    cr_assert_null(h);
    cr_assert(g_error_matches(error, VNS_STATS_ERROR, VNS_STATS_ERROR_RANGE));
    vns_histogram_free(NULL);
}

Test(histogram, states_its_error_bound)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(VNS_HISTOGRAM_DEFAULT_BITS,
                                                  NULL);
    g_autoptr(VnsHistogram) h3 = vns_histogram_new(3, NULL);

    /* k = 7: 2^-(7+1) = 1/256 = 0.00390625. k = 3: 1/16. */
    cr_assert_eq(vns_histogram_sub_bucket_bits(h), 7);
    cr_assert_eq(vns_histogram_relative_error(h), 0.00390625);
    cr_assert_eq(vns_histogram_relative_error(h3), 0.0625);
}

/* The bucket width that histogram.h specifies for value v with k bits: 1
 * below 2^(k+1), else 2^(e-k) with e = floor(log2 v). */
static uint64_t
spec_width(uint64_t v, unsigned k)
{
    int e;

    if (v < (UINT64_C(2) << k))
        return 1;
    for (e = 63; (v >> e) == 0; e--)
        ;
    return UINT64_C(1) << (e - (int) k);
}

Test(histogram, buckets_tile_uint64_as_specified)
{
    const unsigned bits[] = { 1, 3, 7, 14 };

    for (size_t b = 0; b < G_N_ELEMENTS(bits); b++) {
        unsigned k = bits[b];
        g_autoptr(VnsHistogram) h = vns_histogram_new(k, NULL);
        VnsHistogramIter it;
        VnsHistogramBucket bk;
        uint64_t v, n_buckets = 0;

        /* Record the first and last value of every specified bucket, from 0
         * up to 2^64 - 1. */
        for (v = 0;; v += spec_width(v, k)) {
            uint64_t last = v + (spec_width(v, k) - 1);

            vns_histogram_record(h, v);
            vns_histogram_record(h, last);
            if (last == UINT64_MAX)
                break;
        }
        /* Each bucket must then hold exactly those two samples: the
         * buckets are the specified ones, in order, with no gap. */
        vns_histogram_iter_init(&it, h);
        v = 0;
        while (vns_histogram_iter_next(&it, &bk)) {
            uint64_t width = spec_width(v, k);

            cr_assert_eq(bk.lo, v, "k %u bucket %" G_GUINT64_FORMAT, k,
                         n_buckets);
            cr_assert_eq(bk.hi, v + (width - 1));
            cr_assert_eq(bk.count, 2);
            /* The width that bounds the error: at most 2^-k of lo. */
            cr_assert(width == 1 || (bk.lo >> k) >= width);
            n_buckets++;
            v = bk.hi + 1;
        }
        cr_assert_eq(v, 0, "the last bucket must end at 2^64 - 1");
        /* (65 - k) 2^k buckets, as histogram.c counts them. */
        cr_assert_eq(n_buckets, (uint64_t) (65 - k) << k);
    }
}

Test(histogram, small_values_are_exact)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(7, NULL);

    /* Below 2^(7+1) = 256 every value has its own bucket: with 0..255 each
     * recorded once, Q(q) = x_r = r - 1 with r = max(1, ceil(256 q)). */
    for (uint64_t v = 0; v < 256; v++)
        vns_histogram_record(h, v);
    for (int i = 0; i <= 256; i++) {
        double q = i / 256.0;
        double r = fmax(1.0, ceil(q * 256.0));

        cr_assert_eq(vns_histogram_quantile(h, q), r - 1.0, "q %g", q);
    }
}

Test(histogram, summaries_are_exact)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(7, NULL);
    g_autoptr(VnsHistogram) once = vns_histogram_new(7, NULL);
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) b = g_string_new(NULL);

    cr_assert_eq(vns_histogram_count(h), 0);
    cr_assert(isnan(vns_histogram_mean(h)));
    cr_assert(isnan(vns_histogram_quantile(h, 0.5)));
    cr_assert_eq(vns_histogram_min(h), 0);
    cr_assert_eq(vns_histogram_max(h), 0);

    /* 1000003 and 1000005 share a bucket (width 2^(19-7) = 4096 at 2^19 <=
     * v < 2^20), yet min, max and mean stay exact: mean (3 + 1000003 +
     * 1000005) / 3 = 666670.333... */
    vns_histogram_record(h, 1000003);
    vns_histogram_record(h, 3);
    vns_histogram_record(h, 1000005);
    cr_assert_eq(vns_histogram_count(h), 3);
    cr_assert_eq(vns_histogram_min(h), 3);
    cr_assert_eq(vns_histogram_max(h), 1000005);
    cr_assert_eq(vns_histogram_mean(h), 2000011.0 / 3.0);
    /* q = 1 is the maximum and q = 0 the minimum, exactly. */
    cr_assert_eq(vns_histogram_quantile(h, 1.0), 1000005.0);
    cr_assert_eq(vns_histogram_quantile(h, 0.0), 3.0);

    /* The mean of samples near 2^64 does not overflow: the sum is kept in
     * 128 bits. (2^64 - 1) * 4 / 4 = 2^64 - 1, rounded to double 2^64. */
    vns_histogram_reset(h);
    vns_histogram_record_n(h, UINT64_MAX, 4);
    cr_assert_eq(vns_histogram_mean(h), 18446744073709551616.0);

    /* record_n(v, n) is n records of v. */
    vns_histogram_reset(h);
    vns_histogram_record_n(h, 12345, 5);
    vns_histogram_record_n(h, 99, 0);
    for (int i = 0; i < 5; i++)
        vns_histogram_record(once, 12345);
    vns_histogram_write(h, a);
    vns_histogram_write(once, b);
    cr_assert_str_eq(a->str, b->str);
    cr_assert_eq(vns_histogram_count(h), 5);
    cr_assert_eq(vns_histogram_min(h), 12345);
}

Test(histogram, writes_gnuplot_columns)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(7, NULL);
    g_autoptr(GString) out = g_string_new(NULL);

    vns_histogram_write(h, out);
    cr_assert_str_eq(out->str,
                     "# value_lo value_hi count cumulative_fraction\n");

    /* 1 and 3 are below 256: buckets of one value. 1000 is in [2^9, 2^10),
     * where buckets are 2^(9-7) = 4 wide: [1000, 1003]. Cumulative
     * fractions: 2/4, 3/4, 4/4. */
    vns_histogram_record(h, 1);
    vns_histogram_record(h, 1000);
    vns_histogram_record(h, 3);
    vns_histogram_record(h, 1);
    g_string_truncate(out, 0);
    vns_histogram_write(h, out);
    cr_assert_str_eq(out->str,
                     "# value_lo value_hi count cumulative_fraction\n"
                     "1 1 2 0.5\n"
                     "3 3 1 0.75\n"
                     "1000 1003 1 1\n");
}

Test(histogram, exponential_quantiles_match_closed_form)
{
    const double mean_ps = 1e6;     /* 1 us */
    const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
    g_autofree uint64_t *x = draw_exponential(N_SAMPLES, mean_ps, 1);
    g_autoptr(VnsHistogram) h = histogram_of(x, N_SAMPLES, 7);

    for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
        double q = qs[i];
        /* Closed form: F(x) = 1 - exp(-x / mean), so Q(q) = -mean ln(1-q). */
        double truth = -mean_ps * log1p(-q);
        /* Sampling error: the sample quantile of n draws is asymptotically
         * normal with standard deviation sqrt(q (1-q) / n) / f(Q(q))
         * (Serfling 1980, "Approximation Theorems of Mathematical
         * Statistics", section 2.3.3). For the exponential f(Q) = (1-q) /
         * mean, so relative to Q the deviation is
         * sqrt(q / ((1-q) n)) / -ln(1-q): 0.14 % at p50, 0.46 % at p99.9.
         * Allow 5 of them (a fixed seed makes the test deterministic; 5
         * sigma keeps it meaningful and far from a fluke), plus the stated
         * bucket error, plus 0.5 ps of rounding to whole picoseconds. */
        double sigma = sqrt(q / ((1.0 - q) * N_SAMPLES)) / -log1p(-q);
        double tol = vns_histogram_relative_error(h) + 5.0 * sigma +
                     0.5 / truth;
        double est = vns_histogram_quantile(h, q);

        cr_assert(fabs(est - truth) <= tol * truth,
                  "q %g: estimate %.1f, closed form %.1f, tolerance %.3g %%",
                  q, est, truth, tol * 100.0);
    }
    /* The exact mean: within 5 standard errors (mean / sqrt(n)) of 1 us. */
    cr_assert(fabs(vns_histogram_mean(h) - mean_ps) <=
              5.0 * mean_ps / sqrt(N_SAMPLES) + 0.5);
}

Test(histogram, uniform_quantiles_match_closed_form)
{
    const double width_ps = 1e9;    /* uniform on [0, 1 ms) */
    const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
    g_autofree uint64_t *x = draw_uniform(N_SAMPLES, width_ps, 2);
    g_autoptr(VnsHistogram) h = histogram_of(x, N_SAMPLES, 7);

    for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
        double q = qs[i];
        /* Closed form: F(x) = x / width, so Q(q) = q width. */
        double truth = q * width_ps;
        /* As for the exponential, with f = 1 / width: the relative standard
         * deviation of the sample quantile is sqrt((1-q) / (q n)), 0.1 % at
         * p50. Allow 5 of them, the bucket error, and 1 ps of flooring. */
        double sigma = sqrt((1.0 - q) / (q * N_SAMPLES));
        double tol = vns_histogram_relative_error(h) + 5.0 * sigma +
                     1.0 / truth;
        double est = vns_histogram_quantile(h, q);

        cr_assert(fabs(est - truth) <= tol * truth,
                  "q %g: estimate %.1f, closed form %.1f, tolerance %.3g %%",
                  q, est, truth, tol * 100.0);
    }
}

Test(histogram, quantiles_within_bound_of_sorted_samples)
{
    g_autofree uint64_t *e = draw_exponential(N_SAMPLES, 1e6, 3);
    g_autofree uint64_t *u = draw_uniform(N_SAMPLES, 1e9, 4);
    g_autofree uint64_t *w = draw_all_binades(N_SAMPLES, 5);

    check_all_levels(e, N_SAMPLES, 7);
    check_all_levels(u, N_SAMPLES, 7);
    check_all_levels(w, N_SAMPLES, 7);
    /* Coarse and fine precisions keep their own bounds too. */
    check_all_levels(e, N_SAMPLES, 2);
    check_all_levels(w, N_SAMPLES, 2);
    check_all_levels(w, N_SAMPLES, 12);
}

Test(histogram, merge_equals_recording_both_sets)
{
    g_autofree uint64_t *a = draw_exponential(100000, 1e6, 6);
    g_autofree uint64_t *b = draw_all_binades(100000, 7);
    g_autoptr(VnsHistogram) ha = histogram_of(a, 100000, 7);
    g_autoptr(VnsHistogram) hb = histogram_of(b, 100000, 7);
    g_autoptr(VnsHistogram) both = histogram_of(a, 100000, 7);
    g_autoptr(GString) merged_text = g_string_new(NULL);
    g_autoptr(GString) both_text = g_string_new(NULL);

    for (size_t i = 0; i < 100000; i++)
        vns_histogram_record(both, b[i]);
    cr_assert(vns_histogram_merge(ha, hb, NULL));

    cr_assert_eq(vns_histogram_count(ha), vns_histogram_count(both));
    cr_assert_eq(vns_histogram_min(ha), vns_histogram_min(both));
    cr_assert_eq(vns_histogram_max(ha), vns_histogram_max(both));
    cr_assert_eq(vns_histogram_mean(ha), vns_histogram_mean(both));
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
        cr_assert_eq(vns_histogram_quantile(ha, levels[i]),
                     vns_histogram_quantile(both, levels[i]));
    vns_histogram_write(ha, merged_text);
    vns_histogram_write(both, both_text);
    cr_assert_str_eq(merged_text->str, both_text->str);
}

Test(histogram, merge_refuses_different_precision)
{
    g_autoptr(VnsHistogram) a = vns_histogram_new(7, NULL);
    g_autoptr(VnsHistogram) b = vns_histogram_new(8, NULL);
    g_autoptr(GError) error = NULL;

    vns_histogram_record(a, 10);
    vns_histogram_record(b, 20);
    cr_assert_not(vns_histogram_merge(a, b, &error));
    cr_assert(g_error_matches(error, VNS_STATS_ERROR,
                              VNS_STATS_ERROR_MISMATCH));
    cr_assert_eq(vns_histogram_count(a), 1);
    cr_assert_eq(vns_histogram_max(a), 10);
}

Test(histogram, reset_forgets_samples)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(7, NULL);

    vns_histogram_record(h, 5000);
    vns_histogram_record(h, 7);
    vns_histogram_reset(h);
    cr_assert_eq(vns_histogram_count(h), 0);
    cr_assert(isnan(vns_histogram_quantile(h, 0.5)));
    vns_histogram_record(h, 300);
    cr_assert_eq(vns_histogram_min(h), 300);
    cr_assert_eq(vns_histogram_max(h), 300);
    cr_assert_eq(vns_histogram_quantile(h, 0.5), 300.0);
}

#ifdef HAVE_MALLINFO2
Test(histogram, record_does_not_allocate)
{
    g_autoptr(VnsHistogram) h = vns_histogram_new(7, NULL);
    struct mallinfo2 before, after;

    /* glibc's count of bytes in use must not move while recording. (Under
     * AddressSanitizer, which replaces malloc, this check is vacuous.) */
    before = mallinfo2();
    for (uint64_t v = 0; v < 1000000; v++)
        vns_histogram_record(h, v * 7919);
    after = mallinfo2();
    cr_assert_eq(after.uordblks, before.uordblks);
    cr_assert_eq(after.hblkhd, before.hblkhd);
}
#endif
