/* A VM's virtual NIC: device emulation cost on the hypervisor's CPU, MTU,
 * TCP segmentation offload (TSO/GSO) and generic receive offload (GRO).
 *
 * Directions:
 *
 *   guest port -> [MTU / segmentation] -> CPU job -> host port   ("tx")
 *   host port  -> [MTU] -> CPU job (or NAPI poll with GRO) -> guest port
 *                                                                ("rx")
 *
 * CPU: each packet (or, for a segmented packet, the whole set of its
 * segments; for GRO, a whole poll) is one job on the node's FIFO cores
 * (src/net/node.h); the node's backlog bounds the jobs waiting, beyond it
 * packets drop as cpu_backlog. The jobs wait in a CPU stage
 * (src/net/cpu_stage.h), which owns their packets, so a stop can drop them
 * and a late event finds nothing. Jobs of different cost may finish out of
 * order on several cores; the stage releases finished jobs in submission
 * order, as a virtqueue does, so a short job never overtakes a long one.
 *
 * Segmentation (tx): a TCP/IPv4 or TCP/IPv6 packet whose IP size exceeds
 * the MTU, when TSO or GSO is on and it fits gso_max_size, is cut into
 * segments of MSS = MTU - IP header - TCP header payload bytes, as Linux's
 * tcp_gso_segment() and inet_gso_segment() do (net/ipv4/tcp_offload.c,
 * net/ipv4/af_inet.c): sequence numbers advance by the MSS, the IPv4 id by
 * one per segment, FIN and PSH stay on the last segment only and CWR on the
 * first only, and every IP and TCP checksum is recomputed.
 *
 * GRO (rx): an arrival queues in the receive ring and schedules a poll at
 * the same instant (after the arrivals already scheduled for it, as a
 * softirq runs after the interrupt). A poll takes up to 64 packets (Linux's
 * NAPI_POLL_WEIGHT), coalesces them as net/ipv4/tcp_offload.c's
 * tcp_gro_receive() would, and submits one CPU job for the result; while
 * that job runs, arrivals queue, so coalescing grows with load, as with
 * NAPI. The packets held are flushed at the end of each poll
 * (napi_complete_done()). */
#include <config.h>
#include "models/l2/vnic.h"

#include <math.h>
#include <string.h>
#include "net/checksum.h"
#include "net/cpu_stage.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/node.h"
#include "net/tcp.h"
#include "net/wire.h"

/* NAPI_POLL_WEIGHT (include/linux/netdevice.h): packets per poll. */
#define VNIC_NAPI_BUDGET 64
/* MAX_GRO_SKBS (net/core/gro.c, include/net/gro.h): flows held at once;
 * the oldest is flushed to make room. */
#define VNIC_GRO_MAX_FLOWS 8
/* The largest IPv4 packet: total length is a 16-bit field (RFC 791). */
#define VNIC_IPV4_MAX 65535

typedef enum {
    VNIC_MODEL_VIRTIO,          /* "virtio-net" */
    VNIC_MODEL_E1000,           /* "e1000" */
} VnicModel;

/* A CPU job's tag: the port its packets leave by, and this bit for a GRO
 * poll (schedule the next poll when it is done). */
#define VNIC_TAG_POLL 0x10000u

/* A packet GRO holds while it may still grow. */
typedef struct {
    VnsPacket *pkt;             /* owned */
    uint32_t mss;               /* payload bytes of its first segment */
    uint32_t data;              /* payload bytes so far */
    uint32_t segs;              /* segments merged into it, itself included */
    bool closed;                /* PSH/FIN or a short segment: takes no more */
} VnicHold;

typedef struct {
    VnsElement base;            /* must stay first */
    VnicModel model;
    bool tso, gso, gro;
    VnsTime cost_pkt_ps;        /* CPU time per packet */
    VnsTime cost_byte_ps;       /* CPU time per byte */
    VnsTime cost_seg_ps;        /* CPU time per segment cut or merged */
    uint32_t mtu;               /* largest IP packet, bytes */
    uint32_t gso_max;           /* largest offloaded IP packet, bytes */
    uint32_t gro_max;           /* largest coalesced IP packet, bytes */
    uint32_t ring_limit;        /* packets waiting for a poll */

    VnsCpuStage cpu;            /* jobs in service: chains of packets */
    VnsPacket *ring_head;       /* rx packets waiting for a poll (GRO), */
    VnsPacket *ring_tail;       /* linked through 'next' */
    uint32_t ring_len;
    bool poll_active;           /* a poll is scheduled or its job runs */
    VnsEventId poll_event;
    bool stopped;

    /* Measurements since start or the last reset. */
    VnsTime window_start_ps;
    uint64_t tx_in, tx_out, tx_out_bytes;   /* guest -> host */
    uint64_t rx_in, rx_out, rx_out_bytes;   /* host -> guest */
    uint64_t segmented;         /* packets cut by TSO/GSO */
    uint64_t segments;          /* segments they made */
    uint64_t gro_packets;       /* coalesced packets sent to the guest */
    uint64_t gro_merged;        /* segments absorbed into another */
    uint64_t polls;
} Vnic;

