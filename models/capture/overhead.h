/* Overhead accounting: the <overhead> traffic construct.
 *
 * <overhead at="h2:eth0"/> in an experiment's <traffic> watches the frames
 * that cross one port (through a tap, like <capture>) and splits their
 * line time by protocol layer with src/net/layers.h: application payload,
 * L4, (inner) L3, encapsulation, outer L3/L4, L2, and preamble+SFD+IFG. It
 * reports a row per watched port in the "overhead" table (bytes by layer,
 * the overhead fraction, goodput as a fraction of the line rate, fragments)
 * and a row per traffic flow in "overhead_flows". doc/models/overhead.md
 * documents it. */
#ifndef VNS_OVERHEAD_H
#define VNS_OVERHEAD_H

#include "net/element.h"
#include "topo/registry.h"

extern const VnsBuilder vns_overhead_builder;
/* The element the builder adds (made by the builder only). */
extern const VnsElementOps vns_overhead_ops;

#endif
