/* A TCP endpoint, client or server (see tcp_endpoint.h), modelled on
 * RFC 9293 and Linux's defaults:
 *
 * - Three-way handshake with the MSS option (interface MTU - 40 for IPv4,
 *   - 60 for IPv6) and window scaling (RFC 7323); FIN in both directions;
 *   TIME_WAIT for Linux's 60 s; RST for a segment that belongs to no
 *   connection (RFC 9293 section 3.10.7.1).
 * - Reliable delivery of a byte stream whose bytes are only counted: the
 *   sender keeps stream offsets (64-bit) and puts real 32-bit sequence
 *   numbers, ISS + 1 + offset, on the wire; the receiver keeps the next
 *   expected offset and a sorted list of out-of-order ranges.
 * - Delayed ACKs: an ACK for every second full-sized segment, else after
 *   40 ms (Linux's TCP_DELACK_MIN); an immediate ACK for out-of-order,
 *   duplicate and gap-filling segments and for a FIN (RFC 5681 section
 *   4.2, RFC 9293 section 3.10.7.4).
 * - Loss recovery: fast retransmit on the third duplicate ACK, then SACK
 *   recovery by the pipe (RFC 2018, RFC 6675, simplified) or NewReno fast
 *   recovery with partial ACKs (RFC 5681 section 3.2, RFC 6582), limited
 *   transmit (RFC 3042), and the retransmission timer of RFC 6298
 *   (SRTT/RTTVAR, Karn's algorithm, exponential back-off between Linux's
 *   TCP_RTO_MIN 200 ms and TCP_RTO_MAX 120 s) with go-back-N after a
 *   timeout and slow start from one segment.
 * - Congestion control behind tcp_cc.h (NewReno or CUBIC).
 *
 * Timers are lazy: each keeps a deadline, and its event is rescheduled
 * only when it fires before the deadline (moving a deadline later costs
 * nothing, which matters for the RTO restarted by every ACK). */
#include <config.h>
#include "models/transport/tcp_endpoint.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "models/l3/host.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/tcp.h"
#include "net/wire.h"

/* Linux's default TTL / hop limit, net.ipv4.ip_default_ttl = 64. */
#define TCP_TTL 64

typedef enum {
    TCP_TIMER_RTO,              /* retransmission */
    TCP_TIMER_DELACK,           /* delayed ACK */
    TCP_TIMER_TIMEWAIT,         /* 2MSL */
    TCP_TIMER_START,            /* client: connect */
    TCP_TIMER_STOP,             /* client: close an unlimited stream */
    TCP_TIMER_N,
} TcpTimerKind;

typedef struct {
    VnsTime deadline;           /* when it is due, ps; NEVER: disarmed */
    VnsTime at;                 /* when its pending event runs, ps */
    VnsEventId ev;              /* the pending event, or none */
} TcpTimer;

/* Out-of-order data: stream offsets [start, end). */
typedef struct {
    int64_t start, end;
} TcpRange;

struct VnsTcpConn {
    VnsElement *owner;          /* the application element, borrowed */
    VnsPort *port;              /* its port to the host, borrowed */
    VnsTcpConf conf;
    VnsTcpCounters *st;         /* counters, borrowed (shared by an app's
                                 * connections) */
    const VnsTcpConnCallbacks *cb;  /* NULL: a <tcp-flow> endpoint */
    void *app;                  /* passed to the callbacks */
    VnsTcpState state;
    TcpTimer timers[TCP_TIMER_N];
    bool iss_fixed;             /* vns_tcp_endpoint_set_iss() ran */
    uint32_t iss_value;         /* and its value */
    uint16_t ip_id;             /* next IPv4 identification */
    uint64_t pkt_seq;           /* flow_seq of the next packet */

    /* The connection. */
    VnsIpAddr laddr, raddr;
    uint16_t rport;             /* host order */
    uint32_t own_mss;           /* MSS we announce, bytes */
    uint32_t mss;               /* send MSS, bytes */
    uint8_t rcv_wscale;         /* shift of the windows we send */
    uint8_t snd_wscale;         /* shift of the windows we receive */
    bool wscale_ok;             /* both sides offered window scaling */
    bool sack_ok;               /* both sides offered SACK */

    /* Send side, in stream offsets: the SYN is -1 (sequence number ISS),
     * data byte i is i (ISS + 1 + i), the FIN is data_end. */
    uint32_t iss;
    int64_t una;                /* oldest unacknowledged (SND.UNA) */
    int64_t nxt;                /* next to send (SND.NXT) */
    int64_t max;                /* highest sent + 1 (snd_max) */
    int64_t data_end;           /* stream length; INT64_MAX: unlimited */
    bool closing;               /* the application closed: FIN at data_end */
    uint64_t snd_wnd;           /* peer's window, bytes */
    uint16_t snd_wnd_field;     /* its last raw value (duplicate ACKs) */
    VnsTcpCc cc;
    unsigned dupacks;
    bool in_recovery;           /* NewReno fast recovery */
    bool partial_acked;         /* a partial ACK came in this recovery */
    int64_t recover;            /* RFC 6582 "recover", an offset */
    GArray *sacked;             /* of TcpRange: SACKed offsets above SND.UNA */
    uint64_t sacked_bytes;
    int64_t high_rxt;           /* SACK recovery: retransmitted below this */
    bool rtt_timing;            /* a segment is being timed */
    int64_t rtt_off;            /* the ACK offset that completes it */
    VnsTime rtt_sent;           /* when it was sent, ps */
    bool have_rtt;
    VnsTime srtt, rttvar, rto;  /* RFC 6298, ps */
    unsigned backoff;           /* timeouts since SND.UNA last advanced */
    bool syn_retransmitted;

    /* Receive side, in stream offsets of the peer's stream. */
    uint32_t irs;
    int64_t rcv;                /* next expected (RCV.NXT), FIN included */
    int64_t rcv_adv;            /* right edge of the window we advertised */
    int64_t fin_off;            /* offset of the peer's FIN; -1: not seen */
    GArray *ooo;                /* of TcpRange: sorted, disjoint */
    uint64_t ooo_bytes;
    int64_t last_ooo;           /* start of the latest out-of-order segment */
    uint64_t ack_pending;       /* in-order bytes not yet acknowledged */
    uint32_t rcv_mss;           /* largest segment received (Linux's rcv_mss) */
    bool ack_now;               /* send an ACK at the end of processing */

    /* Measurements. */
    uint64_t delivered;         /* in-order bytes handed to the application */
    VnsTime t_start;            /* client: first SYN, ps */
    VnsTime t_complete;         /* server: whole stream received, ps; -1 */
    GString *trace_cwnd, *trace_rtt, *trace_inflight;   /* owned */
    VnsTime trace_last;         /* ps; -1: nothing written */

    /* Segmentation offload and packetization-layer probing (RFC 4821). */
    uint32_t gso_segs;          /* MSS per packet the device cuts; 0/1: none */
    uint32_t gso_mss;           /* the MSS the device cuts at, bytes */
    bool probing;               /* the MSS was lowered by probing */

    /* Callbacks not yet delivered: they run after the state machine is
     * done with a segment or timer (tcp_conn_notify()). */
    bool ev_established;
    uint64_t ev_received;
    bool ev_eof;
    bool ev_closed;
    VnsTcpCloseReason ev_reason;
};

static void tcp_timer_run(VnsSim *sim, void *ctx, void *arg);
static void tcp_conn_setup(VnsTcpConn *e);
static void tcp_conn_release(VnsTcpConn *e);

static const VnsEventType tcp_timer_type = {
    "tcp-timer", tcp_timer_run, NULL,
};

static const char *const tcp_state_names[] = {
    "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
    "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
    "TIME-WAIT",
};

/*
 * vns_tcp_state_name:
 * The RFC 9293 name of 'state' (static string).
 */
const char *
vns_tcp_state_name(VnsTcpState state)
{
    g_return_val_if_fail((unsigned) state < G_N_ELEMENTS(tcp_state_names), "?");
    return tcp_state_names[state];
}

/* ---- timers ---- */

/* Sets timer 'k' to fire at 'deadline', scheduling an event only when
 * none is pending at or before it. */
static void
tcp_timer_arm(VnsTcpConn *e, TcpTimerKind k, VnsTime deadline)
{
    TcpTimer *t = &e->timers[k];

    t->deadline = deadline;
    if (vns_sim_is_pending(e->owner->sim, t->ev) && t->at <= deadline)
        return;
    vns_sim_cancel(e->owner->sim, t->ev);
    t->at = deadline;
    t->ev = vns_sim_schedule_at(e->owner->sim, deadline, &tcp_timer_type, e,
                                GUINT_TO_POINTER(k));
}

/* Disarms timer 'k'; a pending event finds no deadline and does nothing. */
static void
tcp_timer_stop(VnsTcpConn *e, TcpTimerKind k)
{
    e->timers[k].deadline = VNS_TIME_NEVER;
}

static bool
tcp_timer_armed(const VnsTcpConn *e, TcpTimerKind k)
{
    return e->timers[k].deadline != VNS_TIME_NEVER;
}

/* ---- sequence numbers ---- */

static uint32_t
tcp_snd_seq(const VnsTcpConn *e, int64_t off)
{
    return e->iss + 1 + (uint32_t) off;
}

static uint32_t
tcp_rcv_seq(const VnsTcpConn *e)
{
    return e->irs + 1 + (uint32_t) e->rcv;
}

/* ---- byte ranges ---- */

/* Adds [start, end) to the sorted, disjoint 'ranges' of TcpRange, merging
 * what it touches; '*bytes' counts the bytes they cover. */
static void
tcp_ranges_add(GArray *ranges, uint64_t *bytes, int64_t start, int64_t end)
{
    guint i = 0;

    while (i < ranges->len && g_array_index(ranges, TcpRange, i).end < start)
        i++;
    while (i < ranges->len && g_array_index(ranges, TcpRange, i).start <= end) {
        TcpRange r = g_array_index(ranges, TcpRange, i);
        start = MIN(start, r.start);
        end = MAX(end, r.end);
        *bytes -= (uint64_t) (r.end - r.start);
        g_array_remove_index(ranges, i);
    }
    g_array_insert_val(ranges, i, ((TcpRange) { start, end }));
    *bytes += (uint64_t) (end - start);
}

