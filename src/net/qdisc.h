/* Queue disciplines: the FIFO in front of a transmitter (a link direction
 * now, a switch or bridge egress port later) and the policy that decides
 * which packets it refuses or drops.
 *
 * - drop-tail: a FIFO with a limit in packets (like Linux pfifo) or in bytes
 *   (like Linux bfifo); an arrival that does not fit is refused.
 * - CoDel (RFC 8289): a FIFO whose head is dropped at dequeue once the
 *   sojourn time has stayed above 'target' for 'interval'; drops then come
 *   at interval / sqrt(count) (RFC 8289 section 3.3 and the control_law()
 *   of section 5).
 * - RED (Floyd and Jacobson, "Random Early Detection Gateways for
 *   Congestion Avoidance", IEEE/ACM ToN 1(4), 1993): an arrival is dropped
 *   with a probability that grows with the exponentially weighted average
 *   queue length, optionally "gentle" above max_th (Floyd, "Recommendation
 *   on using the gentle_ variant of RED", 2000).
 *
 * Packets are linked through their intrusive 'next' pointer: queueing never
 * allocates. The queue owns the packets it holds. Refusals at enqueue go
 * back to the caller, who drops the packet at its element; drops at dequeue
 * (CoDel) and purges go through the drop function given at creation, so the
 * owner records them at its element too.
 *
 * A queue also measures itself: time-weighted mean and maximum length in
 * packets and bytes, sojourn time (enqueue to dequeue), and drops. */
#ifndef VNS_QDISC_H
#define VNS_QDISC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "sim/time.h"
#include "net/config.h"
#include "net/drop.h"
#include "net/packet.h"

typedef struct VnsQdisc VnsQdisc;

/* In the order of the <queue> 'type' choices. */
typedef enum {
    VNS_QDISC_DROPTAIL,
    VNS_QDISC_CODEL,
    VNS_QDISC_RED,
} VnsQdiscKind;

/* What 'limit' counts, in the order of the <queue> 'unit' choices. */
typedef enum {
    VNS_QDISC_UNIT_PACKETS,
    VNS_QDISC_UNIT_BYTES,
} VnsQdiscUnit;

/* Everything a queue is made from. vns_qdisc_params_from_config() fills it
 * from a <queue> element (defaults from vns_qdisc_spec); code that makes a
 * queue itself sets every member its kind uses. */
typedef struct {
    VnsQdiscKind kind;
    VnsQdiscUnit unit;
    uint64_t limit;             /* hard limit, packets or bytes per 'unit', > 0 */
    VnsTime target_ps;          /* CoDel: acceptable standing sojourn time */
    VnsTime interval_ps;        /* CoDel: window the sojourn must stay above target */
    uint32_t max_packet_size;   /* CoDel: no drop while the queue holds at most
                                 * this many bytes (RFC 8289 'maxpacket': one
                                 * MTU-sized frame); set by the owner */
    double min_th;              /* RED: lower threshold of the average, packets */
    double max_th;              /* RED: upper threshold of the average, packets */
    double max_p;               /* RED: drop probability at max_th, (0, 1] */
    double w_q;                 /* RED: weight of the average, (0, 1] */
    bool gentle;                /* RED: ramp max_p..1 over max_th..2 max_th */
    VnsTime red_idle_tx_ps;     /* RED: transmission time of a typical packet
                                 * ('s' of the paper, for the idle decay); set
                                 * by the owner; 0 = no idle decay */
} VnsQdiscParams;

/* The queue's measurements since its creation or last reset. */
typedef struct {
    uint64_t enqueued;          /* packets accepted */
    uint64_t dequeued;          /* packets handed to the transmitter */
    uint64_t drops_full;        /* arrivals refused at the hard limit */
    uint64_t drops_aqm;         /* packets dropped by CoDel or RED */
    uint64_t drops_purged;      /* packets removed by vns_qdisc_purge() */
    double mean_packets;        /* time-weighted mean length, packets */
    double mean_bytes;          /* time-weighted mean length, bytes */
    double max_packets;         /* largest length, packets */
    double max_bytes;           /* largest length, bytes */
    double mean_sojourn_s;      /* mean enqueue-to-dequeue time, s (NaN if none) */
    double max_sojourn_s;       /* largest sojourn time, s (NaN if none) */
} VnsQdiscStats;

/* Records a packet the queue drops by itself (CoDel at dequeue, purges) and
 * takes it: typically vns_packet_drop(pkt, element, cause). */
typedef void (*VnsQdiscDropFn)(void *ctx, VnsPacket *pkt, VnsDropCause cause);

/* The <queue> element: its attributes, defaults and their sources. */
extern const VnsSpec vns_qdisc_spec;

bool vns_qdisc_params_from_config(const VnsConfig *cfg, VnsQdiscParams *out,
                                  GError **error);
const char *vns_qdisc_kind_name(VnsQdiscKind kind);

VnsQdisc *vns_qdisc_new(const VnsQdiscParams *params, VnsQdiscDropFn drop,
                        void *drop_ctx, gsl_rng *rng, VnsTime now);
void vns_qdisc_free(VnsQdisc *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsQdisc, vns_qdisc_free)

bool vns_qdisc_enqueue(VnsQdisc *q, VnsPacket *pkt, VnsTime now,
                       VnsDropCause *cause);
bool vns_qdisc_pass(VnsQdisc *q, VnsPacket *pkt, VnsTime now,
                    VnsDropCause *cause);
VnsPacket *vns_qdisc_dequeue(VnsQdisc *q, VnsTime now);
void vns_qdisc_purge(VnsQdisc *q, VnsTime now, VnsDropCause cause);

uint32_t vns_qdisc_packets(const VnsQdisc *q);
uint64_t vns_qdisc_bytes(const VnsQdisc *q);
const VnsQdiscParams *vns_qdisc_params(const VnsQdisc *q);
double vns_qdisc_red_average(const VnsQdisc *q);

void vns_qdisc_reset_stats(VnsQdisc *q, VnsTime now);
void vns_qdisc_get_stats(const VnsQdisc *q, VnsTime now, VnsQdiscStats *out);

#endif
