/* Bytes by protocol layer: where a frame's line time goes.
 *
 * vns_layers_add() walks the headers of an Ethernet frame (802.1Q tags,
 * IPv4/IPv6 with extension headers, UDP/TCP/ICMP, and one level of VXLAN,
 * Geneve or GRE tunnel) and adds its bytes, line overheads included, to
 * one bucket per layer. Capacity planners read the overhead fraction (all
 * that is not application payload) and the goodput a link can carry.
 * doc/models/overhead.md gives the rules and their sources. */
#ifndef VNS_LAYERS_H
#define VNS_LAYERS_H

#include <stdbool.h>
#include <stdint.h>
#include "net/packet.h"

/* Per-frame Ethernet line overheads, bytes (IEEE 802.3 clause 3.1.1 and
 * 4.4.2): the packet carries none of them. */
#define VNS_ETH_FCS_SIZE 4          /* frame check sequence, CRC-32 */
#define VNS_ETH_MIN_FRAME_SIZE 64   /* minFrameSize, FCS included */
#define VNS_ETH_PREAMBLE_SIZE 8     /* 7 bytes preamble + 1 byte SFD */
#define VNS_ETH_IFG_SIZE 12         /* interPacketGap, 96 bit times */

/*
 * vns_eth_wire_size:
 * The bytes of line time a frame of 'frame_size' bytes (Ethernet header and
 * tags, no FCS) occupies: max(frame_size + FCS, 64) + preamble/SFD +
 * inter-frame gap. A 1514-byte frame takes 1538 bytes, the smallest 84.
 */
static inline uint64_t
vns_eth_wire_size(uint32_t frame_size)
{
    uint64_t size = (uint64_t) frame_size + VNS_ETH_FCS_SIZE;

    if (size < VNS_ETH_MIN_FRAME_SIZE)
        size = VNS_ETH_MIN_FRAME_SIZE;
    return size + VNS_ETH_PREAMBLE_SIZE + VNS_ETH_IFG_SIZE;
}

/* The layers, innermost first. Without a tunnel, the IP header is "l3"
 * and there are no "encap" or "outer" bytes. */
typedef enum {
    VNS_LAYER_PAYLOAD,      /* application payload (and the data of a
                             * non-first fragment) */
    VNS_LAYER_L4,           /* (inner) UDP, TCP with options, ICMP */
    VNS_LAYER_L3,           /* (inner) IPv4/IPv6 with options and
                             * extension headers; ARP and other EtherTypes */
    VNS_LAYER_ENCAP,        /* tunnel header (VXLAN, Geneve with options,
                             * GRE with key/seq/csum) and the inner Ethernet
                             * header of an L2 tunnel */
    VNS_LAYER_OUTER,        /* the tunnel's outer IP and UDP headers */
    VNS_LAYER_L2,           /* Ethernet header, 802.1Q tags, FCS, padding */
    VNS_LAYER_L1,           /* preamble, SFD and inter-frame gap */
    VNS_LAYER_N
} VnsLayer;

typedef struct {
    uint64_t bytes[VNS_LAYER_N];
    uint64_t frames;
    uint64_t fragments;     /* frames in which an IP header, outer or
                             * inner, is a fragment (once per frame) */
    uint64_t tunneled;      /* frames that carried a tunnel */
    const char *tunnel;     /* the last tunnel seen: "vxlan", "geneve",
                             * "gre", "gretap"; NULL = none yet */
} VnsLayerBytes;

/* The report name of a layer ("payload", "l4", ...). */
const char *vns_layer_name(VnsLayer layer);
/* Adds 'pkt', an Ethernet frame as vns_packet_size() counts it, to 'acc'. */
void vns_layers_add(VnsLayerBytes *acc, const VnsPacket *pkt);
/* Adds the counts of 'b' to 'acc'. */
void vns_layers_merge(VnsLayerBytes *acc, const VnsLayerBytes *b);
/* All bytes, line overheads included. */
uint64_t vns_layers_total(const VnsLayerBytes *b);
/* The share of the line time that is not payload: 1 - payload / total;
 * NaN when empty. */
double vns_layers_overhead(const VnsLayerBytes *b);

#endif