static const VnsAttrSpec vnic_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The vNIC's name, unique in the topology." },
    { "model", VNS_ATTR_ENUM, false, "virtio-net", NULL,
      "The emulated device: 'virtio-net' (paravirtual, the vhost-net "
      "kernel backend) or 'e1000' (a fully emulated Intel 82540EM, every "
      "register access a VM exit to QEMU). It sets the defaults of the "
      "costs and offloads. Default virtio-net, libvirt's choice for Linux "
      "guests.", "virtio-net|e1000" },
    { "node", VNS_ATTR_NAME, false, NULL, NULL,
      "The hypervisor (or host) whose CPU pays for the device's work. "
      "Default: none, the vNIC is free and adds no delay." },
    { "guest", VNS_ATTR_REF, false, NULL, NULL,
      "The VM's interface 'vm:eth0' joined to the port 'guest'. Default: "
      "none (join it with <wire> or <link>)." },
    { "host", VNS_ATTR_REF, false, NULL, NULL,
      "The port joined to the port 'host', e.g. 'tap1:vm'. Default: none "
      "(join it with <wire>, <link> or the <tap>'s 'vm')." },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes",
      "Largest IP packet the device carries without offload; larger ones "
      "are dropped as mtu_exceeded unless TSO/GSO cuts them. Default 1500, "
      "Ethernet's (RFC 894) and virtio-net's and e1000's default.",
      NULL, 68, 65535 },
    { "tso", VNS_ATTR_BOOL, false, NULL, NULL,
      "TCP segmentation offload: the guest hands over TCP packets up to "
      "gso-max-size and the device cuts them, paying one per-packet cost "
      "and a per-segment cost. Default true for both models: QEMU offers "
      "host_tso4/6 on virtio-net by default, and emulates the 82540EM's "
      "TCP segmentation context (Linux's e1000 driver turns TSO on)." },
    { "gso", VNS_ATTR_BOOL, false, NULL, NULL,
      "Generic segmentation offload without TSO: the guest's stack cuts "
      "the packet in software just before the driver, so each segment "
      "crosses the device and pays the full per-packet cost (plus the "
      "per-segment cost). Only matters with tso off. Default true, as "
      "Linux turns GSO on for every device (ethtool -k)." },
    { "gro", VNS_ATTR_BOOL, false, NULL, NULL,
      "Generic receive offload toward the guest: in-order TCP segments of "
      "a flow that wait for the same poll are coalesced (up to 64 packets "
      "a poll, 64 KB a packet). Default true for virtio-net (mergeable "
      "receive buffers and guest_tso4/6 let vhost-net pass large packets), "
      "false for e1000, which can only take MTU-sized frames." },
    { "cost-per-packet", VNS_ATTR_TIME, false, NULL, "s",
      "CPU time per packet crossing the device, either way. Default 2 us "
      "for virtio-net: about 500 Kpps per vhost queue and core, the kernel "
      "vhost/virtio rate quoted by V. Jardin (6WIND), Linux Plumbers 2014 "
      "'Virtualized high performance (DPDK) packet processing'. Default "
      "10 us for e1000: an assumption, several VM exits to QEMU per packet "
      "(TDT write, ICR read, IMS/RDT writes: about four exits of 2-3 us); "
      "Rizzo, Lettieri, Maffione, 'Speeding up packet I/O in virtual "
      "machines', ANCS 2013, measures e1000 emulation as the slow case." },
    { "cost-per-byte", VNS_ATTR_TIME, false, "100ps", "s",
      "CPU time per byte copied between guest memory and host buffers. "
      "Default 100 ps (10 GB/s of memcpy on one core): an assumption, the "
      "order of one core's copy bandwidth." },
    { "cost-per-segment", VNS_ATTR_TIME, false, "250ns", "s",
      "CPU time per segment TSO/GSO cuts, or per segment GRO merges "
      "(a new header and buffer, no ring descriptor nor notification). "
      "Default 250 ns: an assumption, an eighth of virtio-net's "
      "per-packet cost." },
    { "gso-max-size", VNS_ATTR_UINT, false, "65536", "bytes",
      "Largest TCP packet accepted for segmentation, advertised on the "
      "guest port with TSO/GSO on. Default 65536, Linux's GSO_MAX_SIZE "
      "(include/linux/netdevice.h).", NULL, 1280, 65536 },
    { "gro-max-size", VNS_ATTR_UINT, false, "65536", "bytes",
      "Largest packet GRO builds (at most 65535 for IPv4). Default 65536, "
      "Linux's gro_max_size (GRO_LEGACY_MAX_SIZE).", NULL, 1280, 65536 },
    { "rx-backlog", VNS_ATTR_UINT, false, "1000", "packets",
      "With GRO on: packets that may wait for a poll before drops "
      "(cpu_backlog). Default 1000, Linux's net.core.netdev_max_backlog.",
      NULL, 1, 100000000 },
    { NULL }
};

