/* A UDP traffic sink: the receiving application of one flow, bound to a
 * UDP port on its host. It measures what the flow's source sent and what
 * arrived: packets and bytes, goodput, one-way latency distribution,
 * jitter, loss, reordering and duplicates, and reports one row of the
 * "flows" table plus a latency histogram and a goodput time series
 * (doc/models/traffic.md defines every metric).
 *
 * Sinks are made by the <udp-flow> builder (udp_flow.c): vns_net_add()
 * with a NULL config, then vns_udp_sink_setup(). */
#ifndef VNS_UDP_SINK_H
#define VNS_UDP_SINK_H

#include <stdint.h>
#include "net/element.h"
#include "sim/time.h"

/* Sequence numbers below the highest received that the sink remembers to
 * tell duplicates from late packets. */
#define VNS_UDP_SINK_DUP_WINDOW 4096

extern const VnsElementOps vns_udp_sink_ops;

VnsPort *vns_udp_sink_setup(VnsElement *self, const char *flow_name,
                            uint32_t flow_id, uint16_t dport,
                            VnsElement *source, VnsTime bin);

#endif
