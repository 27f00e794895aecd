/* A TCP endpoint: an application with its own TCP, on a host's
 * application port. The client side connects to a server, sends a bulk
 * stream of 'size' bytes (or an unlimited one until 'stop') and closes;
 * the server side listens on a port, accepts one connection at a time,
 * reads everything and closes when the client does.
 *
 * It hands complete IPv4 or IPv6 packets (data[0] = the IP header) to its
 * host and receives the TCP segments, and the ICMP errors about them, the
 * host delivers to its bound port (port info l4_proto 6). Payload is a
 * length: the sender keeps byte counts and sequence numbers only.
 * doc/models/tcp.md describes the model.
 *
 * Endpoints are made by the <tcp-flow> builder (tcp_flow.c): vns_net_add()
 * with a NULL config, then vns_tcp_endpoint_setup(). The connection itself
 * (VnsTcpConn, vns_tcp_conn_*()) is also offered to applications that hold
 * many connections on one element (models/apps/tcp_rr.c). */
#ifndef VNS_TCP_ENDPOINT_H
#define VNS_TCP_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "models/transport/tcp_cc.h"
#include "net/addr.h"
#include "net/element.h"
#include "sim/time.h"

/* Linux constants (include/net/tcp.h). */
#define VNS_TCP_TIMEWAIT_LEN (60 * VNS_SEC)     /* TCP_TIMEWAIT_LEN */
#define VNS_TCP_RTO_MIN (200 * VNS_MS)          /* TCP_RTO_MIN */
#define VNS_TCP_RTO_MAX (120 * VNS_SEC)         /* TCP_RTO_MAX */
#define VNS_TCP_RTO_INIT VNS_SEC                /* TCP_TIMEOUT_INIT, RFC 6298 2.1 */
/* RFC 6298 section 5.7: after a SYN was retransmitted, the RTO for data
 * is 3 s until the first RTT sample (Linux: TCP_TIMEOUT_FALLBACK). */
#define VNS_TCP_RTO_FALLBACK (3 * VNS_SEC)
#define VNS_TCP_DELACK (40 * VNS_MS)            /* TCP_DELACK_MIN */
#define VNS_TCP_INIT_CWND 10                    /* TCP_INIT_CWND, RFC 6928 */
/* Linux gives up on a connection after this many retransmissions by
 * timeout: net.ipv4.tcp_syn_retries, tcp_synack_retries and tcp_retries2
 * (Documentation/networking/ip-sysctl.rst). */
#define VNS_TCP_SYN_RETRIES 6
#define VNS_TCP_SYNACK_RETRIES 5
#define VNS_TCP_RETRIES2 15
/* RFC 9293 section 3.7.1: the send MSS when the peer gives none. */
#define VNS_TCP_DEFAULT_MSS_V4 536
#define VNS_TCP_DEFAULT_MSS_V6 1220
/* RFC 7323 section 2.3: the largest window shift. */
#define VNS_TCP_MAX_WSCALE 14
/* Black-hole detection after net.ipv4.tcp_retries1 = 3 retransmissions
 * without progress (Documentation/networking/ip-sysctl.rst). */
#define VNS_TCP_RETRIES1 3
/* Packetization-layer PMTU discovery (RFC 4821), Linux's
 * net.ipv4.tcp_base_mss = 1024 and tcp_mtu_probe_floor = 48. */
#define VNS_TCP_BASE_MSS 1024
#define VNS_TCP_MTU_PROBE_FLOOR 48
/* The smallest path MTU an ICMP error may set: Linux's
 * net.ipv4.route.min_pmtu = 552; IPv6's minimum link MTU 1280 (RFC 8200
 * section 5, RFC 8201 section 4). */
#define VNS_TCP_MIN_PMTU_V4 552
#define VNS_TCP_MIN_PMTU_V6 1280

/* Connection states of RFC 9293 section 3.3.2. */
typedef enum {
    VNS_TCP_CLOSED,
    VNS_TCP_LISTEN,
    VNS_TCP_SYN_SENT,
    VNS_TCP_SYN_RECEIVED,
    VNS_TCP_ESTABLISHED,
    VNS_TCP_FIN_WAIT_1,
    VNS_TCP_FIN_WAIT_2,
    VNS_TCP_CLOSE_WAIT,
    VNS_TCP_CLOSING,
    VNS_TCP_LAST_ACK,
    VNS_TCP_TIME_WAIT,
} VnsTcpState;