static const VnsSpec vnic_spec = {
    .element = "vnic",
    .doc = "A VM's virtual NIC (virtio-net or e1000) between the VM's "
           "interface (port 'guest') and the hypervisor side (port "
           "'host'): per-packet and per-byte CPU cost on the hypervisor, "
           "MTU, TSO/GSO segmentation and GRO coalescing.",
    .attrs = vnic_attrs,
    .children = NULL,
    .has_text = false,
};

/* Model defaults: cost per packet (ps), tso, gso, gro. */
static const struct {
    VnsTime cost_pkt_ps;
    bool tso, gso, gro;
} vnic_defaults[] = {
    [VNIC_MODEL_VIRTIO] = { 2 * VNS_US, true, true, true },
    [VNIC_MODEL_E1000] = { 10 * VNS_US, true, true, false },
};

static void vnic_poll(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType vnic_poll_event = { "vnic-poll", vnic_poll, NULL };

/* ------------------------------------------------------------------ */
/* Packet helpers                                                      */

/* The packet's IP size (frame less Ethernet header and tags); 0 when it
 * is not IP. Parses the flow key. */
static uint32_t
vnic_l3_size(VnsPacket *pkt)
{
    const VnsFlowKey *key = vns_packet_flow_key(pkt);

    if (key->family == VNS_IP_NONE || pkt->l3_off == VNS_OFF_NONE)
        return 0;
    return vns_packet_size(pkt) - pkt->l3_off;
}

/* Where a TCP packet's headers are. */
typedef struct {
    uint8_t *ip;                /* IP header */
    uint8_t *tcp;               /* TCP header */
    uint32_t ip_hlen;           /* IP header and extension headers, bytes */
    uint32_t tcp_hlen;          /* TCP header with options, bytes */
    uint32_t data;              /* TCP payload bytes */
    bool v4;
} VnicTcp;

/* Locates the headers of an unfragmented TCP/IP packet whose stored bytes
 * end with the TCP header (codecs build packets so); false otherwise. */
static bool
vnic_tcp(VnsPacket *pkt, VnicTcp *t)
{
    const VnsFlowKey *key = vns_packet_flow_key(pkt);
    uint8_t *data = vns_packet_data(pkt);

    if (key->proto != VNS_IPPROTO_TCP || pkt->l4_off == VNS_OFF_NONE ||
        key->frag != VNS_FLOW_FRAG_NONE)
        return false;
    if (pkt->len < (uint32_t) pkt->l4_off + VNS_TCP_HLEN)
        return false;
    t->v4 = key->family == VNS_IP_V4;
    t->ip = data + pkt->l3_off;
    t->tcp = data + pkt->l4_off;
    t->ip_hlen = (uint32_t) (pkt->l4_off - pkt->l3_off);
    t->tcp_hlen = (uint32_t) (t->tcp[12] >> 4) * 4;
    if (t->tcp_hlen < VNS_TCP_HLEN ||
        pkt->len != (uint32_t) pkt->l4_off + t->tcp_hlen)
        return false;
    t->data = pkt->payload_len;
    return true;
}

/* Rewrites the IP length fields and both checksums of a TCP packet whose
 * payload_len or TCP fields changed. */
static void
vnic_tcp_fix(VnsPacket *pkt, const VnicTcp *t)
{
    const VnsFlowKey *key = &pkt->key;
    uint32_t l4_size = t->tcp_hlen + pkt->payload_len;

    if (t->v4) {
        vns_wire_put16(t->ip + 2, (uint16_t) (t->ip_hlen + l4_size));
        vns_wire_put16(t->ip + 10, 0);
        vns_wire_put16(t->ip + 10, vns_ipv4_checksum(t->ip));
    } else {
        vns_wire_put16(t->ip + 4,
                       (uint16_t) (t->ip_hlen - VNS_IPV6_HLEN + l4_size));
    }
    vns_wire_put16(t->tcp + 16, 0);
    vns_wire_put16(t->tcp + 16, vns_csum_l4(t->tcp, t->tcp_hlen, l4_size,
                                            VNS_IPPROTO_TCP, &key->src,
                                            &key->dst));
}

/* ------------------------------------------------------------------ */
/* CPU jobs                                                            */

/* Sends the chain 'head' (taken) out of 'port', counting it. */
static void
vnic_emit(Vnic *v, VnsPacket *head, uint16_t port)
{
    VnsPort *out = vns_element_port(&v->base, port);

    while (head != NULL) {
        VnsPacket *pkt = head;
        head = pkt->next;
        pkt->next = NULL;
        if (port == VNS_VNIC_PORT_HOST) {
            v->tx_out++;
            v->tx_out_bytes += vns_packet_size(pkt);
        } else {
            v->rx_out++;
            v->rx_out_bytes += vns_packet_size(pkt);
        }
        vns_port_send(out, pkt);
    }
}

static void vnic_poll_next(Vnic *v);

/* A job's CPU time is spent and the jobs before it are released: its
 * packets leave. */
static void
vnic_job_done(VnsElement *self, VnsPacket *head, uint32_t tag,
              const void *data)
{
    Vnic *v = (Vnic *) self;

    (void) data;
    vnic_emit(v, head, (uint16_t) tag);
    if (tag & VNIC_TAG_POLL)
        vnic_poll_next(v);
}

/* Runs the chain 'head' (taken) through the CPU for 'cost', then out of
 * 'port'. Without a node it leaves at once. A full backlog drops it all as
 * cpu_backlog. Returns false when it was dropped. */
static bool
vnic_submit(Vnic *v, VnsPacket *head, uint16_t port, VnsTime cost, bool poll)
{
    return vns_cpu_stage_submit(&v->cpu, head,
                                port | (poll ? VNIC_TAG_POLL : 0u), cost);
}

/* ------------------------------------------------------------------ */
/* Transmit: guest -> host, with segmentation                          */

/* Cuts the TCP packet 'pkt' (taken) into segments of at most 'mss'
 * payload bytes; returns the chain and sets *n and *bytes (their sizes). */
static VnsPacket *
vnic_segment(Vnic *v, VnsPacket *pkt, const VnicTcp *t0, uint32_t mss,
             uint32_t *n, uint64_t *bytes)
{
    uint32_t total = t0->data;
    uint32_t nseg = (total + mss - 1) / mss;
    uint32_t seq0 = vns_wire_get32(t0->tcp + 4);
    uint16_t id0 = t0->v4 ? vns_wire_get16(t0->ip + 4) : 0;
    uint8_t flags0 = t0->tcp[13];
    VnsPacket *head = NULL, *tail = NULL;

    *bytes = 0;
    for (uint32_t i = 0; i < nseg; i++) {
        VnsPacket *seg = i + 1 < nseg ? vns_packet_clone(pkt) : pkt;
        VnicTcp t;
        uint8_t flags = flags0;

        /* A clone keeps the parse; only its header pointers move. */
        t = *t0;
        t.ip = vns_packet_data(seg) + seg->l3_off;
        t.tcp = vns_packet_data(seg) + seg->l4_off;
        seg->payload_len = MIN(mss, total - i * mss);
        vns_wire_put32(t.tcp + 4, seq0 + i * mss);
        if (i + 1 < nseg)
            flags &= (uint8_t) ~(VNS_TCP_FIN | VNS_TCP_PSH);
        if (i > 0)
            flags &= (uint8_t) ~VNS_TCP_CWR;
        t.tcp[13] = flags;
        if (t.v4)
            vns_wire_put16(t.ip + 4, (uint16_t) (id0 + i));
        vnic_tcp_fix(seg, &t);
        vns_packet_invalidate(seg);
        *bytes += vns_packet_size(seg);
        seg->next = NULL;
        if (tail != NULL)
            tail->next = seg;
        else
            head = seg;
        tail = seg;
    }
    v->segmented++;
    v->segments += nseg;
    *n = nseg;
    return head;
}

static void
vnic_from_guest(Vnic *v, VnsPacket *pkt)
{
    uint32_t l3 = vnic_l3_size(pkt);
    uint32_t size = vns_packet_size(pkt);
    VnsPacket *chain;
    VnicTcp t;
    uint32_t n, mss;
    uint64_t bytes;
    VnsTime cost;

    v->tx_in++;
    pkt->next = NULL;
    if (l3 <= v->mtu) {
        vnic_submit(v, pkt, VNS_VNIC_PORT_HOST,
                    v->cost_pkt_ps + v->cost_byte_ps * size, false);
        return;
    }
    if (!(v->tso || v->gso) || l3 > v->gso_max || !vnic_tcp(pkt, &t)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    if (v->mtu <= t.ip_hlen + t.tcp_hlen) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    mss = v->mtu - t.ip_hlen - t.tcp_hlen;
    chain = vnic_segment(v, pkt, &t, mss, &n, &bytes);
    if (v->tso) {
        /* One descriptor chain crosses the device; the device (vhost or
         * QEMU, in software) cuts it. */
        cost = v->cost_pkt_ps + v->cost_byte_ps * size + v->cost_seg_ps * n;
    } else {
        /* GSO: the guest's stack cut it before the driver, so each
         * segment crosses the device. */
        cost = (v->cost_pkt_ps + v->cost_seg_ps) * n +
               v->cost_byte_ps * (VnsTime) bytes;
    }
    vnic_submit(v, chain, VNS_VNIC_PORT_HOST, cost, false);
}

/* ------------------------------------------------------------------ */
/* Receive: host -> guest, with GRO                                    */

/* Whether 'a' and 'b' (parsed) belong to the same TCP flow. */
static bool
vnic_same_flow(const VnsPacket *a, const VnsPacket *b)
{
    const VnsFlowKey *x = &a->key, *y = &b->key;

    return x->family == y->family && x->proto == y->proto &&
           x->sport == y->sport && x->dport == y->dport &&
           vns_ip_addr_equal(&x->src, &y->src) &&
           vns_ip_addr_equal(&x->dst, &y->dst);
}

/* A segment GRO may take: TCP with payload over plain IPv4 (IHL 5, as
 * inet_gro_receive() requires) or IPv6 without extension headers, and no
 * SYN, RST, URG or CWR (tcp_gro_receive() flushes on them). */
static bool
vnic_gro_candidate(VnsPacket *pkt, VnicTcp *t)
{
    if (!vnic_tcp(pkt, t) || t->data == 0)
        return false;
    if (t->v4 ? t->ip_hlen != VNS_IPV4_HLEN : t->ip_hlen != VNS_IPV6_HLEN)
        return false;
    return (t->tcp[13] & (VNS_TCP_SYN | VNS_TCP_RST | VNS_TCP_URG |
                          VNS_TCP_CWR)) == 0;
}

/* Whether segment 'pkt' (headers 't') continues held packet 'h': the next
 * sequence number, the same ack, flags (but PSH/FIN), options, TTL/hop
 * limit and TOS/traffic class, at most the first segment's size, and room
 * left (tcp_gro_receive(), inet_gro_receive(), ipv6_gro_receive()). */
static bool
vnic_gro_fits(const Vnic *v, const VnicHold *h, VnsPacket *pkt,
              const VnicTcp *t)
{
    VnicTcp ht;
    uint32_t limit = v->gro_max;

    if (h->closed || !vnic_tcp(h->pkt, &ht) || ht.tcp_hlen != t->tcp_hlen)
        return false;
    if (vns_wire_get32(t->tcp + 4) != vns_wire_get32(ht.tcp + 4) + h->data ||
        vns_wire_get32(t->tcp + 8) != vns_wire_get32(ht.tcp + 8))
        return false;
    if ((t->tcp[13] ^ ht.tcp[13]) & (uint8_t) ~(VNS_TCP_PSH | VNS_TCP_FIN))
        return false;
    if (memcmp(t->tcp + VNS_TCP_HLEN, ht.tcp + VNS_TCP_HLEN,
               t->tcp_hlen - VNS_TCP_HLEN) != 0)
        return false;
    if (pkt->key.ttl != h->pkt->key.ttl || pkt->key.dscp != h->pkt->key.dscp)
        return false;
    if (t->data > h->mss)
        return false;
    if (ht.v4)
        limit = MIN(limit, VNIC_IPV4_MAX);
    return ht.ip_hlen + ht.tcp_hlen + h->data + t->data <= limit;
}

/* Ends held packet 'h': rewrites its headers if it grew, appends it to
 * the chain. */
static void
vnic_gro_flush(Vnic *v, VnicHold *h, VnsPacket **head, VnsPacket **tail)
{
    VnsPacket *pkt = h->pkt;

    if (h->segs > 1) {
        VnicTcp t;
        bool ok = vnic_tcp(pkt, &t);

        g_assert(ok);
        vnic_tcp_fix(pkt, &t);
        vns_packet_invalidate(pkt);
        v->gro_packets++;
    }
    pkt->next = NULL;
    if (*tail != NULL)
        (*tail)->next = pkt;
    else
        *head = pkt;
    *tail = pkt;
    h->pkt = NULL;
}

static void
vnic_append(VnsPacket *pkt, VnsPacket **head, VnsPacket **tail)
{
    pkt->next = NULL;
    if (*tail != NULL)
        (*tail)->next = pkt;
    else
        *head = pkt;
    *tail = pkt;
}

/* Coalesces the batch 'in' (taken, in arrival order) into the returned
 * chain; adds the CPU cost of what crosses to the guest to *cost. */
static VnsPacket *
vnic_gro_batch(Vnic *v, VnsPacket *in, VnsTime *cost)
{
    VnicHold holds[VNIC_GRO_MAX_FLOWS];
    unsigned n = 0;
    VnsPacket *head = NULL, *tail = NULL;
    uint64_t merged = 0;

    while (in != NULL) {
        VnsPacket *pkt = in;
        VnicTcp t;
        bool cand;
        unsigned k;

        in = pkt->next;
        pkt->next = NULL;
        cand = vnic_gro_candidate(pkt, &t);
        for (k = 0; k < n; k++)
            if (vnic_same_flow(holds[k].pkt, pkt))
                break;
        if (k < n && cand && vnic_gro_fits(v, &holds[k], pkt, &t)) {
            VnicHold *h = &holds[k];
            uint8_t *hflags = vns_packet_data(h->pkt) + h->pkt->l4_off + 13;

            h->pkt->payload_len += t.data;
            h->data += t.data;
            h->segs++;
            if (t.tcp[13] & (VNS_TCP_PSH | VNS_TCP_FIN)) {
                *hflags |= t.tcp[13] & (VNS_TCP_PSH | VNS_TCP_FIN);
                h->closed = true;
            }
            if (t.data < h->mss)
                h->closed = true;
            merged++;
            vns_packet_free(pkt);       /* its bytes now ride in h->pkt */
            continue;
        }
        if (k < n) {
            /* Same flow, not mergeable: the held packet goes first. */
            vnic_gro_flush(v, &holds[k], &head, &tail);
            memmove(&holds[k], &holds[k + 1], (n - k - 1) * sizeof holds[0]);
            n--;
        }
        if (!cand) {
            vnic_append(pkt, &head, &tail);
            continue;
        }
        if (n == VNIC_GRO_MAX_FLOWS) {
            vnic_gro_flush(v, &holds[0], &head, &tail);
            memmove(&holds[0], &holds[1], (n - 1) * sizeof holds[0]);
            n--;
        }
        holds[n] = (VnicHold) {
            .pkt = pkt, .mss = t.data, .data = t.data, .segs = 1,
            .closed = (t.tcp[13] & (VNS_TCP_PSH | VNS_TCP_FIN)) != 0,
        };
        n++;
    }
    for (unsigned k = 0; k < n; k++)
        vnic_gro_flush(v, &holds[k], &head, &tail);
    v->gro_merged += merged;
    *cost += v->cost_seg_ps * (VnsTime) merged;
    for (VnsPacket *p = head; p != NULL; p = p->next)
        *cost += v->cost_pkt_ps + v->cost_byte_ps * vns_packet_size(p);
    return head;
}

/* Starts the next poll at this instant if packets wait, else goes idle. */
static void
vnic_poll_next(Vnic *v)
{
    if (v->ring_len == 0 || v->stopped) {
        v->poll_active = false;
        return;
    }
    v->poll_event = vns_sim_schedule(v->base.sim, 0, &vnic_poll_event, v, NULL);
}

static void
vnic_poll(VnsSim *sim, void *ctx, void *arg)
{
    Vnic *v = ctx;
    VnsPacket *batch = v->ring_head, *last = v->ring_head;
    VnsTime cost = 0;
    uint32_t n = 1;

    v->poll_event = VNS_EVENT_NONE;
    if (batch == NULL) {
        v->poll_active = false;
        return;
    }
    while (n < VNIC_NAPI_BUDGET && last->next != NULL) {
        last = last->next;
        n++;
    }
    v->ring_head = last->next;
    if (v->ring_head == NULL)
        v->ring_tail = NULL;
    last->next = NULL;
    v->ring_len -= n;
    v->polls++;
    batch = vnic_gro_batch(v, batch, &cost);
    /* Without a node the batch leaves at once and the job's release
     * schedules the next poll; a dropped batch schedules it here. */
    if (!vnic_submit(v, batch, VNS_VNIC_PORT_GUEST, cost, true))
        vnic_poll_next(v);
}

static void
vnic_from_host(Vnic *v, VnsPacket *pkt)
{
    uint32_t l3 = vnic_l3_size(pkt);

    v->rx_in++;
    pkt->next = NULL;
    if (l3 > v->mtu) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    if (!v->gro) {
        vnic_submit(v, pkt, VNS_VNIC_PORT_GUEST,
                    v->cost_pkt_ps + v->cost_byte_ps * vns_packet_size(pkt),
                    false);
        return;
    }
    if (v->ring_len >= v->ring_limit) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_CPU_BACKLOG);
        return;
    }
    if (v->ring_tail != NULL)
        v->ring_tail->next = pkt;
    else
        v->ring_head = pkt;
    v->ring_tail = pkt;
    v->ring_len++;
    if (!v->poll_active) {
        v->poll_active = true;
        v->poll_event = vns_sim_schedule(v->base.sim, 0, &vnic_poll_event,
                                         v, NULL);
    }
}

