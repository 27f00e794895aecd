/* Packet buffers and their pool.
 *
 * The pool allocates packets in slabs of PACKET_SLAB_COUNT, each packet with
 * its own VNS_PACKET_BUFSIZE bytes of slab memory, and keeps returned
 * packets on a free list with their buffers, so a run allocates nothing per
 * packet once the pool has grown to its peak. The slabs record every packet
 * ever made, so freeing the pool releases packets still outstanding too: a
 * simulation torn down mid-run (events still pending, packets in queues)
 * leaks nothing. A push past the headroom moves the packet to a larger
 * g_malloc'ed buffer, which stays with the packet when it returns to the
 * pool. */
#include <config.h>
#include "net/packet.h"

#include <string.h>

/* Packets per slab: 128 x 512 bytes of buffers, 64 KiB. */
#define PACKET_SLAB_COUNT 128
/* Grown buffers are rounded up to this many bytes. */
#define PACKET_GROW_ALIGN 64
/* No single push or put may add more (a bug guard: headers are small). */
#define PACKET_MAX_STEP 65535u

typedef struct {
    VnsPacket pkts[PACKET_SLAB_COUNT];
    uint8_t bufs[PACKET_SLAB_COUNT][VNS_PACKET_BUFSIZE];
} PacketSlab;

struct VnsPacketPool {
    GPtrArray *slabs;           /* owned PacketSlab pointers */
    VnsPacket *free_list;       /* linked through 'next' */
    uint64_t outstanding;       /* handed out, not returned */
    uint64_t allocated;         /* packets in all slabs */
    uint64_t next_id;           /* id of the next packet made */
};

/*
 * vns_packet_pool_new:
 * Creates an empty packet pool. Returns an owned pool; one per simulated
 * network.
 */
VnsPacketPool *
vns_packet_pool_new(void)
{
    VnsPacketPool *pool = g_new0(VnsPacketPool, 1);

    pool->slabs = g_ptr_array_new();
    pool->next_id = 1;
    return pool;
}

/*
 * vns_packet_pool_free:
 * Frees the pool and every packet it ever made, including packets still
 * outstanding: pointers to them dangle afterwards. NULL does nothing.
 */
void
vns_packet_pool_free(VnsPacketPool *pool)
{
    if (pool == NULL)
        return;
    for (guint s = 0; s < pool->slabs->len; s++) {
        PacketSlab *slab = g_ptr_array_index(pool->slabs, s);
        for (int k = 0; k < PACKET_SLAB_COUNT; k++) {
            if (slab->pkts[k].buf_heap)
                g_free(slab->pkts[k].buf);
        }
        g_free(slab);
    }
    g_ptr_array_free(pool->slabs, TRUE);
    g_free(pool);
}

/*
 * vns_packet_pool_outstanding:
 * Returns the number of packets handed out and not yet freed.
 */
uint64_t
vns_packet_pool_outstanding(const VnsPacketPool *pool)
{
    return pool->outstanding;
}

/*
 * vns_packet_pool_allocated:
 * Returns the number of packets the pool has allocated from the system,
 * free or not; it grows only when the free list runs dry.
 */
uint64_t
vns_packet_pool_allocated(const VnsPacketPool *pool)
{
    return pool->allocated;
}

/* Adds a slab of packets to the free list, lowest address first. */
static void
packet_pool_grow(VnsPacketPool *pool)
{
    PacketSlab *slab = g_new(PacketSlab, 1);

    for (int k = PACKET_SLAB_COUNT - 1; k >= 0; k--) {
        VnsPacket *pkt = &slab->pkts[k];
        memset(pkt, 0, sizeof *pkt);
        pkt->buf = slab->bufs[k];
        pkt->buf_size = VNS_PACKET_BUFSIZE;
        pkt->pool = pool;
        pkt->in_pool = true;
        pkt->next = pool->free_list;
        pool->free_list = pkt;
    }
    g_ptr_array_add(pool->slabs, slab);
    pool->allocated += PACKET_SLAB_COUNT;
}

/*
 * vns_packet_new:
 * Takes a packet from 'pool': no header bytes (len 0) with
 * VNS_PACKET_HEADROOM bytes of headroom, 'payload_len' payload bytes, a new
 * id, metadata zero, flow key unknown. Returns an owned packet.
 */
