/* Bytes by protocol layer (see layers.h).
 *
 * The walk reads only the header bytes a packet stores (data[0..len)); the
 * payload that follows them is a length. Tunnels are recognised the way
 * Wireshark's dissectors recognise them by default: VXLAN on UDP
 * destination port 4789 (RFC 7348 section 5) and 8472 (the Linux kernel's
 * historical default, which Flannel keeps), Geneve on 6081 (RFC 8926
 * section 3.3), GRE as IP protocol 47 (RFC 2784). Only the outermost tunnel
 * is split out; a tunnel inside a tunnel counts as the inner packet's L4
 * and payload. */
#include <config.h>
#include "net/layers.h"

#include <math.h>
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/tcp.h"
#include "net/udp.h"
#include "net/wire.h"

/* VXLAN's port in Linux before IANA assigned 4789 (drivers/net/vxlan,
 * "vxlan: ... default to IANA port"); Flannel's vxlan backend uses it. */
#define LAYERS_UDP_PORT_VXLAN_LINUX 8472
#define LAYERS_VXLAN_HLEN 8         /* RFC 7348 section 5 */
#define LAYERS_GENEVE_HLEN 8        /* RFC 8926 section 3.4, no options */
#define LAYERS_GRE_HLEN 4           /* RFC 2784 section 2.1 */
#define LAYERS_ETHERTYPE_TEB 0x6558 /* transparent Ethernet bridging */

static const char *const layer_names[VNS_LAYER_N] = {
    "payload", "l4", "l3", "encap", "outer", "l2", "l1",
};

const char *
vns_layer_name(VnsLayer layer)
{
    g_return_val_if_fail(layer < VNS_LAYER_N, "?");
    return layer_names[layer];
}

/* The walk's state: 'at' bytes of the stored headers are classified. */
typedef struct {
    const uint8_t *data;
    uint32_t len;               /* stored header bytes */
    uint32_t at;
    uint64_t *bytes;
    bool inner;                 /* inside a tunnel: no further tunnels */
    bool fragment;              /* an IP header seen is a fragment */
    VnsLayerBytes *acc;
} LayerWalk;

/* Moves 'n' bytes (at most what is stored) into 'layer'. */
static void
layers_take(LayerWalk *w, VnsLayer layer, uint32_t n)
{
    if (n > w->len - w->at)
        n = w->len - w->at;
    w->bytes[layer] += n;
    w->at += n;
}

/* Skips the Ethernet header and VLAN tags into 'layer'; returns the
 * EtherType after them, 0 when cut short. */
static uint16_t
layers_eth(LayerWalk *w, VnsLayer layer)
{
    uint16_t type;

    if (w->len - w->at < VNS_ETH_HLEN) {
        layers_take(w, layer, VNS_ETH_HLEN);
        return 0;
    }
    type = vns_wire_get16(w->data + w->at + 12);
    layers_take(w, layer, VNS_ETH_HLEN);
    while ((type == VNS_ETHERTYPE_VLAN || type == VNS_ETHERTYPE_QINQ) &&
           w->len - w->at >= VNS_VLAN_HLEN) {
        type = vns_wire_get16(w->data + w->at + 2);
        layers_take(w, layer, VNS_VLAN_HLEN);
    }
    return type;
}

static void layers_ip(LayerWalk *w, uint16_t ethertype);

/* The tunnel header at 'w->at' (after an outer UDP or IP header), if any:
 * returns true and classifies the rest when it is one. */
static bool
layers_tunnel(LayerWalk *w, uint8_t proto, uint16_t dport)
{
    const uint8_t *p = w->data + w->at;
    uint32_t left = w->len - w->at;
    uint16_t inner_type;
    uint32_t hlen;

    if (proto == VNS_IPPROTO_UDP &&
        (dport == VNS_UDP_PORT_VXLAN || dport == LAYERS_UDP_PORT_VXLAN_LINUX)) {
        if (left < LAYERS_VXLAN_HLEN + VNS_ETH_HLEN)
            return false;
        hlen = LAYERS_VXLAN_HLEN;
        inner_type = LAYERS_ETHERTYPE_TEB;
    } else if (proto == VNS_IPPROTO_UDP && dport == VNS_UDP_PORT_GENEVE) {
        if (left < LAYERS_GENEVE_HLEN)
            return false;
        /* Opt Len counts 4-byte words (RFC 8926 section 3.4). */
        hlen = LAYERS_GENEVE_HLEN + (uint32_t) (p[0] & 0x3f) * 4;
        inner_type = vns_wire_get16(p + 2);
    } else if (proto == VNS_IPPROTO_GRE) {
        if (left < LAYERS_GRE_HLEN)
            return false;
        /* C, K, S bits each add 4 bytes (RFC 2784 section 2.1, RFC 2890
         * section 2). */
        hlen = LAYERS_GRE_HLEN + ((p[0] & 0x80) ? 4 : 0) +
               ((p[0] & 0x20) ? 4 : 0) + ((p[0] & 0x10) ? 4 : 0);
        inner_type = vns_wire_get16(p + 2);
    } else {
        return false;
    }
    if (left < hlen)
        return false;
    w->acc->tunneled++;
    w->acc->tunnel = proto == VNS_IPPROTO_GRE
                         ? (inner_type == LAYERS_ETHERTYPE_TEB ? "gretap" : "gre")
                         : (dport == VNS_UDP_PORT_GENEVE ? "geneve" : "vxlan");
    layers_take(w, VNS_LAYER_ENCAP, hlen);
    w->inner = true;
    if (inner_type == LAYERS_ETHERTYPE_TEB)
        inner_type = layers_eth(w, VNS_LAYER_ENCAP);
    layers_ip(w, inner_type);
    return true;
}

