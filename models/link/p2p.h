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
#include "net/layers.h"

/* The "link" element type. */
extern const VnsElementOps vns_p2p_link_ops;

/* The line time of a frame, bytes: src/net/layers.h. */
static inline uint64_t
vns_p2p_wire_size(uint32_t frame_size)
{
    return vns_eth_wire_size(frame_size);
}

#endif