VnsPacket *
vns_packet_new(VnsPacketPool *pool, uint32_t payload_len)
{
    VnsPacket *pkt;

    g_return_val_if_fail(pool != NULL, NULL);
    if (G_UNLIKELY(pool->free_list == NULL))
        packet_pool_grow(pool);
    pkt = pool->free_list;
    pool->free_list = pkt->next;
    pool->outstanding++;

    pkt->next = NULL;
    pkt->in_pool = false;
    pkt->head = VNS_PACKET_HEADROOM;
    pkt->len = 0;
    pkt->payload_len = payload_len;
    pkt->id = pool->next_id++;
    pkt->flow_id = 0;
    pkt->flow_seq = 0;
    pkt->t_created = 0;
    pkt->t_enqueued = 0;
    pkt->mark = 0;
    pkt->tun_id = 0;
    pkt->tun_valid = false;
    pkt->in_port = 0;
    vns_packet_invalidate(pkt);
    return pkt;
}

/*
 * vns_packet_free:
 * Returns 'pkt' to its pool; its buffer stays with it for reuse. NULL does
 * nothing. Freeing a packet twice is a bug, reported and ignored.
 */
void
vns_packet_free(VnsPacket *pkt)
{
    if (pkt == NULL)
        return;
    g_return_if_fail(!pkt->in_pool);
    VnsPacketPool *pool = pkt->pool;
    pkt->in_pool = true;
    pkt->next = pool->free_list;
    pool->free_list = pkt;
    pool->outstanding--;
}

/* Moves the header bytes to a new heap buffer of 'size' bytes, with data[0]
 * at offset 'head'. */
static void
packet_realloc(VnsPacket *pkt, uint32_t head, uint32_t size)
{
    uint8_t *nb;

    size = (size + PACKET_GROW_ALIGN - 1) / PACKET_GROW_ALIGN * PACKET_GROW_ALIGN;
    g_assert(head + pkt->len <= size);
    nb = g_malloc(size);
    memcpy(nb + head, pkt->buf + pkt->head, pkt->len);
    if (pkt->buf_heap)
        g_free(pkt->buf);
    pkt->buf = nb;
    pkt->buf_size = size;
    pkt->head = head;
    pkt->buf_heap = true;
}

/*
 * vns_packet_clone:
 * Makes a copy of 'pkt' from the same pool: header bytes at the same
 * headroom, payload length, metadata and cached flow key; only the id is
 * new. Returns an owned packet, independent of the original.
 */
VnsPacket *
vns_packet_clone(const VnsPacket *pkt)
{
    VnsPacket *c = vns_packet_new(pkt->pool, pkt->payload_len);

    if (pkt->head + pkt->len > c->buf_size)
        packet_realloc(c, pkt->head, pkt->buf_size);
    c->head = pkt->head;
    c->len = pkt->len;
    memcpy(c->buf + c->head, pkt->buf + pkt->head, pkt->len);
    c->flow_id = pkt->flow_id;
    c->flow_seq = pkt->flow_seq;
    c->t_created = pkt->t_created;
    c->t_enqueued = pkt->t_enqueued;
    c->mark = pkt->mark;
    c->tun_id = pkt->tun_id;
    c->tun_valid = pkt->tun_valid;
    c->l2_off = pkt->l2_off;
    c->l3_off = pkt->l3_off;
    c->l4_off = pkt->l4_off;
    c->in_port = pkt->in_port;
    c->key_valid = pkt->key_valid;
    c->key = pkt->key;
    return c;
}

/*
 * vns_packet_push:
 * Prepends 'n' zeroed header bytes. When the headroom is short the headers
 * move to a larger buffer with VNS_PACKET_HEADROOM bytes of headroom left
 * after the push. Invalidates the flow key. Returns a pointer to the new
 * bytes (data[0]), valid until the next push or put.
 */