static void
vnic_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Vnic *v = (Vnic *) self;

    if (G_UNLIKELY(v->stopped)) {
        vns_packet_drop(pkt, self, VNS_DROP_END_OF_RUN);
        return;
    }
    if (port == VNS_VNIC_PORT_GUEST)
        vnic_from_guest(v, pkt);
    else
        vnic_from_host(v, pkt);
}

/* ------------------------------------------------------------------ */
/* Configuration and life cycle                                        */

static bool
vnic_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Vnic *v = (Vnic *) self;
    uint64_t mtu, gso_max, gro_max, backlog;
    int model = VNIC_MODEL_VIRTIO;
    VnsPort *guest, *host;

    vns_cpu_stage_init(&v->cpu, self, "vnic-cpu", vnic_job_done);
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "vnic '%s' has no configuration, expected a <vnic> "
                    "element", self->name);
        return false;
    }
    if (!vns_config_enum(cfg, "model", &model, error))
        return false;
    v->model = (VnicModel) model;
    v->cost_pkt_ps = vnic_defaults[model].cost_pkt_ps;
    v->tso = vnic_defaults[model].tso;
    v->gso = vnic_defaults[model].gso;
    v->gro = vnic_defaults[model].gro;
    if ((vns_config_has(cfg, "cost-per-packet") &&
         !vns_config_time(cfg, "cost-per-packet", &v->cost_pkt_ps, error)) ||
        (vns_config_has(cfg, "tso") &&
         !vns_config_bool(cfg, "tso", &v->tso, error)) ||
        (vns_config_has(cfg, "gso") &&
         !vns_config_bool(cfg, "gso", &v->gso, error)) ||
        (vns_config_has(cfg, "gro") &&
         !vns_config_bool(cfg, "gro", &v->gro, error)) ||
        !vns_config_time(cfg, "cost-per-byte", &v->cost_byte_ps, error) ||
        !vns_config_time(cfg, "cost-per-segment", &v->cost_seg_ps, error) ||
        !vns_config_uint(cfg, "mtu", &mtu, error) ||
        !vns_config_uint(cfg, "gso-max-size", &gso_max, error) ||
        !vns_config_uint(cfg, "gro-max-size", &gro_max, error) ||
        !vns_config_uint(cfg, "rx-backlog", &backlog, error))
        return false;
    if (v->cost_pkt_ps < 0 || v->cost_byte_ps < 0 || v->cost_seg_ps < 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<vnic> costs must not be negative, expected a "
                         "time of 0 or more");
        return false;
    }
    if ((v->tso || v->gso) && gso_max < mtu) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<vnic> 'gso-max-size' is %" G_GUINT64_FORMAT
                         ", below the 'mtu' %" G_GUINT64_FORMAT
                         ", expected at least the MTU",
                         gso_max, mtu);
        return false;
    }
    v->mtu = (uint32_t) mtu;
    v->gso_max = (uint32_t) gso_max;
    v->gro_max = (uint32_t) gro_max;
    v->ring_limit = (uint32_t) backlog;

    guest = vns_element_add_port(self, "guest");
    host = vns_element_add_port(self, "host");
    guest->info.mtu = v->mtu;
    guest->info.gso_max_size = (v->tso || v->gso) ? v->gso_max : 0;
    host->info.mtu = v->mtu;
    return true;
}

