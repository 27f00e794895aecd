/* Overlay tunnel devices: the element types "vxlan" (RFC 7348), "geneve"
 * (RFC 8926), "gretap" and "gre" (RFC 2784 / RFC 2890), modelled on
 * Linux's drivers of the same names.
 *
 * A tunnel device has two ports:
 *
 *   inner     Ethernet frames. For vxlan, geneve and gretap these are the
 *             frames the overlay carries (join the port to a bridge port or
 *             a VM's interface with 'inner', <wire> or <link>). For gre it
 *             is an IP interface: join it to a host or router <interface>;
 *             the device answers ARP and Neighbor Discovery for every
 *             address (a point-to-point link) and carries the IP packets.
 *   underlay  joined to a new application port "app:NAME" of the
 *             'underlay' host, router or hypervisor: the device sends the
 *             outer IP packets there, and the host's routing, neighbours,
 *             hooks and links carry them. Received outer packets are taken
 *             at the host's input hook.
 *
 * The device advertises its MTU on the inner port (the host reading it as
 * its interface MTU): by default the underlay interface's MTU less the
 * encapsulation, exactly as Linux computes it. doc/models/overlay.md has
 * the header layouts, the MTU table, the FDB modes and the validation. */
#ifndef VNS_OVERLAY_TUNNEL_H
#define VNS_OVERLAY_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>
#include "net/element.h"

extern const VnsElementOps vns_vxlan_ops;
extern const VnsElementOps vns_geneve_ops;
extern const VnsElementOps vns_gretap_ops;
extern const VnsElementOps vns_gre_ops;

/* Whether 'element' is one of the tunnel types. */
bool vns_tunnel_is_tunnel(const VnsElement *element);
/* The MTU the device advertises on its inner port (bytes of inner L3
 * packet), known after connect. */
uint32_t vns_tunnel_mtu(const VnsElement *tunnel);
/* Bytes the device adds in front of each inner frame or packet: outer IP
 * (and UDP), tunnel header; the inner Ethernet header is not counted. */
uint32_t vns_tunnel_overhead(const VnsElement *tunnel);

#endif
