/* Tests of the queue disciplines on their own (src/net/qdisc.c), driven by
 * hand at chosen instants: FIFO order and limits, the measurements, the
 * defaults, CoDel's drop schedule against the control law of RFC 8289, and
 * RED's drop probability and idle decay against Floyd and Jacobson (1993).
 * (They live in tests/models beside the link that uses them.) */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include "net/qdisc.h"

/* Collects what a queue drops by itself. */
typedef struct {
    VnsTime now;                    /* the caller's clock, for 'times' */
    GArray *times;                  /* of VnsTime, one per drop; may be NULL */
    uint64_t by_cause[VNS_DROP_N_CAUSES];
} DropLog;

static void
log_drop(void *ctx, VnsPacket *pkt, VnsDropCause cause)
{
    DropLog *log = ctx;

    log->by_cause[cause]++;
    if (log->times != NULL)
        g_array_append_val(log->times, log->now);
    vns_packet_free(pkt);
}

static VnsQdiscParams
droptail(VnsQdiscUnit unit, uint64_t limit)
{
    return (VnsQdiscParams) { .kind = VNS_QDISC_DROPTAIL, .unit = unit,
                              .limit = limit };
}

Test(qdisc, droptail_is_a_fifo_with_a_packet_limit)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = droptail(VNS_QDISC_UNIT_PACKETS, 3);
    DropLog log = { 0 };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    uint64_t ids[5];
    VnsDropCause cause;

    for (int i = 0; i < 5; i++) {
        VnsPacket *pkt = vns_packet_new(pool, 100);
        ids[i] = pkt->id;
        if (i < 3) {
            cr_assert(vns_qdisc_enqueue(q, pkt, 10 * i, &cause));
            cr_assert_eq(pkt->t_enqueued, 10 * i);
        } else {
            cr_assert_not(vns_qdisc_enqueue(q, pkt, 10 * i, &cause));
            cr_assert_eq(cause, VNS_DROP_QUEUE_FULL);
            vns_packet_free(pkt);   /* refused: still ours */
        }
    }
    cr_assert_eq(vns_qdisc_packets(q), 3);
    cr_assert_eq(vns_qdisc_bytes(q), 300);
    for (int i = 0; i < 3; i++) {
        VnsPacket *pkt = vns_qdisc_dequeue(q, 100);
        cr_assert_eq(pkt->id, ids[i], "FIFO order");
        cr_assert_null(pkt->next);
        vns_packet_free(pkt);
    }
    cr_assert_null(vns_qdisc_dequeue(q, 100));
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(qdisc, droptail_byte_limit_counts_frame_bytes)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = droptail(VNS_QDISC_UNIT_BYTES, 3000);
    DropLog log = { 0 };
    VnsQdisc *q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    /* 1000 + 1500 = 2500 fit; + 600 = 3100 does not; + 500 = 3000 does
     * (the limit is inclusive); + 1 does not. */
    uint32_t sizes[] = { 1000, 1500, 600, 500, 1 };
    bool want[] = { true, true, false, true, false };
    VnsQdiscStats st;

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        VnsPacket *pkt = vns_packet_new(pool, sizes[i]);
        VnsDropCause cause;
        bool ok = vns_qdisc_enqueue(q, pkt, 0, &cause);
        cr_assert_eq(ok, want[i], "packet %zu of %u bytes", i, sizes[i]);
        if (!ok)
            vns_packet_free(pkt);
    }
    cr_assert_eq(vns_qdisc_bytes(q), 3000);
    vns_qdisc_get_stats(q, 0, &st);
    cr_assert_eq(st.enqueued, 3);
    cr_assert_eq(st.drops_full, 2);
    /* Freeing a queue returns what it holds to the pool. */
    vns_qdisc_free(q);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(qdisc, measures_length_and_sojourn)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = droptail(VNS_QDISC_UNIT_PACKETS, 10);
    DropLog log = { 0 };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    VnsQdiscStats st;
    VnsDropCause cause;

    /* Packets of 100 and 300 bytes at 0 s, out at 1 s and 3 s; read at
     * 4 s. Length (2, 1, 0) for (1, 2, 1) s: mean 4/4 = 1 packet; bytes
     * (400, 300, 0): (400 + 600) / 4 = 250. Sojourns 1 s and 3 s. */
    cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 100), 0, &cause));
    cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 300), 0, &cause));
    vns_packet_free(vns_qdisc_dequeue(q, 1 * VNS_SEC));
    vns_packet_free(vns_qdisc_dequeue(q, 3 * VNS_SEC));
    vns_qdisc_get_stats(q, 4 * VNS_SEC, &st);
    cr_assert_float_eq(st.mean_packets, 1.0, 1e-12);
    cr_assert_float_eq(st.mean_bytes, 250.0, 1e-12);
    cr_assert_eq(st.max_packets, 2.0);
    cr_assert_eq(st.max_bytes, 400.0);
    cr_assert_float_eq(st.mean_sojourn_s, 2.0, 1e-12);
    cr_assert_float_eq(st.max_sojourn_s, 3.0, 1e-12);
    cr_assert_eq(st.dequeued, 2);

    /* A reset forgets it all; an empty window has no sojourn. */
    vns_qdisc_reset_stats(q, 4 * VNS_SEC);
    vns_qdisc_get_stats(q, 5 * VNS_SEC, &st);
    cr_assert_eq(st.dequeued, 0);
    cr_assert_float_eq(st.mean_packets, 0.0, 1e-12);
    cr_assert(isnan(st.mean_sojourn_s));
}