/* Drops what lies below 'below' from 'ranges'. */
static void
tcp_ranges_trim(GArray *ranges, uint64_t *bytes, int64_t below)
{
    while (ranges->len > 0) {
        TcpRange *r = &g_array_index(ranges, TcpRange, 0);
        if (r->start >= below)
            break;
        if (r->end > below) {
            *bytes -= (uint64_t) (below - r->start);
            r->start = below;
            break;
        }
        *bytes -= (uint64_t) (r->end - r->start);
        g_array_remove_index(ranges, 0);
    }
}

/* ---- output ---- */

/* The window field to send: the free receive buffer (the application
 * reads at once, so only out-of-order data occupies it), scaled (RFC 7323
 * section 2.2), unscaled and at most 65535 in a SYN. The right edge never
 * moves back (RFC 9293 section 3.8.6.2.2, Linux's tcp_select_window()),
 * so duplicate ACKs keep the same window. */
static uint16_t
tcp_window_field(VnsTcpConn *e, bool syn)
{
    uint64_t wnd = e->conf.rcvbuf > e->ooo_bytes ? e->conf.rcvbuf - e->ooo_bytes : 0;
    uint16_t field;

    if (e->rcv + (int64_t) wnd < e->rcv_adv)
        wnd = (uint64_t) (e->rcv_adv - e->rcv);
    if (syn) {
        field = (uint16_t) MIN(wnd, 65535);
        e->rcv_adv = e->rcv + field;
        return field;
    }
    field = (uint16_t) MIN(wnd >> e->rcv_wscale, 65535);
    e->rcv_adv = MAX(e->rcv_adv, e->rcv + ((int64_t) field << e->rcv_wscale));
    return field;
}

/* Builds a segment from 'src' to 'dst' and hands it to the host.
 * 'payload' bytes of data follow the header. */
static void
tcp_emit(VnsTcpConn *e, const VnsIpAddr *src, const VnsIpAddr *dst,
         const VnsTcpHdr *th, uint32_t payload)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(e->owner->net), payload);

    vns_tcp_push(pkt, th, src, dst);
    if (src->family == VNS_IP_V4) {
        VnsIpv4Hdr ip = {
            /* Linux sets DF on TCP (path MTU discovery, ip(7)) and counts
             * the identification per socket. */
            .id = e->ip_id++, .df = true, .ttl = TCP_TTL,
            .proto = VNS_IPPROTO_TCP, .src = src->v4, .dst = dst->v4,
        };
        vns_ipv4_push(pkt, &ip);
    } else {
        VnsIpv6Hdr ip6 = {
            .next_header = VNS_IPPROTO_TCP, .hop_limit = TCP_TTL,
            .src = src->v6, .dst = dst->v6,
        };
        vns_ipv6_push(pkt, &ip6);
    }
    pkt->flow_id = e->conf.flow_id;
    pkt->flow_seq = e->pkt_seq++;
    pkt->t_created = vns_element_now(e->owner);
    e->st->segments_sent++;
    vns_port_send(e->port, pkt);
}

/* Sends a segment of the connection: sequence number 'seq', our ACK, and
 * 'flags'; a SYN carries the MSS and window-scale options. Any segment
 * with ACK acknowledges everything received, so the delayed ACK is
 * cancelled. */
static void
tcp_send(VnsTcpConn *e, uint32_t seq, uint8_t flags, uint32_t payload)
{
    bool syn = flags & VNS_TCP_SYN;
    VnsTcpHdr th = {
        .sport = e->conf.lport, .dport = e->rport, .seq = seq,
        .ack = (flags & VNS_TCP_ACK) ? tcp_rcv_seq(e) : 0,
        .flags = flags, .window = tcp_window_field(e, syn),
    };

    if (syn) {
        th.opts.has_mss = true;
        th.opts.mss = (uint16_t) e->own_mss;
        /* RFC 7323 section 2.2: offered in a SYN; in a SYN-ACK only in
         * answer to one. */
        if (e->conf.wscale && (!(flags & VNS_TCP_ACK) || e->wscale_ok)) {
            th.opts.has_wscale = true;
            th.opts.wscale = e->rcv_wscale;
        }
        /* RFC 2018 section 2: SACK-Permitted, likewise. */
        th.opts.sack_permitted = e->conf.sack && (!(flags & VNS_TCP_ACK) || e->sack_ok);
    }
    if (!syn && (flags & VNS_TCP_ACK) && e->sack_ok && e->ooo->len > 0) {
        /* RFC 2018 section 4: the first block holds the latest segment
         * received out of order; then the others, highest first (four fit
         * without timestamps). */
        guint first = G_MAXUINT;
        for (guint i = 0; i < e->ooo->len; i++) {
            const TcpRange *r = &g_array_index(e->ooo, TcpRange, i);
            if (r->start <= e->last_ooo && e->last_ooo < r->end)
                first = i;
        }
        for (gint k = -1; k < (gint) e->ooo->len && th.opts.sack_blocks < VNS_TCP_MAX_SACK;
             k++) {
            guint i = k < 0 ? first : e->ooo->len - 1 - (guint) k;
            const TcpRange *r;
            if (i == G_MAXUINT || (k >= 0 && i == first))
                continue;
            r = &g_array_index(e->ooo, TcpRange, i);
            th.opts.sack[th.opts.sack_blocks][0] = e->irs + 1 + (uint32_t) r->start;
            th.opts.sack[th.opts.sack_blocks][1] = e->irs + 1 + (uint32_t) r->end;
            th.opts.sack_blocks++;
        }
    }
    if (flags & VNS_TCP_ACK) {
        e->ack_pending = 0;
        e->ack_now = false;
        tcp_timer_stop(e, TCP_TIMER_DELACK);
    }
    tcp_emit(e, &e->laddr, &e->raddr, &th, payload);
}

/* Starts the retransmission timer unless it runs (RFC 6298 section 5.1). */
static void
tcp_rto_start(VnsTcpConn *e)
{
    if (!tcp_timer_armed(e, TCP_TIMER_RTO))
        tcp_timer_arm(e, TCP_TIMER_RTO, vns_element_now(e->owner) + e->rto);
}

/* Sends 'len' data bytes at stream offset 'off', with FIN when 'fin'
 * (the FIN then sits at off + len = data_end). A segment at or after
 * snd_max is new and may be timed; one below it is a retransmission
 * (Karn's algorithm: never timed, and it cancels a running sample). */
static void
tcp_send_data(VnsTcpConn *e, int64_t off, uint32_t len, bool fin)
{
    uint8_t flags = VNS_TCP_ACK;
    int64_t end = off + len + (fin ? 1 : 0);

    if (fin)
        flags |= VNS_TCP_FIN;
    if (len > 0 && off + len == e->data_end)
        flags |= VNS_TCP_PSH;           /* the end of the application's write */
    if (off < e->max) {
        e->st->retransmits++;
        e->rtt_timing = false;
    } else if (!e->rtt_timing) {
        e->rtt_timing = true;
        e->rtt_off = end;
        e->rtt_sent = vns_element_now(e->owner);
    }
    if (off == e->nxt)
        e->nxt = end;
    e->max = MAX(e->max, end);
    e->st->data_sent += len;
    if (fin && e->state == VNS_TCP_ESTABLISHED)
        e->state = VNS_TCP_FIN_WAIT_1;
    else if (fin && e->state == VNS_TCP_CLOSE_WAIT)
        e->state = VNS_TCP_LAST_ACK;
    /* The timer starts before the segment leaves: an answer may come
     * back within vns_port_send() when nothing delays it. */
    tcp_rto_start(e);
    tcp_send(e, tcp_snd_seq(e, off), flags, len);
}

/* Retransmits the first unacknowledged segment (fast retransmit, partial
 * ACKs, timeouts). */
static void
tcp_retransmit_head(VnsTcpConn *e)
{
    int64_t data_left = MIN(e->max, e->data_end) - e->una;
    uint32_t len = (uint32_t) MIN((int64_t) e->mss, MAX(data_left, 0));
    bool fin = e->closing && e->una + len == e->data_end && e->max > e->data_end;

    if (len == 0 && !fin)
        return;
    tcp_send_data(e, e->una, len, fin);
}

static bool
tcp_can_send_data(const VnsTcpConn *e)
{
    return e->state == VNS_TCP_ESTABLISHED || e->state == VNS_TCP_CLOSE_WAIT ||
           e->state == VNS_TCP_FIN_WAIT_1 || e->state == VNS_TCP_CLOSING ||
           e->state == VNS_TCP_LAST_ACK;
}

/* ---- SACK loss recovery (RFC 6675, simplified) ---- */

/* Walks the holes (unSACKed bytes) of [SND.UNA, snd_max): for each, its
 * bounds and the SACKed bytes above it. A hole is lost when at least
 * DupThresh x SMSS = 3 MSS are SACKed above it (IsLost(), RFC 6675 section
 * 4, by bytes); the hole above the highest SACKed block never is. Returns
 * the pipe (section 4, SetPipe()): bytes of holes not lost, plus bytes
 * retransmitted in this recovery (below HighRxt). If 'lost_start' is not
 * NULL, also finds the first lost byte at or above HighRxt and the end of
 * its hole; *lost_start = -1 when there is none. */
static uint64_t
tcp_sack_scan(const VnsTcpConn *e, int64_t *lost_start, int64_t *lost_end)
{
    uint64_t pipe = 0, above = e->sacked_bytes;
    int64_t at = e->una;
    const uint64_t thresh = 3 * (uint64_t) e->mss;

    if (lost_start != NULL)
        *lost_start = -1;
    for (guint i = 0; i <= e->sacked->len; i++) {
        int64_t hs = at;
        int64_t he = i < e->sacked->len ? g_array_index(e->sacked, TcpRange, i).start : e->max;
        bool lost = i < e->sacked->len && above >= thresh;
        if (he > hs) {
            if (!lost)
                pipe += (uint64_t) (he - hs);
            if (e->high_rxt > hs)
                pipe += (uint64_t) (MIN(e->high_rxt, he) - hs);
            if (lost && lost_start != NULL && *lost_start < 0 && e->high_rxt < he) {
                *lost_start = MAX(hs, e->high_rxt);
                *lost_end = he;
            }
        }
        if (i < e->sacked->len) {
            const TcpRange *r = &g_array_index(e->sacked, TcpRange, i);
            above -= (uint64_t) (r->end - r->start);
            at = r->end;
        }
    }
    return pipe;
}

