/* A point-to-point, full-duplex Ethernet link between two ports.
 *
 * Each direction has a queue discipline (src/net/qdisc.h), a transmitter
 * that serializes one frame at a time at the line rate, and a constant
 * propagation delay. A frame occupies the wire for its size plus the
 * Ethernet overheads the packet does not carry (IEEE 802.3): FCS, padding
 * to the minimum frame, preamble with start-of-frame delimiter, and the
 * inter-frame gap. See doc/models/link.md. */
#ifndef VNS_P2P_H
#define VNS_P2P_H

#include <stdint.h>
#include "net/element.h"

/* Per-frame Ethernet overheads, bytes (IEEE 802.3 clause 3.1.1 and 4.4.2). */
#define VNS_P2P_FCS_SIZE 4          /* frame check sequence, CRC-32 */
#define VNS_P2P_MIN_FRAME_SIZE 64   /* minFrameSize, FCS included */
#define VNS_P2P_PREAMBLE_SIZE 8     /* 7 bytes preamble + 1 byte SFD */
#define VNS_P2P_IFG_SIZE 12         /* interPacketGap, 96 bit times */

/* The "link" element type. */
extern const VnsElementOps vns_p2p_link_ops;

/*
 * vns_p2p_wire_size:
 * Returns the bytes of line time a frame of 'frame_size' bytes (as
 * vns_packet_size(): Ethernet header and tags, no FCS) occupies:
 * max(frame_size + FCS, 64) + preamble/SFD + inter-frame gap. A 1514-byte
 * frame takes 1538 bytes; the smallest frame takes 84.
 */
static inline uint64_t
vns_p2p_wire_size(uint32_t frame_size)
{
    uint64_t size = (uint64_t) frame_size + VNS_P2P_FCS_SIZE;

    if (size < VNS_P2P_MIN_FRAME_SIZE)
        size = VNS_P2P_MIN_FRAME_SIZE;
    return size + VNS_P2P_PREAMBLE_SIZE + VNS_P2P_IFG_SIZE;
}

#endif