uint8_t *
vns_packet_push(VnsPacket *pkt, uint32_t n)
{
    g_return_val_if_fail(n <= PACKET_MAX_STEP, NULL);
    if (G_UNLIKELY(n > pkt->head)) {
        uint32_t tail = pkt->buf_size - pkt->head - pkt->len;
        uint32_t head = n + VNS_PACKET_HEADROOM;
        packet_realloc(pkt, head, MAX(VNS_PACKET_BUFSIZE, head + pkt->len + tail));
    }
    pkt->head -= n;
    pkt->len += n;
    vns_packet_invalidate(pkt);
    memset(pkt->buf + pkt->head, 0, n);
    return pkt->buf + pkt->head;
}

/*
 * vns_packet_pull:
 * Removes 'n' header bytes from the front (decapsulation); n must not
 * exceed len. Invalidates the flow key. Returns the new data pointer.
 */
uint8_t *
vns_packet_pull(VnsPacket *pkt, uint32_t n)
{
    g_return_val_if_fail(n <= pkt->len, NULL);
    pkt->head += n;
    pkt->len -= n;
    vns_packet_invalidate(pkt);
    return pkt->buf + pkt->head;
}

/*
 * vns_packet_put:
 * Appends 'n' zeroed header bytes after the current ones, growing the
 * buffer if needed. Invalidates the flow key. Returns a pointer to the new
 * bytes, valid until the next push or put.
 */
uint8_t *
vns_packet_put(VnsPacket *pkt, uint32_t n)
{
    uint8_t *p;

    g_return_val_if_fail(n <= PACKET_MAX_STEP, NULL);
    if (G_UNLIKELY(pkt->head + pkt->len + n > pkt->buf_size))
        packet_realloc(pkt, pkt->head, pkt->head + pkt->len + n + VNS_PACKET_HEADROOM);
    p = pkt->buf + pkt->head + pkt->len;
    pkt->len += n;
    vns_packet_invalidate(pkt);
    memset(p, 0, n);
    return p;
}

/*
 * vns_packet_trim:
 * Shortens the packet to at most 'size' bytes on the wire: the payload goes
 * first, then header bytes from the end (as when an ICMP error quotes only
 * the start of a packet, RFC 792, or a capture cuts at a snap length).
 * Header fields such as lengths and checksums are not rewritten.
 */
void
vns_packet_trim(VnsPacket *pkt, uint32_t size)
{
    if (size >= vns_packet_size(pkt))
        return;
    if (size >= pkt->len) {
        pkt->payload_len = size - pkt->len;
        return;
    }
    pkt->payload_len = 0;
    pkt->len = size;
    vns_packet_invalidate(pkt);
}

/* Parses the packet's headers into its cached key and offsets. */
static const VnsFlowKey *
packet_parse(VnsPacket *pkt, bool from_l3)
{
    VnsFlowOffsets off;
    size_t size = MIN(pkt->len, (uint32_t) UINT16_MAX - 1);

    if (from_l3)
        vns_flow_key_parse_ip(&pkt->key, &off, vns_packet_data(pkt), size);
    else
        vns_flow_key_parse_eth(&pkt->key, &off, vns_packet_data(pkt), size);
    pkt->l2_off = off.l2;
    pkt->l3_off = off.l3;
    pkt->l4_off = off.l4;
    pkt->key_valid = true;
    return &pkt->key;
}

/*
 * vns_packet_flow_key:
 * Returns the packet's flow key, parsing the headers as an Ethernet frame at
 * data[0] (and setting l2_off, l3_off, l4_off) unless a key is cached. A
 * cached key stays whichever way it was parsed until the headers change.
 * Fields the headers do not reach stay unknown (see flow_key.h); the parse
 * never reads past len. Returns a key borrowed from the packet, valid until
 * the headers change.
 */
const VnsFlowKey *
vns_packet_flow_key(VnsPacket *pkt)
{
    if (pkt->key_valid)
        return &pkt->key;
    return packet_parse(pkt, false);
}

/*
 * vns_packet_parse_l3:
 * Like vns_packet_flow_key() for a packet whose data[0] is an IPv4 or IPv6
 * header (the version nibble decides); l2_off is then VNS_OFF_NONE and the
 * layer-2 fields unknown. Returns the borrowed key.
 */
const VnsFlowKey *
vns_packet_parse_l3(VnsPacket *pkt)
{
    if (pkt->key_valid)
        return &pkt->key;
    return packet_parse(pkt, true);
}
