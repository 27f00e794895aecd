/* TCP MSS clamping on a host's hooks: the element type "mss-clamp" (as
 * iptables' TCPMSS target; see mss_clamp.c and doc/models/overlay.md). */
#ifndef VNS_OVERLAY_MSS_CLAMP_H
#define VNS_OVERLAY_MSS_CLAMP_H

#include "net/element.h"

extern const VnsElementOps vns_mss_clamp_ops;

#endif