/* The L4 header of protocol 'proto' at 'w->at'; 'ip_bytes' are the bytes
 * of the IP header just read, moved to the outer layer if a tunnel
 * follows. */
static void
layers_l4(LayerWalk *w, uint8_t proto, uint32_t ip_bytes)
{
    const uint8_t *p = w->data + w->at;
    uint32_t left = w->len - w->at;
    uint32_t hlen;

    switch (proto) {
    case VNS_IPPROTO_UDP:
        if (left >= VNS_UDP_HLEN && !w->inner) {
            uint32_t saved_at = w->at;
            w->at += VNS_UDP_HLEN;
            if (layers_tunnel(w, proto, vns_wire_get16(p + 2))) {
                w->bytes[VNS_LAYER_L3] -= ip_bytes;
                w->bytes[VNS_LAYER_OUTER] += ip_bytes + VNS_UDP_HLEN;
                return;
            }
            w->at = saved_at;
        }
        hlen = VNS_UDP_HLEN;
        break;
    case VNS_IPPROTO_TCP:
        /* A Data Offset under 5 words is bogus (RFC 9293 section 3.1):
         * count the fixed header. */
        hlen = left >= 13 ? MAX((uint32_t) (p[12] >> 4) * 4, (uint32_t) VNS_TCP_HLEN)
                          : VNS_TCP_HLEN;
        break;
    case VNS_IPPROTO_GRE:
        if (!w->inner && layers_tunnel(w, proto, 0)) {
            w->bytes[VNS_LAYER_L3] -= ip_bytes;
            w->bytes[VNS_LAYER_OUTER] += ip_bytes;
            return;
        }
        hlen = left;
        break;
    default:
        /* ICMP, ICMPv6 and others: the whole message is protocol. */
        hlen = left;
        break;
    }
    layers_take(w, VNS_LAYER_L4, hlen);
}

/* The IP packet of EtherType 'type' at 'w->at'. */
static void
layers_ip(LayerWalk *w, uint16_t type)
{
    const uint8_t *p = w->data + w->at;
    uint32_t left = w->len - w->at;

    /* An IHL under 5 words is not an IPv4 header (RFC 791 section 3.1):
     * like a cut-short one, its bytes are L3. */
    if (type == VNS_ETHERTYPE_IPV4 && left >= VNS_IPV4_HLEN &&
        (p[0] & 0x0f) * 4 >= VNS_IPV4_HLEN) {
        uint32_t hlen = (uint32_t) (p[0] & 0x0f) * 4;
        bool frag = vns_ipv4_is_fragment(p);
        bool later = vns_ipv4_frag_offset(p) != 0;

        layers_take(w, VNS_LAYER_L3, hlen);
        w->fragment = w->fragment || frag;
        if (!later)
            layers_l4(w, p[9], hlen);
        return;
    }
    if (type == VNS_ETHERTYPE_IPV6) {
        VnsIpv6Hdr h;

        if (vns_ipv6_parse(p, left, &h)) {
            uint32_t hlen = h.l4_off;
            layers_take(w, VNS_LAYER_L3, hlen);
            w->fragment = w->fragment || h.frag;
            if (h.frag_offset == 0)
                layers_l4(w, h.proto, hlen);
            return;
        }
    }
    /* ARP, other EtherTypes, headers cut short: protocol bytes. */
    layers_take(w, VNS_LAYER_L3, left);
}

/*
 * vns_layers_add:
 * Classifies every byte of the frame 'pkt' and its line overheads.
 */
void
vns_layers_add(VnsLayerBytes *acc, const VnsPacket *pkt)
{
    uint32_t size = vns_packet_size(pkt);
    uint64_t wire = vns_eth_wire_size(size);
    LayerWalk w = {
        .data = vns_packet_data(pkt), .len = pkt->len, .at = 0,
        .bytes = acc->bytes, .inner = false, .acc = acc,
    };
    uint16_t type = layers_eth(&w, VNS_LAYER_L2);

    if (type != 0)
        layers_ip(&w, type);
    /* What is not a stored header is payload. */
    acc->bytes[VNS_LAYER_PAYLOAD] += (uint64_t) (w.len - w.at) +
                                     pkt->payload_len;
    /* FCS and padding to the minimum frame are L2; preamble, SFD and the
     * gap are L1. */
    acc->bytes[VNS_LAYER_L2] += wire - size - VNS_ETH_PREAMBLE_SIZE -
                                VNS_ETH_IFG_SIZE;
    acc->bytes[VNS_LAYER_L1] += VNS_ETH_PREAMBLE_SIZE + VNS_ETH_IFG_SIZE;
    acc->frames++;
    if (w.fragment)
        acc->fragments++;
}

void
vns_layers_merge(VnsLayerBytes *acc, const VnsLayerBytes *b)
{
    for (int i = 0; i < VNS_LAYER_N; i++)
        acc->bytes[i] += b->bytes[i];
    acc->frames += b->frames;
    acc->fragments += b->fragments;
    acc->tunneled += b->tunneled;
}

uint64_t
vns_layers_total(const VnsLayerBytes *b)
{
    uint64_t total = 0;

    for (int i = 0; i < VNS_LAYER_N; i++)
        total += b->bytes[i];
    return total;
}

double
vns_layers_overhead(const VnsLayerBytes *b)
{
    uint64_t total = vns_layers_total(b);

    if (total == 0)
        return NAN;
    return 1.0 - (double) b->bytes[VNS_LAYER_PAYLOAD] / (double) total;
}
