/* TCP congestion control behind a small ops table: NewReno (RFC 5681 with
 * the RFC 6582 recovery the endpoint runs) and CUBIC (RFC 9438), Linux's
 * default. The endpoint (tcp_endpoint.c) owns loss detection and recovery
 * (duplicate ACKs, fast retransmit, fast recovery, the retransmission
 * timer); an algorithm only decides how the window grows on new ACKs and
 * what ssthresh becomes on a loss.
 *
 * Windows are in bytes. Slow start is shared: cwnd grows by the bytes each
 * ACK acknowledges (RFC 3465 byte counting without the L limit, as Linux's
 * tcp_slow_start() does) up to ssthresh; the rest of the ACK goes to the
 * algorithm's congestion avoidance. */
#ifndef VNS_TCP_CC_H
#define VNS_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/time.h"

/* CUBIC constants of RFC 9438 section 4.1 (Linux: bictcp's beta 717/1024
 * and C 410/1024, rounded in the RFC to these values). */
#define VNS_TCP_CUBIC_C 0.4
#define VNS_TCP_CUBIC_BETA 0.7

typedef struct VnsTcpCcOps VnsTcpCcOps;

/* The congestion state of one connection. cwnd, ssthresh and mss are
 * shared with the endpoint; the rest belongs to the algorithm. */
typedef struct {
    const VnsTcpCcOps *ops;
    uint64_t cwnd;              /* congestion window, bytes */
    uint64_t ssthresh;          /* slow-start threshold, bytes */
    uint32_t mss;               /* sender MSS, bytes */
    /* NewReno: bytes acknowledged in congestion avoidance since cwnd last
     * grew by one MSS (Linux's snd_cwnd_cnt, in bytes). */
    uint64_t ai_bytes;
    /* CUBIC (RFC 9438 section 4), in segments and seconds. */
    double w_max;               /* window before the last reduction */
    double cwnd_prior;          /* cwnd at the last reduction */
    double k;                   /* time to grow back to w_max, s */
    double w_est;               /* Reno-friendly estimate (section 4.3) */
    double frac;                /* fractional bytes of growth not yet added */
    VnsTime epoch_start;        /* start of the epoch, ps; < 0: none */
} VnsTcpCc;

struct VnsTcpCcOps {
    const char *name;           /* "newreno", "cubic" */
    /* Congestion avoidance for 'acked' bytes at 'now', with smoothed RTT
     * 'srtt' (ps). Called only when cwnd >= ssthresh and the flow is
     * limited by cwnd. */
    void (*cong_avoid)(VnsTcpCc *cc, uint64_t acked, VnsTime now, VnsTime srtt);
    /* A loss (third duplicate ACK or timeout) with 'flight' bytes
     * outstanding: sets ssthresh (and the algorithm's own state). The
     * endpoint then sets cwnd. */
    void (*on_loss)(VnsTcpCc *cc, uint64_t flight);
};

extern const VnsTcpCcOps vns_tcp_newreno_ops;
extern const VnsTcpCcOps vns_tcp_cubic_ops;

void vns_tcp_cc_init(VnsTcpCc *cc, const VnsTcpCcOps *ops, uint32_t mss,
                     uint32_t initial_segments);
void vns_tcp_cc_on_ack(VnsTcpCc *cc, uint64_t acked, bool cwnd_limited,
                       VnsTime now, VnsTime srtt);

#endif