/*
 * vns_vnic_join:
 * From ops->connect: joins port 'index' of 'self' to the port "element:port"
 * that the optional attribute 'attr' of 'cfg' names; nothing when the
 * attribute is absent. Errors carry file:line. Shared with the <tap>.
 */
bool
vns_vnic_join(VnsElement *self, const VnsConfig *cfg, const char *attr,
              uint16_t index, GError **error)
{
    g_autofree char *ref = NULL;
    GError *local = NULL;
    VnsPort *peer;

    if (!vns_config_has(cfg, attr))
        return true;
    if (!vns_config_string(cfg, attr, &ref, error))
        return false;
    peer = vns_net_find_port(self->net, ref, &local);
    if (peer == NULL ||
        !vns_port_connect(vns_element_port(self, index), peer, &local)) {
        vns_config_error(error, cfg, local->code, "<%s> '%s': %s",
                         vns_config_element(cfg), attr, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

static bool
vnic_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return vns_element_use_node(self, cfg, "node", error) &&
           vns_vnic_join(self, cfg, "guest", VNS_VNIC_PORT_GUEST, error) &&
           vns_vnic_join(self, cfg, "host", VNS_VNIC_PORT_HOST, error);
}

static bool
vnic_start(VnsElement *self, GError **error)
{
    Vnic *v = (Vnic *) self;

    v->window_start_ps = vns_element_now(self);
    return true;
}

static void
vnic_reset(VnsElement *self)
{
    Vnic *v = (Vnic *) self;

    v->window_start_ps = vns_element_now(self);
    vns_cpu_stage_reset(&v->cpu);
    v->tx_in = v->tx_out = v->tx_out_bytes = 0;
    v->rx_in = v->rx_out = v->rx_out_bytes = 0;
    v->segmented = v->segments = 0;
    v->gro_packets = v->gro_merged = v->polls = 0;
}

/* Releases the packets waiting for a poll: dropped as end_of_run at a
 * stop, or freed at teardown. */
static void
vnic_ring_purge(Vnic *v, bool drop)
{
    while (v->ring_head != NULL) {
        VnsPacket *p = v->ring_head;
        v->ring_head = p->next;
        p->next = NULL;
        if (drop)
            vns_packet_drop(p, &v->base, VNS_DROP_END_OF_RUN);
        else
            vns_packet_free(p);
    }
    v->ring_tail = NULL;
    v->ring_len = 0;
}

static void
vnic_stop(VnsElement *self)
{
    Vnic *v = (Vnic *) self;

    v->stopped = true;
    vns_sim_cancel(self->sim, v->poll_event);
    v->poll_event = VNS_EVENT_NONE;
    v->poll_active = false;
    vns_cpu_stage_purge(&v->cpu);
    vnic_ring_purge(v, true);
}

static void
vnic_stats(VnsElement *self, VnsReport *report)
{
    Vnic *v = (Vnic *) self;
    double window_s = vns_time_to_s(vns_element_now(self) - v->window_start_ps);
    double cpu_s = vns_time_to_s(v->cpu.busy_ps);
    double bits = 8.0 * (double) (v->tx_out_bytes + v->rx_out_bytes);

    vns_report_row(report, "vnics", self->name);
    vns_report_str(report, "model",
                   v->model == VNIC_MODEL_E1000 ? "e1000" : "virtio-net");
    vns_report_int(report, "tx_packets_in", (int64_t) v->tx_in);
    vns_report_int(report, "tx_packets", (int64_t) v->tx_out);
    vns_report_int(report, "tx_bytes", (int64_t) v->tx_out_bytes);
    vns_report_int(report, "rx_packets_in", (int64_t) v->rx_in);
    vns_report_int(report, "rx_packets", (int64_t) v->rx_out);
    vns_report_int(report, "rx_bytes", (int64_t) v->rx_out_bytes);
    vns_report_int(report, "segmented_packets", (int64_t) v->segmented);
    vns_report_int(report, "segments", (int64_t) v->segments);
    vns_report_int(report, "gro_packets", (int64_t) v->gro_packets);
    vns_report_int(report, "gro_merged_segments", (int64_t) v->gro_merged);
    vns_report_int(report, "drops_mtu_exceeded",
                   (int64_t) self->drops[VNS_DROP_MTU_EXCEEDED]);
    vns_report_int(report, "drops_cpu_backlog",
                   (int64_t) self->drops[VNS_DROP_CPU_BACKLOG]);
    vns_report_num(report, "throughput_bps",
                   window_s > 0 ? bits / window_s : NAN);
    vns_report_num(report, "cpu_s", cpu_s);
    vns_report_num(report, "cpu_cores", window_s > 0 ? cpu_s / window_s : NAN);
    vns_report_num(report, "cpu_cores_per_gbps",
                   bits > 0 ? cpu_s * 1e9 / bits : NAN);
    if (self->node != NULL)
        vns_report_num(report, "node_cpu_utilization",
                       vns_node_cpu_utilization(self->node));
}

static void
vnic_free(VnsElement *self)
{
    Vnic *v = (Vnic *) self;

    vns_cpu_stage_clear(&v->cpu);
    vnic_ring_purge(v, false);
}

const VnsElementOps vns_vnic_ops = {
    .type = "vnic",
    .spec = &vnic_spec,
    .instance_size = sizeof(Vnic),
    .create = vnic_create,
    .connect = vnic_connect,
    .start = vnic_start,
    .receive = vnic_receive,
    .reset = vnic_reset,
    .stop = vnic_stop,
    .stats = vnic_stats,
    .free = vnic_free,
};