Test(qdisc, purge_goes_through_the_drop_function)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = droptail(VNS_QDISC_UNIT_PACKETS, 10);
    DropLog log = { 0 };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    VnsDropCause cause;

    for (int i = 0; i < 4; i++)
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 64), 0, &cause));
    vns_qdisc_purge(q, 5, VNS_DROP_END_OF_RUN);
    cr_assert_eq(log.by_cause[VNS_DROP_END_OF_RUN], 4);
    cr_assert_eq(vns_qdisc_packets(q), 0);
    cr_assert_eq(vns_qdisc_bytes(q), 0);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(qdisc, defaults_come_from_the_spec)
{
    VnsQdiscParams p;
    GError *error = NULL;

    cr_assert(vns_qdisc_params_from_config(NULL, &p, &error));
    cr_assert_eq(p.kind, VNS_QDISC_DROPTAIL);
    cr_assert_eq(p.unit, VNS_QDISC_UNIT_PACKETS);
    cr_assert_eq(p.limit, 1000);                /* Linux txqueuelen */
    cr_assert_eq(p.target_ps, 5 * VNS_MS);      /* RFC 8289 section 4.3 */
    cr_assert_eq(p.interval_ps, 100 * VNS_MS);  /* RFC 8289 section 4.2 */
    cr_assert_eq(p.min_th, 5.0);                /* Floyd 1997 */
    cr_assert_eq(p.max_th, 15.0);
    cr_assert_eq(p.max_p, 0.1);
    cr_assert_eq(p.w_q, 0.002);
    cr_assert(p.gentle);
    cr_assert_str_eq(vns_qdisc_kind_name(VNS_QDISC_RED), "red");
}

static VnsQdiscParams
codel(void)
{
    return (VnsQdiscParams) {
        .kind = VNS_QDISC_CODEL, .unit = VNS_QDISC_UNIT_PACKETS,
        .limit = 100000, .target_ps = 5 * VNS_MS, .interval_ps = 100 * VNS_MS,
        .max_packet_size = 1514,
    };
}

Test(qdisc, codel_drops_follow_the_control_law)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = codel();
    DropLog log = { .times = g_array_new(FALSE, FALSE, sizeof(VnsTime)) };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    GArray *want = g_array_new(FALSE, FALSE, sizeof(VnsTime));
    VnsDropCause cause;
    VnsTime next;
    uint32_t count;

    /* 1000 frames of 1514 bytes at 0; one dequeue per ms from 1 ms, so
     * the head's sojourn is the dequeue time. RFC 8289 section 5.5: the
     * sojourn is first at or above target (5 ms) at 5 ms, so
     * first_above_time = 105 ms; the dequeue at 105 ms drops and enters
     * dropping state with count 1 and drop_next = 105 + 100/sqrt(1) ms;
     * thereafter each drop increments count and drop_next advances by
     * interval/sqrt(count) (section 5.6, control_law). A drop happens at
     * the first dequeue at or after drop_next, i.e. the next whole ms. */
    for (int i = 0; i < 1000; i++)
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1514), 0, &cause));
    next = 105 * VNS_MS;
    g_array_append_val(want, next);
    next += 100 * VNS_MS;
    count = 1;
    while (next < 600 * VNS_MS) {
        VnsTime tick = (next + VNS_MS - 1) / VNS_MS * VNS_MS;
        g_array_append_val(want, tick);
        count++;
        next += (VnsTime) llround(100.0 * (double) VNS_MS / sqrt(count));
    }
    for (VnsTime t = VNS_MS; t < 600 * VNS_MS; t += VNS_MS) {
        log.now = t;
        vns_packet_free(vns_qdisc_dequeue(q, t));
    }
    cr_assert_eq(log.times->len, want->len, "%u drops, expected %u",
                 log.times->len, want->len);
    for (guint i = 0; i < want->len; i++)
        cr_assert_eq(g_array_index(log.times, VnsTime, i),
                     g_array_index(want, VnsTime, i), "drop %u at %g ms", i,
                     (double) g_array_index(log.times, VnsTime, i) / VNS_MS);
    cr_assert_eq(log.by_cause[VNS_DROP_AQM], want->len);
    g_array_free(want, TRUE);
    g_array_free(log.times, TRUE);
}

