/* A virtual Ethernet pair (element type "veth"), as Linux's veth driver
 * (drivers/net/veth.c; ip-link(8) "type veth peer"): two ends, ports "a"
 * and "b", joined to the ports its 'a' and 'b' attributes name; a frame
 * entering one end leaves the other. Frames larger than the MTU plus the
 * Ethernet header and one VLAN tag are dropped (mtu_exceeded), as the
 * kernel's is_skb_forwardable() does. With node= and a cost-per-packet,
 * each frame first waits for that much CPU time on the node.
 * doc/models/l2.md describes it. */
#ifndef VNS_L2_VETH_H
#define VNS_L2_VETH_H

#include "net/element.h"

/* Linux's veth MTU default: ETH_DATA_LEN, 1500 bytes (veth_setup() runs
 * ether_setup(), include/uapi/linux/if_ether.h). */
#define VNS_VETH_DEFAULT_MTU "1500"

extern const VnsElementOps vns_veth_ops;

#endif
