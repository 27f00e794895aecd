/* TCP congestion control: slow start, NewReno's additive increase and
 * CUBIC (see tcp_cc.h). */
#include <config.h>
#include "models/transport/tcp_cc.h"

#include <math.h>

/* RFC 5681 section 3.1 and Linux's tcp_init_sock(): ssthresh starts
 * "arbitrarily high" (TCP_INFINITE_SSTHRESH). */
#define TCP_CC_INFINITE_SSTHRESH UINT64_MAX

/*
 * vns_tcp_cc_init:
 * Starts 'cc' with algorithm 'ops', sender MSS 'mss' and an initial window
 * of 'initial_segments' x mss (RFC 6928: 10, Linux's TCP_INIT_CWND).
 */
void
vns_tcp_cc_init(VnsTcpCc *cc, const VnsTcpCcOps *ops, uint32_t mss,
                uint32_t initial_segments)
{
    *cc = (VnsTcpCc) {
        .ops = ops, .mss = mss,
        .cwnd = (uint64_t) initial_segments * mss,
        .ssthresh = TCP_CC_INFINITE_SSTHRESH,
        .epoch_start = -1,
    };
}

/*
 * vns_tcp_cc_on_ack:
 * An ACK of 'acked' new bytes outside loss recovery. cwnd grows only when
 * the sender was limited by it ('cwnd_limited', RFC 7661 section 4.1 and
 * Linux's tcp_is_cwnd_limited()): slow start first, then the algorithm's
 * congestion avoidance for what is left.
 */
void
vns_tcp_cc_on_ack(VnsTcpCc *cc, uint64_t acked, bool cwnd_limited, VnsTime now,
                  VnsTime srtt)
{
    if (!cwnd_limited || acked == 0)
        return;
    if (cc->cwnd < cc->ssthresh) {
        /* Linux's tcp_slow_start(): cwnd = min(cwnd + acked, ssthresh),
         * the excess carried into congestion avoidance. */
        uint64_t room = cc->ssthresh - cc->cwnd;
        uint64_t inc = MIN(acked, room);
        cc->cwnd += inc;
        acked -= inc;
        if (acked == 0)
            return;
    }
    cc->ops->cong_avoid(cc, acked, now, srtt);
}

/* ---- NewReno ---- */

/* RFC 5681 section 3.1, equation (3), with byte counting (RFC 3465): one
 * MSS per window of acknowledged bytes, as Linux's tcp_cong_avoid_ai(). */
static void
newreno_cong_avoid(VnsTcpCc *cc, uint64_t acked, VnsTime now, VnsTime srtt)
{
    cc->ai_bytes += acked;
    while (cc->ai_bytes >= cc->cwnd) {
        cc->ai_bytes -= cc->cwnd;
        cc->cwnd += cc->mss;
    }
}

/* RFC 5681 section 3.1, equation (4): ssthresh = max(FlightSize / 2,
 * 2 SMSS). */
static void
newreno_on_loss(VnsTcpCc *cc, uint64_t flight)
{
    cc->ssthresh = MAX(flight / 2, 2 * (uint64_t) cc->mss);
    cc->ai_bytes = 0;
}

const VnsTcpCcOps vns_tcp_newreno_ops = {
    "newreno", newreno_cong_avoid, newreno_on_loss,
};

/* ---- CUBIC ---- */

/* W_cubic(t) of RFC 9438 section 4.2, equation (1), segments. */
static double
cubic_w(const VnsTcpCc *cc, double t)
{
    double d = t - cc->k;

    return VNS_TCP_CUBIC_C * d * d * d + cc->w_max;
}

/* RFC 9438 sections 4.2-4.5: the window follows W_cubic(t + RTT), clamped
 * to [cwnd, 1.5 cwnd], or the Reno-friendly estimate W_est when that is
 * larger (section 4.3). */
static void
cubic_cong_avoid(VnsTcpCc *cc, uint64_t acked, VnsTime now, VnsTime srtt)
{
    const double beta = VNS_TCP_CUBIC_BETA;
    double mss = cc->mss;
    double cwnd = (double) cc->cwnd / mss;
    double segs = (double) acked / mss;
    double t, target, alpha, add;

    if (cc->epoch_start < 0) {
        /* Section 4.2: a new epoch; K from the window at its start
         * (equation 2), 0 when already at or above W_max. */
        cc->epoch_start = now;
        if (cwnd < cc->w_max) {
            cc->k = cbrt((cc->w_max - cwnd) / VNS_TCP_CUBIC_C);
        } else {
            cc->k = 0;
            cc->w_max = cwnd;
        }
        cc->w_est = cwnd;
    }
    t = vns_time_to_s(now - cc->epoch_start);
    /* Section 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta) until W_est
     * reaches cwnd_prior, then 1. */
    alpha = cc->w_est >= cc->cwnd_prior ? 1.0 : 3 * (1 - beta) / (1 + beta);
    cc->w_est += alpha * segs / cwnd;
    if (cubic_w(cc, t) < cc->w_est) {
        /* Reno-friendly region. */
        add = cc->w_est - cwnd;
    } else {
        target = cubic_w(cc, t + vns_time_to_s(srtt));
        target = MAX(target, cwnd);
        target = MIN(target, 1.5 * cwnd);
        /* Sections 4.4-4.5: (target - cwnd) / cwnd per acknowledged
         * segment. */
        add = (target - cwnd) / cwnd * segs;
    }
    if (add <= 0)
        return;
    cc->frac += add * mss;
    if (cc->frac >= 1) {
        double whole = floor(cc->frac);
        cc->cwnd += (uint64_t) whole;
        cc->frac -= whole;
    }
}

/* RFC 9438 sections 4.6-4.7 (and 4.8 for timeouts): fast convergence,
 * then ssthresh = cwnd x beta_cubic (Linux reduces from cwnd, not
 * FlightSize), at least 2 segments. */
static void
cubic_on_loss(VnsTcpCc *cc, uint64_t flight)
{
    double cwnd = (double) cc->cwnd / cc->mss;

    cc->epoch_start = -1;
    cc->frac = 0;
    cc->cwnd_prior = cwnd;
    if (cwnd < cc->w_max)
        cc->w_max = cwnd * (1 + VNS_TCP_CUBIC_BETA) / 2;
    else
        cc->w_max = cwnd;
    cc->ssthresh = MAX((uint64_t) (cwnd * VNS_TCP_CUBIC_BETA * cc->mss),
                       2 * (uint64_t) cc->mss);
}

const VnsTcpCcOps vns_tcp_cubic_ops = {
    "cubic", cubic_cong_avoid, cubic_on_loss,
};