/* Sends during SACK recovery while cwnd - pipe allows a segment: first
 * the next lost hole not yet retransmitted, then new data (NextSeg(),
 * RFC 6675 section 4, rules 1 and 2; the rescue retransmission is not
 * modelled). */
static void
tcp_sack_output(VnsTcpConn *e)
{
    for (;;) {
        int64_t ls, le;
        uint64_t pipe = tcp_sack_scan(e, &ls, &le);
        uint64_t flight = (uint64_t) (e->nxt - e->una);
        uint32_t len;

        if (pipe + e->mss > e->cc.cwnd)
            return;
        if (ls >= 0) {
            len = (uint32_t) MIN((int64_t) e->mss, le - ls);
            /* A hole that ends at the stream's end includes the FIN. */
            if (e->closing && ls + len > e->data_end)
                len = (uint32_t) (e->data_end - ls);
            e->high_rxt = ls + len + (e->closing && ls + len == e->data_end);
            tcp_send_data(e, ls, len, e->closing && ls + len == e->data_end);
            continue;
        }
        if (e->nxt >= e->data_end)
            return;
        len = (uint32_t) MIN((int64_t) e->mss, e->data_end - e->nxt);
        if (flight + len > e->snd_wnd)
            return;
        tcp_send_data(e, e->nxt, len, e->closing && e->nxt + len == e->data_end);
    }
}

/* Records the SACK blocks of an ACK (offsets in (SND.UNA, snd_max]). */
static void
tcp_sack_update(VnsTcpConn *e, const VnsTcpHdr *th)
{
    for (unsigned i = 0; i < th->opts.sack_blocks; i++) {
        int64_t l = e->una + (int32_t) (th->opts.sack[i][0] - tcp_snd_seq(e, e->una));
        int64_t r = e->una + (int32_t) (th->opts.sack[i][1] - tcp_snd_seq(e, e->una));
        if (l > e->una && l < r && r <= e->max)
            tcp_ranges_add(e->sacked, &e->sacked_bytes, l, r);
    }
}

/* Sends what the windows allow, then an ACK if one is due and no segment
 * carried it. Only whole segments leave, except the stream's last (a
 * simplified sender-side silly window avoidance, RFC 9293 section
 * 3.8.6.2.1). */
static void
tcp_output(VnsTcpConn *e)
{
    if (e->in_recovery && e->sack_ok && tcp_can_send_data(e))
        tcp_sack_output(e);
    while (!(e->in_recovery && e->sack_ok) && tcp_can_send_data(e)) {
        uint64_t wnd = e->cc.cwnd, flight = (uint64_t) (e->nxt - e->una);
        uint32_t len;

        /* RFC 3042: the first two duplicate ACKs each let one new segment
         * out beyond cwnd. */
        if (!e->in_recovery && e->dupacks > 0 && e->dupacks < 3)
            wnd += (uint64_t) e->dupacks * e->mss;
        wnd = MIN(wnd, e->snd_wnd);
        if (e->nxt < e->data_end) {
            len = (uint32_t) MIN((int64_t) e->mss, e->data_end - e->nxt);
            if (flight >= wnd)
                break;
            if (len > wnd - flight) {
                /* Less than a segment of window: wait for ACKs, unless
                 * nothing is in flight to bring them (a receive window
                 * below one MSS), then send what fits. */
                if (flight > 0)
                    break;
                len = (uint32_t) wnd;
            } else if (e->gso_segs > 1 && len == e->mss && e->mss == e->gso_mss) {
                /* Segmentation offload (CONTRACTS.md): as many whole MSS
                 * as the device takes and the window allows, in one
                 * packet the device cuts (Linux's tcp_tso_autosize()
                 * without its pacing-rate limit). */
                uint64_t room = MIN((uint64_t) (e->data_end - e->nxt), wnd - flight);
                uint64_t k = MIN((uint64_t) e->gso_segs, room / e->mss);
                len = (uint32_t) (MAX(k, 1u) * e->mss);
            }
            tcp_send_data(e, e->nxt, len,
                          e->closing && e->nxt + len == e->data_end);
            continue;
        }
        if (e->closing && e->nxt == e->data_end)
            tcp_send_data(e, e->nxt, 0, true);
        break;
    }
    if (e->ack_now && e->state != VNS_TCP_CLOSED && e->state != VNS_TCP_LISTEN)
        tcp_send(e, tcp_snd_seq(e, e->nxt), VNS_TCP_ACK, 0);
}

/* Answers a segment that belongs to no connection with a RST (RFC 9293
 * section 3.10.7.1): <SEQ=SEG.ACK><CTL=RST> if it had an ACK, else
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (SYN and FIN count in LEN). */
static void
tcp_reply_rst(VnsTcpConn *e, const VnsFlowKey *k, const VnsTcpHdr *th,
              uint32_t seg_len)
{
    VnsTcpHdr r = { .sport = th->dport, .dport = th->sport };

    if (th->flags & VNS_TCP_RST)
        return;
    if (th->flags & VNS_TCP_ACK) {
        r.seq = th->ack;
        r.flags = VNS_TCP_RST;
    } else {
        r.ack = th->seq + seg_len + !!(th->flags & VNS_TCP_SYN) +
                !!(th->flags & VNS_TCP_FIN);
        r.flags = VNS_TCP_RST | VNS_TCP_ACK;
    }
    e->st->resets_sent++;
    tcp_emit(e, &k->dst, &k->src, &r, 0);
}

/* ---- time series ---- */

/* Appends a line to each time series when 'force' or when the trace
 * interval has passed since the last one. */
static void
tcp_trace(VnsTcpConn *e, bool force)
{
    VnsTime now = vns_element_now(e->owner);
    double t = vns_time_to_s(now);

    if (e->trace_cwnd == NULL)
        return;
    if (!force && e->trace_last >= 0 && now - e->trace_last < e->conf.trace_interval)
        return;
    e->trace_last = now;
    g_string_append_printf(e->trace_cwnd, "%.9f %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
                           t, e->cc.cwnd,
                           e->cc.ssthresh == UINT64_MAX ? 0 : e->cc.ssthresh);
    if (e->have_rtt)
        g_string_append_printf(e->trace_rtt, "%.9f %.9f %.9f\n", t,
                               vns_time_to_s(e->srtt), vns_time_to_s(e->rto));
    g_string_append_printf(e->trace_inflight, "%.9f %" G_GINT64_FORMAT "\n", t,
                           e->nxt - e->una);
}

/* ---- RTT and RTO ---- */

/* RFC 6298 section 2: an RTT measurement 'r' updates SRTT and RTTVAR
 * (alpha 1/8, beta 1/4, K 4, clock granularity 0 here) and the RTO,
 * bounded by TCP_RTO_MIN and TCP_RTO_MAX. A valid sample also ends the
 * back-off (section 5.7 and Karn). */
static void
tcp_rtt_sample(VnsTcpConn *e, VnsTime r)
{
    if (!e->have_rtt) {
        e->srtt = r;
        e->rttvar = r / 2;
        e->have_rtt = true;
    } else {
        VnsTime d = e->srtt - r;
        e->rttvar = (3 * e->rttvar + (d < 0 ? -d : d)) / 4;
        e->srtt = (7 * e->srtt + r) / 8;
    }
    e->rto = e->srtt + 4 * e->rttvar;
    e->rto = MAX(e->rto, VNS_TCP_RTO_MIN);
    e->rto = MIN(e->rto, VNS_TCP_RTO_MAX);
}

/* ---- connection life ---- */

static void
tcp_conn_reset_state(VnsTcpConn *e)
{
    tcp_timer_stop(e, TCP_TIMER_RTO);
    tcp_timer_stop(e, TCP_TIMER_DELACK);
    tcp_timer_stop(e, TCP_TIMER_TIMEWAIT);
    g_array_set_size(e->ooo, 0);
    e->ooo_bytes = 0;
    g_array_set_size(e->sacked, 0);
    e->sacked_bytes = 0;
    e->ack_pending = 0;
    e->ack_now = false;
}

/* The connection is over: a client closes, a server listens again. */
static void
tcp_conn_close_why(VnsTcpConn *e, VnsTcpCloseReason why)
{
    tcp_conn_reset_state(e);
    e->state = e->conf.server ? VNS_TCP_LISTEN : VNS_TCP_CLOSED;
    if (e->cb != NULL) {
        e->ev_closed = true;
        e->ev_reason = why;
    }
}

static void
tcp_conn_close(VnsTcpConn *e)
{
    tcp_conn_close_why(e, VNS_TCP_CLOSE_NORMAL);
}

/* The MTU the MSS comes from: the host's path MTU to the peer
 * (vns_host_path_mtu(): the route's interface MTU, lowered by ICMP),
 * at most the configured 'mtu'. Also reads whether the interface that
 * owns the local address sits on a device with segmentation offload
 * (VnsPortInfo.gso_max_size of its peer): then up to gso_segs MSS leave
 * in one packet. */
static uint32_t
tcp_route_mtu(VnsTcpConn *e)
{
    VnsElement *host = e->port != NULL && e->port->peer != NULL ? e->port->peer->owner : NULL;
    uint32_t mtu = e->conf.mtu, hdr = e->laddr.family == VNS_IP_V4 ? 40 : 60;

    e->gso_segs = 0;
    e->gso_mss = 0;
    if (host == NULL || !vns_host_is_host(host))
        return mtu;
    if (vns_host_path_mtu(host, &e->raddr) > 0)
        mtu = MIN(mtu, vns_host_path_mtu(host, &e->raddr));
    for (guint i = 0; i < host->ports->len; i++) {
        const VnsPort *p = host->ports->pdata[i];
        const VnsIpAddr *a = e->laddr.family == VNS_IP_V4 ? &p->info.addr4 : &p->info.addr6;
        uint32_t dev_mtu;
        if (p->peer == NULL || !vns_ip_addr_equal(a, &e->laddr) ||
            p->peer->info.gso_max_size <= hdr)
            continue;
        /* The device cuts at its own MTU's MSS: offload only while the
         * connection's MSS is that one (a lower path MTU or a smaller
         * peer MSS turns it off). */
        dev_mtu = p->peer->info.mtu > 0 ? p->peer->info.mtu : p->info.mtu;
        if (dev_mtu > hdr) {
            e->gso_mss = dev_mtu - hdr;
            e->gso_segs = (p->peer->info.gso_max_size - hdr) / e->gso_mss;
        }
    }
    return mtu;
}