/* What an endpoint does. */
typedef struct {
    bool server;                /* listen on 'lport' instead of connecting */
    VnsIpAddr local;            /* client: source address; server: unused */
    VnsIpAddr remote;           /* client: the server's address */
    uint16_t lport;             /* bound port, host order */
    uint16_t rport;             /* client: the server's port */
    uint32_t mtu;               /* interface MTU for the MSS option, bytes */
    uint32_t rcvbuf;            /* receive buffer, bytes */
    bool wscale;                /* offer window scaling (RFC 7323) */
    bool sack;                  /* offer SACK (RFC 2018, recovery RFC 6675) */
    const VnsTcpCcOps *cc;      /* congestion control */
    VnsTime start;              /* client: connect at, ps */
    VnsTime stop;               /* client: close at (unlimited), or NEVER */
    uint64_t size;              /* client: bytes to send; 0 = unlimited */
    uint32_t flow_id;           /* from vns_net_flow_register() */
    VnsTime trace_interval;     /* client: time-series spacing, ps */
    bool mtu_probing;           /* RFC 4821 after a black hole (Linux's
                                 * net.ipv4.tcp_mtu_probing = 1) */
} VnsTcpConf;

/* Counters of one endpoint, or of all connections of an application. */
typedef struct {
    uint64_t data_sent;         /* data bytes sent, retransmissions included */
    uint64_t segments_sent;
    uint64_t retransmits;       /* segments (SYN and FIN included) */
    uint64_t timeouts;
    uint64_t fast_retransmits;
    uint64_t resets_sent, resets_received;
    uint64_t aborts;            /* connections given up after timeouts */
    uint64_t mtu_reductions;    /* MSS lowered by an ICMP error (RFC 1191) */
    uint64_t blackholes;        /* retries1 timeouts in a row: a suspected
                                 * black hole (Linux's tcp_write_timeout()) */
    uint64_t mtu_probe_reductions;  /* MSS lowered by RFC 4821 probing */
} VnsTcpCounters;

/* A connection driven by an application (models/apps/tcp_rr.c). */
typedef struct VnsTcpConn VnsTcpConn;

typedef enum {
    VNS_TCP_CLOSE_NORMAL,       /* FIN exchange (or TIME-WAIT) completed */
    VNS_TCP_CLOSE_RESET,        /* a RST ended it, or refused it */
    VNS_TCP_CLOSE_TIMEOUT,      /* given up after too many timeouts */
} VnsTcpCloseReason;

/* What a connection tells its application. Callbacks run after the
 * connection has finished processing a segment or timer, so they may
 * write, close or connect. Any may be NULL. */
typedef struct {
    void (*established)(void *app, VnsTcpConn *c);
    /* 'bytes' more bytes of the peer's stream arrived in order. */
    void (*received)(void *app, VnsTcpConn *c, uint64_t bytes);
    /* The peer's FIN: end of its stream. */
    void (*eof)(void *app, VnsTcpConn *c);
    /* The connection is over (a client is CLOSED, a server LISTENs): the
     * object may be reused. */
    void (*closed)(void *app, VnsTcpConn *c, VnsTcpCloseReason why);
} VnsTcpConnCallbacks;

extern const VnsElementOps vns_tcp_endpoint_ops;

VnsPort *vns_tcp_endpoint_setup(VnsElement *self, const VnsTcpConf *conf,
                                const char *flow_name, VnsElement *peer);
VnsTcpState vns_tcp_endpoint_state(const VnsElement *self);
const char *vns_tcp_state_name(VnsTcpState state);
uint64_t vns_tcp_endpoint_delivered(const VnsElement *self);
void vns_tcp_endpoint_set_iss(VnsElement *self, uint32_t iss);
VnsTcpConn *vns_tcp_endpoint_conn(VnsElement *self);

VnsTcpConn *vns_tcp_conn_new(VnsElement *owner, VnsPort *port,
                             const VnsTcpConf *conf, VnsTcpCounters *st,
                             const VnsTcpConnCallbacks *cb, void *app);
void vns_tcp_conn_free(VnsTcpConn *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsTcpConn, vns_tcp_conn_free)
void vns_tcp_conn_stop(VnsTcpConn *c);
void vns_tcp_conn_connect(VnsTcpConn *c);
void vns_tcp_conn_write(VnsTcpConn *c, uint64_t bytes);
void vns_tcp_conn_close(VnsTcpConn *c);
void vns_tcp_conn_abort(VnsTcpConn *c);
void vns_tcp_conn_input(VnsTcpConn *c, VnsPacket *pkt);
bool vns_tcp_conn_matches(const VnsTcpConn *c, const VnsIpAddr *src,
                          uint16_t sport, const VnsIpAddr *dst, uint16_t dport);
VnsTcpState vns_tcp_conn_state(const VnsTcpConn *c);
const VnsIpAddr *vns_tcp_conn_remote(const VnsTcpConn *c, uint16_t *port);
uint32_t vns_tcp_conn_mss(const VnsTcpConn *c);
void vns_tcp_counters_reset(VnsTcpCounters *st);
void vns_tcp_counters_report(const VnsTcpCounters *st, VnsReport *report);

/* Wraparound-safe sequence comparisons (RFC 9293 section 3.4; RFC 1982
 * serial number arithmetic). */
static inline bool
vns_tcp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t) (a - b) < 0;
}

static inline bool
vns_tcp_seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t) (a - b) <= 0;
}

#endif
