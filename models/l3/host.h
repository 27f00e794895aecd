/* IPv4/IPv6 end hosts and routers: element types "host" and "router".
 *
 * One model serves both: a router is a host whose forwarding is on by
 * default. Each <interface> is a port carrying Ethernet II frames; other
 * ports are application ports, added later by traffic builders, that send
 * and receive bare IP packets. doc/models/host.md describes the model, its
 * XML and what it leaves out.
 *
 * The IP stack offers Linux's five netfilter hook points (prerouting,
 * input, forward, output, postrouting). Later models (conntrack, NAT,
 * filters, kube-proxy) register functions there with priorities; a hook
 * point with nothing registered costs one pointer test. */
#ifndef VNS_HOST_H
#define VNS_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "net/element.h"

extern const VnsElementOps vns_host_ops;
extern const VnsElementOps vns_router_ops;
/* A host whose CPU the vNICs, TAPs and bridges naming it 'node' share. */
extern const VnsElementOps vns_hypervisor_ops;

/* The hook points, in Linux's order (include/uapi/linux/netfilter.h,
 * enum nf_inet_hooks). */
typedef enum {
    VNS_HOST_HOOK_PREROUTING,   /* every IP packet received on an interface,
                                 * before the local/forward decision */
    VNS_HOST_HOOK_INPUT,        /* packets for a local address */
    VNS_HOST_HOOK_FORWARD,      /* forwarded packets, after the TTL decrement */
    VNS_HOST_HOOK_OUTPUT,       /* packets from applications and the host */
    VNS_HOST_HOOK_POSTROUTING,  /* every packet leaving by an interface,
                                 * before neighbour resolution */
    VNS_HOST_N_HOOKS
} VnsHostHook;

typedef enum {
    VNS_HOOK_ACCEPT,            /* go on to the next function, then the stack */
    VNS_HOOK_STOLEN,            /* the function took the packet (dropped it
                                 * with vns_packet_drop(), queued it...) */
} VnsHookVerdict;

/* Where a hooked packet is. Interfaces are counted from 0 in document
 * order (their port index); -1 = none or not yet known. */
typedef struct {
    VnsHostHook hook;
    int in_iface;               /* the interface it arrived on; -1 = local */
    int out_iface;              /* the egress interface; -1 = not routed yet */
} VnsHookState;

/* A hook function. 'pkt' has its IP header at data[0]; the function may
 * rewrite it (keeping checksums right) and must call
 * vns_packet_invalidate() when it does. */
typedef VnsHookVerdict (*VnsHostHookFn)(VnsElement *host, VnsPacket *pkt,
                                        const VnsHookState *state, void *data);

bool vns_host_is_host(const VnsElement *element);
/* The MTU of the path from 'host' to 'dst': its route's interface MTU,
 * lowered while a path-MTU entry learnt from ICMP "fragmentation needed" /
 * "packet too big" lasts (RFC 1191, RFC 8201; 'pmtu-expires', Linux's 600
 * s). 0 when 'host' has no route to 'dst'. */
uint32_t vns_host_path_mtu(VnsElement *host, const VnsIpAddr *dst);
/* Gives an interface without IPv4 an address, its connected route and,
 * if the host has no default route, one via 'gateway' (a DHCP lease). */
bool vns_host_assign_ipv4(VnsElement *host, VnsPort *port,
                          const VnsIpPrefix *addr, const VnsIpAddr *gateway,
                          GError **error);
void vns_host_hook_add(VnsElement *host, VnsHostHook hook, int priority,
                       VnsHostHookFn fn, void *data);

#endif
