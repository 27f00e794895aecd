/* A Linux bridge (element type "bridge"): a learning Ethernet switch with
 * optional IEEE 802.1Q VLAN filtering, modelled on net/bridge/ in the
 * Linux kernel as bridge(8) and ip-link(8) configure it.
 *
 * Each <port> child adds a port of that name, joined to the rest of the
 * network by a <wire>, <veth> or <link>. A frame received on a port:
 *
 * - is dropped (malformed) when its source MAC is multicast or all zeros
 *   (br_handle_frame(): !is_valid_ether_addr(source));
 * - with vlan-filtering on, gets its VLAN: the tag's VID if the port
 *   admits it, the port's PVID if untagged or priority-tagged (VID 0),
 *   else it is dropped (vlan_filter), as br_allowed_ingress() does; with
 *   filtering off every frame is in "VLAN 0" and tags pass untouched;
 * - teaches the forwarding database (FDB) that its source MAC, in that
 *   VLAN, is behind that port (br_fdb_update()), for 'ageing' after the
 *   last frame seen from it;
 * - goes out of the one port the FDB names for its destination, or is
 *   flooded, cloned, to every other port of its VLAN when the destination
 *   is broadcast, multicast or unknown (br_flood()). A port never sends a
 *   frame back where it came from unless its hairpin mode is on
 *   (should_deliver() in br_forward.c), floods included;
 * - leaves untagged on ports where its VLAN is 'untagged', tagged
 *   elsewhere, and is dropped (mtu_exceeded) when larger than the MTU the
 *   port's peer advertises plus 14 + 4 bytes (is_skb_forwardable()).
 *
 * The FDB is a preallocated open-addressing table of 'fdb-max' entries;
 * entries expire lazily (an expired entry is never used) and when full a
 * new address is not learned (Linux's fdb_max_learned). With node= the
 * bridge charges cost-per-packet per frame received and cost-per-copy per
 * frame sent to that node's CPU. No STP, no IGMP/MLD snooping, no local
 * IP stack. doc/models/l2.md has the details and sources. */
#ifndef VNS_L2_BRIDGE_H
#define VNS_L2_BRIDGE_H

#include "net/element.h"

/* Linux's BR_DEFAULT_AGEING_TIME: 300 * HZ, i.e. 300 s
 * (net/bridge/br_private.h; bridge(8) ageing_time). */
#define VNS_BRIDGE_DEFAULT_AGEING "300s"
/* Linux's default_pvid: VLAN 1 is every new port's PVID, egress untagged
 * (IFLA_BR_VLAN_DEFAULT_PVID, net/bridge/br_vlan.c). */
#define VNS_BRIDGE_DEFAULT_PVID "1"
/* The FDB size this model preallocates. Linux has no hard default limit
 * (fdb_max_learned, kernel 6.8, defaults to 0 = unlimited); 4096 is our
 * choice, twice Open vSwitch's default mac-table-size of 2048. */
#define VNS_BRIDGE_DEFAULT_FDB_MAX "4096"

extern const VnsElementOps vns_bridge_ops;

#endif