static uint32_t
tcp_draw_iss(VnsTcpConn *e)
{
    if (e->iss_fixed)
        return e->iss_value;
    /* Linux draws the ISN from a keyed hash and a clock
     * (secure_tcp_seq()); a uniform 32-bit draw from the element's stream
     * has the same effect on the model. */
    return (uint32_t) gsl_rng_uniform_int(vns_element_rng(e->owner), 1u << 16) << 16 |
           (uint32_t) gsl_rng_uniform_int(vns_element_rng(e->owner), 1u << 16);
}

/* Fresh send and receive state for a new connection. */
static void
tcp_conn_init(VnsTcpConn *e)
{
    uint32_t hdr = e->laddr.family == VNS_IP_V4 ? 40 : 60;

    tcp_conn_reset_state(e);
    e->iss = tcp_draw_iss(e);
    e->una = e->nxt = e->max = -1;
    e->own_mss = tcp_route_mtu(e);
    e->own_mss = e->own_mss > hdr ? e->own_mss - hdr : 1;
    e->rcv_wscale = 0;
    while (e->rcv_wscale < VNS_TCP_MAX_WSCALE &&
           (e->conf.rcvbuf >> e->rcv_wscale) > 65535)
        e->rcv_wscale++;
    e->snd_wscale = 0;
    e->wscale_ok = false;
    e->sack_ok = false;
    e->rto = VNS_TCP_RTO_INIT;
    e->have_rtt = false;
    e->backoff = 0;
    e->syn_retransmitted = false;
    e->rtt_timing = false;
    e->dupacks = 0;
    e->in_recovery = false;
    e->recover = -1;
    e->rcv = 0;
    e->rcv_adv = 0;
    e->fin_off = -1;
    e->rcv_mss = 0;
    e->probing = false;
    if (e->conf.server || e->cb != NULL) {
        /* A server, or an application that writes (vns_tcp_conn_write()). */
        e->data_end = 0;
        e->closing = false;
    } else {
        e->data_end = e->conf.size > 0 ? (int64_t) e->conf.size : INT64_MAX;
        /* A sized transfer is one write() and a close(): the FIN follows
         * the last byte. */
        e->closing = e->conf.size > 0;
    }
}

/* Reads the peer's SYN options: MSS (RFC 9293 section 3.7.1) and window
 * scale (RFC 7323 section 2.2; shifts above 14 are used as 14). Sets up
 * congestion control with the resulting send MSS. */
static void
tcp_syn_options(VnsTcpConn *e, const VnsTcpHdr *th)
{
    uint32_t peer_mss = th->opts.has_mss
                            ? th->opts.mss
                            : (e->laddr.family == VNS_IP_V4 ? VNS_TCP_DEFAULT_MSS_V4
                                                            : VNS_TCP_DEFAULT_MSS_V6);

    e->mss = MAX(MIN(e->own_mss, peer_mss), 1u);
    e->wscale_ok = e->conf.wscale && th->opts.has_wscale;
    e->sack_ok = e->conf.sack && th->opts.sack_permitted;
    e->snd_wscale = e->wscale_ok ? MIN(th->opts.wscale, VNS_TCP_MAX_WSCALE) : 0;
    if (!e->wscale_ok)
        e->rcv_wscale = 0;
    e->snd_wnd = th->window;        /* never scaled in a SYN */
    e->snd_wnd_field = th->window;
    vns_tcp_cc_init(&e->cc, e->conf.cc, e->mss, VNS_TCP_INIT_CWND);
}

/* The handshake completed: the SYN is acknowledged at 'now'. */
static void
tcp_established(VnsTcpConn *e)
{
    e->una = 0;
    e->state = VNS_TCP_ESTABLISHED;
    tcp_timer_stop(e, TCP_TIMER_RTO);
    if (e->rtt_timing) {
        tcp_rtt_sample(e, vns_element_now(e->owner) - e->rtt_sent);
        e->rtt_timing = false;
    } else if (e->syn_retransmitted) {
        e->rto = VNS_TCP_RTO_FALLBACK;
    }
    if (e->conf.server)
        e->t_complete = -1;
    e->ev_established = e->cb != NULL;
}

static void
tcp_enter_time_wait(VnsTcpConn *e)
{
    e->state = VNS_TCP_TIME_WAIT;
    tcp_timer_stop(e, TCP_TIMER_RTO);
    tcp_timer_arm(e, TCP_TIMER_TIMEWAIT, vns_element_now(e->owner) + VNS_TCP_TIMEWAIT_LEN);
}

/* ---- ACK processing (the sending side) ---- */

/* A new cumulative ACK to stream offset 'ack'. */
static void
tcp_new_ack(VnsTcpConn *e, int64_t ack)
{
    VnsTime now = vns_element_now(e->owner);
    uint64_t acked = (uint64_t) (ack - e->una);
    uint64_t flight_before = (uint64_t) (e->max - e->una);
    bool cwnd_limited;

    if (e->rtt_timing && ack >= e->rtt_off) {
        tcp_rtt_sample(e, now - e->rtt_sent);
        e->rtt_timing = false;
    }
    /* Linux's tcp_is_cwnd_limited(): in slow start, cwnd may grow up to
     * twice what was in flight; afterwards only when the flight filled
     * cwnd. */
    cwnd_limited = e->cc.cwnd < e->cc.ssthresh
                       ? 2 * flight_before >= e->cc.cwnd
                       : flight_before + e->mss > e->cc.cwnd;
    e->una = ack;
    if (e->nxt < ack)
        e->nxt = ack;
    tcp_ranges_trim(e->sacked, &e->sacked_bytes, ack);
    /* Progress: a later timeout is a new loss (RFC 5681 section 3.1). The
     * backed-off RTO itself stays until a valid RTT sample (Karn). */
    e->backoff = 0;
    if (e->in_recovery && e->sack_ok) {
        /* RFC 6675 section 5: recovery ends when RecoveryPoint is
         * acknowledged; cwnd = ssthresh (Linux's tcp_end_cwnd_reduction()).
         * Until then tcp_output() sends by the pipe. */
        if (ack > e->recover) {
            e->cc.cwnd = e->cc.ssthresh;
            e->in_recovery = false;
            e->dupacks = 0;
        }
        e->high_rxt = MAX(e->high_rxt, ack);
    } else if (e->in_recovery) {
        if (ack > e->recover) {
            /* RFC 6582 section 3.2 step 3, full ACK: deflate to
             * min(ssthresh, FlightSize + SMSS). */
            uint64_t flight = (uint64_t) (e->max - e->una);
            e->cc.cwnd = MIN(e->cc.ssthresh, flight + e->mss);
            e->in_recovery = false;
            e->dupacks = 0;
        } else {
            /* Step 3, partial ACK: retransmit the next hole, deflate by
             * the amount acknowledged and add back one SMSS if that was
             * at least one SMSS. Only the first partial ACK restarts the
             * timer, so that many losses in one window end in a timeout
             * rather than one hole per RTT (RFC 6582 section 4, the
             * "Impatient" variant). */
            tcp_retransmit_head(e);
            e->cc.cwnd = e->cc.cwnd > acked ? e->cc.cwnd - acked : 0;
            if (acked >= e->mss)
                e->cc.cwnd += e->mss;
            e->cc.cwnd = MAX(e->cc.cwnd, (uint64_t) e->mss);
            if (!e->partial_acked) {
                e->partial_acked = true;
                tcp_timer_arm(e, TCP_TIMER_RTO, now + e->rto);
            }
            tcp_trace(e, false);
            return;
        }
    } else {
        e->dupacks = 0;
        vns_tcp_cc_on_ack(&e->cc, acked, cwnd_limited, now, e->srtt);
    }
    /* RFC 6298 section 5.2-5.3. */
    if (e->una >= e->max)
        tcp_timer_stop(e, TCP_TIMER_RTO);
    else
        tcp_timer_arm(e, TCP_TIMER_RTO, now + e->rto);
    tcp_trace(e, false);
}

/* A duplicate ACK (RFC 5681 section 2 definition). */
static void
tcp_dup_ack(VnsTcpConn *e)
{
    e->dupacks++;
    if (e->in_recovery) {
        /* RFC 5681 section 3.2 step 4: inflate by one SMSS (SACK
         * recovery counts the pipe instead). */
        if (!e->sack_ok)
            e->cc.cwnd += e->mss;
        return;
    }
    if (e->dupacks == 3 && e->una > e->recover) {
        /* RFC 6582 section 3.2 step 2 (and RFC 5681 section 3.2 steps
         * 2-3): fast retransmit and enter fast recovery. */
        e->cc.ops->on_loss(&e->cc, (uint64_t) (e->max - e->una));
        e->recover = e->max - 1;
        e->in_recovery = true;
        e->partial_acked = false;
        e->st->fast_retransmits++;
        e->high_rxt = e->una;
        tcp_retransmit_head(e);
        if (e->sack_ok) {
            /* RFC 6675 section 5 steps 4.2-4.3. */
            e->cc.cwnd = e->cc.ssthresh;
            e->high_rxt = MIN(e->una + (int64_t) e->mss, e->max);
        } else {
            e->cc.cwnd = e->cc.ssthresh + 3 * (uint64_t) e->mss;
        }
        tcp_trace(e, true);
    }
}

/* Packetization-layer path MTU discovery after a suspected black hole
 * (RFC 4821 section 7.7; Linux's tcp_mtu_probing() with tcp_mtu_probing
 * = 1): the first time, the MSS falls to tcp_base_mss = 1024 (if it was
 * larger); each later time, to half of it, at least tcp_mtu_probe_floor =
 * 48. Probing for a larger MTU again (Linux: every 600 s) is not
 * modelled. */
static void
tcp_mtu_probe_down(VnsTcpConn *e)
{
    uint32_t mss;

    if (!e->conf.mtu_probing)
        return;
    mss = e->probing ? e->mss / 2 : MIN(e->mss, VNS_TCP_BASE_MSS);
    mss = MAX(mss, VNS_TCP_MTU_PROBE_FLOOR);
    e->probing = true;
    if (mss < e->mss) {
        e->st->mtu_probe_reductions++;
        e->mss = mss;
        e->cc.mss = mss;
    }
}

