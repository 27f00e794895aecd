/* A log-linear histogram of non-negative integers with quantiles of bounded
 * relative error (see histogram.h for the layout and the bound).
 *
 * Bucket index of a value v, with k sub-bucket bits:
 *     v < 2^k:   index = v
 *     otherwise: e = floor(log2 v), s = e - k, index = s * 2^k + (v >> s)
 * For e = k the shift s is 0 and index = v, so the first 2^(k+1) buckets
 * hold one value each. For larger e, v >> s lies in [2^k, 2^(k+1)), so each
 * exponent adds 2^k buckets right after the previous ones, and the indices
 * increase with v. The largest index, for v = 2^64 - 1, is
 * (63 - k) * 2^k + 2^(k+1) - 1, so there are (65 - k) * 2^k buckets.
 *
 * Inverse: for index i >= 2^k, s = (i >> k) - 1, m = i - s * 2^k, and the
 * bucket holds [m * 2^s, m * 2^s + 2^s - 1]. */
#include <config.h>
#include "stats/histogram.h"

#include <math.h>
#include <string.h>

#include "stats/stats.h"

struct VnsHistogram {
    unsigned bits;              /* k, the sub-bucket bits */
    size_t n_buckets;           /* (65 - k) * 2^k */
    uint64_t count;             /* samples recorded */
    uint64_t min;               /* smallest sample; UINT64_MAX when empty */
    uint64_t max;               /* largest sample; 0 when empty */
    unsigned __int128 sum;      /* exact sum of the samples, for the mean */
    uint64_t counts[];          /* n_buckets sample counts */
};

/* Returns the index of the bucket that holds 'value'. */
static inline size_t
histogram_index(unsigned bits, uint64_t value)
{
    unsigned e, s;

    if (value < (UINT64_C(1) << bits))
        return (size_t) value;
    e = 63u - (unsigned) __builtin_clzll(value);
    s = e - bits;
    return ((size_t) s << bits) + (size_t) (value >> s);
}

/* Sets *lo and *hi to the smallest and largest value of bucket 'index'. */
static void
histogram_bounds(unsigned bits, size_t index, uint64_t *lo, uint64_t *hi)
{
    unsigned s;
    uint64_t m;

    if (index < ((size_t) 1 << bits)) {
        *lo = index;
        *hi = index;
        return;
    }
    s = (unsigned) (index >> bits) - 1u;
    m = (uint64_t) index - ((uint64_t) s << bits);
    *lo = m << s;
    *hi = *lo + ((UINT64_C(1) << s) - 1u);
}

/*
 * vns_histogram_new:
 * Creates an empty histogram with 'sub_bucket_bits' = k, between
 * VNS_HISTOGRAM_MIN_BITS and VNS_HISTOGRAM_MAX_BITS (the default is
 * VNS_HISTOGRAM_DEFAULT_BITS). Quantiles are then within a relative error
 * of 2^-(k+1). Returns an owned histogram, or NULL with 'error' set
 * (VNS_STATS_ERROR_RANGE) when k is out of range.
 */
VnsHistogram *
vns_histogram_new(unsigned sub_bucket_bits, GError **error)
{
    VnsHistogram *hist;
    size_t n_buckets;

    if (sub_bucket_bits < VNS_HISTOGRAM_MIN_BITS ||
        sub_bucket_bits > VNS_HISTOGRAM_MAX_BITS) {
        g_set_error(error, VNS_STATS_ERROR, VNS_STATS_ERROR_RANGE,
                    "histogram sub-bucket bits must be between %d and %d, "
                    "got %u", VNS_HISTOGRAM_MIN_BITS, VNS_HISTOGRAM_MAX_BITS,
                    sub_bucket_bits);
        return NULL;
    }
    n_buckets = (size_t) (65u - sub_bucket_bits) << sub_bucket_bits;
    hist = g_malloc0(sizeof(VnsHistogram) + n_buckets * sizeof(uint64_t));
    hist->bits = sub_bucket_bits;
    hist->n_buckets = n_buckets;
    hist->min = UINT64_MAX;
    return hist;
}

/*
 * vns_histogram_free:
 * Releases 'hist'. NULL does nothing.
 */
void
vns_histogram_free(VnsHistogram *hist)
{
    g_free(hist);
}

/*
 * vns_histogram_record:
 * Records one sample of 'value'. O(1); does not allocate.
 */