Test(qdisc, codel_keeps_one_mtu_queued)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = codel();
    DropLog log = { 0 };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    VnsDropCause cause;

    /* Two frames, taken a second apart (a very slow link): far above
     * target, but after each dequeue at most one maximum-size frame is
     * left, so CoDel does not drop (RFC 8289 section 4.1, maxpacket). */
    for (int round = 0; round < 20; round++) {
        VnsTime t = round * 2 * VNS_SEC;
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1514), t, &cause));
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1514), t, &cause));
        vns_packet_free(vns_qdisc_dequeue(q, t + VNS_SEC));
        vns_packet_free(vns_qdisc_dequeue(q, t + 2 * VNS_SEC));
    }
    cr_assert_eq(log.by_cause[VNS_DROP_AQM], 0);
}

Test(qdisc, codel_never_drops_below_target)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsQdiscParams p = codel();
    DropLog log = { 0 };
    g_autoptr(VnsQdisc) q = vns_qdisc_new(&p, log_drop, &log, NULL, 0);
    VnsDropCause cause;

    /* A standing queue of 10 frames, each waiting 4.999 ms < target, for
     * 10 s. */
    for (int i = 0; i < 10; i++)
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1514),
                                    (VnsTime) i * 499900 * VNS_PS, &cause));
    for (int i = 10; i < 20000; i++) {
        VnsTime t = (VnsTime) i * 499900 * VNS_PS;
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1514), t, &cause));
        vns_packet_free(vns_qdisc_dequeue(q, t));
    }
    cr_assert_eq(log.by_cause[VNS_DROP_AQM], 0);
}

static VnsQdiscParams
red(double w_q, double min_th, double max_th, double max_p, bool gentle)
{
    return (VnsQdiscParams) {
        .kind = VNS_QDISC_RED, .unit = VNS_QDISC_UNIT_PACKETS, .limit = 1000,
        .min_th = min_th, .max_th = max_th, .max_p = max_p, .w_q = w_q,
        .gentle = gentle, .red_idle_tx_ps = VNS_US,
    };
}

/* Offers 'n' arrivals to 'q' while holding its length at 'len' (each
 * accepted arrival is followed by a dequeue). Fills gaps[k] with the number
 * of gaps of k arrivals between drops (k < n_gaps). Returns the drops. */
static uint64_t
red_hold(VnsQdisc *q, VnsPacketPool *pool, uint32_t len, uint64_t n,
         uint64_t *gaps, size_t n_gaps)
{
    uint64_t drops = 0, since = 0;
    VnsTime t = 0;
    VnsDropCause cause;

    while (vns_qdisc_packets(q) < len) {
        VnsPacket *pkt = vns_packet_new(pool, 1000);
        if (!vns_qdisc_enqueue(q, pkt, t, &cause))
            vns_packet_free(pkt);
    }
    for (uint64_t i = 0; i < n; i++) {
        VnsPacket *pkt = vns_packet_new(pool, 1000);
        t += VNS_US;
        since++;
        if (vns_qdisc_enqueue(q, pkt, t, &cause)) {
            vns_packet_free(vns_qdisc_dequeue(q, t));
            continue;
        }
        cr_assert_eq(cause, VNS_DROP_AQM);
        vns_packet_free(pkt);
        drops++;
        if (gaps != NULL)
            gaps[MIN(since, n_gaps - 1)]++;
        since = 0;
    }
    return drops;
}

