/* A histogram of non-negative integer samples (latencies in picoseconds,
 * packet sizes in bytes) with log-linear buckets, in the manner of
 * HdrHistogram, and quantiles with a bounded relative error.
 *
 * With k sub-bucket bits, values below 2^(k+1) have a bucket each; a value v
 * at or above it, with e = floor(log2 v), falls in one of 2^k equal buckets
 * of width 2^(e-k) that split [2^e, 2^(e+1)). Every bucket is thus no wider
 * than 2^-k times its lower bound, and a quantile is reported as the middle
 * of its bucket, so:
 *
 *     |vns_histogram_quantile(h, q) - Q(q)| <= 2^-(k+1) * Q(q)
 *
 * where Q(q) is the sample quantile defined at vns_histogram_quantile().
 * The default, k = 7, bounds the relative error by 2^-8 = 0.390625 % and
 * takes (65 - 7) * 2^7 = 7424 buckets (58 KiB) to cover all of uint64.
 *
 * The bucket array is allocated once, at creation: recording a sample is
 * O(1) and never allocates. Count, minimum, maximum and mean are exact. */
#ifndef VNS_HISTOGRAM_H
#define VNS_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define VNS_HISTOGRAM_DEFAULT_BITS 7    /* relative error <= 2^-8 */
#define VNS_HISTOGRAM_MIN_BITS 1        /* relative error <= 1/4 */
#define VNS_HISTOGRAM_MAX_BITS 14       /* 51 * 2^14 buckets, 6.4 MiB */

typedef struct VnsHistogram VnsHistogram;

/* One non-empty bucket, as the iterator returns it. */
typedef struct {
    uint64_t lo;            /* smallest value the bucket holds */
    uint64_t hi;            /* largest value the bucket holds (inclusive) */
    uint64_t count;         /* samples in the bucket */
    uint64_t cumulative;    /* samples in this bucket and all below it */
} VnsHistogramBucket;

/* Walks the non-empty buckets in increasing order. Lives on the caller's
 * stack; the members are private. */
typedef struct {
    const VnsHistogram *hist;   /* the histogram walked (borrowed) */
    size_t index;               /* next bucket to look at */
    uint64_t cumulative;        /* samples in the buckets before 'index' */
} VnsHistogramIter;

VnsHistogram *vns_histogram_new(unsigned sub_bucket_bits, GError **error);
void vns_histogram_free(VnsHistogram *hist);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsHistogram, vns_histogram_free)

void vns_histogram_record(VnsHistogram *hist, uint64_t value);
void vns_histogram_record_n(VnsHistogram *hist, uint64_t value, uint64_t n);
uint64_t vns_histogram_count(const VnsHistogram *hist);
uint64_t vns_histogram_min(const VnsHistogram *hist);
uint64_t vns_histogram_max(const VnsHistogram *hist);
double vns_histogram_mean(const VnsHistogram *hist);
double vns_histogram_quantile(const VnsHistogram *hist, double q);
unsigned vns_histogram_sub_bucket_bits(const VnsHistogram *hist);
double vns_histogram_relative_error(const VnsHistogram *hist);
bool vns_histogram_merge(VnsHistogram *dst, const VnsHistogram *src,
                         GError **error);
void vns_histogram_reset(VnsHistogram *hist);
void vns_histogram_iter_init(VnsHistogramIter *iter,
                             const VnsHistogram *hist);
bool vns_histogram_iter_next(VnsHistogramIter *iter,
                             VnsHistogramBucket *bucket);
void vns_histogram_write(const VnsHistogram *hist, GString *out);

#endif
