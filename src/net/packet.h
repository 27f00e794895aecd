/* Packets: real wire-format header bytes plus a payload length.
 *
 * A packet's headers are bytes in network order at data[0..len) inside a
 * buffer with headroom in front, so encapsulation pushes bytes and
 * decapsulation pulls them. Payload bytes are not stored: payload_len counts
 * them and captures write zeros. The wire size of the frame (without FCS,
 * preamble or gap, which links add) is len + payload_len.
 *
 * Packets come from a VnsPacketPool owned by the network; one owner at a
 * time (see STYLE.md, Packets). doc/packets.md describes the model. */
#ifndef VNS_PACKET_H
#define VNS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "sim/time.h"
#include "net/flow_key.h"

typedef struct VnsPacketPool VnsPacketPool;
typedef struct VnsPacket VnsPacket;

/* Default headroom in front of the headers of a new packet, bytes: room for
 * two rounds of IPv6 + UDP + tunnel + Ethernet/802.1Q encapsulation. */
#define VNS_PACKET_HEADROOM 192
/* Header buffer size of a pooled packet, bytes. Pushing past it
 * reallocates (rare: deep encapsulation or large TCP/Geneve options). */
#define VNS_PACKET_BUFSIZE 512

struct VnsPacket {
    uint8_t *buf;               /* owned header buffer */
    uint32_t buf_size;          /* bytes in buf */
    uint32_t head;              /* offset of data[0] in buf (headroom) */
    uint32_t len;               /* header bytes stored at buf + head */
    uint32_t payload_len;       /* payload bytes after the headers, not stored */
    VnsPacketPool *pool;
    VnsPacket *next;            /* link in queues and the free list */

    /* Metadata, not on the wire. */
    uint64_t id;                /* unique per pool, in creation order */
    uint32_t flow_id;           /* the traffic flow that made it (0 = none) */
    uint64_t flow_seq;          /* its sequence number within the flow */
    VnsTime t_created;          /* when the application sent it, ps */
    VnsTime t_enqueued;         /* when it entered the current queue, ps */
    uint32_t mark;              /* like skb->mark */
    uint64_t tun_id;            /* tunnel id (VNI, GRE key) the packet was
                                 * received with or is to be sent with, like
                                 * Linux's skb tunnel metadata / OVS tun_id */
    bool tun_valid;             /* tun_id was set (by a tunnel or a switch) */
    uint16_t l2_off;            /* offsets from data[0]; VNS_OFF_NONE = unknown */
    uint16_t l3_off;
    uint16_t l4_off;
    uint16_t in_port;           /* port index it arrived on at the current element */
    bool key_valid;             /* 'key' and the offsets match the headers */
    VnsFlowKey key;             /* cached parse, host byte order */

    /* Pool bookkeeping; private to packet.c. */
    bool buf_heap;              /* buf was grown and is g_malloc'ed, not slab memory */
    bool in_pool;               /* on the free list (catches double frees) */
};

VnsPacketPool *vns_packet_pool_new(void);
void vns_packet_pool_free(VnsPacketPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsPacketPool, vns_packet_pool_free)
/* Packets handed out and not yet returned. */
uint64_t vns_packet_pool_outstanding(const VnsPacketPool *pool);
/* Packets ever allocated from the system (the pool's high-water mark). */
uint64_t vns_packet_pool_allocated(const VnsPacketPool *pool);

VnsPacket *vns_packet_new(VnsPacketPool *pool, uint32_t payload_len);
void vns_packet_free(VnsPacket *pkt);
VnsPacket *vns_packet_clone(const VnsPacket *pkt);

static inline uint8_t *
vns_packet_data(const VnsPacket *pkt)
{
    return pkt->buf + pkt->head;
}

static inline uint32_t
vns_packet_size(const VnsPacket *pkt)
{
    return pkt->len + pkt->payload_len;
}

/* Bytes free in front of data[0] before a push reallocates. */
static inline uint32_t
vns_packet_headroom(const VnsPacket *pkt)
{
    return pkt->head;
}

/* Prepends n header bytes (zeroed); returns a pointer to them (valid until
 * the next push or put). Invalidates the flow key. */
uint8_t *vns_packet_push(VnsPacket *pkt, uint32_t n);
/* Removes n header bytes from the front; returns the new data pointer. */
uint8_t *vns_packet_pull(VnsPacket *pkt, uint32_t n);
/* Appends n header bytes (zeroed) after the current headers (building
 * outward-in is done with push; this is for building a packet front to
 * back). */
uint8_t *vns_packet_put(VnsPacket *pkt, uint32_t n);
/* Shortens the packet to 'size' bytes on the wire, payload first. */
void vns_packet_trim(VnsPacket *pkt, uint32_t size);

/* Marks the cached flow key and offsets stale. Push, pull, put and trim do
 * this; code that rewrites header bytes in place (NAT, TTL) must call it. */
static inline void
vns_packet_invalidate(VnsPacket *pkt)
{
    pkt->key_valid = false;
    pkt->l2_off = VNS_OFF_NONE;
    pkt->l3_off = VNS_OFF_NONE;
    pkt->l4_off = VNS_OFF_NONE;
}

/* Parses the headers (from an Ethernet frame at data[0]) into pkt->key and
 * the l2/l3/l4 offsets unless cached. Returns the borrowed key. */
const VnsFlowKey *vns_packet_flow_key(VnsPacket *pkt);
/* Like vns_packet_flow_key() for a packet whose data[0] is an IPv4 or IPv6
 * header (an L3 tunnel's inner packet). */
const VnsFlowKey *vns_packet_parse_l3(VnsPacket *pkt);

#endif
