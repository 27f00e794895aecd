/* Packet captures: the <capture> traffic construct.
 *
 * <capture at="h1:eth0" file="h1-eth0.pcap"/> in an experiment's <traffic>
 * writes every packet that crosses port 'at' into a pcap (or pcapng) file
 * in the run's output directory, with the packet's headers as they are on
 * the wire and its payload as zeros, stamped with the simulated time.
 * The builder adds one element "capture:FILE" per <capture> (it has no
 * ports: it watches its port through a tap, src/net/element.h) and the
 * element reports a row per file in the "captures" table.
 * doc/models/capture.md documents the XML, the file formats and exactly
 * when a packet is seen. */
#ifndef VNS_CAPTURE_H
#define VNS_CAPTURE_H

#include "net/element.h"
#include "topo/registry.h"

/* The snapshot length default: tcpdump's default snaplen, 262144 bytes
 * (tcpdump(8), option -s), libpcap's MAXIMUM_SNAPLEN. */
#define VNS_CAPTURE_DEFAULT_SNAPLEN "262144"

extern const VnsBuilder vns_capture_builder;
/* The element the builder adds (not registered: made by the builder only). */
extern const VnsElementOps vns_capture_ops;

#endif