void
vns_histogram_record(VnsHistogram *hist, uint64_t value)
{
    vns_histogram_record_n(hist, value, 1);
}

/*
 * vns_histogram_record_n:
 * Records 'n' samples of 'value' at once. O(1); does not allocate. n = 0
 * does nothing.
 */
void
vns_histogram_record_n(VnsHistogram *hist, uint64_t value, uint64_t n)
{
    g_return_if_fail(hist != NULL);
    if (n == 0)
        return;
    hist->counts[histogram_index(hist->bits, value)] += n;
    hist->count += n;
    hist->sum += (unsigned __int128) value * n;
    if (value < hist->min)
        hist->min = value;
    if (value > hist->max)
        hist->max = value;
}

/*
 * vns_histogram_count:
 * Returns the number of samples recorded.
 */
uint64_t
vns_histogram_count(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, 0);
    return hist->count;
}

/*
 * vns_histogram_min:
 * Returns the smallest sample, exactly; 0 when the histogram is empty.
 */
uint64_t
vns_histogram_min(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, 0);
    return hist->count > 0 ? hist->min : 0;
}

/*
 * vns_histogram_max:
 * Returns the largest sample, exactly; 0 when the histogram is empty.
 */
uint64_t
vns_histogram_max(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, 0);
    return hist->max;
}

/*
 * vns_histogram_mean:
 * Returns the mean of the samples, from their exact sum (not from the
 * buckets), rounded once to double; NaN when the histogram is empty.
 */
double
vns_histogram_mean(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, NAN);
    if (hist->count == 0)
        return NAN;
    return (double) hist->sum / (double) hist->count;
}

/*
 * vns_histogram_quantile:
 * Estimates the sample quantile Q(q) for 'q' in [0, 1]. With n samples
 * sorted as x_1 <= ... <= x_n and rank r = max(1, ceil(q * n)) (computed in
 * double precision), Q(q) = x_r: the smallest recorded value v such that
 * at least ceil(q * n) samples are <= v. So Q(0) is the minimum, Q(0.5) the
 * lower median and Q(1) the maximum.
 *
 * The bucket holding x_r is the first whose cumulative count reaches r; the
 * estimate is the middle of that bucket, clamped to [min, max], and is
 * exact when r is 1 or n. Returns a value within 2^-(k+1) * Q(q) of Q(q)
 * (see vns_histogram_relative_error()), or NaN when the histogram is empty.
 */
double
vns_histogram_quantile(const VnsHistogram *hist, double q)
{
    double rank_real, estimate;
    uint64_t rank, cumulative = 0, lo, hi;
    size_t i, last;

    g_return_val_if_fail(hist != NULL, NAN);
    g_return_val_if_fail(q >= 0.0 && q <= 1.0, NAN);
    if (hist->count == 0)
        return NAN;
    rank_real = ceil(q * (double) hist->count);
    rank = rank_real < 1.0 ? 1 : (uint64_t) rank_real;
    /* (double) count may round up when count > 2^53. */
    if (rank >= hist->count)
        return (double) hist->max;
    if (rank == 1)
        return (double) hist->min;
    i = histogram_index(hist->bits, hist->min);
    last = histogram_index(hist->bits, hist->max);
    for (; i < last; i++) {
        cumulative += hist->counts[i];
        if (cumulative >= rank)
            break;
    }
    histogram_bounds(hist->bits, i, &lo, &hi);
    estimate = (double) lo + (double) (hi - lo) / 2.0;
    if (estimate < (double) hist->min)
        estimate = (double) hist->min;
    if (estimate > (double) hist->max)
        estimate = (double) hist->max;
    return estimate;
}

/*
 * vns_histogram_sub_bucket_bits:
 * Returns k, the sub-bucket bits 'hist' was created with.
 */
unsigned
vns_histogram_sub_bucket_bits(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, 0);
    return hist->bits;
}

/*
 * vns_histogram_relative_error:
 * Returns 2^-(k+1), the bound on the relative error of any quantile: a
 * bucket [lo, hi] of width w = 2^s has lo >= 2^(k+s), so its middle is at
 * most (w - 1) / 2 < 2^(s-1) <= 2^-(k+1) * lo from any value it holds;
 * buckets below 2^(k+1) hold one value and are exact. (In exact arithmetic
 * the error is strictly below the bound; once the estimate and a value
 * above 2^53 are rounded to double, it can equal it.)
 */