/* The retransmission timer expired (RFC 6298 section 5.4-5.6, RFC 5681
 * section 3.1, RFC 6582 section 3.2 step 4). */
static void
tcp_rto_expired(VnsTcpConn *e)
{
    e->st->timeouts++;
    e->rtt_timing = false;
    if (e->state == VNS_TCP_SYN_SENT || e->state == VNS_TCP_SYN_RECEIVED) {
        bool client = e->state == VNS_TCP_SYN_SENT;
        if (e->backoff >= (client ? VNS_TCP_SYN_RETRIES : VNS_TCP_SYNACK_RETRIES)) {
            /* Connection timed out (Linux: ETIMEDOUT after 127 s for a
             * client, the request dropped after 63 s for a server). */
            e->st->aborts++;
            tcp_conn_close_why(e, VNS_TCP_CLOSE_TIMEOUT);
            return;
        }
        e->syn_retransmitted = true;
        e->st->retransmits++;
        e->rto = MIN(2 * e->rto, VNS_TCP_RTO_MAX);
        e->backoff++;
        tcp_timer_arm(e, TCP_TIMER_RTO, vns_element_now(e->owner) + e->rto);
        tcp_send(e, e->iss, client ? VNS_TCP_SYN : VNS_TCP_SYN | VNS_TCP_ACK, 0);
        return;
    }
    if (!tcp_can_send_data(e) || e->una >= e->max)
        return;
    if (e->backoff >= VNS_TCP_RETRIES2) {
        /* Linux's tcp_write_timeout() with tcp_retries2 = 15, counted in
         * retransmissions (Linux counts the time they would take from a
         * 200 ms RTO, 924.6 s: the same when the RTO started there). */
        e->st->aborts++;
        tcp_conn_close_why(e, VNS_TCP_CLOSE_TIMEOUT);
        return;
    }
    /* RFC 5681 section 3.1: ssthresh falls on the first timeout of a
     * segment only, and not again when fast recovery already lowered it
     * for this loss (Linux's tcp_enter_loss() keeps it in Recovery);
     * cwnd becomes the loss window, one segment. */
    if (e->backoff == 0 && !e->in_recovery)
        e->cc.ops->on_loss(&e->cc, (uint64_t) (e->max - e->una));
    if (e->backoff >= VNS_TCP_RETRIES1) {
        /* Linux's tcp_write_timeout(): after tcp_retries1 = 3
         * retransmissions without progress, a black hole is suspected
         * (counted here), and with tcp_mtu_probing = 1 the MSS falls
         * (tcp_mtu_probing(), RFC 4821 section 7.7). */
        if (e->backoff == VNS_TCP_RETRIES1)
            e->st->blackholes++;
        tcp_mtu_probe_down(e);
    }
    e->cc.cwnd = e->mss;
    e->cc.ai_bytes = 0;
    e->in_recovery = false;
    e->dupacks = 0;
    e->recover = e->max - 1;
    /* RFC 2018 section 8: after a timeout, SACK information is ignored
     * in choosing what to retransmit. */
    g_array_set_size(e->sacked, 0);
    e->sacked_bytes = 0;
    e->backoff++;
    e->rto = MIN(2 * e->rto, VNS_TCP_RTO_MAX);
    /* Go back N: resend from SND.UNA in slow start. */
    e->nxt = e->una;
    tcp_timer_stop(e, TCP_TIMER_RTO);
    tcp_trace(e, true);
    tcp_output(e);
}

/* ---- segment arrival ---- */

/* Adds out-of-order data [start, end) to the sorted, disjoint list. */
static void
tcp_ooo_add(VnsTcpConn *e, int64_t start, int64_t end)
{
    tcp_ranges_add(e->ooo, &e->ooo_bytes, start, end);
    e->last_ooo = start;
}

/* Delivers in-order bytes up to 'end' and whatever out-of-order data now
 * follows. Returns true when a gap was filled. */
static bool
tcp_rcv_advance(VnsTcpConn *e, int64_t end)
{
    bool filled = false;
    int64_t data_limit = e->fin_off >= 0 ? e->fin_off : INT64_MAX;

    end = MIN(end, data_limit);
    if (end > e->rcv) {
        e->ev_received += (uint64_t) (end - e->rcv);
        e->delivered += (uint64_t) (end - e->rcv);
        e->ack_pending += (uint64_t) (end - e->rcv);
        e->rcv = end;
    }
    while (e->ooo->len > 0 && g_array_index(e->ooo, TcpRange, 0).start <= e->rcv) {
        TcpRange r = g_array_index(e->ooo, TcpRange, 0);
        if (r.end > e->rcv) {
            e->ev_received += (uint64_t) (r.end - e->rcv);
            e->delivered += (uint64_t) (r.end - e->rcv);
            e->rcv = r.end;
        }
        e->ooo_bytes -= (uint64_t) (r.end - r.start);
        g_array_remove_index(e->ooo, 0);
        filled = true;
    }
    return filled;
}

/* Text and FIN processing (RFC 9293 section 3.10.7.4, steps 7-8). */
static void
tcp_rcv_data(VnsTcpConn *e, const VnsTcpHdr *th, uint32_t seg_len)
{
    int64_t start = e->rcv + (int32_t) (th->seq - tcp_rcv_seq(e));
    int64_t end = start + seg_len;
    bool fin = th->flags & VNS_TCP_FIN;

    if (seg_len == 0 && !fin)
        return;
    if (fin && e->fin_off < 0)
        e->fin_off = end;
    if (end <= e->rcv && !(fin && end == e->rcv)) {
        /* Old data: acknowledge at once (RFC 9293 section 3.10.7.4). */
        e->ack_now = true;
        return;
    }
    e->rcv_mss = MAX(e->rcv_mss, seg_len);
    if (start > e->rcv) {
        /* A hole before it: out of order, immediate duplicate ACK (RFC
         * 5681 section 4.2). */
        if (seg_len > 0)
            tcp_ooo_add(e, start, end);
        e->ack_now = true;
        return;
    }
    if (tcp_rcv_advance(e, end))
        e->ack_now = true;          /* filled a gap: RFC 5681 section 4.2 */
    if (e->fin_off >= 0 && e->rcv == e->fin_off) {
        /* The FIN: consume it and acknowledge it at once. */
        e->rcv++;
        e->ack_now = true;
        e->t_complete = vns_element_now(e->owner);
        switch (e->state) {
        case VNS_TCP_ESTABLISHED:
            e->state = VNS_TCP_CLOSE_WAIT;
            if (e->cb != NULL) {
                /* The application reads end of stream and decides. */
                e->ev_eof = true;
            } else if (e->conf.server) {
                /* The receiving application reads end of stream and
                 * closes at once: its FIN carries the ACK. */
                e->closing = true;
                e->data_end = MAX(e->max, 0);
            }
            break;
        case VNS_TCP_FIN_WAIT_1:
            e->state = VNS_TCP_CLOSING;
            e->ev_eof = e->cb != NULL;
            break;
        case VNS_TCP_FIN_WAIT_2:
            tcp_enter_time_wait(e);
            e->ev_eof = e->cb != NULL;
            break;
        default:
            break;
        }
        return;
    }
    /* Delayed ACK: every second full-sized segment (Linux's
     * __tcp_ack_snd_check(): more than one rcv_mss unacknowledged), else
     * within TCP_DELACK_MIN. */
    if (e->ack_pending >= 2 * (uint64_t) e->rcv_mss)
        e->ack_now = true;
    else if (!tcp_timer_armed(e, TCP_TIMER_DELACK))
        tcp_timer_arm(e, TCP_TIMER_DELACK, vns_element_now(e->owner) + VNS_TCP_DELACK);
}

/* ACK field processing in a synchronized state (RFC 9293 section
 * 3.10.7.4 step 5). Returns false when the segment is to be dropped. */
static bool
tcp_rcv_ack(VnsTcpConn *e, const VnsTcpHdr *th, uint32_t seg_len)
{
    int64_t ack = e->una + (int32_t) (th->ack - tcp_snd_seq(e, e->una));
    uint64_t wnd = (uint64_t) th->window << e->snd_wscale;
    bool fin_acked;

    if (ack > e->max) {
        /* Acknowledges something not yet sent: ACK and drop. */
        e->ack_now = true;
        return false;
    }
    if (e->sack_ok && ack >= e->una)
        tcp_sack_update(e, th);
    if (ack > e->una) {
        e->snd_wnd = wnd;
        e->snd_wnd_field = th->window;
        tcp_new_ack(e, ack);
    } else if (ack == e->una) {
        if (seg_len == 0 && !(th->flags & (VNS_TCP_FIN | VNS_TCP_SYN)) &&
            th->window == e->snd_wnd_field && e->max > e->una)
            tcp_dup_ack(e);
        e->snd_wnd = wnd;
        e->snd_wnd_field = th->window;
    }
    fin_acked = e->closing && e->max > e->data_end && e->una == e->max;
    if (fin_acked) {
        switch (e->state) {
        case VNS_TCP_FIN_WAIT_1:
            e->state = VNS_TCP_FIN_WAIT_2;
            break;
        case VNS_TCP_CLOSING:
            tcp_enter_time_wait(e);
            break;
        case VNS_TCP_LAST_ACK:
            tcp_conn_close(e);
            return false;
        default:
            break;
        }
    }
    return true;
}

/* A segment in SYN-SENT (RFC 9293 section 3.10.7.3). */
static void
tcp_rcv_syn_sent(VnsTcpConn *e, const VnsFlowKey *k, const VnsTcpHdr *th,
                 uint32_t seg_len)
{
    bool ack_ok = (th->flags & VNS_TCP_ACK) && th->ack == e->iss + 1;

    if ((th->flags & VNS_TCP_ACK) && !ack_ok) {
        tcp_reply_rst(e, k, th, seg_len);
        return;
    }
    if (th->flags & VNS_TCP_RST) {
        if (ack_ok) {
            /* Connection refused. */
            e->st->resets_received++;
            tcp_conn_close_why(e, VNS_TCP_CLOSE_RESET);
        }
        return;
    }
    if (!(th->flags & VNS_TCP_SYN) || !ack_ok)
        return;                     /* simultaneous open is not modelled */
    e->irs = th->seq;
    e->rcv = 0;
    tcp_syn_options(e, th);
    tcp_established(e);
    tcp_trace(e, true);
    /* The handshake's last ACK leaves at once, before any data (Linux's
     * tcp_rcv_synsent_state_process()). */
    tcp_send(e, tcp_snd_seq(e, e->nxt), VNS_TCP_ACK, 0);
    tcp_output(e);
}