Test(qdisc, red_drop_gaps_are_uniform)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    VnsQdiscParams p = red(1.0, 5, 15, 0.1, false);
    DropLog log = { 0 };
    VnsQdisc *q;
    uint64_t gaps[32] = { 0 };
    const uint64_t n = 1000000;
    uint64_t drops;
    double frac, chi2 = 0.0;

    /* w_q = 1 makes the average the instantaneous length, held at 10:
     * pb = max_p (10 - 5) / (15 - 5) = 0.05. Floyd and Jacobson (1993)
     * section 7: with pa = pb / (1 - count pb), the number of arrivals
     * between drops is uniform on {1, ..., 1/pb = 20}, mean 10.5, so the
     * drop fraction is 1/10.5 = 2 pb / (1 + pb). */
    gsl_rng_set(rng, 7);
    q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    drops = red_hold(q, pool, 10, n, gaps, G_N_ELEMENTS(gaps));
    frac = (double) drops / (double) n;
    cr_log_info("RED: drop fraction %.6f, expected %.6f", frac, 1.0 / 10.5);
    cr_assert(fabs(frac - 1.0 / 10.5) < 0.01 / 10.5, "fraction %g", frac);
    cr_assert_eq(gaps[0], 0);
    /* Pearson's chi-square test of the 20 gap counts against uniform:
     * refused only if a uniform sample would give a larger statistic in
     * fewer than 1 in 1000 runs (19 degrees of freedom). */
    for (int k = 1; k <= 20; k++) {
        double expect = (double) drops / 20.0;
        chi2 += ((double) gaps[k] - expect) * ((double) gaps[k] - expect) /
                expect;
    }
    cr_log_info("RED: chi-square of the gaps %.2f (19 dof, 0.1 %% critical "
                "value %.2f)", chi2, gsl_cdf_chisq_Qinv(0.001, 19));
    cr_assert_lt(chi2, gsl_cdf_chisq_Qinv(0.001, 19));
    for (size_t k = 21; k < G_N_ELEMENTS(gaps); k++)
        cr_assert_eq(gaps[k], 0, "gap %zu longer than 1/pb", k);
    vns_qdisc_free(q);
    gsl_rng_free(rng);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(qdisc, red_thresholds_and_gentle_region)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    DropLog log = { 0 };
    VnsQdiscParams p;
    VnsQdisc *q;

    gsl_rng_set(rng, 7);
    /* Below min_th: never. */
    p = red(1.0, 5, 15, 0.1, false);
    q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    cr_assert_eq(red_hold(q, pool, 4, 10000, NULL, 0), 0);
    vns_qdisc_free(q);
    /* At max_th without gentle: always. */
    q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    cr_assert_eq(red_hold(q, pool, 15, 10000, NULL, 0), 10000);
    vns_qdisc_free(q);
    /* Gentle: at max_th pb = max_p, so drops are rare (about 2 pb/(1 + pb)
     * = 18 %); from 2 max_th on, always. */
    p = red(1.0, 5, 15, 0.1, true);
    q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    {
        uint64_t d = red_hold(q, pool, 15, 100000, NULL, 0);
        cr_assert(d > 17000 && d < 19400, "%" G_GUINT64_FORMAT " drops", d);
    }
    vns_qdisc_free(q);
    q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    cr_assert_eq(red_hold(q, pool, 30, 10000, NULL, 0), 10000);
    vns_qdisc_free(q);
    gsl_rng_free(rng);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(qdisc, red_average_decays_while_idle)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    VnsQdiscParams p = red(0.1, 100, 200, 0.1, false);
    DropLog log = { 0 };
    VnsQdisc *q = vns_qdisc_new(&p, log_drop, &log, rng, 0);
    VnsDropCause cause;
    double avg = 0;

    /* Ten arrivals at 0 s see lengths 0..9: avg <- 0.9 avg + 0.1 q
     * (section 4). The queue is then emptied at 1 ms and found empty
     * (idle). An arrival 20 us later, with s = 1 us, first decays the
     * average by 0.9^20, then averages in the empty queue: 0.9^21 avg. */
    for (int i = 0; i < 10; i++) {
        cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1000), 0, &cause));
        avg = 0.9 * avg + 0.1 * i;
    }
    cr_assert_float_eq(vns_qdisc_red_average(q), avg, 1e-12);
    for (int i = 0; i < 10; i++)
        vns_packet_free(vns_qdisc_dequeue(q, VNS_MS));
    cr_assert_null(vns_qdisc_dequeue(q, VNS_MS));
    cr_assert(vns_qdisc_enqueue(q, vns_packet_new(pool, 1000),
                                VNS_MS + 20 * VNS_US, &cause));
    cr_assert_float_eq(vns_qdisc_red_average(q), avg * pow(0.9, 21), 1e-12);
    vns_qdisc_free(q);
    gsl_rng_free(rng);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}