double
vns_histogram_relative_error(const VnsHistogram *hist)
{
    g_return_val_if_fail(hist != NULL, NAN);
    return ldexp(1.0, -(int) hist->bits - 1);
}

/*
 * vns_histogram_merge:
 * Adds every sample of 'src' to 'dst' (to aggregate replications); the
 * result equals recording both sets into one histogram. Both must have the
 * same sub-bucket bits: otherwise returns false with 'error' set
 * (VNS_STATS_ERROR_MISMATCH) and leaves 'dst' as it was.
 */
bool
vns_histogram_merge(VnsHistogram *dst, const VnsHistogram *src,
                    GError **error)
{
    size_t i, last;

    g_return_val_if_fail(dst != NULL, false);
    g_return_val_if_fail(src != NULL, false);
    if (dst->bits != src->bits) {
        g_set_error(error, VNS_STATS_ERROR, VNS_STATS_ERROR_MISMATCH,
                    "cannot merge histograms of different precision: "
                    "%u and %u sub-bucket bits", dst->bits, src->bits);
        return false;
    }
    if (src->count == 0 || src == dst) {
        if (src == dst) {
            for (i = 0; i < dst->n_buckets; i++)
                dst->counts[i] *= 2;
            dst->count *= 2;
            dst->sum *= 2;
        }
        return true;
    }
    last = histogram_index(src->bits, src->max);
    for (i = histogram_index(src->bits, src->min); i <= last; i++)
        dst->counts[i] += src->counts[i];
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    return true;
}

/*
 * vns_histogram_reset:
 * Forgets all samples (e.g. at the end of warm-up), keeping the precision.
 */
void
vns_histogram_reset(VnsHistogram *hist)
{
    g_return_if_fail(hist != NULL);
    memset(hist->counts, 0, hist->n_buckets * sizeof(uint64_t));
    hist->count = 0;
    hist->min = UINT64_MAX;
    hist->max = 0;
    hist->sum = 0;
}

/*
 * vns_histogram_iter_init:
 * Prepares 'iter' to walk the non-empty buckets of 'hist' (borrowed; it
 * must outlive the walk and not change during it).
 */
void
vns_histogram_iter_init(VnsHistogramIter *iter, const VnsHistogram *hist)
{
    g_return_if_fail(iter != NULL);
    g_return_if_fail(hist != NULL);
    iter->hist = hist;
    iter->index = hist->count > 0 ? histogram_index(hist->bits, hist->min) : 0;
    iter->cumulative = 0;
}

/*
 * vns_histogram_iter_next:
 * Fills 'bucket' with the next non-empty bucket, in increasing order of
 * value, and returns true; returns false when there are no more.
 */
bool
vns_histogram_iter_next(VnsHistogramIter *iter, VnsHistogramBucket *bucket)
{
    const VnsHistogram *hist;

    g_return_val_if_fail(iter != NULL, false);
    g_return_val_if_fail(bucket != NULL, false);
    hist = iter->hist;
    while (iter->cumulative < hist->count && iter->index < hist->n_buckets) {
        size_t i = iter->index++;

        if (hist->counts[i] == 0)
            continue;
        iter->cumulative += hist->counts[i];
        histogram_bounds(hist->bits, i, &bucket->lo, &bucket->hi);
        bucket->count = hist->counts[i];
        bucket->cumulative = iter->cumulative;
        return true;
    }
    return false;
}

/*
 * vns_histogram_write:
 * Appends the histogram to 'out' as whitespace-separated columns that
 * gnuplot reads: a header comment line
 *     # value_lo value_hi count cumulative_fraction
 * then one line per non-empty bucket, in increasing order: its smallest and
 * largest value (both inclusive), its count, and the fraction of all
 * samples that are <= value_hi. An empty histogram gives the header only.
 */
void
vns_histogram_write(const VnsHistogram *hist, GString *out)
{
    VnsHistogramIter iter;
    VnsHistogramBucket b;

    g_return_if_fail(hist != NULL);
    g_return_if_fail(out != NULL);
    g_string_append(out, "# value_lo value_hi count cumulative_fraction\n");
    vns_histogram_iter_init(&iter, hist);
    while (vns_histogram_iter_next(&iter, &b)) {
        g_string_append_printf(out, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                               " %" G_GUINT64_FORMAT " %.17g\n", b.lo, b.hi,
                               b.count, (double) b.cumulative /
                               (double) hist->count);
    }
}