/* A SYN for a listening server: answer with a SYN-ACK. */
static void
tcp_rcv_listen(VnsTcpConn *e, const VnsFlowKey *k, const VnsTcpHdr *th,
               uint32_t seg_len)
{
    if ((th->flags & (VNS_TCP_SYN | VNS_TCP_ACK | VNS_TCP_RST)) != VNS_TCP_SYN) {
        tcp_reply_rst(e, k, th, seg_len);
        return;
    }
    e->laddr = k->dst;
    e->raddr = k->src;
    e->rport = th->sport;
    tcp_conn_init(e);
    e->irs = th->seq;
    tcp_syn_options(e, th);
    e->state = VNS_TCP_SYN_RECEIVED;
    e->nxt = e->max = 0;
    e->rtt_timing = true;
    e->rtt_off = 0;
    e->rtt_sent = vns_element_now(e->owner);
    tcp_rto_start(e);
    tcp_send(e, e->iss, VNS_TCP_SYN | VNS_TCP_ACK, 0);
}

/* True when the segment belongs to the connection. */
static bool
tcp_matches(const VnsTcpConn *e, const VnsFlowKey *k, const VnsTcpHdr *th)
{
    return th->dport == e->conf.lport && th->sport == e->rport &&
           vns_ip_addr_equal(&k->src, &e->raddr) &&
           vns_ip_addr_equal(&k->dst, &e->laddr);
}

/* Everything after the checksum: the state machine. */
static void
tcp_segment(VnsTcpConn *e, const VnsFlowKey *k, const VnsTcpHdr *th,
            uint32_t seg_len)
{
    if (e->state == VNS_TCP_LISTEN) {
        if (th->dport != e->conf.lport) {
            tcp_reply_rst(e, k, th, seg_len);
            return;
        }
        tcp_rcv_listen(e, k, th, seg_len);
        return;
    }
    if (e->state == VNS_TCP_CLOSED || !tcp_matches(e, k, th)) {
        tcp_reply_rst(e, k, th, seg_len);
        return;
    }
    if (e->state == VNS_TCP_SYN_SENT) {
        tcp_rcv_syn_sent(e, k, th, seg_len);
        return;
    }
    if (th->flags & VNS_TCP_RST) {
        /* RFC 5961 section 3.2: only a RST at exactly RCV.NXT resets. */
        if (th->seq == tcp_rcv_seq(e)) {
            e->st->resets_received++;
            tcp_conn_close_why(e, VNS_TCP_CLOSE_RESET);
        }
        return;
    }
    if (th->flags & VNS_TCP_SYN) {
        if (e->state == VNS_TCP_SYN_RECEIVED && th->seq == e->irs) {
            /* The client's SYN again: our SYN-ACK was lost. */
            e->st->retransmits++;
            tcp_send(e, e->iss, VNS_TCP_SYN | VNS_TCP_ACK, 0);
            return;
        }
        /* A retransmitted SYN-ACK (our ACK was lost) or a SYN in a
         * synchronized state: answer with an ACK (RFC 5961 section 4). */
        e->ack_now = true;
        tcp_output(e);
        return;
    }
    if (!(th->flags & VNS_TCP_ACK))
        return;
    if (e->state == VNS_TCP_SYN_RECEIVED) {
        if (th->ack != e->iss + 1) {
            tcp_reply_rst(e, k, th, seg_len);
            return;
        }
        tcp_established(e);
        e->snd_wnd = (uint64_t) th->window << e->snd_wscale;
        e->snd_wnd_field = th->window;
    }
    if (e->state == VNS_TCP_TIME_WAIT) {
        if (th->flags & VNS_TCP_FIN) {
            /* A retransmitted FIN: acknowledge it, restart 2MSL. */
            tcp_enter_time_wait(e);
            e->ack_now = true;
            tcp_output(e);
        }
        return;
    }
    if (!tcp_rcv_ack(e, th, seg_len)) {
        if (e->ack_now && e->state != VNS_TCP_LISTEN)
            tcp_output(e);
        return;
    }
    if (e->state == VNS_TCP_ESTABLISHED || e->state == VNS_TCP_FIN_WAIT_1 ||
        e->state == VNS_TCP_FIN_WAIT_2)
        tcp_rcv_data(e, th, seg_len);
    else if (seg_len > 0 || (th->flags & VNS_TCP_FIN))
        e->ack_now = true;          /* after the peer's FIN: re-acknowledge */
    tcp_output(e);
}

/* ---- path MTU ---- */

/* RFC 1191 section 7: the plateau table, to guess the MTU from the
 * quoted packet's size when a router sends a next-hop MTU of 0. */
static const uint16_t tcp_mtu_plateaus[] = {
    65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68,
};

/* The header bytes an MSS excludes: 20 IP + 20 TCP, or 40 + 20 over IPv6
 * (RFC 9293 section 3.7.1, RFC 8200). */
static uint32_t
tcp_hdr_bytes(const VnsTcpConn *e)
{
    return e->laddr.family == VNS_IP_V4 ? 40 : 60;
}

/* Lowers the send MSS to 'mss' and resends what was in flight in segments
 * of the new size: Linux's tcp_simple_retransmit() after
 * tcp_v4_mtu_reduced() / tcp_v6_mtu_reduced(). The loss is not congestion,
 * so ssthresh and cwnd stay (cwnd is in bytes here; Linux counts it in
 * segments). */
static void
tcp_lower_mss(VnsTcpConn *e, uint32_t mss)
{
    if (mss >= e->mss)
        return;
    e->mss = mss;
    e->cc.mss = mss;
    if (e->una < 0 || !tcp_can_send_data(e))
        return;
    g_array_set_size(e->sacked, 0);
    e->sacked_bytes = 0;
    e->in_recovery = false;
    e->dupacks = 0;
    e->rtt_timing = false;
    e->nxt = e->una;
    tcp_trace(e, true);
    tcp_output(e);
}

/* An ICMP error delivered to the connection (IP header at data[0], the
 * ICMP or ICMPv6 header at l4_off, the quoted packet after its 8 bytes):
 * fragmentation needed (RFC 1191 section 4) or packet too big (RFC 8201
 * section 4) about one of our segments in flight lowers the MSS (RFC 5927
 * section 4.1's check: the quoted sequence number is in [SND.UNA,
 * snd_max), as Linux's tcp_v4_err() checks it against its SND.NXT, which
 * a timeout does not move back). Other errors are ignored: Linux
 * reports them as soft errors while the connection retransmits. */
static void
tcp_icmp(VnsTcpConn *e, VnsPacket *pkt, const VnsFlowKey *key)
{
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t l4 = pkt->l4_off, mtu, floor_mtu, hdr;
    VnsFlowKey q;
    VnsFlowOffsets qo;
    uint32_t qseq;
    int64_t qoff;
    bool v4 = key->proto == VNS_IPPROTO_ICMP;

    if (l4 + 8 > pkt->len)
        return;
    if (v4 ? !(d[l4] == 3 && d[l4 + 1] == 4) : d[l4] != 2)
        return;
    if (!vns_flow_key_parse_ip(&q, &qo, d + l4 + 8, pkt->len - l4 - 8) ||
        q.proto != VNS_IPPROTO_TCP || qo.l4 == VNS_OFF_NONE ||
        l4 + 8 + (uint32_t) qo.l4 + 8 > pkt->len)
        return;
    if (e->state == VNS_TCP_CLOSED || e->state == VNS_TCP_LISTEN ||
        q.sport != e->conf.lport || q.dport != e->rport ||
        !vns_ip_addr_equal(&q.src, &e->laddr) || !vns_ip_addr_equal(&q.dst, &e->raddr))
        return;
    qseq = vns_wire_get32(d + l4 + 8 + qo.l4 + 4);
    qoff = e->una + (int32_t) (qseq - tcp_snd_seq(e, e->una));
    if (e->una >= 0 && (qoff < e->una || qoff >= MAX(e->max, e->una + 1)))
        return;
    if (v4) {
        mtu = vns_wire_get16(d + l4 + 6);
        if (mtu == 0) {
            /* RFC 1191 section 5: the plateau below the quoted size. */
            uint32_t len = vns_wire_get16(d + l4 + 8 + 2);
            mtu = 68;
            for (guint i = 0; i < G_N_ELEMENTS(tcp_mtu_plateaus); i++) {
                if (tcp_mtu_plateaus[i] < len) {
                    mtu = tcp_mtu_plateaus[i];
                    break;
                }
            }
        }
        /* Linux: net.ipv4.route.min_pmtu = 552. */
        floor_mtu = VNS_TCP_MIN_PMTU_V4;
    } else {
        mtu = vns_wire_get32(d + l4 + 4);
        /* RFC 8201 section 4: never below the IPv6 minimum link MTU. */
        floor_mtu = VNS_TCP_MIN_PMTU_V6;
    }
    mtu = MAX(mtu, floor_mtu);
    hdr = tcp_hdr_bytes(e);
    if (mtu <= hdr || mtu - hdr >= e->mss)
        return;
    e->st->mtu_reductions++;
    tcp_lower_mss(e, mtu - hdr);
}

/* Delivers the callbacks the state machine left pending, in order. A
 * callback may write, close or connect; whatever it causes is delivered
 * in the same loop. */
static void
tcp_conn_notify(VnsTcpConn *e)
{
    if (e->cb == NULL)
        return;
    for (;;) {
        if (e->ev_established) {
            e->ev_established = false;
            if (e->cb->established != NULL)
                e->cb->established(e->app, e);
        } else if (e->ev_received > 0) {
            uint64_t n = e->ev_received;
            e->ev_received = 0;
            if (e->cb->received != NULL)
                e->cb->received(e->app, e, n);
        } else if (e->ev_eof) {
            e->ev_eof = false;
            if (e->cb->eof != NULL)
                e->cb->eof(e->app, e);
        } else if (e->ev_closed) {
            e->ev_closed = false;
            if (e->cb->closed != NULL)
                e->cb->closed(e->app, e, e->ev_reason);
        } else {
            return;
        }
    }
}

/*
 * vns_tcp_conn_input:
 * Takes 'pkt' (IP header at data[0]) for connection 'e': a TCP segment,
 * or an ICMP/ICMPv6 error the host delivers about one of its segments.
 * A segment with a bad checksum is dropped as malformed.
 */
void
vns_tcp_conn_input(VnsTcpConn *e, VnsPacket *pkt)
{
    const VnsFlowKey *key = vns_packet_parse_l3(pkt);
    const uint8_t *l4;
    uint32_t stored, size;
    VnsTcpHdr th;
    VnsFlowKey k;

    if (key->family != VNS_IP_NONE && pkt->l4_off != VNS_OFF_NONE &&
        (key->proto == VNS_IPPROTO_ICMP || key->proto == VNS_IPPROTO_ICMPV6)) {
        tcp_icmp(e, pkt, key);
        vns_packet_free(pkt);
        tcp_conn_notify(e);
        return;
    }
    if (key->family == VNS_IP_NONE || key->proto != VNS_IPPROTO_TCP ||
        pkt->l4_off == VNS_OFF_NONE) {
        vns_packet_free(pkt);
        return;
    }
    l4 = vns_packet_data(pkt) + pkt->l4_off;
    stored = pkt->len - pkt->l4_off;
    size = vns_packet_size(pkt) - pkt->l4_off;
    if (!vns_tcp_parse(l4, stored, &th) ||
        vns_csum_l4(l4, stored, size, VNS_IPPROTO_TCP, &key->src, &key->dst) != 0) {
        /* Linux counts TCP_MIB_CSUMERRORS and discards. */
        vns_packet_drop(pkt, e->owner, VNS_DROP_MALFORMED);
        return;
    }
    k = *key;
    vns_packet_free(pkt);
    tcp_segment(e, &k, &th, size - th.hdr_len);
    tcp_conn_notify(e);
}

/* ---- application events ---- */

/* The client connects: SYN with MSS and window scale, RTO 1 s. */
static void
tcp_connect(VnsTcpConn *e)
{
    e->laddr = e->conf.local;
    e->raddr = e->conf.remote;
    e->rport = e->conf.rport;
    tcp_conn_init(e);
    e->t_start = vns_element_now(e->owner);
    e->state = VNS_TCP_SYN_SENT;
    e->nxt = e->max = 0;
    e->rtt_timing = true;
    e->rtt_off = 0;
    e->rtt_sent = e->t_start;
    tcp_rto_start(e);
    tcp_send(e, e->iss, VNS_TCP_SYN, 0);
}

/* The client application closes an unlimited stream: what it has written
 * (sent at least once) is the stream, and the FIN follows. */
static void
tcp_app_close(VnsTcpConn *e)
{
    if (e->closing)
        return;
    e->closing = true;
    e->data_end = MAX(e->max, 0);
    if (e->state == VNS_TCP_SYN_SENT) {
        tcp_conn_close(e);
        return;
    }
    tcp_output(e);
}

static void
tcp_timer_run(VnsSim *sim, void *ctx, void *arg)
{
    VnsTcpConn *e = ctx;
    TcpTimerKind k = GPOINTER_TO_UINT(arg);
    TcpTimer *t = &e->timers[k];
    VnsTime now = vns_sim_now(sim);

    t->ev = VNS_EVENT_NONE;
    if (t->deadline == VNS_TIME_NEVER)
        return;
    if (now < t->deadline) {
        tcp_timer_arm(e, k, t->deadline);
        return;
    }
    t->deadline = VNS_TIME_NEVER;
    switch (k) {
    case TCP_TIMER_RTO:
        tcp_rto_expired(e);
        break;
    case TCP_TIMER_DELACK:
        if (e->ack_pending > 0) {
            e->ack_now = true;
            tcp_output(e);
        }
        break;
    case TCP_TIMER_TIMEWAIT:
        tcp_conn_close(e);
        break;
    case TCP_TIMER_START:
        tcp_connect(e);
        break;
    case TCP_TIMER_STOP:
        tcp_app_close(e);
        break;
    default:
        g_assert_not_reached();
    }
    tcp_conn_notify(e);
}

/* ---- connections for applications ---- */

/*
 * vns_tcp_conn_new:
 * A connection of application element 'owner' that sends through 'port'
 * (borrowed; bound on the host to conf->lport), configured by 'conf'
 * (copied): a client that connects when told (vns_tcp_conn_connect()) or,
 * with conf->server, one that takes the SYN it is given. 'st' (borrowed)
 * receives the counters; 'cb' (borrowed) is told what happens, with 'app'
 * as its first argument, once the connection has finished processing a
 * segment, timer or call (see VnsTcpConnCallbacks). Returns an owned
 * connection; free it with vns_tcp_conn_free() after the run stopped.
 */
VnsTcpConn *
vns_tcp_conn_new(VnsElement *owner, VnsPort *port, const VnsTcpConf *conf,
                 VnsTcpCounters *st, const VnsTcpConnCallbacks *cb, void *app)
{
    VnsTcpConn *e = g_new0(VnsTcpConn, 1);

    g_assert(conf->cc != NULL && conf->mtu > 0 && conf->rcvbuf > 0);
    e->owner = owner;
    e->port = port;
    e->conf = *conf;
    e->st = st;
    e->cb = cb;
    e->app = app;
    tcp_conn_setup(e);
    e->state = conf->server ? VNS_TCP_LISTEN : VNS_TCP_CLOSED;
    return e;
}

/*
 * vns_tcp_conn_free:
 * Cancels the timers of 'e' and frees it; NULL does nothing.
 */
void
vns_tcp_conn_free(VnsTcpConn *e)
{
    if (e == NULL)
        return;
    vns_tcp_conn_stop(e);
    tcp_conn_release(e);
    g_free(e);
}

/*
 * vns_tcp_conn_stop:
 * The run ends: cancels every timer of 'e'.
 */
void
vns_tcp_conn_stop(VnsTcpConn *e)
{
    for (int i = 0; i < TCP_TIMER_N; i++) {
        vns_sim_cancel(e->owner->sim, e->timers[i].ev);
        e->timers[i].ev = VNS_EVENT_NONE;
        e->timers[i].deadline = VNS_TIME_NEVER;
    }
}

/*
 * vns_tcp_conn_connect:
 * A closed client connection connects from conf->local:conf->lport to
 * conf->remote:conf->rport (a new ISS, fresh state).
 */
void
vns_tcp_conn_connect(VnsTcpConn *e)
{
    g_return_if_fail(!e->conf.server && e->state == VNS_TCP_CLOSED);
    tcp_connect(e);
    tcp_conn_notify(e);
}

/*
 * vns_tcp_conn_write:
 * The application writes 'bytes' more bytes of its stream; they leave as
 * the windows allow, the last segment of the write possibly short (as
 * with TCP_NODELAY: Nagle's algorithm is not modelled).
 */
void
vns_tcp_conn_write(VnsTcpConn *e, uint64_t bytes)
{
    g_return_if_fail(!e->closing);
    e->data_end += (int64_t) bytes;
    tcp_output(e);
    tcp_conn_notify(e);
}

/*
 * vns_tcp_conn_close:
 * The application closes: a FIN follows the bytes written. A client
 * still in SYN-SENT just closes.
 */
void
vns_tcp_conn_close(VnsTcpConn *e)
{
    if (e->closing || e->state == VNS_TCP_CLOSED || e->state == VNS_TCP_LISTEN)
        return;
    e->closing = true;
    if (e->state == VNS_TCP_SYN_SENT || e->state == VNS_TCP_SYN_RECEIVED) {
        tcp_conn_close(e);
    } else {
        tcp_output(e);
    }
    tcp_conn_notify(e);
}

/*
 * vns_tcp_conn_abort:
 * Ends the connection at once without sending anything (a TIME-WAIT
 * connection recycled for a new SYN of the same four-tuple); the closed
 * callback follows.
 */
void
vns_tcp_conn_abort(VnsTcpConn *e)
{
    if (e->state == VNS_TCP_CLOSED || e->state == VNS_TCP_LISTEN)
        return;
    tcp_conn_close(e);
    tcp_conn_notify(e);
}

/*
 * vns_tcp_conn_matches:
 * True when a packet from 'src':'sport' to 'dst':'dport' belongs to the
 * connection 'e' (in any state but CLOSED and LISTEN).
 */
bool
vns_tcp_conn_matches(const VnsTcpConn *e, const VnsIpAddr *src, uint16_t sport,
                     const VnsIpAddr *dst, uint16_t dport)
{
    return e->state != VNS_TCP_CLOSED && e->state != VNS_TCP_LISTEN &&
           dport == e->conf.lport && sport == e->rport &&
           vns_ip_addr_equal(src, &e->raddr) && vns_ip_addr_equal(dst, &e->laddr);
}

VnsTcpState
vns_tcp_conn_state(const VnsTcpConn *e)
{
    return e->state;
}

/* The peer's address and port (host order) of the current connection. */
const VnsIpAddr *
vns_tcp_conn_remote(const VnsTcpConn *e, uint16_t *port)
{
    if (port != NULL)
        *port = e->rport;
    return &e->raddr;
}

uint32_t
vns_tcp_conn_mss(const VnsTcpConn *e)
{
    return e->mss;
}

/* ---- the <tcp-flow> endpoint element ---- */

/* Fresh, unconnected state of a connection object. */
static void
tcp_conn_setup(VnsTcpConn *e)
{
    for (int i = 0; i < TCP_TIMER_N; i++)
        e->timers[i].deadline = VNS_TIME_NEVER;
    e->ooo = g_array_new(FALSE, FALSE, sizeof(TcpRange));
    e->sacked = g_array_new(FALSE, FALSE, sizeof(TcpRange));
    e->t_complete = -1;
    e->trace_last = -1;
}

/* Frees what tcp_conn_setup() and the traces allocated. */
static void
tcp_conn_release(VnsTcpConn *e)
{
    if (e->ooo != NULL)
        g_array_free(e->ooo, TRUE);
    if (e->sacked != NULL)
        g_array_free(e->sacked, TRUE);
    if (e->trace_cwnd != NULL) {
        g_string_free(e->trace_cwnd, TRUE);
        g_string_free(e->trace_rtt, TRUE);
        g_string_free(e->trace_inflight, TRUE);
    }
    e->ooo = e->sacked = NULL;
    e->trace_cwnd = e->trace_rtt = e->trace_inflight = NULL;
}

/* The <tcp-flow> endpoint element: one connection and its counters. */
typedef struct {
    VnsElement base;            /* must stay first */
    VnsTcpConn c;               /* the connection */
    VnsTcpCounters st;          /* its counters */
    bool configured;
    char *flow_name;            /* owned; client: the report row */
    VnsElement *peer;           /* client: the server, borrowed; may be NULL */
    VnsTime t_reset;            /* start of the measurement window */
    VnsTime t_end;              /* end of the window (stop op) */
    bool stopped;
    uint64_t delivered_base;    /* client: the server's 'delivered' at reset */
} TcpEndpoint;

static void
tcp_endpoint_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    vns_tcp_conn_input(&((TcpEndpoint *) self)->c, pkt);
}

static bool
tcp_endpoint_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    /* Made by the <tcp-flow> builder only (vns_tcp_endpoint_setup()). */
    g_assert(cfg == NULL);
    e->c.owner = self;
    e->c.st = &e->st;
    tcp_conn_setup(&e->c);
    return true;
}

/*
 * vns_tcp_endpoint_setup:
 * Configures endpoint 'self' (made with vns_net_add() and a NULL config)
 * from 'conf' (copied). A client reports the row 'flow_name' (copied) of
 * the 'flows' table and its time series; 'peer' (borrowed, may be NULL) is
 * the flow's server, an endpoint that lives as long as the client, whose
 * received bytes give the goodput. Adds and returns the port "app"
 * (borrowed), bound to (TCP, conf->lport), to be connected to the host.
 */
VnsPort *
vns_tcp_endpoint_setup(VnsElement *self, const VnsTcpConf *conf,
                       const char *flow_name, VnsElement *peer)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    g_assert(self->ops == &vns_tcp_endpoint_ops && !e->configured);
    g_assert(conf->cc != NULL && conf->mtu > 0 && conf->rcvbuf > 0 && conf->lport != 0);
    g_assert(conf->server || (conf->local.family == conf->remote.family &&
                              conf->local.family != VNS_IP_NONE && conf->rport != 0));
    g_assert(peer == NULL || peer->ops == &vns_tcp_endpoint_ops);
    e->c.conf = *conf;
    e->configured = true;
    e->flow_name = g_strdup(flow_name);
    e->peer = peer;
    e->c.state = conf->server ? VNS_TCP_LISTEN : VNS_TCP_CLOSED;
    if (!conf->server && flow_name != NULL) {
        e->c.trace_cwnd = g_string_new(NULL);
        e->c.trace_rtt = g_string_new(NULL);
        e->c.trace_inflight = g_string_new(NULL);
    }
    e->c.port = vns_element_add_port(self, "app");
    e->c.port->info.l4_proto = VNS_IPPROTO_TCP;
    e->c.port->info.l4_port = conf->lport;
    return e->c.port;
}

static bool
tcp_endpoint_start(VnsElement *self, GError **error)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    g_assert(e->configured);
    if (!e->c.conf.server) {
        tcp_timer_arm(&e->c, TCP_TIMER_START, e->c.conf.start);
        if (e->c.conf.stop != VNS_TIME_NEVER)
            tcp_timer_arm(&e->c, TCP_TIMER_STOP, e->c.conf.stop);
    }
    return true;
}

/*
 * vns_tcp_counters_reset:
 * Zeroes counters 'st' (the end of warm-up).
 */
void
vns_tcp_counters_reset(VnsTcpCounters *st)
{
    memset(st, 0, sizeof(*st));
}

/*
 * vns_tcp_counters_report:
 * Adds the counters 'st' to the current row of 'report' (the columns of
 * doc/models/tcp.md).
 */
void
vns_tcp_counters_report(const VnsTcpCounters *st, VnsReport *report)
{
    vns_report_int(report, "sent_bytes", (int64_t) st->data_sent);
    vns_report_int(report, "sent_segments", (int64_t) st->segments_sent);
    vns_report_int(report, "retransmissions", (int64_t) st->retransmits);
    vns_report_int(report, "timeouts", (int64_t) st->timeouts);
    vns_report_int(report, "fast_retransmits", (int64_t) st->fast_retransmits);
    vns_report_int(report, "resets_received", (int64_t) st->resets_received);
    vns_report_int(report, "timed_out", (int64_t) st->aborts);
    vns_report_int(report, "mtu_reductions", (int64_t) st->mtu_reductions);
    vns_report_int(report, "blackholes_suspected", (int64_t) st->blackholes);
    vns_report_int(report, "mtu_probe_reductions", (int64_t) st->mtu_probe_reductions);
}

static void
tcp_endpoint_reset(VnsElement *self)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    e->t_reset = vns_element_now(self);
    if (e->peer != NULL)
        e->delivered_base = ((TcpEndpoint *) e->peer)->c.delivered;
    vns_tcp_counters_reset(&e->st);
}

static void
tcp_endpoint_stop(VnsElement *self)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    vns_tcp_conn_stop(&e->c);
    e->stopped = true;
    e->t_end = vns_element_now(self);
}

static GString *
tcp_file(const char *header, const GString *body)
{
    GString *out = g_string_new(header);

    g_string_append_len(out, body->str, (gssize) body->len);
    return out;
}

static void
tcp_endpoint_stats(VnsElement *self, VnsReport *report)
{
    TcpEndpoint *e = (TcpEndpoint *) self;
    const VnsTcpConn *c = &e->c;
    const TcpEndpoint *srv = (const TcpEndpoint *) e->peer;
    VnsTime t_end = e->stopped ? e->t_end : vns_element_now(self);
    double window = vns_time_to_s(t_end - e->t_reset);
    uint64_t delivered = srv != NULL ? srv->c.delivered - e->delivered_base : 0;
    g_autofree char *cwnd_name = NULL, *rtt_name = NULL, *inflight_name = NULL;
    g_autofree char *head = NULL;

    if (c->conf.server || e->flow_name == NULL)
        return;
    vns_report_row(report, "flows", e->flow_name);
    vns_report_str(report, "cc", c->conf.cc->name);
    vns_report_str(report, "state", vns_tcp_state_name(c->state));
    vns_report_int(report, "delivered_bytes", (int64_t) delivered);
    vns_report_num(report, "goodput_bps",
                   window > 0 && srv != NULL ? (double) delivered * 8.0 / window : NAN);
    vns_report_num(report, "fct_s",
                   c->conf.size > 0 && srv != NULL && srv->c.t_complete >= 0 &&
                   srv->c.delivered >= c->conf.size
                       ? vns_time_to_s(srv->c.t_complete - c->t_start) : NAN);
    vns_tcp_counters_report(&e->st, report);
    vns_report_int(report, "mss", (int64_t) c->mss);
    vns_report_int(report, "cwnd_bytes", (int64_t) c->cc.cwnd);
    vns_report_num(report, "ssthresh_bytes", c->cc.ssthresh == UINT64_MAX
                       ? NAN : (double) c->cc.ssthresh);
    vns_report_num(report, "srtt_s", c->have_rtt ? vns_time_to_s(c->srtt) : NAN);
    vns_report_num(report, "rto_s", vns_time_to_s(c->rto));
    cwnd_name = g_strdup_printf("cwnd-%s.dat", e->flow_name);
    rtt_name = g_strdup_printf("rtt-%s.dat", e->flow_name);
    inflight_name = g_strdup_printf("inflight-%s.dat", e->flow_name);
    head = g_strdup_printf("# flow %s (%s): congestion window\n"
                           "# time_s cwnd_bytes ssthresh_bytes (0: not yet set)\n",
                           e->flow_name, c->conf.cc->name);
    vns_report_file(report, cwnd_name, tcp_file(head, c->trace_cwnd));
    g_free(head);
    head = g_strdup_printf("# flow %s: smoothed RTT and RTO (RFC 6298)\n"
                           "# time_s srtt_s rto_s\n", e->flow_name);
    vns_report_file(report, rtt_name, tcp_file(head, c->trace_rtt));
    g_free(head);
    head = g_strdup_printf("# flow %s: bytes in flight (SND.NXT - SND.UNA)\n"
                           "# time_s inflight_bytes\n", e->flow_name);
    vns_report_file(report, inflight_name, tcp_file(head, c->trace_inflight));
}

static void
tcp_endpoint_free(VnsElement *self)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    g_free(e->flow_name);
    tcp_conn_release(&e->c);
}

/*
 * vns_tcp_endpoint_state:
 * The connection state of endpoint 'self'.
 */
VnsTcpState
vns_tcp_endpoint_state(const VnsElement *self)
{
    return ((const TcpEndpoint *) self)->c.state;
}

/*
 * vns_tcp_endpoint_delivered:
 * Bytes received in order and handed to the application since time 0.
 */
uint64_t
vns_tcp_endpoint_delivered(const VnsElement *self)
{
    return ((const TcpEndpoint *) self)->c.delivered;
}

/*
 * vns_tcp_endpoint_set_iss:
 * Makes every later connection of 'self' start from initial sequence
 * number 'iss' instead of a random one (tests of sequence wraparound).
 */
void
vns_tcp_endpoint_set_iss(VnsElement *self, uint32_t iss)
{
    TcpEndpoint *e = (TcpEndpoint *) self;

    e->c.iss_fixed = true;
    e->c.iss_value = iss;
}

/*
 * vns_tcp_endpoint_conn:
 * The connection of endpoint 'self' (borrowed), e.g. for tests that hand
 * it ICMP errors.
 */
VnsTcpConn *
vns_tcp_endpoint_conn(VnsElement *self)
{
    return &((TcpEndpoint *) self)->c;
}

const VnsElementOps vns_tcp_endpoint_ops = {
    .type = "tcp-endpoint",
    .instance_size = sizeof(TcpEndpoint),
    .create = tcp_endpoint_create,
    .start = tcp_endpoint_start,
    .receive = tcp_endpoint_receive,
    .reset = tcp_endpoint_reset,
    .stop = tcp_endpoint_stop,
    .stats = tcp_endpoint_stats,
    .free = tcp_endpoint_free,
};
