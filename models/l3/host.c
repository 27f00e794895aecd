/* An IPv4/IPv6 end host and router: the element types "host" and "router".
 *
 * What it models, layer by layer (doc/models/host.md has the details and
 * the list of what it leaves out):
 *
 * - Interfaces receive Ethernet II frames (RFC 894; untagged only) addressed
 *   to their MAC, to the broadcast address, or to the solicited-node
 *   multicast MAC of their IPv6 address (RFC 2464 section 7; RFC 4291
 *   section 2.7.1).
 * - IPv4 (RFC 791, RFC 1122, RFC 1812) and IPv6 (RFC 8200): header checks,
 *   local delivery to applications, forwarding by longest-prefix match over
 *   connected and static routes, TTL / hop-limit decrement with the RFC 1624
 *   incremental checksum update, and the ICMP (RFC 792, RFC 1191) and
 *   ICMPv6 (RFC 4443) errors a router sends: time exceeded, destination
 *   unreachable, fragmentation needed / packet too big. Echo requests to the
 *   host are answered; a closed UDP port gets ICMP port unreachable, a
 *   closed TCP port a reset (RFC 9293 section 3.10.7.1).
 * - Equal-cost multipath: routes to one prefix with one metric share flows
 *   by a 5-tuple hash and hash-threshold (RFC 2992).
 * - IPv4 fragmentation (RFC 791) in routers and sources, IPv6 fragmentation
 *   in sources (RFC 8200 section 4.5), reassembly with a timeout and bounded
 *   memory, a path-MTU cache fed by ICMP (RFC 1191, RFC 8201), ICMP
 *   filtering (drop-icmp, the path-MTU black hole), and segmentation
 *   offload to a peer that advertises gso_max_size.
 * - Neighbour resolution: ARP (RFC 826) and Neighbor Discovery (RFC 4861)
 *   with a cache whose entries stay reachable for a fixed time, a bounded
 *   queue of packets per unresolved neighbour, and retransmitted requests,
 *   with Linux's defaults.
 * - Linux's five hook points (prerouting, input, forward, output,
 *   postrouting), empty until later models register functions there.
 * - An optional per-packet CPU cost on the host's own node.
 *
 * Ports 0..n-1 are the interfaces, in document order. Every later port is
 * an application port (added by traffic builders as "app:<flow>"): the
 * application sends bare IP packets into it and receives the packets whose
 * (protocol, destination port) it advertises in its own port's info. */
#include <config.h>
#include "models/l3/host.h"

#include <string.h>
#include "net/cpu_stage.h"
#include "net/node.h"
#include "net/proto.h"
#include "net/lpm.h"

/* The RFC 1812 section 4.3.2.3 limit on an ICMPv4 error's size: the whole
 * datagram at most 576 bytes, so as much of the offending packet is quoted
 * as fits after the 20-byte IP and 8-byte ICMP headers. */
#define HOST_ICMP4_MAX 576
/* RFC 4443 section 2.4 (c): an ICMPv6 error is as large as possible
 * without exceeding the IPv6 minimum MTU, 1280 bytes (RFC 8200 section 5). */
#define HOST_ICMP6_MAX 1280
/* RFC 8200 section 5: every link that carries IPv6 has an MTU of at least
 * 1280 bytes. */
#define HOST_IPV6_MIN_MTU 1280
/* RFC 4861 section 7.1.1: ND messages carry hop limit 255, proving that
 * they were not forwarded. */
#define HOST_ND_HOP_LIMIT 255

/* One interface: a port with an Ethernet address and up to one address of
 * each family. */
typedef struct {
    char *name;                 /* also the port's name */
    VnsPort *port;              /* borrowed; port index = interface index */
    VnsMac mac;
    VnsMac snmac;               /* solicited-node multicast MAC of addr6 */
    uint32_t mtu;               /* bytes of IP packet; resolved at start */
    bool mtu_explicit;          /* given in the XML (else: from the link) */
    VnsIpPrefix addr4;          /* address/length; family NONE = none */
    VnsIpPrefix addr6;
    char *path;                 /* where it was declared, for messages */
    int line;
} HostIface;

/* A route: connected (from an interface prefix) or static (<route>). */
typedef struct {
    VnsIpPrefix to;
    VnsIpAddr via;              /* the gateway; family NONE = on-link */
    uint16_t iface;             /* egress interface */
    uint32_t metric;            /* lower wins among equal prefixes */
    bool connected;
    /* Equal-cost multipath: routes to one prefix with one metric form a
     * chain from the one the table points at (the head). */
    uint32_t ecmp_next;         /* next route of the chain; HOST_NO_ROUTE = end */
    uint16_t ecmp_n;            /* head only: routes in the chain (1 = no ECMP) */
} HostRoute;

/* "No route" in a route index. */
#define HOST_NO_ROUTE UINT32_MAX

typedef struct {
    int priority;               /* lower runs first */
    VnsHostHookFn fn;
    void *data;                 /* borrowed */
} HostHookEntry;

/* Neighbour cache key: the interface and the neighbour's address. Laid out
 * without padding, so it is hashed and compared as bytes. */
typedef struct {
    uint8_t family;             /* VNS_IP_V4 or VNS_IP_V6 */
    uint8_t zero;               /* always 0 */
    uint16_t iface;
    uint8_t addr[16];           /* network order; IPv4 uses the first 4 */
} NeighKey;

typedef enum {
    NEIGH_NONE,                 /* unknown or failed: the next packet resolves */
    NEIGH_INCOMPLETE,           /* requests sent, packets waiting */
    NEIGH_REACHABLE,            /* resolved until 'expires' */
    NEIGH_STATIC,               /* from <neighbor>: never expires */
} NeighState;

typedef struct Host Host;

typedef struct {
    NeighKey key;
    Host *host;                 /* borrowed, for the timer */
    NeighState state;
    VnsMac mac;
    VnsTime expires;            /* REACHABLE until then, ps */
    unsigned probes;            /* requests sent in this resolution */
    VnsEventId timer;           /* retransmission timer, or VNS_EVENT_NONE */
    VnsPacket *q_head;          /* packets waiting, linked through 'next' */
    VnsPacket *q_tail;
    uint32_t q_len;
} HostNeigh;

/* What drop-icmp filters (on hosts here, on links in models/link/p2p.c). */
typedef enum {
    HOST_DROP_ICMP_NONE,
    HOST_DROP_ICMP_TOO_BIG,     /* fragmentation needed and packet too big */
    HOST_DROP_ICMP_ALL,         /* all ICMP, and ICMPv6 except ND */
} HostDropIcmp;

/* A path-MTU cache entry (Linux's fib_nh_exception): the MTU learnt for
 * one destination from an ICMP error, until it expires. The key is a
 * NeighKey with interface 0. */
typedef struct {
    NeighKey key;
    uint32_t mtu;               /* bytes */
    VnsTime expires;            /* ps */
} HostPmtu;

/* A datagram being reassembled (RFC 791 section 3.2, RFC 8200 section
 * 4.5): its fragments, sorted by offset and linked through 'next', held
 * until the last hole is filled or the timer fires. Slots are allocated
 * when the host is created, so reassembly allocates nothing. */
typedef struct {
    Host *host;                 /* borrowed, for the timer */
    bool used;
    uint8_t family;             /* VNS_IP_V4 or VNS_IP_V6 */
    uint8_t proto;              /* IPv4 Protocol, part of the key (RFC 791) */
    uint32_t id;                /* Identification */
    VnsIpAddr src, dst;
    VnsPacket *frags;           /* owned, by increasing offset */
    uint32_t total;             /* data bytes, known once the last fragment
                                 * (MF clear) came; 0 = not yet */
    uint32_t have;              /* data bytes received */
    uint32_t mem;               /* wire bytes of the fragments held */
    VnsEventId timer;
} HostReasm;

typedef struct {
    uint64_t rx_packets;        /* frames received on interfaces */
    uint64_t tx_packets;        /* frames sent on interfaces */
    uint64_t from_apps;         /* packets applications sent */
    uint64_t forwarded;
    uint64_t delivered;         /* to applications, or answered (echo) */
    uint64_t icmp_errors_sent;
    uint64_t echo_replies_sent;
    uint64_t arp_requests_sent;
    uint64_t arp_replies_sent;
    uint64_t arp_replies_received;
    uint64_t ns_sent;           /* neighbor solicitations */
    uint64_t na_sent;           /* neighbor advertisements */
    uint64_t na_received;
    uint64_t frag_datagrams;    /* datagrams it fragmented */
    uint64_t frag_created;      /* fragments it made of them */
    uint64_t frag_received;     /* fragments for its own addresses */
    uint64_t reassembled;       /* datagrams reassembled and delivered */
    uint64_t reasm_timeouts;    /* datagrams given up after the timeout */
    uint64_t reasm_failed;      /* overlaps, bad lengths, table full */
    uint64_t pmtu_updates;      /* path-MTU cache entries set or lowered */
    uint64_t gso_passed;        /* packets over the MTU passed to GSO */
    uint64_t rst_sent;          /* TCP resets for closed ports */
} HostStats;

struct Host {
    VnsElement base;            /* must stay first */
    bool forward;               /* IP forwarding on */
    VnsTime cost_ps;            /* CPU time per packet; 0 = no CPU model */
    uint8_t ttl;                /* TTL / hop limit of packets it originates */
    VnsTime reachable_ps;       /* neighbour entry lifetime */
    VnsTime retrans_ps;         /* time between neighbour requests */
    uint32_t max_probes;        /* requests before giving up */
    uint32_t queue_max;         /* packets waiting per unresolved neighbour */
    HostIface *ifaces;
    uint16_t n_ifaces;
    GArray *routes;             /* of HostRoute; route tables index it */
    VnsLpm *rt4;
    VnsLpm *rt6;
    GHashTable *neigh;          /* NeighKey* -> HostNeigh*, owns entries */
    GHashTable *apps;           /* (proto << 16 | port) -> port index + 1 */
    GArray *hooks[VNS_HOST_N_HOOKS];    /* of HostHookEntry; NULL = empty */
    uint16_t ip_id;             /* next IPv4 Identification it uses */
    uint32_t ecmp_seed;         /* multipath hash seed */
    HostDropIcmp drop_icmp;     /* ICMP it drops, received or its own */
    GHashTable *pmtu;           /* NeighKey* -> HostPmtu*, owns entries */
    VnsTime pmtu_expires_ps;    /* lifetime of a path-MTU entry */
    HostReasm *reasm;           /* reassembly slots */
    uint32_t reasm_slots;
    uint32_t reasm_used;
    uint64_t reasm_mem;         /* bytes of fragments held */
    uint64_t reasm_mem_max;
    VnsTime reasm_timeout_ps;   /* IPv4 */
    VnsTime reasm_timeout6_ps;  /* IPv6 */
    uint32_t ip6_frag_id;       /* next IPv6 fragment Identification */
    VnsLpmMultipathPolicy ecmp_policy;  /* fields the multipath hash reads */
    VnsCpuStage cpu;            /* packets in CPU service; tag: in port */
    HostStats st;
};

/* ------------------------------------------------------------------ */
/* Specs                                                               */

static const VnsAttrSpec host_interface_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The interface's name, also the name of its port (links refer to "
      "\"host:name\")." },
    { "address", VNS_ATTR_IFADDR, false, NULL, NULL,
      "IPv4 address and prefix length, e.g. 10.0.1.2/24; the prefix becomes "
      "a connected route. Default: none (no IPv4 on this interface)." },
    { "address6", VNS_ATTR_IFADDR, false, NULL, NULL,
      "IPv6 address and prefix length, e.g. 2001:db8:1::2/64; the prefix "
      "becomes a connected route. Default: none (no IPv6 on this "
      "interface)." },
    { "mac", VNS_ATTR_MAC, false, NULL, NULL,
      "Ethernet address. Default: derived from the element's name and the "
      "interface's position, locally administered unicast 02:xx:xx:xx:xx:xx "
      "(IEEE 802 U/L bit set, I/G bit clear)." },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes",
      "Largest IP packet sent on the interface. Default: the MTU the link "
      "advertises, else 1500 bytes, Ethernet II's largest payload (RFC 894); "
      "at least 68 (RFC 791), and 1280 with an IPv6 address (RFC 8200 "
      "section 5).", NULL, 68, 65535 },
    { NULL }
};

static const VnsSpec host_interface_spec = {
    "interface", "A network interface: a port carrying Ethernet II frames, "
    "with up to one IPv4 and one IPv6 address.",
    host_interface_attrs, NULL, false,
};

static const VnsAttrSpec host_route_attrs[] = {
    { "to", VNS_ATTR_PREFIX, true, NULL, NULL,
      "Destination prefix without host bits, e.g. 10.0.2.0/24; 0.0.0.0/0 or "
      "::/0 is a default route." },
    { "via", VNS_ATTR_IP, false, NULL, NULL,
      "Next-hop gateway, of the same family, on the subnet of one of the "
      "host's interfaces. Default: none, the destination is on-link ('dev' "
      "is then required)." },
    { "dev", VNS_ATTR_NAME, false, NULL, NULL,
      "Egress interface. Default: the interface whose subnet holds 'via'." },
    { "metric", VNS_ATTR_UINT, false, "0", NULL,
      "Preference among routes to the same prefix, lower wins; 0 as iproute2 "
      "gives IPv4 routes added without one. Connected routes have metric 0.",
      NULL, 0, UINT32_MAX },
    { NULL }
};

static const VnsSpec host_route_spec = {
    "route", "A static route: packets to 'to' go through 'via' or out of "
    "'dev'. Several routes to one prefix with one metric and distinct "
    "gateways form one equal-cost multipath route: each flow takes the next "
    "hop its hash names (hash-threshold, RFC 2992).",
    host_route_attrs, NULL, false,
};

static const VnsAttrSpec host_neighbor_attrs[] = {
    { "address", VNS_ATTR_IP, true, NULL, NULL,
      "The neighbour's IPv4 or IPv6 address." },
    { "mac", VNS_ATTR_MAC, true, NULL, NULL,
      "The neighbour's Ethernet address." },
    { "interface", VNS_ATTR_NAME, false, NULL, NULL,
      "The interface it is reached on. Default: the interface whose subnet "
      "holds 'address'." },
    { NULL }
};

static const VnsSpec host_neighbor_spec = {
    "neighbor", "A static ARP / Neighbor Discovery entry (like 'ip neigh add "
    "... nud permanent'): never expires and is never requested.",
    host_neighbor_attrs, NULL, false,
};

static const VnsSpec *const host_children[] = {
    &host_interface_spec, &host_route_spec, &host_neighbor_spec, NULL,
};

/* The attributes of <host> and <router>, which differ only in the default
 * of 'forward'. */
#define HOST_ATTRS(forward_default, forward_doc) \
    { "name", VNS_ATTR_NAME, true, NULL, NULL, \
      "The element's name, unique in the topology." }, \
    { "forward", VNS_ATTR_BOOL, false, forward_default, NULL, forward_doc }, \
    { "cost-per-packet", VNS_ATTR_TIME, false, "0ns", NULL, \
      "CPU time each packet (received, or sent by an application) costs on " \
      "the host's node. Default 0: free, no CPU model and no events." }, \
    { "cores", VNS_ATTR_UINT, false, "1", "cores", \
      "Cores of the host's node that serve that work.", NULL, 1, 4096 }, \
    { "backlog", VNS_ATTR_UINT, false, "1000", "packets", \
      "Packets that may wait for a core before drops (cpu_backlog). " \
      "Default: Linux's net.core.netdev_max_backlog, 1000.", \
      NULL, 1, 100000000 }, \
    { "ttl", VNS_ATTR_UINT, false, "64", NULL, \
      "TTL and hop limit of packets the host itself originates (ICMP). " \
      "Default: Linux's net.ipv4.ip_default_ttl and IPv6 hop_limit, 64.", \
      NULL, 1, 255 }, \
    { "neighbor-reachable-time", VNS_ATTR_TIME, false, "30s", NULL, \
      "How long a resolved ARP/ND entry is used before it is resolved " \
      "again. Default: Linux's /proc/sys/net/ipv4/neigh/default/" \
      "base_reachable_time_ms = 30000 (RFC 4861 section 10 REACHABLE_TIME)." }, \
    { "neighbor-retrans-time", VNS_ATTR_TIME, false, "1s", NULL, \
      "Time between ARP requests / neighbor solicitations for an " \
      "unresolved neighbour. Default: Linux's retrans_time_ms = 1000 " \
      "(RFC 4861 section 10 RETRANS_TIMER)." }, \
    { "neighbor-probes", VNS_ATTR_UINT, false, "3", "requests", \
      "Requests sent before the neighbour is declared unreachable and its " \
      "waiting packets dropped (no_neighbor). Default: Linux's mcast_solicit " \
      "= 3 (RFC 4861 section 10 MAX_MULTICAST_SOLICIT).", NULL, 1, 255 }, \
    { "neighbor-queue", VNS_ATTR_UINT, false, "101", "packets", \
      "Packets that may wait for one unresolved neighbour; the oldest is " \
      "dropped beyond that. Default: Linux's /proc/sys/net/ipv4/neigh/" \
      "default/unres_qlen = 101.", NULL, 1, 1000000 }, \
    { "multipath-hash", VNS_ATTR_ENUM, false, "l4", NULL, \
      "Packet fields that choose among equal-cost routes: 'l4' hashes " \
      "addresses, protocol and ports (Linux's net.ipv4." \
      "fib_multipath_hash_policy = 1, what data-centre fabrics set), 'l3' " \
      "addresses and protocol (policy 0, Linux's own default). Default l4.", \
      "l3|l4" }, \
    { "multipath-seed", VNS_ATTR_UINT, false, NULL, NULL, \
      "Seed of the multipath hash (Linux draws one at boot, " \
      "net.ipv4.fib_multipath_hash_seed). Default: the 32-bit FNV-1a hash " \
      "of the element's name, so routers differ (equal seeds on two tiers " \
      "would polarise traffic) and runs repeat.", NULL, 0, UINT32_MAX }, \
    { "drop-icmp", VNS_ATTR_ENUM, false, "none", NULL, \
      "ICMP the element drops (icmp_filtered), received on an interface or " \
      "its own: 'too-big' drops fragmentation needed (type 3 code 4) and " \
      "ICMPv6 packet too big, the path-MTU black hole of RFC 2923 section " \
      "2.1; 'all' drops every ICMP and ICMPv6 message except Neighbor " \
      "Discovery (which RFC 4890 section 4.4.1 says must pass). Default " \
      "none.", "none|too-big|all" }, \
    { "pmtu-expires", VNS_ATTR_TIME, false, "600s", NULL, \
      "How long a path MTU learnt from an ICMP error is used. Default: " \
      "Linux's net.ipv4.route.mtu_expires = 600 s (RFC 1191 section 6.3 " \
      "suggests 10 minutes; RFC 8201 section 4)." }, \
    { "reassembly-timeout", VNS_ATTR_TIME, false, "30s", NULL, \
      "How long the fragments of an IPv4 datagram wait for the rest. " \
      "Default: Linux's net.ipv4.ipfrag_time = 30 s." }, \
    { "reassembly-timeout6", VNS_ATTR_TIME, false, "60s", NULL, \
      "The same for IPv6. Default: 60 s, RFC 8200 section 4.5 and Linux's " \
      "net.ipv6.ip6frag_time." }, \
    { "reassembly-memory", VNS_ATTR_UINT, false, "4194304", "bytes", \
      "Fragment bytes held for reassembly before new fragments are " \
      "dropped (reassembly). Default: Linux's net.ipv4.ipfrag_high_thresh " \
      "= 4 MiB.", NULL, 1, UINT32_MAX }, \
    { "reassembly-queues", VNS_ATTR_UINT, false, "1024", "datagrams", \
      "Datagrams reassembled at once; fragments of another are dropped " \
      "(reassembly). Default 1024, vnetsim's choice (Linux bounds only " \
      "the memory).", NULL, 1, 1000000 }, \
    { NULL }

static const VnsAttrSpec host_attrs[] = {
    HOST_ATTRS("false", "Whether the host forwards IP packets not addressed "
               "to it (net.ipv4.ip_forward). Default false, as on Linux.")
};

static const VnsAttrSpec router_attrs[] = {
    HOST_ATTRS("true", "Whether the router forwards IP packets not addressed "
               "to it. Default true: that is what makes it a router.")
};

static const VnsAttrSpec hypervisor_attrs[] = {
    HOST_ATTRS("false", "Whether the hypervisor's own stack forwards IP "
               "packets not addressed to it (net.ipv4.ip_forward). Default "
               "false, as on Linux.")
};

static const VnsSpec host_spec = {
    "host", "An IPv4/IPv6 end host: interfaces, static routes, static "
    "neighbours, applications on other ports; forwards only if 'forward'.",
    host_attrs, host_children, false,
};

static const VnsSpec router_spec = {
    "router", "An IPv4/IPv6 router: a host that forwards by default "
    "(longest-prefix match, TTL, ICMP errors).",
    router_attrs, host_children, false,
};

static const VnsSpec hypervisor_spec = {
    "hypervisor", "A virtualization host: its own IPv4/IPv6 stack (the "
    "underlay end of tunnels, its management address) and the CPU, 'cores' "
    "wide, that the vNICs, TAPs, bridges and switches naming it in their "
    "'node' attribute charge their per-packet work to. VMs are <host> "
    "elements joined to it through vNICs.",
    hypervisor_attrs, host_children, false,
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static inline VnsPacketPool *
host_pool(const Host *h)
{
    return vns_net_pool(h->base.net);
}

static bool
host_mac_is_broadcast(const VnsMac *mac)
{
    static const VnsMac bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
    return vns_mac_equal(mac, &bcast);
}

/* 32-bit FNV-1a (Fowler, Noll, Vo): a fixed, platform-independent hash, so
 * derived MACs are the same on every machine. */
static uint32_t
host_fnv1a(const void *data, size_t size, uint32_t h)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

#define HOST_FNV_BASIS 2166136261u

static bool
host_ip4_is_multicast(uint32_t a)
{
    return (a & 0xf0000000u) == 0xe0000000u;    /* 224.0.0.0/4, RFC 5771 */
}

/* Addresses a router must not forward to (RFC 1812 section 5.3.7 and
 * 5.3.5.1): 0.0.0.0/8, 127.0.0.0/8, multicast (no multicast routing here)
 * and the limited broadcast 255.255.255.255. */
static bool
host_ip4_forwardable(uint32_t dst)
{
    return (dst >> 24) != 0 && (dst >> 24) != 127 &&
           !host_ip4_is_multicast(dst) && dst != 0xffffffffu;
}

static bool
host_ip6_is_unspecified(const VnsIp6 *a)
{
    static const VnsIp6 zero;
    return vns_ip6_equal(a, &zero);
}

/* Unicast IPv6 that a router may forward: not unspecified, not loopback,
 * not multicast (RFC 4291 section 2.7), not link-local (section 2.5.6:
 * "routers must not forward any packets with link-local source or
 * destination addresses"). */
static bool
host_ip6_forwardable(const VnsIp6 *a)
{
    static const VnsIp6 loopback = { { [15] = 1 } };

    if (a->b[0] == 0xff || (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80))
        return false;
    return !host_ip6_is_unspecified(a) && !vns_ip6_equal(a, &loopback);
}

/* The source or destination address of the IP packet at data[0] (already
 * checked to hold a whole header): IPv4 bytes 12/16, IPv6 bytes 8/24. */
static VnsIpAddr
host_pkt_addr(const VnsPacket *pkt, bool dst)
{
    const uint8_t *ip = vns_packet_data(pkt);
    VnsIp6 a;

    if (ip[0] >> 4 == 4)
        return vns_ip_addr_v4(vns_wire_get32(ip + (dst ? 16 : 12)));
    memcpy(a.b, ip + (dst ? 24 : 8), 16);
    return vns_ip_addr_v6(&a);
}

static VnsIpAddr
host_pkt_dst(const VnsPacket *pkt)
{
    return host_pkt_addr(pkt, true);
}

static VnsIpAddr
host_pkt_src(const VnsPacket *pkt)
{
    return host_pkt_addr(pkt, false);
}

/* The interface that holds address 'a', or -1: the host is local for any
 * of its addresses whatever the interface a packet arrives on (the weak
 * host model of RFC 1122 section 3.3.4.2, as Linux does). */
static int
host_local_iface(const Host *h, const VnsIpAddr *a)
{
    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        const HostIface *f = &h->ifaces[i];
        const VnsIpPrefix *p = a->family == VNS_IP_V4 ? &f->addr4 : &f->addr6;
        if (p->addr.family == a->family && vns_ip_addr_equal(&p->addr, a))
            return i;
    }
    return -1;
}

/* The address of the host's to send from to 'to': that of the interface
 * the route to 'to' leaves by, else the first of its family. Returns false
 * if the host has none of that family. */
static bool host_source_for(const Host *h, const VnsIpAddr *to, VnsIpAddr *out);

/* ------------------------------------------------------------------ */
/* Hooks                                                               */

/* Runs the functions registered at 'hook'. Returns true to go on, false
 * when one of them took the packet. An empty hook point costs one test. */
static inline bool
host_hooks(Host *h, VnsHostHook hook, VnsPacket *pkt, int in, int out)
{
    GArray *list = h->hooks[hook];

    if (G_LIKELY(list == NULL))
        return true;
    VnsHookState st = { hook, in, out };
    for (guint i = 0; i < list->len; i++) {
        const HostHookEntry *e = &g_array_index(list, HostHookEntry, i);
        if (e->fn(&h->base, pkt, &st, e->data) == VNS_HOOK_STOLEN)
            return false;
    }
    return true;
}

/*
 * vns_host_is_host:
 * Returns whether 'element' is a "host" or a "router".
 */
bool
vns_host_is_host(const VnsElement *element)
{
    return element != NULL &&
           (element->ops == &vns_host_ops || element->ops == &vns_router_ops ||
            element->ops == &vns_hypervisor_ops);
}

/*
 * vns_host_hook_add:
 * Registers 'fn' with 'data' (borrowed; must outlive the host) at hook
 * point 'hook' of 'host'. Functions run in increasing 'priority' (as
 * netfilter's NF_IP_PRI_*: conntrack -200, DNAT -100, filter 0, SNAT 100),
 * those of equal priority in registration order.
 */
void
vns_host_hook_add(VnsElement *host, VnsHostHook hook, int priority,
                  VnsHostHookFn fn, void *data)
{
    Host *h = (Host *) host;
    HostHookEntry e = { priority, fn, data };
    guint at;

    g_return_if_fail(vns_host_is_host(host));
    g_return_if_fail(hook < VNS_HOST_N_HOOKS && fn != NULL);
    if (h->hooks[hook] == NULL)
        h->hooks[hook] = g_array_new(FALSE, FALSE, sizeof(HostHookEntry));
    for (at = 0; at < h->hooks[hook]->len; at++)
        if (g_array_index(h->hooks[hook], HostHookEntry, at).priority > priority)
            break;
    g_array_insert_val(h->hooks[hook], at, e);
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

static const HostRoute *
host_route_lookup(const Host *h, const VnsIpAddr *dst)
{
    const VnsLpm *t = dst->family == VNS_IP_V4 ? h->rt4 : h->rt6;
    uint32_t i;

    if (!vns_lpm_lookup(t, dst, &i))
        return NULL;
    return &g_array_index(h->routes, HostRoute, i);
}

/* The route 'pkt' (IP header at data[0]) takes to 'dst': the longest
 * prefix match, then, among equal-cost routes to that prefix, the one its
 * flow hashes to (hash-threshold, RFC 2992; as Linux's
 * fib_select_multipath()), so every packet of a flow takes one path. */
static const HostRoute *
host_route_select(const Host *h, VnsPacket *pkt, const VnsIpAddr *dst)
{
    const HostRoute *r = host_route_lookup(h, dst);
    unsigned k;

    if (r == NULL || G_LIKELY(r->ecmp_n <= 1))
        return r;
    k = vns_lpm_multipath_select(vns_packet_parse_l3(pkt), h->ecmp_seed,
                                 h->ecmp_policy, r->ecmp_n);
    while (k-- > 0)
        r = &g_array_index(h->routes, HostRoute, r->ecmp_next);
    return r;
}

static bool
host_source_for(const Host *h, const VnsIpAddr *to, VnsIpAddr *out)
{
    const HostRoute *r = host_route_lookup(h, to);

    if (r != NULL) {
        const HostIface *f = &h->ifaces[r->iface];
        const VnsIpPrefix *p = to->family == VNS_IP_V4 ? &f->addr4 : &f->addr6;
        if (p->addr.family == to->family) {
            *out = p->addr;
            return true;
        }
    }
    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        const HostIface *f = &h->ifaces[i];
        const VnsIpPrefix *p = to->family == VNS_IP_V4 ? &f->addr4 : &f->addr6;
        if (p->addr.family == to->family) {
            *out = p->addr;
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Transmission and neighbours                                         */

/* Pushes an Ethernet II header and sends the frame on interface 'oif'. */
static void
host_xmit(Host *h, VnsPacket *pkt, uint16_t oif, const VnsMac *dst,
          uint16_t ethertype)
{
    HostIface *f = &h->ifaces[oif];
    VnsEthHdr eth = { .dst = *dst, .src = f->mac, .ethertype = ethertype };

    vns_eth_push(pkt, &eth);
    h->st.tx_packets++;
    vns_port_send(f->port, pkt);
}

static uint16_t
host_ip_ethertype(const VnsPacket *pkt)
{
    return vns_packet_data(pkt)[0] >> 4 == 4 ? VNS_ETHERTYPE_IPV4
                                             : VNS_ETHERTYPE_IPV6;
}

static NeighKey
host_neigh_key(uint16_t iface, const VnsIpAddr *addr)
{
    NeighKey k;

    memset(&k, 0, sizeof k);
    k.family = addr->family;
    k.iface = iface;
    if (addr->family == VNS_IP_V4)
        vns_wire_put32(k.addr, addr->v4);
    else
        memcpy(k.addr, addr->v6.b, 16);
    return k;
}

static VnsIpAddr
host_neigh_addr(const HostNeigh *n)
{
    VnsIp6 a;

    if (n->key.family == VNS_IP_V4)
        return vns_ip_addr_v4(vns_wire_get32(n->key.addr));
    memcpy(a.b, n->key.addr, 16);
    return vns_ip_addr_v6(&a);
}

/* Hashes the key a 32-bit word at a time (the per-packet neighbour
 * lookup made byte-wise FNV-1a a tenth of the forwarding cost): a
 * multiply-rotate mix in the manner of MurmurHash3's body. */
static guint
host_neigh_hash(gconstpointer key)
{
    const uint8_t *p = key;
    uint32_t h = HOST_FNV_BASIS;

    G_STATIC_ASSERT(sizeof(NeighKey) % 4 == 0);
    for (size_t i = 0; i < sizeof(NeighKey); i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        w *= 0xcc9e2d51u;
        w = (w << 15) | (w >> 17);
        h ^= w * 0x1b873593u;
        h = ((h << 13) | (h >> 19)) * 5 + 0xe6546b64u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

static gboolean
host_neigh_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(NeighKey)) == 0;
}

static void
host_neigh_free(gpointer data)
{
    HostNeigh *n = data;

    /* Packets still queued when the host is freed without a stop (the
     * pool outlives elements, so returning them is safe). */
    while (n->q_head != NULL) {
        VnsPacket *p = n->q_head;
        n->q_head = p->next;
        p->next = NULL;
        vns_packet_free(p);
    }
    g_free(n);
}

static HostNeigh *
host_neigh_find(const Host *h, uint16_t iface, const VnsIpAddr *addr)
{
    NeighKey k = host_neigh_key(iface, addr);
    return g_hash_table_lookup(h->neigh, &k);
}

/* Adds an entry in state NONE. Allocates once per neighbour, never per
 * packet. */
static HostNeigh *
host_neigh_add(Host *h, uint16_t iface, const VnsIpAddr *addr)
{
    HostNeigh *n = g_new0(HostNeigh, 1);

    n->key = host_neigh_key(iface, addr);
    n->host = h;
    n->state = NEIGH_NONE;
    n->timer = VNS_EVENT_NONE;
    g_hash_table_insert(h->neigh, &n->key, n);
    return n;
}

static void host_neigh_timer(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType host_neigh_event = {
    "host-neighbor-retrans", host_neigh_timer, NULL,
};

/* The solicited-node multicast address ff02::1:ffXX:XXXX of 'a' (RFC 4291
 * section 2.7.1). */
static VnsIp6
host_solicited_node(const VnsIp6 *a)
{
    VnsIp6 s = { { 0xff, 0x02, [11] = 0x01, [12] = 0xff } };

    memcpy(s.b + 13, a->b + 13, 3);
    return s;
}

/* The Ethernet address of an IPv6 multicast address: 33:33 and its last
 * 32 bits (RFC 2464 section 7). */
static VnsMac
host_ip6_multicast_mac(const VnsIp6 *a)
{
    VnsMac m = { { 0x33, 0x33 } };

    memcpy(m.b + 2, a->b + 12, 4);
    return m;
}

/* Sends one ARP request (RFC 826) or neighbor solicitation (RFC 4861
 * section 7.2.2, to the solicited-node multicast address) for 'n', and
 * arms the retransmission timer. */
static void
host_neigh_solicit(Host *h, HostNeigh *n)
{
    HostIface *f = &h->ifaces[n->key.iface];
    VnsIpAddr target = host_neigh_addr(n);
    VnsPacket *p = vns_packet_new(host_pool(h), 0);

    /* The timer first: over an in-node wire the answer may come back
     * before host_xmit() returns. */
    n->probes++;
    n->timer = vns_sim_schedule(h->base.sim, h->retrans_ps, &host_neigh_event,
                                n, NULL);
    p->t_created = vns_element_now(&h->base);
    if (target.family == VNS_IP_V4) {
        VnsArpHdr arp = {
            .op = VNS_ARP_OP_REQUEST, .sha = f->mac,
            .spa = f->addr4.addr.family == VNS_IP_V4 ? f->addr4.addr.v4 : 0,
            .tpa = target.v4,
        };
        vns_arp_push(p, &arp);
        h->st.arp_requests_sent++;
        host_xmit(h, p, n->key.iface, &VNS_MAC_BROADCAST, VNS_ETHERTYPE_ARP);
    } else {
        VnsIp6 dst = host_solicited_node(&target.v6);
        VnsMac dmac = host_ip6_multicast_mac(&dst);
        bool have_src = f->addr6.addr.family == VNS_IP_V6;
        /* RFC 4861 section 7.2.2: the source is an address of the
         * interface; the unspecified address only for DAD, and then
         * without the source link-layer address option (section 4.3). */
        VnsIp6 src = have_src ? f->addr6.addr.v6 : (VnsIp6) { { 0 } };
        VnsIcmp6Hdr ns = {
            .type = VNS_ICMP6_NEIGHBOR_SOLICIT, .target = target.v6,
            .has_lladdr = have_src, .lladdr = f->mac,
        };
        VnsIpv6Hdr ip = {
            .next_header = VNS_IPPROTO_ICMPV6, .hop_limit = HOST_ND_HOP_LIMIT,
            .src = src, .dst = dst,
        };
        vns_icmp6_push(p, &ns, &src, &dst);
        vns_ipv6_push(p, &ip);
        h->st.ns_sent++;
        host_xmit(h, p, n->key.iface, &dmac, VNS_ETHERTYPE_IPV6);
    }
}

static void host_icmp_error(Host *h, VnsPacket *orig, uint8_t type4,
                            uint8_t code4, uint8_t type6, uint8_t code6,
                            uint32_t mtu);

/* Resolution failed after the last request: every waiting packet is
 * dropped (no_neighbor) after an ICMP "host unreachable" / ICMPv6 "address
 * unreachable" to its source, as Linux's neigh_invalidate() does through
 * arp_error_report() and ndisc_error_report(). The entry returns to NONE,
 * so the next packet starts a new resolution. */
static void
host_neigh_fail(Host *h, HostNeigh *n)
{
    VnsPacket *q = n->q_head;

    n->q_head = n->q_tail = NULL;
    n->q_len = 0;
    n->state = NEIGH_NONE;
    while (q != NULL) {
        VnsPacket *p = q;
        q = p->next;
        p->next = NULL;
        host_icmp_error(h, p, VNS_ICMP_DEST_UNREACH, VNS_ICMP_HOST_UNREACH,
                        VNS_ICMP6_DEST_UNREACH, 3, 0);
        vns_packet_drop(p, &h->base, VNS_DROP_NO_NEIGHBOR);
    }
}

static void
host_neigh_timer(VnsSim *sim, void *ctx, void *arg)
{
    HostNeigh *n = ctx;
    Host *h = n->host;

    n->timer = VNS_EVENT_NONE;
    if (n->state != NEIGH_INCOMPLETE)
        return;
    if (n->probes < h->max_probes)
        host_neigh_solicit(h, n);
    else
        host_neigh_fail(h, n);
}

/* The neighbour's link-layer address is known ('mac'): the entry becomes
 * reachable for the reachable time and its waiting packets leave, oldest
 * first. Static entries are never changed by the network. */
static void
host_neigh_update(Host *h, HostNeigh *n, const VnsMac *mac)
{
    VnsPacket *q;

    if (n->state == NEIGH_STATIC)
        return;
    n->mac = *mac;
    n->state = NEIGH_REACHABLE;
    n->expires = vns_element_now(&h->base) + h->reachable_ps;
    n->probes = 0;
    if (n->timer.seq != 0) {
        vns_sim_cancel(h->base.sim, n->timer);
        n->timer = VNS_EVENT_NONE;
    }
    q = n->q_head;
    n->q_head = n->q_tail = NULL;
    n->q_len = 0;
    while (q != NULL) {
        VnsPacket *p = q;
        q = p->next;
        p->next = NULL;
        host_xmit(h, p, n->key.iface, &n->mac, host_ip_ethertype(p));
    }
}

/* Sends the IP packet at data[0] to next hop 'nh' on interface 'oif',
 * resolving its link-layer address first if needed: the packet then waits
 * in the entry's queue (bounded like Linux's unres_qlen, oldest dropped). */
static void
host_neigh_output(Host *h, VnsPacket *pkt, uint16_t oif, const VnsIpAddr *nh)
{
    HostNeigh *n = host_neigh_find(h, oif, nh);

    if (n != NULL && (n->state == NEIGH_STATIC ||
                      (n->state == NEIGH_REACHABLE &&
                       vns_element_now(&h->base) < n->expires))) {
        host_xmit(h, pkt, oif, &n->mac, host_ip_ethertype(pkt));
        return;
    }
    if (n == NULL)
        n = host_neigh_add(h, oif, nh);
    if (n->q_len >= h->queue_max) {
        /* Linux's __neigh_event_send() drops from the head of arp_queue. */
        VnsPacket *old = n->q_head;
        n->q_head = old->next;
        if (n->q_head == NULL)
            n->q_tail = NULL;
        n->q_len--;
        old->next = NULL;
        vns_packet_drop(old, &h->base, VNS_DROP_NO_NEIGHBOR);
    }
    pkt->next = NULL;
    pkt->t_enqueued = vns_element_now(&h->base);
    if (n->q_tail != NULL)
        n->q_tail->next = pkt;
    else
        n->q_head = pkt;
    n->q_tail = pkt;
    n->q_len++;
    if (n->state != NEIGH_INCOMPLETE) {
        /* NONE, or REACHABLE past its time: resolve (again). */
        n->state = NEIGH_INCOMPLETE;
        n->probes = 0;
        host_neigh_solicit(h, n);
    }
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void host_local_in(Host *h, VnsPacket *pkt, int in);

/* The floors under a learnt path MTU: Linux's net.ipv4.route.min_pmtu =
 * 552 (Documentation/networking/ip-sysctl.rst) and IPv6's minimum link MTU,
 * 1280 (RFC 8200 section 5; RFC 8201 section 4). */
#define HOST_MIN_PMTU4 552
#define HOST_MIN_PMTU6 1280

/* The MTU toward 'dst' leaving by an interface of MTU 'if_mtu': the
 * interface's, lowered by an unexpired path-MTU entry (RFC 1191 section
 * 6.3, RFC 8201 section 5.3). An empty cache costs one test. */
static uint32_t
host_pmtu_get(Host *h, const VnsIpAddr *dst, uint32_t if_mtu)
{
    NeighKey k;
    HostPmtu *e;

    if (G_LIKELY(g_hash_table_size(h->pmtu) == 0))
        return if_mtu;
    k = host_neigh_key(0, dst);
    e = g_hash_table_lookup(h->pmtu, &k);
    if (e == NULL)
        return if_mtu;
    if (vns_element_now(&h->base) >= e->expires) {
        /* Expired (Linux: ip_rt_mtu_expires): the interface MTU again. */
        g_hash_table_remove(h->pmtu, &k);
        return if_mtu;
    }
    return MIN(e->mtu, if_mtu);
}

/* An ICMP "fragmentation needed" or ICMPv6 "packet too big" reported
 * 'mtu' for the path to 'dst': the entry is set if that lowers the path
 * MTU, as Linux's __ip_rt_update_pmtu() and __ip6_rt_update_pmtu() do. A
 * report below the floor sets the floor (IPv4: 552, or the current MTU if
 * lower; IPv6: 1280); a report that does not lower it changes nothing
 * (RFC 1191 section 6.3, RFC 8201 section 4). Allocates one entry per
 * destination, on an ICMP error, never per data packet. */
static void
host_pmtu_update(Host *h, const VnsIpAddr *dst, uint32_t mtu)
{
    const HostRoute *r = host_route_lookup(h, dst);
    uint32_t cur;
    NeighKey k;
    HostPmtu *e;

    if (r == NULL)
        return;
    cur = host_pmtu_get(h, dst, h->ifaces[r->iface].mtu);
    if (dst->family == VNS_IP_V4)
        mtu = mtu < HOST_MIN_PMTU4 ? MIN(cur, HOST_MIN_PMTU4) : mtu;
    else
        mtu = MAX(mtu, HOST_MIN_PMTU6);
    if (mtu >= cur)
        return;
    k = host_neigh_key(0, dst);
    e = g_hash_table_lookup(h->pmtu, &k);
    if (e == NULL) {
        e = g_new0(HostPmtu, 1);
        e->key = k;
        g_hash_table_insert(h->pmtu, &e->key, e);
    }
    e->mtu = mtu;
    e->expires = vns_element_now(&h->base) + h->pmtu_expires_ps;
    h->st.pmtu_updates++;
}

/*
 * vns_host_path_mtu:
 * The MTU of the path from 'host' (a host, router or hypervisor) to 'dst':
 * the MTU of the interface its route leaves by, lowered by the path-MTU
 * cache while an entry learnt from ICMP "fragmentation needed" or "packet
 * too big" lasts (600 s by default). Returns 0 when there is no route.
 * TCP sizes its MSS from it.
 */
uint32_t
vns_host_path_mtu(VnsElement *host, const VnsIpAddr *dst)
{
    Host *h = (Host *) host;
    const HostRoute *r;

    g_return_val_if_fail(vns_host_is_host(host) && dst != NULL, 0);
    r = host_route_lookup(h, dst);
    if (r == NULL)
        return 0;
    return host_pmtu_get(h, dst, h->ifaces[r->iface].mtu);
}

static bool host_add_route(Host *h, const HostRoute *r, const VnsConfig *cfg,
                           GError **error);
static bool host_add_connected(Host *h, uint16_t iface, const VnsIpPrefix *p,
                               GError **error);

/*
 * vns_host_assign_ipv4:
 * Gives interface 'port' of 'host', which has no IPv4 address, the address
 * 'addr' with its connected route, and a default route via 'gateway' when
 * the host has none: what a DHCP lease brings (RFC 2131; options 1 and 3
 * of RFC 2132). For models that hand out addresses (a cloud VPC), from
 * their ops->connect. Fails when the interface already has an address.
 */
bool
vns_host_assign_ipv4(VnsElement *host, VnsPort *port, const VnsIpPrefix *addr,
                     const VnsIpAddr *gateway, GError **error)
{
    Host *h = (Host *) host;
    HostIface *f;
    VnsIpAddr any = vns_ip_addr_v4(0);
    uint32_t old;

    g_return_val_if_fail(vns_host_is_host(host) && port != NULL &&
                         port->owner == host && addr != NULL, false);
    g_return_val_if_fail(port->index < h->n_ifaces, false);
    f = &h->ifaces[port->index];
    if (f->addr4.addr.family != VNS_IP_NONE) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                    "interface '%s:%s' already has an IPv4 address, expected "
                    "none for an assigned one", host->name, f->name);
        return false;
    }
    f->addr4 = *addr;
    port->info.addr4 = addr->addr;
    port->info.prefix4 = addr->len;
    if (!host_add_connected(h, port->index, addr, error))
        return false;
    if (gateway != NULL && gateway->family == VNS_IP_V4) {
        VnsIpPrefix def = { .addr = any, .len = 0 };
        if (!vns_lpm_lookup_exact(h->rt4, &def, &old)) {
            HostRoute r = { .to = def, .via = *gateway,
                            .iface = port->index };
            if (!host_add_route(h, &r, NULL, error))
                return false;
        }
    }
    return true;
}

/* Whether the ICMP or ICMPv6 packet at data[0] (IP header) matches the
 * filter 'f'. Neighbor Discovery (types 133-137) always passes: dropping
 * it would cut IPv6 off the link (RFC 4890 section 4.4.1). */
static bool
host_icmp_filtered(HostDropIcmp f, VnsPacket *pkt)
{
    const VnsFlowKey *k;

    if (G_LIKELY(f == HOST_DROP_ICMP_NONE))
        return false;
    k = vns_packet_parse_l3(pkt);
    if (pkt->l4_off == VNS_OFF_NONE)
        return false;
    if (k->proto == VNS_IPPROTO_ICMP && k->family == VNS_IP_V4)
        return f == HOST_DROP_ICMP_ALL ||
               (k->icmp_type == VNS_ICMP_DEST_UNREACH &&
                k->icmp_code == VNS_ICMP_FRAG_NEEDED);
    if (k->proto == VNS_IPPROTO_ICMPV6 && k->family == VNS_IP_V6) {
        if (k->icmp_type >= 133 && k->icmp_type <= 137)
            return false;
        return f == HOST_DROP_ICMP_ALL ||
               k->icmp_type == VNS_ICMP6_PACKET_TOO_BIG;
    }
    return false;
}

/* Whether the packet at data[0] may leave interface 'oif' although it is
 * larger than the MTU: a TCP packet whose size the interface's peer
 * accepts for segmentation offload (VnsPortInfo.gso_max_size; Linux
 * passes GSO packets, which the device or the GSO layer cuts into MSS-sized
 * segments: skb_gso_validate_network_len()). */
static bool
host_gso_ok(Host *h, VnsPacket *pkt, uint16_t oif)
{
    const VnsPort *peer = h->ifaces[oif].port->peer;

    if (peer == NULL || peer->info.gso_max_size == 0 ||
        vns_packet_size(pkt) > peer->info.gso_max_size)
        return false;
    return vns_packet_parse_l3(pkt)->proto == VNS_IPPROTO_TCP;
}

/* Copies the metadata that all pieces of one datagram share. */
static void
host_copy_meta(VnsPacket *to, const VnsPacket *from)
{
    to->flow_id = from->flow_id;
    to->flow_seq = from->flow_seq;
    to->t_created = from->t_created;
    to->mark = from->mark;
}

/* Cuts the IPv4 packet at data[0] (taken; DF clear) into fragments that
 * fit 'mtu' and sends them to next hop 'nh' on 'oif', in order (RFC 791
 * section 3.2, "Fragmentation" procedure; Linux's ip_do_fragment()). Each
 * fragment carries a copy of the header (options included: all are copied,
 * which RFC 791 allows only for options with the copy flag; none is
 * modelled) with the same Identification, its own Total Length and
 * checksum, a Fragment Offset in 8-byte units and MF set on all but the
 * last (which keeps the original's MF, when a fragment is fragmented
 * again). Every fragment but the last holds floor((mtu - IHL) / 8) x 8 data
 * bytes. The stored header bytes after the IP header (the transport
 * header) go to the fragments whose range covers them, the rest of each
 * fragment is payload length. */
static void
host_fragment4(Host *h, VnsPacket *pkt, uint32_t mtu, uint16_t oif,
               const VnsIpAddr *nh)
{
    const uint8_t *ip = vns_packet_data(pkt);
    uint32_t ihl = (ip[0] & 0x0fu) * 4;
    uint32_t data = vns_packet_size(pkt) - ihl;
    uint32_t stored = pkt->len - ihl;
    uint32_t per = (mtu - ihl) & ~7u;
    uint16_t off0 = vns_ipv4_frag_offset(ip);
    bool mf0 = vns_ipv4_mf(ip);

    g_assert(mtu >= ihl + 8);   /* mtu >= 68 and IHL <= 60 */
    h->st.frag_datagrams++;
    for (uint32_t pos = 0; pos < data; pos += per) {
        uint32_t n = MIN(per, data - pos);
        uint32_t st = pos < stored ? MIN(n, stored - pos) : 0;
        VnsPacket *f = vns_packet_new(host_pool(h), n - st);
        uint8_t *fip = vns_packet_put(f, ihl + st);

        memcpy(fip, vns_packet_data(pkt), ihl);
        memcpy(fip + ihl, vns_packet_data(pkt) + ihl + pos, st);
        vns_wire_put16(fip + 2, (uint16_t) (ihl + n));
        vns_wire_put16(fip + 6, (uint16_t) (((pos + n < data || mf0) ? 0x2000u : 0) |
                                            ((off0 + pos) >> 3)));
        vns_wire_put16(fip + 10, vns_ipv4_checksum(fip));
        host_copy_meta(f, pkt);
        h->st.frag_created++;
        host_neigh_output(h, f, oif, nh);
    }
    vns_packet_free(pkt);       /* consumed: its fragments went out */
}

/* Cuts the IPv6 packet at data[0] (taken) into fragments with a Fragment
 * header (RFC 8200 section 4.5): the 40-byte fixed header is the
 * unfragmentable part (extension headers are not looked for: applications
 * send none), then an 8-byte Fragment header with the original Next
 * Header, the offset in 8-byte units, M on all but the last, and one
 * Identification for the datagram; every fragment but the last holds
 * floor((mtu - 48) / 8) x 8 data bytes. Only a source does this (routers
 * never fragment IPv6, RFC 8200 section 5). */
static void
host_fragment6(Host *h, VnsPacket *pkt, uint32_t mtu, uint16_t oif,
               const VnsIpAddr *nh)
{
    uint32_t data = vns_packet_size(pkt) - VNS_IPV6_HLEN;
    uint32_t stored = pkt->len - VNS_IPV6_HLEN;
    uint32_t per = (mtu - VNS_IPV6_HLEN - VNS_IPV6_FRAG_HLEN) & ~7u;
    uint8_t next = vns_packet_data(pkt)[6];
    uint32_t id = h->ip6_frag_id++;

    h->st.frag_datagrams++;
    for (uint32_t pos = 0; pos < data; pos += per) {
        uint32_t n = MIN(per, data - pos);
        uint32_t st = pos < stored ? MIN(n, stored - pos) : 0;
        VnsPacket *f = vns_packet_new(host_pool(h), n - st);
        uint8_t *fip = vns_packet_put(f, VNS_IPV6_HLEN + VNS_IPV6_FRAG_HLEN + st);
        uint8_t *fh = fip + VNS_IPV6_HLEN;

        memcpy(fip, vns_packet_data(pkt), VNS_IPV6_HLEN);
        fip[6] = VNS_IPPROTO_FRAGMENT;
        vns_wire_put16(fip + 4, (uint16_t) (VNS_IPV6_FRAG_HLEN + n));
        fh[0] = next;
        fh[1] = 0;
        vns_wire_put16(fh + 2, (uint16_t) (pos | (pos + n < data ? 1u : 0u)));
        vns_wire_put32(fh + 4, id);
        memcpy(fh + VNS_IPV6_FRAG_HLEN,
               vns_packet_data(pkt) + VNS_IPV6_HLEN + pos, st);
        host_copy_meta(f, pkt);
        h->st.frag_created++;
        host_neigh_output(h, f, oif, nh);
    }
    vns_packet_free(pkt);       /* consumed: its fragments went out */
}

/* Sends a packet the host or an application originated (IP header at
 * data[0], checked): ICMP filter, output hook, local destination or route
 * lookup, postrouting hook, MTU (the path MTU: interface MTU lowered by
 * the path-MTU cache), neighbour. Too big: a TCP packet the interface's
 * peer takes for segmentation offload leaves whole; an IPv4 packet with DF
 * is dropped (mtu_exceeded; Linux fails the send with EMSGSIZE), without
 * DF it is fragmented; an IPv6 TCP segment is dropped (TCP sizes its
 * segments to the path MTU), other IPv6 packets are fragmented by this
 * source (Linux's default for UDP sockets, IPV6_PMTUDISC_WANT). */
static void
host_local_output(Host *h, VnsPacket *pkt)
{
    const HostRoute *r;
    VnsIpAddr dst, nh;
    uint32_t mtu;

    if (G_UNLIKELY(h->drop_icmp != HOST_DROP_ICMP_NONE) &&
        host_icmp_filtered(h->drop_icmp, pkt)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_ICMP_FILTERED);
        return;
    }
    if (!host_hooks(h, VNS_HOST_HOOK_OUTPUT, pkt, -1, -1))
        return;
    dst = host_pkt_dst(pkt);
    if (host_local_iface(h, &dst) >= 0) {
        /* To one of its own addresses: delivered at once (loopback). */
        host_local_in(h, pkt, -1);
        return;
    }
    r = host_route_select(h, pkt, &dst);
    if (r == NULL) {
        /* Linux returns ENETUNREACH to the socket; nothing is sent. */
        vns_packet_drop(pkt, &h->base, VNS_DROP_NO_ROUTE);
        return;
    }
    nh = r->via.family != VNS_IP_NONE ? r->via : dst;
    if (!host_hooks(h, VNS_HOST_HOOK_POSTROUTING, pkt, -1, r->iface))
        return;
    mtu = host_pmtu_get(h, &dst, h->ifaces[r->iface].mtu);
    if (vns_packet_size(pkt) > mtu) {
        const uint8_t *ip = vns_packet_data(pkt);
        bool v4 = ip[0] >> 4 == 4;
        if (host_gso_ok(h, pkt, r->iface)) {
            h->st.gso_passed++;
        } else if (v4 ? vns_ipv4_df(ip)
                       : vns_packet_parse_l3(pkt)->proto == VNS_IPPROTO_TCP) {
            vns_packet_drop(pkt, &h->base, VNS_DROP_MTU_EXCEEDED);
            return;
        } else if (v4) {
            host_fragment4(h, pkt, mtu, r->iface, &nh);
            return;
        } else {
            host_fragment6(h, pkt, mtu, r->iface, &nh);
            return;
        }
    }
    host_neigh_output(h, pkt, r->iface, &nh);
}

/* ------------------------------------------------------------------ */
/* ICMP                                                                */

static bool
host_icmp4_is_error(uint8_t type)
{
    /* RFC 1122 section 3.2.2: destination unreachable, source quench,
     * redirect, time exceeded, parameter problem. */
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Sends an ICMP error about 'orig' (IP header at data[0]; borrowed, left
 * as it is) to its source: ICMPv4 type4/code4 for IPv4 (with next-hop
 * 'mtu' for fragmentation needed, RFC 1191 section 4), ICMPv6 type6/code6
 * for IPv6 ('mtu' for packet too big, RFC 4443 section 3.2). Nothing is
 * sent where RFC 1122 section 3.2.2 / RFC 1812 section 4.3.2.7 and RFC 4443
 * section 2.4 (e) forbid it: about an ICMP error, a non-initial fragment,
 * or a packet whose source is not a unicast address, or (except packet too
 * big) whose destination is multicast or broadcast. ICMP rate limiting
 * (Linux's icmp_ratelimit) is not modelled. */
static void
host_icmp_error(Host *h, VnsPacket *orig, uint8_t type4, uint8_t code4,
                uint8_t type6, uint8_t code6, uint32_t mtu)
{
    const uint8_t *ip = vns_packet_data(orig);
    uint32_t size = vns_packet_size(orig);
    VnsIpAddr to = host_pkt_src(orig);
    VnsIpAddr from;
    uint32_t quote, stored;
    VnsPacket *p;

    if (ip[0] >> 4 == 4) {
        uint32_t hlen = (ip[0] & 0x0fu) * 4;
        uint32_t dst = vns_wire_get32(ip + 16);
        if (to.v4 == 0 || host_ip4_is_multicast(to.v4) || to.v4 == 0xffffffffu ||
            (to.v4 >> 24) == 127 || host_ip4_is_multicast(dst) ||
            dst == 0xffffffffu || vns_ipv4_frag_offset(ip) != 0)
            return;
        if (ip[9] == VNS_IPPROTO_ICMP && orig->len > hlen &&
            host_icmp4_is_error(ip[hlen]))
            return;
    } else {
        VnsIpv6Hdr h6;
        if (!vns_ipv6_parse(ip, orig->len, &h6) ||
            !host_ip6_forwardable(&to.v6) ||
            (h6.dst.b[0] == 0xff && type6 != VNS_ICMP6_PACKET_TOO_BIG) ||
            (h6.frag && h6.frag_offset != 0))
            return;
        /* RFC 4443 section 2.4 (e.1): error messages are types 0-127. */
        if (h6.proto == VNS_IPPROTO_ICMPV6 && h6.l4_off < orig->len &&
            ip[h6.l4_off] < 128)
            return;
    }
    if (!host_source_for(h, &to, &from))
        return;
    if (to.family == VNS_IP_V4)
        quote = MIN(size, HOST_ICMP4_MAX - VNS_IPV4_HLEN - VNS_ICMP_HLEN);
    else
        quote = MIN(size, HOST_ICMP6_MAX - VNS_IPV6_HLEN - VNS_ICMP6_HLEN);
    stored = MIN(orig->len, quote);
    p = vns_packet_new(host_pool(h), quote - stored);
    memcpy(vns_packet_put(p, stored), ip, stored);
    p->t_created = vns_element_now(&h->base);
    if (to.family == VNS_IP_V4) {
        VnsIcmpHdr ih = { .type = type4, .code = code4, .mtu = (uint16_t) mtu };
        VnsIpv4Hdr ih4 = {
            .ttl = h->ttl, .proto = VNS_IPPROTO_ICMP, .id = h->ip_id++,
            .src = from.v4, .dst = to.v4,
        };
        vns_icmp_push(p, &ih);
        vns_ipv4_push(p, &ih4);
    } else {
        VnsIcmp6Hdr ih = { .type = type6, .code = code6, .mtu = mtu };
        VnsIpv6Hdr ih6 = {
            .next_header = VNS_IPPROTO_ICMPV6, .hop_limit = h->ttl,
            .src = from.v6, .dst = to.v6,
        };
        vns_icmp6_push(p, &ih, &from.v6, &to.v6);
        vns_ipv6_push(p, &ih6);
    }
    h->st.icmp_errors_sent++;
    host_local_output(h, p);
}

/* Turns an echo request (IP header at data[0], ICMP at 'l4') into the
 * echo reply in place and sends it: addresses swapped (the reply's source
 * is the request's destination, RFC 1122 section 3.2.2.6 and RFC 4443
 * section 4.2), TTL / hop limit reset, type changed with an RFC 1624
 * checksum update (swapping the addresses leaves every sum unchanged). */
static void
host_echo_reply(Host *h, VnsPacket *pkt, uint16_t l4)
{
    uint8_t *ip = vns_packet_data(pkt);
    uint8_t *icmp = ip + l4;
    uint8_t tmp[16];
    uint16_t old_word = vns_wire_get16(icmp);

    if (ip[0] >> 4 == 4) {
        memcpy(tmp, ip + 12, 4);
        memcpy(ip + 12, ip + 16, 4);
        memcpy(ip + 16, tmp, 4);
        ip[8] = h->ttl;
        vns_wire_put16(ip + 10, vns_ipv4_checksum(ip));
        icmp[0] = VNS_ICMP_ECHO_REPLY;
    } else {
        memcpy(tmp, ip + 8, 16);
        memcpy(ip + 8, ip + 24, 16);
        memcpy(ip + 24, tmp, 16);
        ip[7] = h->ttl;
        icmp[0] = VNS_ICMP6_ECHO_REPLY;
    }
    vns_wire_put16(icmp + 2, vns_csum_update16(vns_wire_get16(icmp + 2),
                                               old_word, vns_wire_get16(icmp)));
    vns_packet_invalidate(pkt);
    pkt->t_created = vns_element_now(&h->base);
    h->st.echo_replies_sent++;
    host_local_output(h, pkt);
}

/* ------------------------------------------------------------------ */
/* Local delivery                                                      */

static guint
host_app_key(uint8_t proto, uint16_t port)
{
    return (guint) proto << 16 | port;
}

static bool
host_app_matches(const VnsPort *p, uint8_t proto, uint16_t port)
{
    return p->peer != NULL && p->peer->info.l4_proto == proto &&
           p->peer->info.l4_port == port;
}

/* The application port whose peer advertises (proto, port), or NULL. The
 * table is filled lazily: applications may be added, and may set their
 * port info, after the host started; a hit is re-checked, a miss scans the
 * application ports (misses are rare: they end in a no_socket drop). */
static VnsPort *
host_app_find(Host *h, uint8_t proto, uint16_t port)
{
    guint key = host_app_key(proto, port);
    gpointer v;

    if (port == 0)
        return NULL;
    v = g_hash_table_lookup(h->apps, GUINT_TO_POINTER(key));
    if (v != NULL) {
        uint16_t index = (uint16_t) (GPOINTER_TO_UINT(v) - 1);
        VnsPort *p = vns_element_port(&h->base, index);
        if (host_app_matches(p, proto, port))
            return p;
        g_hash_table_remove(h->apps, GUINT_TO_POINTER(key));
    }
    for (guint i = h->n_ifaces; i < h->base.ports->len; i++) {
        VnsPort *p = h->base.ports->pdata[i];
        if (host_app_matches(p, proto, port)) {
            g_hash_table_insert(h->apps, GUINT_TO_POINTER(key),
                                GUINT_TO_POINTER(i + 1));
            return p;
        }
    }
    return NULL;
}

/* Answers a TCP segment (IP header at data[0], TCP at 'l4'; borrowed) for
 * a port nobody listens on with a reset, as RFC 9293 section 3.10.7.1
 * says for a CLOSED connection: nothing for a reset; if ACK is off,
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, where SEG.LEN counts the data
 * and the SYN and FIN flags; else <SEQ=SEG.ACK><CTL=RST>. The reset goes
 * from the segment's destination to its source, ports swapped, window 0,
 * with the element's TTL, through its own output path. */
static void
host_tcp_reset(Host *h, VnsPacket *pkt, uint16_t l4)
{
    const uint8_t *d = vns_packet_data(pkt);
    VnsIpAddr src = host_pkt_src(pkt), dst = host_pkt_dst(pkt);
    VnsTcpHdr in, out = { 0 };
    VnsPacket *p;

    if (!vns_tcp_parse(d + l4, pkt->len - l4, &in) || (in.flags & VNS_TCP_RST))
        return;
    if (src.family == VNS_IP_V4 ? (src.v4 == 0 || host_ip4_is_multicast(src.v4) ||
                                   src.v4 == 0xffffffffu)
                                : !host_ip6_forwardable(&src.v6))
        return;     /* RFC 9293 3.10.7.1 answers unicast segments only */
    out.sport = in.dport;
    out.dport = in.sport;
    if (in.flags & VNS_TCP_ACK) {
        out.seq = in.ack;
        out.flags = VNS_TCP_RST;
    } else {
        uint32_t seg_len = vns_packet_size(pkt) - l4 - in.hdr_len;
        seg_len += (in.flags & VNS_TCP_SYN ? 1u : 0u) + (in.flags & VNS_TCP_FIN ? 1u : 0u);
        out.seq = 0;
        out.ack = in.seq + seg_len;
        out.flags = VNS_TCP_RST | VNS_TCP_ACK;
    }
    p = vns_packet_new(host_pool(h), 0);
    p->t_created = vns_element_now(&h->base);
    vns_tcp_push(p, &out, &dst, &src);
    if (src.family == VNS_IP_V4) {
        VnsIpv4Hdr ip = {
            .ttl = h->ttl, .proto = VNS_IPPROTO_TCP, .id = h->ip_id++,
            .src = dst.v4, .dst = src.v4,
        };
        vns_ipv4_push(p, &ip);
    } else {
        VnsIpv6Hdr ip = {
            .next_header = VNS_IPPROTO_TCP, .hop_limit = h->ttl,
            .src = dst.v6, .dst = src.v6,
        };
        vns_ipv6_push(p, &ip);
    }
    h->st.rst_sent++;
    host_local_output(h, p);
}

/* Delivers the packet to the application bound to (proto, port). With
 * nobody bound it is dropped (no_socket); if 'reply' (a datagram or
 * segment, not an ICMP error), first a UDP datagram gets an ICMP port
 * unreachable (RFC 1122 section 3.2.2.1 and 4.1.3.1; ICMPv6 destination
 * unreachable code 4, RFC 4443 section 3.1) and a TCP segment a reset. */
static void
host_deliver(Host *h, VnsPacket *pkt, uint8_t proto, uint16_t port, bool reply)
{
    VnsPort *app = host_app_find(h, proto, port);

    if (app == NULL) {
        if (reply && proto == VNS_IPPROTO_UDP)
            host_icmp_error(h, pkt, VNS_ICMP_DEST_UNREACH, VNS_ICMP_PORT_UNREACH,
                            VNS_ICMP6_DEST_UNREACH, 4, 0);
        else if (reply && proto == VNS_IPPROTO_TCP)
            host_tcp_reset(h, pkt, pkt->l4_off);
        vns_packet_drop(pkt, &h->base, VNS_DROP_NO_SOCKET);
        return;
    }
    h->st.delivered++;
    vns_port_send(app, pkt);
}

/* An ICMP error for the host (ICMP header at 'l4') goes to the application
 * that sent the packet it quotes, found by the quoted (protocol, source
 * port) or echo id, as a socket gets its errors in Linux (icmp_unreach(),
 * icmpv6_notify()). A "fragmentation needed" or "packet too big" about a
 * packet the host sent first lowers its path MTU to the quoted
 * destination (RFC 1191 section 6.3, RFC 8201 section 4). */
static void
host_deliver_icmp_error(Host *h, VnsPacket *pkt, uint32_t l4)
{
    VnsFlowKey qk;
    VnsFlowOffsets qo;
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t quote_off = l4 + 8;
    bool v4 = d[0] >> 4 == 4;

    if (quote_off >= pkt->len) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    vns_flow_key_parse_ip(&qk, &qo, d + quote_off, pkt->len - quote_off);
    if (qk.family == (v4 ? VNS_IP_V4 : VNS_IP_V6) &&
        host_local_iface(h, &qk.src) >= 0) {
        if (v4 && d[l4] == VNS_ICMP_DEST_UNREACH && d[l4 + 1] == VNS_ICMP_FRAG_NEEDED)
            host_pmtu_update(h, &qk.dst, vns_wire_get16(d + l4 + 6));
        else if (!v4 && d[l4] == VNS_ICMP6_PACKET_TOO_BIG)
            host_pmtu_update(h, &qk.dst, vns_wire_get32(d + l4 + 4));
    }
    if (qk.proto == VNS_IPPROTO_ICMP || qk.proto == VNS_IPPROTO_ICMPV6)
        host_deliver(h, pkt, qk.proto, qk.icmp_id, false);
    else
        host_deliver(h, pkt, qk.proto, qk.sport, false);
}

/* ------------------------------------------------------------------ */
/* Reassembly                                                          */

static void host_reasm_timer(VnsSim *sim, void *ctx, void *arg);

static const VnsEventType host_reasm_event = {
    "host-reassembly-timeout", host_reasm_timer, NULL,
};

/* Releases slot 'q': its fragments are dropped with 'cause' (or freed,
 * consumed, when 'cause' is VNS_DROP_N_CAUSES) and its timer cancelled. */
static void
host_reasm_release(Host *h, HostReasm *q, VnsDropCause cause)
{
    while (q->frags != NULL) {
        VnsPacket *f = q->frags;
        q->frags = f->next;
        f->next = NULL;
        if (cause == VNS_DROP_N_CAUSES)
            vns_packet_free(f);
        else
            vns_packet_drop(f, &h->base, cause);
    }
    if (q->timer.seq != 0) {
        vns_sim_cancel(h->base.sim, q->timer);
        q->timer = VNS_EVENT_NONE;
    }
    h->reasm_mem -= q->mem;
    h->reasm_used--;
    q->used = false;
}

/* A fragment's place in its datagram: data offset and length, bytes from
 * the start of the fragment's data ('hdr' = bytes of headers before it). */
typedef struct {
    uint32_t off, len, hdr;
    bool mf;
    uint32_t id;
    uint8_t proto;
} HostFrag;

static bool
host_frag_info(const VnsPacket *pkt, HostFrag *fi)
{
    const uint8_t *ip = vns_packet_data(pkt);
    uint32_t size = vns_packet_size(pkt);

    if (ip[0] >> 4 == 4) {
        fi->hdr = (ip[0] & 0x0fu) * 4;
        fi->off = vns_ipv4_frag_offset(ip);
        fi->mf = vns_ipv4_mf(ip);
        fi->id = vns_ipv4_id(ip);
        fi->proto = ip[9];
    } else {
        VnsIpv6Hdr h6;
        if (!vns_ipv6_parse(ip, pkt->len, &h6) || !h6.frag)
            return false;
        fi->hdr = h6.l4_off;
        fi->off = h6.frag_offset;
        fi->mf = h6.mf;
        fi->id = h6.frag_id;
        fi->proto = 0;
    }
    if (fi->hdr > pkt->len || fi->hdr >= size)
        return false;
    fi->len = size - fi->hdr;
    /* RFC 791 / RFC 8200 section 4.5: all but the last fragment hold a
     * multiple of 8 bytes; a datagram is at most 65535 bytes of data. */
    return !(fi->mf && fi->len % 8 != 0) && fi->off + fi->len <= 65535;
}

/* Builds the datagram of the complete slot 'q' (taken apart) and returns
 * it: the first fragment's headers with the fragmentation undone (IPv4:
 * MF and offset cleared, Total Length set, checksum recomputed; IPv6: the
 * Fragment header removed, Payload Length set), the stored bytes of the
 * fragments in order, the rest as payload length. */
static VnsPacket *
host_reasm_build(Host *h, HostReasm *q)
{
    VnsPacket *first = q->frags;
    HostFrag fi;
    uint32_t hdr, stored = 0, unfrag;
    bool payload_seen = false;
    uint8_t *ip;
    VnsPacket *pkt;

    host_frag_info(first, &fi);
    hdr = fi.hdr;
    unfrag = q->family == VNS_IP_V4 ? hdr : hdr - VNS_IPV6_FRAG_HLEN;
    for (VnsPacket *f = first; f != NULL; f = f->next) {
        HostFrag g;
        host_frag_info(f, &g);
        if (!payload_seen)
            stored += f->len - g.hdr;
        payload_seen = payload_seen || f->payload_len > 0;
    }
    pkt = vns_packet_new(host_pool(h), q->total - stored);
    ip = vns_packet_put(pkt, unfrag + stored);
    memcpy(ip, vns_packet_data(first), unfrag);
    {
        uint32_t at = unfrag;
        for (VnsPacket *f = first; f != NULL && at < unfrag + stored; f = f->next) {
            HostFrag g;
            host_frag_info(f, &g);
            memcpy(ip + at, vns_packet_data(f) + g.hdr, f->len - g.hdr);
            at += f->len - g.hdr;
        }
    }
    if (q->family == VNS_IP_V4) {
        vns_wire_put16(ip + 2, (uint16_t) (hdr + q->total));
        vns_wire_put16(ip + 6, 0);
        vns_wire_put16(ip + 10, vns_ipv4_checksum(ip));
    } else {
        /* The Next Header that named the Fragment header now names what
         * the Fragment header named: walk the extension headers in front
         * of it (8-byte units, RFC 8200 section 4). */
        uint32_t nh_at = 6, off = VNS_IPV6_HLEN;
        while (off < unfrag) {
            nh_at = off;
            off += ((uint32_t) ip[off + 1] + 1) * 8;
        }
        ip[nh_at] = vns_packet_data(first)[unfrag];
        vns_wire_put16(ip + 4, (uint16_t) (unfrag - VNS_IPV6_HLEN + q->total));
    }
    host_copy_meta(pkt, first);
    pkt->in_port = first->in_port;
    host_reasm_release(h, q, VNS_DROP_N_CAUSES);
    return pkt;
}

/* Takes a fragment for the host (IP header at data[0]) and returns the
 * whole datagram when it was the last piece missing, else NULL (the
 * fragment is held, or dropped). Fragments are keyed by (source,
 * destination, protocol, Identification) for IPv4 (RFC 791 section 3.2)
 * and (source, destination, Identification) for IPv6 (RFC 8200 section
 * 4.5). An overlap drops the whole datagram (RFC 5722 for IPv6; Linux does
 * the same for IPv4); an exact duplicate is dropped alone. New fragments
 * are dropped when 'reassembly-memory' bytes are held (Linux's
 * ipfrag_high_thresh) or every slot is in use. The first fragment of a
 * datagram starts its timer: 'reassembly-timeout' (IPv4) or
 * 'reassembly-timeout6' (IPv6). */
static VnsPacket *
host_reasm(Host *h, VnsPacket *pkt)
{
    VnsIpAddr src = host_pkt_src(pkt), dst = host_pkt_dst(pkt);
    uint32_t size = vns_packet_size(pkt);
    HostReasm *q = NULL;
    HostFrag fi;
    VnsPacket **at;

    h->st.frag_received++;
    if (!host_frag_info(pkt, &fi)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return NULL;
    }
    for (uint32_t i = 0, seen = 0; i < h->reasm_slots && seen < h->reasm_used; i++) {
        HostReasm *c = &h->reasm[i];
        if (!c->used)
            continue;
        seen++;
        if (c->id == fi.id && c->proto == fi.proto && c->family == src.family &&
            vns_ip_addr_equal(&c->src, &src) && vns_ip_addr_equal(&c->dst, &dst)) {
            q = c;
            break;
        }
    }
    if (h->reasm_mem + size > h->reasm_mem_max ||
        (q == NULL && h->reasm_used == h->reasm_slots)) {
        h->st.reasm_failed++;
        vns_packet_drop(pkt, &h->base, VNS_DROP_REASSEMBLY);
        return NULL;
    }
    if (q == NULL) {
        for (uint32_t i = 0; i < h->reasm_slots; i++) {
            if (!h->reasm[i].used) {
                q = &h->reasm[i];
                break;
            }
        }
        g_assert(q != NULL);    /* reasm_used < reasm_slots */
        memset(q, 0, sizeof *q);
        q->host = h;
        q->used = true;
        q->family = src.family;
        q->proto = fi.proto;
        q->id = fi.id;
        q->src = src;
        q->dst = dst;
        q->timer = vns_sim_schedule(h->base.sim,
                                    src.family == VNS_IP_V4 ? h->reasm_timeout_ps
                                                            : h->reasm_timeout6_ps,
                                    &host_reasm_event, q, NULL);
        h->reasm_used++;
    }
    /* Its place in the list, and its neighbours' ranges. */
    at = &q->frags;
    while (*at != NULL) {
        HostFrag g;
        host_frag_info(*at, &g);
        if (g.off == fi.off && g.len == fi.len) {
            /* An exact duplicate (a retransmission, a duplicated frame). */
            vns_packet_drop(pkt, &h->base, VNS_DROP_REASSEMBLY);
            return NULL;
        }
        if (g.off < fi.off + fi.len && fi.off < g.off + g.len)
            goto bad;                           /* overlap */
        if (g.off > fi.off)
            break;
        at = &(*at)->next;
    }
    if (!fi.mf) {
        if (q->total != 0 && q->total != fi.off + fi.len)
            goto bad;                           /* two different ends */
        q->total = fi.off + fi.len;
    }
    if (q->total != 0 && fi.off + fi.len > q->total)
        goto bad;                               /* past the end */
    pkt->next = *at;
    *at = pkt;
    q->have += fi.len;
    q->mem += size;
    h->reasm_mem += size;
    if (q->total != 0 && q->have == q->total) {
        h->st.reassembled++;
        return host_reasm_build(h, q);
    }
    return NULL;

bad:
    h->st.reasm_failed++;
    vns_packet_drop(pkt, &h->base, VNS_DROP_REASSEMBLY);
    host_reasm_release(h, q, VNS_DROP_REASSEMBLY);
    return NULL;
}

/* The reassembly timer of a datagram fired: its fragments are dropped
 * (reassembly), after an ICMP time exceeded code 1, "fragment reassembly
 * time exceeded" (RFC 792; ICMPv6 time exceeded code 1, RFC 4443 section
 * 3.3) to the source if the first fragment (offset 0) came, as RFC 1122
 * section 3.3.2 and RFC 8200 section 4.5 say. */
static void
host_reasm_timer(VnsSim *sim, void *ctx, void *arg)
{
    HostReasm *q = ctx;
    Host *h = q->host;
    HostFrag fi;

    q->timer = VNS_EVENT_NONE;
    if (q->frags != NULL && host_frag_info(q->frags, &fi) && fi.off == 0)
        host_icmp_error(h, q->frags, VNS_ICMP_TIME_EXCEEDED, VNS_ICMP_REASM_EXCEEDED,
                        VNS_ICMP6_TIME_EXCEEDED, 1, 0);
    h->st.reasm_timeouts++;
    host_reasm_release(h, q, VNS_DROP_REASSEMBLY);
}

/* A packet for one of the host's addresses (IP header at data[0]); 'in'
 * is the interface it came in on, -1 if the host sent it to itself.
 * Fragments are reassembled first, then the whole datagram passes the
 * input hook (Linux's ip_local_deliver() reassembles before LOCAL_IN). */
static void
host_local_in(Host *h, VnsPacket *pkt, int in)
{
    const VnsFlowKey *k;
    const uint8_t *d;
    uint16_t l4;

    k = vns_packet_parse_l3(pkt);
    if (k->frag != VNS_FLOW_FRAG_NONE) {
        pkt = host_reasm(h, pkt);
        if (pkt == NULL)
            return;
    }
    if (!host_hooks(h, VNS_HOST_HOOK_INPUT, pkt, in, -1))
        return;
    k = vns_packet_parse_l3(pkt);
    l4 = pkt->l4_off;
    d = vns_packet_data(pkt);
    if (k->proto == VNS_IPPROTO_ICMP || k->proto == VNS_IPPROTO_ICMPV6) {
        bool v4 = k->proto == VNS_IPPROTO_ICMP;
        VnsIpAddr s = k->src, t = k->dst;
        uint32_t size = vns_packet_size(pkt);
        if (l4 == VNS_OFF_NONE || (uint32_t) l4 + 8 > pkt->len ||
            vns_csum_l4(d + l4, pkt->len - l4, size - l4, k->proto,
                        v4 ? NULL : &s, v4 ? NULL : &t) != 0) {
            vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
            return;
        }
        if (d[l4] == (v4 ? VNS_ICMP_ECHO_REQUEST : VNS_ICMP6_ECHO_REQUEST)) {
            h->st.delivered++;
            host_echo_reply(h, pkt, l4);
        } else if (v4 ? host_icmp4_is_error(d[l4]) : d[l4] < 128) {
            host_deliver_icmp_error(h, pkt, l4);
        } else {
            /* Echo replies go to the application bound to their id. */
            host_deliver(h, pkt, k->proto, k->icmp_id, false);
        }
        return;
    }
    if (l4 == VNS_OFF_NONE) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    /* UDP, TCP and other port-based protocols; others find no socket
     * (no ICMP protocol unreachable). */
    host_deliver(h, pkt, k->proto, k->dport, true);
}

/* ------------------------------------------------------------------ */
/* Forwarding                                                          */

/* Forwards the IP packet at data[0] that arrived on 'in', in the order of
 * Linux's ip_forward() / ip6_forward(): route (no route: ICMP unreachable),
 * TTL (expiring: ICMP time exceeded), MTU (too big: ICMP fragmentation
 * needed if DF, always packet too big for IPv6, unless segmentation
 * offload takes it), TTL decrement, forward hook, postrouting hook, then
 * fragmentation of a too-big IPv4 packet without DF (as ip_output() after
 * POSTROUTING), neighbour. */
static void
host_forward(Host *h, VnsPacket *pkt, uint16_t in)
{
    uint8_t *ip = vns_packet_data(pkt);
    bool v4 = ip[0] >> 4 == 4;
    VnsIpAddr dst = host_pkt_dst(pkt), nh;
    const HostRoute *r = host_route_select(h, pkt, &dst);
    uint32_t mtu;

    if (r == NULL) {
        /* RFC 1812 section 5.2.7.1 code 0 (net unreachable); RFC 4443
         * section 3.1 code 0 (no route to destination). */
        host_icmp_error(h, pkt, VNS_ICMP_DEST_UNREACH, VNS_ICMP_NET_UNREACH,
                        VNS_ICMP6_DEST_UNREACH, 0, 0);
        vns_packet_drop(pkt, &h->base, VNS_DROP_NO_ROUTE);
        return;
    }
    /* RFC 1812 section 5.3.1, RFC 8200 section 3: a packet that would
     * leave with TTL / hop limit 0 is discarded with time exceeded, code 0
     * (RFC 792; RFC 4443 section 3.3). */
    if ((v4 ? ip[8] : ip[7]) <= 1) {
        host_icmp_error(h, pkt, VNS_ICMP_TIME_EXCEEDED, VNS_ICMP_TTL_EXCEEDED,
                        VNS_ICMP6_TIME_EXCEEDED, 0, 0);
        vns_packet_drop(pkt, &h->base, VNS_DROP_TTL_EXPIRED);
        return;
    }
    mtu = h->ifaces[r->iface].mtu;
    if (vns_packet_size(pkt) > mtu && host_gso_ok(h, pkt, r->iface)) {
        h->st.gso_passed++;
        mtu = vns_packet_size(pkt);
    }
    if (vns_packet_size(pkt) > mtu && (!v4 || vns_ipv4_df(ip))) {
        /* RFC 1191 section 4: fragmentation needed carries the next-hop
         * MTU; RFC 8200 section 5 and RFC 4443 section 3.2: IPv6 routers
         * never fragment and always send packet too big. */
        host_icmp_error(h, pkt, VNS_ICMP_DEST_UNREACH, VNS_ICMP_FRAG_NEEDED,
                        VNS_ICMP6_PACKET_TOO_BIG, 0, mtu);
        vns_packet_drop(pkt, &h->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    if (v4)
        vns_ipv4_dec_ttl(ip);       /* RFC 1624 incremental checksum */
    else
        vns_ipv6_dec_hop_limit(ip);
    vns_packet_invalidate(pkt);
    if (!host_hooks(h, VNS_HOST_HOOK_FORWARD, pkt, in, r->iface))
        return;
    h->st.forwarded++;
    nh = r->via.family != VNS_IP_NONE ? r->via : dst;
    if (!host_hooks(h, VNS_HOST_HOOK_POSTROUTING, pkt, in, r->iface))
        return;
    if (vns_packet_size(pkt) > mtu) {
        /* IPv4 without DF (checked above; a hook that made the packet
         * bigger or set DF gets no ICMP). */
        ip = vns_packet_data(pkt);
        if (ip[0] >> 4 == 4 && !vns_ipv4_df(ip))
            host_fragment4(h, pkt, mtu, r->iface, &nh);
        else
            vns_packet_drop(pkt, &h->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    host_neigh_output(h, pkt, r->iface, &nh);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

/* After the prerouting hook: local delivery, forwarding, or not for us.
 * 'l2_host' says the frame was addressed to the interface's own MAC:
 * frames sent to a broadcast or multicast MAC are never forwarded (Linux's
 * ip_forward() drops pkt_type != PACKET_HOST). */
static void
host_route_input(Host *h, VnsPacket *pkt, uint16_t in, bool l2_host)
{
    VnsIpAddr dst;

    if (G_UNLIKELY(h->drop_icmp != HOST_DROP_ICMP_NONE) &&
        host_icmp_filtered(h->drop_icmp, pkt)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_ICMP_FILTERED);
        return;
    }
    if (!host_hooks(h, VNS_HOST_HOOK_PREROUTING, pkt, in, -1))
        return;
    dst = host_pkt_dst(pkt);
    if (host_local_iface(h, &dst) >= 0) {
        host_local_in(h, pkt, in);
        return;
    }
    if (!h->forward || !l2_host ||
        (dst.family == VNS_IP_V4 ? !host_ip4_forwardable(dst.v4)
                                 : !host_ip6_forwardable(&dst.v6))) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    if (dst.family == VNS_IP_V6) {
        VnsIpAddr src = host_pkt_src(pkt);
        if (!host_ip6_forwardable(&src.v6)) {
            vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
            return;
        }
    }
    host_forward(h, pkt, in);
}

/* ARP (RFC 826, "Packet Reception"): an entry for the sender is updated if
 * one exists ("merge"); if the target is the host's, the sender is added
 * if new, and a request is answered. Linux answers for any of the host's
 * addresses on any interface (net.ipv4.conf.all.arp_ignore = 0). */
static void
host_arp_input(Host *h, VnsPacket *pkt, uint16_t in)
{
    VnsArpHdr a;
    VnsIpAddr spa, tpa;
    HostNeigh *n;
    bool for_us;

    if (!vns_arp_parse(vns_packet_data(pkt), pkt->len, &a) ||
        (a.op != VNS_ARP_OP_REQUEST && a.op != VNS_ARP_OP_REPLY)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    spa = vns_ip_addr_v4(a.spa);
    tpa = vns_ip_addr_v4(a.tpa);
    for_us = host_local_iface(h, &tpa) >= 0;
    n = a.spa != 0 ? host_neigh_find(h, in, &spa) : NULL;
    if (n == NULL && for_us && a.spa != 0)
        n = host_neigh_add(h, in, &spa);
    if (n != NULL)
        host_neigh_update(h, n, &a.sha);
    if (a.op == VNS_ARP_OP_REPLY)
        h->st.arp_replies_received++;
    if (!for_us && n == NULL) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    if (for_us && a.op == VNS_ARP_OP_REQUEST) {
        VnsPacket *p = vns_packet_new(host_pool(h), 0);
        VnsArpHdr r = {
            .op = VNS_ARP_OP_REPLY, .sha = h->ifaces[in].mac, .spa = a.tpa,
            .tha = a.sha, .tpa = a.spa,
        };
        p->t_created = vns_element_now(&h->base);
        vns_arp_push(p, &r);
        h->st.arp_replies_sent++;
        host_xmit(h, p, in, &a.sha, VNS_ETHERTYPE_ARP);
    }
    vns_packet_free(pkt);           /* consumed */
}

/* Neighbor Discovery (RFC 4861): a solicitation for the interface's
 * address is answered with a solicited advertisement, and its source
 * link-layer address learnt (section 7.2.3); an advertisement updates an
 * existing entry (section 7.2.5). Entries learnt either way are taken as
 * reachable: the STALE/DELAY/PROBE states are not modelled. */
static void
host_nd_input(Host *h, VnsPacket *pkt, uint16_t in, const VnsIpv6Hdr *ip6)
{
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t off = ip6->l4_off;
    VnsIpAddr s = vns_ip_addr_v6(&ip6->src), t = vns_ip_addr_v6(&ip6->dst);
    HostIface *f = &h->ifaces[in];
    VnsIcmp6Hdr m;
    HostNeigh *n;

    /* Section 7.1.1 / 7.1.2: hop limit 255, valid checksum, code 0. */
    if (ip6->hop_limit != HOST_ND_HOP_LIMIT || off >= pkt->len ||
        !vns_icmp6_parse(d + off, pkt->len - off, &m) || m.code != 0 ||
        vns_csum_l4(d + off, pkt->len - off, vns_packet_size(pkt) - off,
                    VNS_IPPROTO_ICMPV6, &s, &t) != 0) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    if (m.type == VNS_ICMP6_NEIGHBOR_ADVERT) {
        h->st.na_received++;
        VnsIpAddr target = vns_ip_addr_v6(&m.target);
        n = host_neigh_find(h, in, &target);
        if (n != NULL && m.has_lladdr)
            host_neigh_update(h, n, &m.lladdr);
        vns_packet_free(pkt);       /* consumed */
        return;
    }
    /* A solicitation. Duplicate address detection (unspecified source) is
     * not modelled. */
    if (f->addr6.addr.family != VNS_IP_V6 ||
        !vns_ip6_equal(&m.target, &f->addr6.addr.v6) ||
        host_ip6_is_unspecified(&ip6->src)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    if (m.has_lladdr) {
        n = host_neigh_find(h, in, &s);
        if (n == NULL)
            n = host_neigh_add(h, in, &s);
        host_neigh_update(h, n, &m.lladdr);
    }
    {
        VnsPacket *p = vns_packet_new(host_pool(h), 0);
        VnsIcmp6Hdr na = {
            .type = VNS_ICMP6_NEIGHBOR_ADVERT, .target = m.target,
            .router = h->forward, .solicited = true, .override = true,
            .has_lladdr = true, .lladdr = f->mac,
        };
        VnsIpv6Hdr ip = {
            .next_header = VNS_IPPROTO_ICMPV6, .hop_limit = HOST_ND_HOP_LIMIT,
            .src = m.target, .dst = ip6->src,
        };
        p->t_created = vns_element_now(&h->base);
        vns_icmp6_push(p, &na, &m.target, &ip6->src);
        vns_ipv6_push(p, &ip);
        h->st.na_sent++;
        if (m.has_lladdr)
            host_xmit(h, p, in, &m.lladdr, VNS_ETHERTYPE_IPV6);
        else
            host_neigh_output(h, p, in, &s);    /* section 7.2.4 */
    }
    vns_packet_free(pkt);           /* consumed */
}

static void
host_ipv4_input(Host *h, VnsPacket *pkt, uint16_t in, bool l2_host)
{
    const uint8_t *ip = vns_packet_data(pkt);
    VnsIpv4Hdr hdr;

    /* RFC 1122 section 3.2.1.1-3.2.1.2 and RFC 1812 section 5.2.2: version,
     * header length, total length and checksum must hold. */
    if (!vns_ipv4_parse(ip, pkt->len, &hdr) ||
        !vns_ipv4_checksum_ok(ip, pkt->len) ||
        hdr.total_len > vns_packet_size(pkt)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    vns_packet_trim(pkt, hdr.total_len);   /* Ethernet padding, if any */
    host_route_input(h, pkt, in, l2_host);
}

static void
host_ipv6_input(Host *h, VnsPacket *pkt, uint16_t in, bool l2_host)
{
    const uint8_t *ip = vns_packet_data(pkt);
    VnsIpv6Hdr hdr;

    if (!vns_ipv6_parse(ip, pkt->len, &hdr) ||
        (uint32_t) hdr.payload_len + VNS_IPV6_HLEN > vns_packet_size(pkt)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    vns_packet_trim(pkt, (uint32_t) hdr.payload_len + VNS_IPV6_HLEN);
    if (hdr.proto == VNS_IPPROTO_ICMPV6 && hdr.l4_off < pkt->len &&
        (ip[hdr.l4_off] == VNS_ICMP6_NEIGHBOR_SOLICIT ||
         ip[hdr.l4_off] == VNS_ICMP6_NEIGHBOR_ADVERT)) {
        host_nd_input(h, pkt, in, &hdr);
        return;
    }
    if (hdr.dst.b[0] == 0xff) {
        /* Multicast: the host joins only solicited-node groups, for ND. */
        vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    host_route_input(h, pkt, in, l2_host);
}

/* A frame arrived on interface 'in'. */
static void
host_l2_input(Host *h, VnsPacket *pkt, uint16_t in)
{
    HostIface *f = &h->ifaces[in];
    VnsEthHdr eth;
    bool l2_host;

    h->st.rx_packets++;
    if (!vns_eth_parse(vns_packet_data(pkt), pkt->len, &eth)) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    l2_host = vns_mac_equal(&eth.dst, &f->mac);
    if (!l2_host && !host_mac_is_broadcast(&eth.dst) &&
        !(f->addr6.addr.family == VNS_IP_V6 &&
          vns_mac_equal(&eth.dst, &f->snmac))) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    switch (eth.ethertype) {
    case VNS_ETHERTYPE_ARP:
        vns_packet_pull(pkt, VNS_ETH_HLEN);
        host_arp_input(h, pkt, in);
        break;
    case VNS_ETHERTYPE_IPV4:
        vns_packet_pull(pkt, VNS_ETH_HLEN);
        host_ipv4_input(h, pkt, in, l2_host);
        break;
    case VNS_ETHERTYPE_IPV6:
        vns_packet_pull(pkt, VNS_ETH_HLEN);
        host_ipv6_input(h, pkt, in, l2_host);
        break;
    case VNS_ETHERTYPE_VLAN:
    case VNS_ETHERTYPE_QINQ:
        /* Interfaces are untagged; VLAN sub-interfaces are not modelled. */
        vns_packet_drop(pkt, &h->base, VNS_DROP_VLAN_FILTER);
        break;
    default:
        /* No handler for the EtherType (Linux counts rx_nohandler). */
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        break;
    }
}

/* An application sent an IP packet into its port. */
static void
host_app_output(Host *h, VnsPacket *pkt)
{
    const uint8_t *ip = vns_packet_data(pkt);
    uint32_t size = vns_packet_size(pkt);
    bool ok = false;

    h->st.from_apps++;
    if (pkt->len >= 1 && ip[0] >> 4 == 4) {
        VnsIpv4Hdr hdr;
        ok = vns_ipv4_parse(ip, pkt->len, &hdr) && hdr.total_len == size;
    } else if (pkt->len >= 1 && ip[0] >> 4 == 6) {
        VnsIpv6Hdr hdr;
        ok = vns_ipv6_parse(ip, pkt->len, &hdr) &&
             (uint32_t) hdr.payload_len + VNS_IPV6_HLEN == size;
    }
    if (!ok) {
        vns_packet_drop(pkt, &h->base, VNS_DROP_MALFORMED);
        return;
    }
    host_local_output(h, pkt);
}

/* A packet that arrived on 'port', after its CPU time if any: the CPU
 * stage's release callback (src/net/cpu_stage.h). */
static void
host_process(VnsElement *self, VnsPacket *pkt, uint32_t port, const void *data)
{
    Host *h = (Host *) self;

    (void) data;
    if (port < h->n_ifaces)
        host_l2_input(h, pkt, (uint16_t) port);
    else
        host_app_output(h, pkt);
}

static void
host_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Host *h = (Host *) self;

    vns_cpu_stage_submit(&h->cpu, pkt, port, h->cost_ps);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Optional prefix / address attributes; absent leaves them zeroed
 * (family VNS_IP_NONE). */
static bool
host_cfg_prefix(const VnsConfig *cfg, const char *attr, VnsIpPrefixFlags flags,
                VnsIpPrefix *out, GError **error)
{
    bool present;

    memset(out, 0, sizeof *out);
    return vns_config_prefix(cfg, attr, flags, out, &present, error);
}

static bool
host_cfg_ip(const VnsConfig *cfg, const char *attr, VnsIpAddr *out,
            GError **error)
{
    bool present;

    memset(out, 0, sizeof *out);
    return vns_config_ip(cfg, attr, out, &present, error);
}

/* Reads a unicast MAC attribute; absent: *present false. */
static bool
host_cfg_mac(const VnsConfig *cfg, const char *attr, VnsMac *out,
             bool *present, GError **error)
{
    char buf[VNS_MAC_STRLEN];

    if (!vns_config_mac(cfg, attr, out, present, error))
        return false;
    if (*present && vns_mac_is_multicast(out)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', a multicast address, expected a "
                         "unicast MAC (first byte even)",
                         vns_config_element(cfg), attr, vns_mac_format(out, buf));
        return false;
    }
    return true;
}

/* Checks that an interface address has the family its attribute wants
 * and is a unicast address a host may hold. */
static bool
host_check_ifaddr(const VnsConfig *cfg, const char *attr,
                  const VnsIpPrefix *p, VnsIpFamily want, GError **error)
{
    char buf[VNS_IP_STRLEN];
    bool bad;

    if (p->addr.family == VNS_IP_NONE)
        return true;
    if (p->addr.family != want) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<interface> '%s' is an %s address, expected %s",
                         attr, want == VNS_IP_V4 ? "IPv6" : "IPv4",
                         want == VNS_IP_V4 ? "IPv4 like 10.0.1.2/24 (IPv6 goes "
                         "in 'address6')" : "IPv6 like 2001:db8:1::2/64 (IPv4 "
                         "goes in 'address')");
        return false;
    }
    if (want == VNS_IP_V4)
        bad = !host_ip4_forwardable(p->addr.v4);
    else
        bad = !host_ip6_forwardable(&p->addr.v6) &&
              !(p->addr.v6.b[0] == 0xfe && (p->addr.v6.b[1] & 0xc0) == 0x80);
    if (bad) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<interface> '%s' is %s, expected a unicast address "
                         "(not unspecified, loopback, multicast or broadcast)",
                         attr, vns_ip_addr_format(&p->addr, buf));
        return false;
    }
    return true;
}

/* The default MAC of interface 'index': 02, then the FNV-1a hash of the
 * element's name, then the index; locally administered unicast. */
static VnsMac
host_default_mac(const char *name, uint16_t index)
{
    uint32_t x = host_fnv1a(name, strlen(name), HOST_FNV_BASIS);
    VnsMac m = { { 0x02, (uint8_t) (x >> 24), (uint8_t) (x >> 16),
                   (uint8_t) (x >> 8), (uint8_t) x, (uint8_t) index } };

    m.b[4] ^= (uint8_t) (index >> 8);
    return m;
}

static bool
host_add_route(Host *h, const HostRoute *r, const VnsConfig *cfg,
               GError **error)
{
    VnsLpm *t = r->to.addr.family == VNS_IP_V4 ? h->rt4 : h->rt6;
    HostRoute nr = *r;
    uint32_t old;

    nr.ecmp_next = HOST_NO_ROUTE;
    nr.ecmp_n = 1;
    if (vns_lpm_lookup_exact(t, &r->to, &old)) {
        HostRoute *o = &g_array_index(h->routes, HostRoute, old);
        if (o->metric == r->metric) {
            char buf[VNS_IP_PREFIX_STRLEN], gw[VNS_IP_STRLEN];
            uint32_t *tail = &o->ecmp_next;
            if (cfg == NULL)
                return true;    /* two interfaces on one subnet: first wins */
            if (o->connected || r->via.family == VNS_IP_NONE) {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<route> to %s with metric %u duplicates %s, "
                                 "expected one route per prefix and metric, "
                                 "or several with distinct gateways 'via' "
                                 "(equal-cost multipath)",
                                 vns_ip_prefix_format(&r->to, buf), r->metric,
                                 o->connected ? "the interface's connected route"
                                              : "an earlier <route>");
                return false;
            }
            /* Equal-cost multipath: another next hop of the same route,
             * like 'ip route add ... nexthop via A nexthop via B'. */
            for (uint32_t i = old; i != HOST_NO_ROUTE;) {
                const HostRoute *q = &g_array_index(h->routes, HostRoute, i);
                if (q->via.family == VNS_IP_NONE ||
                    (vns_ip_addr_equal(&q->via, &r->via) && q->iface == r->iface)) {
                    vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                                     "<route> to %s via %s with metric %u is "
                                     "given twice, expected distinct next hops "
                                     "for equal-cost multipath",
                                     vns_ip_prefix_format(&r->to, buf),
                                     vns_ip_addr_format(&r->via, gw), r->metric);
                    return false;
                }
                i = q->ecmp_next;
            }
            if (o->ecmp_n == UINT16_MAX) {
                vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<route> to %s has more than %u next hops, "
                                 "expected fewer", vns_ip_prefix_format(&r->to, buf),
                                 UINT16_MAX);
                return false;
            }
            o->ecmp_n++;
            while (*tail != HOST_NO_ROUTE)
                tail = &g_array_index(h->routes, HostRoute, *tail).ecmp_next;
            *tail = h->routes->len;     /* before the append moves the array */
            g_array_append_val(h->routes, nr);
            return true;
        }
        if (o->metric < r->metric) {
            g_array_append_val(h->routes, nr);      /* kept, never chosen */
            return true;
        }
    }
    g_array_append_val(h->routes, nr);
    vns_lpm_insert(t, &r->to, h->routes->len - 1);
    return true;
}

/* The connected route of interface 'iface' for its address 'p' (nothing
 * when 'p' is none), metric 0: Linux's "proto kernel scope link". */
static bool
host_add_connected(Host *h, uint16_t iface, const VnsIpPrefix *p,
                   GError **error)
{
    HostRoute r = { .iface = iface, .connected = true };

    if (p->addr.family == VNS_IP_NONE)
        return true;
    r.to.addr = vns_ip_prefix_network(p);
    r.to.len = p->len;
    return host_add_route(h, &r, NULL, error);
}

static bool
host_add_interfaces(Host *h, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "interface");

    if (list->len > UINT16_MAX) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> has %u interfaces, expected at most %u",
                         vns_config_element(cfg), list->len, UINT16_MAX);
        return false;
    }
    h->ifaces = g_new0(HostIface, list->len);
    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *c = list->pdata[i];
        HostIface *f = &h->ifaces[i];
        uint64_t mtu;
        bool have_mac;

        h->n_ifaces = (uint16_t) (i + 1);       /* f is freed with the host */
        f->path = g_strdup(vns_config_path(c));
        f->line = vns_config_line(c);
        if (!vns_config_string(c, "name", &f->name, error))
            return false;
        for (guint k = 0; k < i; k++) {
            if (strcmp(h->ifaces[k].name, f->name) == 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<interface> name '%s' is already used at line "
                                 "%d, expected interface names unique in <%s>",
                                 f->name, h->ifaces[k].line,
                                 vns_config_element(cfg));
                return false;
            }
        }
        if (!host_cfg_prefix(c, "address", VNS_IP_PREFIX_ALLOW_HOST_BITS,
                             &f->addr4, error) ||
            !host_check_ifaddr(c, "address", &f->addr4, VNS_IP_V4, error) ||
            !host_cfg_prefix(c, "address6", VNS_IP_PREFIX_ALLOW_HOST_BITS,
                             &f->addr6, error) ||
            !host_check_ifaddr(c, "address6", &f->addr6, VNS_IP_V6, error) ||
            !host_cfg_mac(c, "mac", &f->mac, &have_mac, error) ||
            !vns_config_uint(c, "mtu", &mtu, error))
            return false;
        for (guint k = 0; k < i; k++) {
            const HostIface *o = &h->ifaces[k];
            const VnsIpPrefix *mine[2] = { &f->addr4, &f->addr6 };
            const VnsIpPrefix *theirs[2] = { &o->addr4, &o->addr6 };
            for (int a = 0; a < 2; a++) {
                char buf[VNS_IP_STRLEN];
                if (mine[a]->addr.family == VNS_IP_NONE ||
                    !vns_ip_addr_equal(&mine[a]->addr, &theirs[a]->addr))
                    continue;
                vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<interface> address %s is already on "
                                 "interface '%s' (line %d), expected each "
                                 "address once in <%s>",
                                 vns_ip_addr_format(&mine[a]->addr, buf),
                                 o->name, o->line, vns_config_element(cfg));
                return false;
            }
        }
        f->mtu_explicit = vns_config_has(c, "mtu");
        f->mtu = (uint32_t) mtu;
        if (f->mtu_explicit && f->addr6.addr.family == VNS_IP_V6 &&
            f->mtu < HOST_IPV6_MIN_MTU) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<interface> 'mtu' is %u with an IPv6 address, "
                             "expected at least %u bytes (RFC 8200 section 5)",
                             f->mtu, HOST_IPV6_MIN_MTU);
            return false;
        }
        if (!have_mac)
            f->mac = host_default_mac(h->base.name, (uint16_t) i);
        if (f->addr6.addr.family == VNS_IP_V6) {
            VnsIp6 sn = host_solicited_node(&f->addr6.addr.v6);
            f->snmac = host_ip6_multicast_mac(&sn);
        }
        if (vns_element_find_port(&h->base, f->name) != NULL) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<interface> name '%s' is taken by another port, "
                             "expected a unique name", f->name);
            return false;
        }
        f->port = vns_element_add_port(&h->base, f->name);
        g_assert(f->port->index == i);
        f->port->info.mac = f->mac;
        if (f->mtu_explicit)
            f->port->info.mtu = f->mtu;
        f->port->info.addr4 = f->addr4.addr;
        f->port->info.prefix4 = f->addr4.len;
        f->port->info.addr6 = f->addr6.addr;
        f->port->info.prefix6 = f->addr6.len;
        if (!host_add_connected(h, (uint16_t) i, &f->addr4, error) ||
            !host_add_connected(h, (uint16_t) i, &f->addr6, error))
            return false;
    }
    return true;
}

static int
host_find_iface(const Host *h, const char *name)
{
    for (uint16_t i = 0; i < h->n_ifaces; i++)
        if (strcmp(h->ifaces[i].name, name) == 0)
            return i;
    return -1;
}

/* The interface whose subnet holds 'a', or -1. */
static int
host_subnet_iface(const Host *h, const VnsIpAddr *a)
{
    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        const HostIface *f = &h->ifaces[i];
        const VnsIpPrefix *p = a->family == VNS_IP_V4 ? &f->addr4 : &f->addr6;
        if (p->addr.family == a->family && vns_ip_prefix_contains(p, a))
            return i;
    }
    return -1;
}

/* "10.0.1.0/24 (eth0), 10.0.2.0/24 (eth1)" or "none". */
static char *
host_subnet_list(const Host *h, VnsIpFamily family)
{
    GString *s = g_string_new(NULL);

    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        const HostIface *f = &h->ifaces[i];
        const VnsIpPrefix *p = family == VNS_IP_V4 ? &f->addr4 : &f->addr6;
        char buf[VNS_IP_PREFIX_STRLEN];
        VnsIpPrefix net;
        if (p->addr.family != family)
            continue;
        net.addr = vns_ip_prefix_network(p);
        net.len = p->len;
        g_string_append_printf(s, "%s%s (%s)", s->len ? ", " : "",
                               vns_ip_prefix_format(&net, buf), f->name);
    }
    if (s->len == 0)
        g_string_append(s, "none");
    return g_string_free(s, FALSE);
}

static bool
host_ip6_is_link_local(const VnsIpAddr *a)
{
    return a->family == VNS_IP_V6 && a->v6.b[0] == 0xfe &&
           (a->v6.b[1] & 0xc0) == 0x80;
}

static bool
host_add_routes(Host *h, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "route");

    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *c = list->pdata[i];
        g_autofree char *dev = NULL;
        HostRoute r = { 0 };
        uint64_t metric;
        char buf[VNS_IP_STRLEN];
        int dev_if = -1;

        if (!host_cfg_prefix(c, "to", VNS_IP_PREFIX_STRICT, &r.to, error) ||
            !host_cfg_ip(c, "via", &r.via, error) ||
            !vns_config_string(c, "dev", &dev, error) ||
            !vns_config_uint(c, "metric", &metric, error))
            return false;
        r.metric = (uint32_t) metric;
        if (dev != NULL) {
            dev_if = host_find_iface(h, dev);
            if (dev_if < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<route> 'dev' is '%s', which names no "
                                 "<interface> of '%s', expected one of its "
                                 "interface names", dev, h->base.name);
                return false;
            }
        }
        if (r.via.family == VNS_IP_NONE) {
            if (dev_if < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_MISSING,
                                 "<route> has neither 'via' nor 'dev', "
                                 "expected a gateway or an interface");
                return false;
            }
            r.iface = (uint16_t) dev_if;
        } else {
            int gw_if;
            if (r.via.family != r.to.addr.family) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<route> 'via' %s is %s but 'to' is %s, "
                                 "expected a gateway of the same family",
                                 vns_ip_addr_format(&r.via, buf),
                                 r.via.family == VNS_IP_V4 ? "IPv4" : "IPv6",
                                 r.to.addr.family == VNS_IP_V4 ? "IPv4"
                                                               : "IPv6");
                return false;
            }
            if (dev_if >= 0) {
                const HostIface *f = &h->ifaces[dev_if];
                const VnsIpPrefix *p = r.via.family == VNS_IP_V4 ? &f->addr4
                                                                 : &f->addr6;
                /* A link-local IPv6 gateway is on the link of 'dev'. */
                bool on = host_ip6_is_link_local(&r.via) ||
                          (p->addr.family == r.via.family &&
                           vns_ip_prefix_contains(p, &r.via));
                if (!on) {
                    g_autofree char *nets = host_subnet_list(h, r.via.family);
                    vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                     "<route> gateway %s is not on the subnet "
                                     "of interface '%s', expected an address "
                                     "inside one of: %s",
                                     vns_ip_addr_format(&r.via, buf), dev, nets);
                    return false;
                }
                gw_if = dev_if;
            } else {
                gw_if = host_subnet_iface(h, &r.via);
                if (gw_if < 0) {
                    g_autofree char *nets = host_subnet_list(h, r.via.family);
                    vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                     "<route> gateway %s is on no connected "
                                     "subnet of '%s', expected an address "
                                     "inside one of: %s",
                                     vns_ip_addr_format(&r.via, buf),
                                     h->base.name, nets);
                    return false;
                }
            }
            r.iface = (uint16_t) gw_if;
        }
        if (!host_add_route(h, &r, c, error))
            return false;
    }
    return true;
}

static bool
host_add_neighbors(Host *h, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "neighbor");

    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *c = list->pdata[i];
        g_autofree char *ifname = NULL;
        VnsIpAddr addr;
        VnsMac mac;
        bool have_mac;
        char buf[VNS_IP_STRLEN];
        HostNeigh *n;
        int ifi;

        if (!host_cfg_ip(c, "address", &addr, error) ||
            !host_cfg_mac(c, "mac", &mac, &have_mac, error) ||
            !vns_config_string(c, "interface", &ifname, error))
            return false;
        if (ifname != NULL) {
            ifi = host_find_iface(h, ifname);
            if (ifi < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<neighbor> 'interface' is '%s', which names "
                                 "no <interface> of '%s', expected one of its "
                                 "interface names", ifname, h->base.name);
                return false;
            }
        } else {
            ifi = host_subnet_iface(h, &addr);
            if (ifi < 0) {
                g_autofree char *nets = host_subnet_list(h, addr.family);
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<neighbor> %s is on no interface's subnet, "
                                 "expected an address inside one of: %s, or an "
                                 "'interface' attribute",
                                 vns_ip_addr_format(&addr, buf), nets);
                return false;
            }
        }
        if (host_neigh_find(h, (uint16_t) ifi, &addr) != NULL) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<neighbor> %s on '%s' is given twice, expected "
                             "one entry per address and interface",
                             vns_ip_addr_format(&addr, buf),
                             h->ifaces[ifi].name);
            return false;
        }
        n = host_neigh_add(h, (uint16_t) ifi, &addr);
        n->state = NEIGH_STATIC;
        n->mac = mac;
    }
    return true;
}

static bool
host_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Host *h = (Host *) self;
    uint64_t cores, backlog, ttl, probes, queue, seed, rmem, rslots;
    int policy, drop_icmp;
    VnsNode *node;

    vns_cpu_stage_init(&h->cpu, self, "host-cpu", host_process);
    h->routes = g_array_new(FALSE, FALSE, sizeof(HostRoute));
    h->rt4 = vns_lpm_new(VNS_IP_V4);
    h->rt6 = vns_lpm_new(VNS_IP_V6);
    h->neigh = g_hash_table_new_full(host_neigh_hash, host_neigh_equal, NULL,
                                     host_neigh_free);
    h->apps = g_hash_table_new(g_direct_hash, g_direct_equal);
    h->pmtu = g_hash_table_new_full(host_neigh_hash, host_neigh_equal, NULL,
                                    g_free);
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "%s '%s' needs its XML configuration", self->ops->type,
                    self->name);
        return false;
    }
    if (!vns_config_bool(cfg, "forward", &h->forward, error) ||
        !vns_config_time(cfg, "cost-per-packet", &h->cost_ps, error) ||
        !vns_config_uint(cfg, "cores", &cores, error) ||
        !vns_config_uint(cfg, "backlog", &backlog, error) ||
        !vns_config_uint(cfg, "ttl", &ttl, error) ||
        !vns_config_time(cfg, "neighbor-reachable-time", &h->reachable_ps,
                         error) ||
        !vns_config_time(cfg, "neighbor-retrans-time", &h->retrans_ps, error) ||
        !vns_config_uint(cfg, "neighbor-probes", &probes, error) ||
        !vns_config_uint(cfg, "neighbor-queue", &queue, error) ||
        !vns_config_enum(cfg, "multipath-hash", &policy, error) ||
        !vns_config_enum(cfg, "drop-icmp", &drop_icmp, error) ||
        !vns_config_time(cfg, "pmtu-expires", &h->pmtu_expires_ps, error) ||
        !vns_config_time(cfg, "reassembly-timeout", &h->reasm_timeout_ps, error) ||
        !vns_config_time(cfg, "reassembly-timeout6", &h->reasm_timeout6_ps,
                         error) ||
        !vns_config_uint(cfg, "reassembly-memory", &rmem, error) ||
        !vns_config_uint(cfg, "reassembly-queues", &rslots, error))
        return false;
    /* The enum's choices are "none|too-big|all", in HostDropIcmp order. */
    h->drop_icmp = (HostDropIcmp) drop_icmp;
    h->reasm_mem_max = rmem;
    h->reasm_slots = (uint32_t) rslots;
    h->reasm = g_new0(HostReasm, h->reasm_slots);
    /* IPv6 fragment ids: distinct per host, the same every run (Linux
     * hashes addresses with a secret, RFC 7739). */
    h->ip6_frag_id = host_fnv1a(self->name, strlen(self->name), 0x6a09e667u);
    /* The enum's choices "l3|l4" are Linux's policy numbers 0 and 1. */
    h->ecmp_policy = policy == 0 ? VNS_LPM_MULTIPATH_L3 : VNS_LPM_MULTIPATH_L4;
    h->ecmp_seed = host_fnv1a(self->name, strlen(self->name), HOST_FNV_BASIS);
    if (vns_config_has(cfg, "multipath-seed")) {
        if (!vns_config_uint(cfg, "multipath-seed", &seed, error))
            return false;
        h->ecmp_seed = (uint32_t) seed;
    }
    if (h->retrans_ps <= 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'neighbor-retrans-time' is 0, expected a "
                         "positive time", vns_config_element(cfg));
        return false;
    }
    h->ttl = (uint8_t) ttl;
    h->max_probes = (uint32_t) probes;
    h->queue_max = (uint32_t) queue;
    node = vns_node_new(self->sim, self->name, (unsigned) cores,
                        (uint32_t) backlog);
    vns_net_add_node(self->net, node);
    self->node = node;
    return host_add_interfaces(h, cfg, error) &&
           host_add_routes(h, cfg, error) &&
           host_add_neighbors(h, cfg, error);
}

/* The element across the link from interface 'f': the link's other
 * ports' peers. Two of them with one address on one link is an error. */
static bool
host_check_link_peers(Host *h, const HostIface *f, GError **error)
{
    VnsPort *lp = f->port->peer;
    VnsElement *link;

    if (lp == NULL)
        return true;
    link = lp->owner;
    for (guint i = 0; i < link->ports->len; i++) {
        VnsPort *q = link->ports->pdata[i];
        VnsPort *far = q->peer;
        const VnsIpAddr *mine[2] = { &f->addr4.addr, &f->addr6.addr };
        if (q == lp || far == NULL || far->owner == &h->base)
            continue;
        const VnsIpAddr *theirs[2] = { &far->info.addr4, &far->info.addr6 };
        for (int a = 0; a < 2; a++) {
            char buf[VNS_IP_STRLEN];
            if (mine[a]->family == VNS_IP_NONE ||
                !vns_ip_addr_equal(mine[a], theirs[a]))
                continue;
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                        "%s:%d: <interface> '%s' of '%s' has address %s, which "
                        "'%s:%s' across link '%s' also has, expected distinct "
                        "addresses on one link", f->path, f->line, f->name,
                        h->base.name, vns_ip_addr_format(mine[a], buf),
                        far->owner->name, far->name, link->name);
            return false;
        }
    }
    return true;
}

static bool
host_start(VnsElement *self, GError **error)
{
    Host *h = (Host *) self;

    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        HostIface *f = &h->ifaces[i];
        VnsPort *lp = f->port->peer;
        if (!f->mtu_explicit && lp != NULL && lp->info.mtu != 0)
            f->mtu = lp->info.mtu;
        f->port->info.mtu = f->mtu;
        if (f->addr6.addr.family == VNS_IP_V6 && f->mtu < HOST_IPV6_MIN_MTU) {
            g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                        "%s:%d: <interface> '%s' of '%s' has an IPv6 address "
                        "but its link's MTU is %u, expected at least %u bytes "
                        "(RFC 8200 section 5)", f->path, f->line, f->name,
                        self->name, f->mtu, HOST_IPV6_MIN_MTU);
            return false;
        }
        if (!host_check_link_peers(h, f, error))
            return false;
    }
    return true;
}

static void
host_stop(VnsElement *self)
{
    Host *h = (Host *) self;
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, h->neigh);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        HostNeigh *n = v;
        if (n->timer.seq != 0) {
            vns_sim_cancel(self->sim, n->timer);
            n->timer = VNS_EVENT_NONE;
        }
        while (n->q_head != NULL) {
            VnsPacket *p = n->q_head;
            n->q_head = p->next;
            p->next = NULL;
            vns_packet_drop(p, self, VNS_DROP_END_OF_RUN);
        }
        n->q_tail = NULL;
        n->q_len = 0;
        if (n->state == NEIGH_INCOMPLETE)
            n->state = NEIGH_NONE;
    }
    vns_cpu_stage_purge(&h->cpu);
    for (uint32_t i = 0; i < h->reasm_slots && h->reasm_used > 0; i++)
        if (h->reasm[i].used)
            host_reasm_release(h, &h->reasm[i], VNS_DROP_END_OF_RUN);
}

static void
host_reset(VnsElement *self)
{
    Host *h = (Host *) self;

    memset(&h->st, 0, sizeof h->st);
    if (self->node != NULL)
        vns_node_reset(self->node);
}

static void
host_stats(VnsElement *self, VnsReport *report)
{
    Host *h = (Host *) self;

    vns_report_row(report, "hosts", self->name);
    vns_report_str(report, "type", self->ops->type);
    vns_report_int(report, "rx_packets", (int64_t) h->st.rx_packets);
    vns_report_int(report, "tx_packets", (int64_t) h->st.tx_packets);
    vns_report_int(report, "app_packets", (int64_t) h->st.from_apps);
    vns_report_int(report, "forwarded", (int64_t) h->st.forwarded);
    vns_report_int(report, "delivered", (int64_t) h->st.delivered);
    vns_report_int(report, "icmp_errors_sent", (int64_t) h->st.icmp_errors_sent);
    vns_report_int(report, "echo_replies_sent",
                   (int64_t) h->st.echo_replies_sent);
    vns_report_int(report, "arp_requests_sent",
                   (int64_t) h->st.arp_requests_sent);
    vns_report_int(report, "arp_replies_sent", (int64_t) h->st.arp_replies_sent);
    vns_report_int(report, "arp_replies_received",
                   (int64_t) h->st.arp_replies_received);
    vns_report_int(report, "ns_sent", (int64_t) h->st.ns_sent);
    vns_report_int(report, "na_sent", (int64_t) h->st.na_sent);
    vns_report_int(report, "na_received", (int64_t) h->st.na_received);
    vns_report_int(report, "neighbor_entries",
                   (int64_t) g_hash_table_size(h->neigh));
    vns_report_int(report, "routes4", (int64_t) vns_lpm_count(h->rt4));
    vns_report_int(report, "routes6", (int64_t) vns_lpm_count(h->rt6));
    vns_report_int(report, "frag_datagrams", (int64_t) h->st.frag_datagrams);
    vns_report_int(report, "frag_created", (int64_t) h->st.frag_created);
    vns_report_int(report, "frag_received", (int64_t) h->st.frag_received);
    vns_report_int(report, "reassembled", (int64_t) h->st.reassembled);
    vns_report_int(report, "reasm_timeouts", (int64_t) h->st.reasm_timeouts);
    vns_report_int(report, "reasm_failed", (int64_t) h->st.reasm_failed);
    vns_report_int(report, "pmtu_updates", (int64_t) h->st.pmtu_updates);
    vns_report_int(report, "pmtu_entries", (int64_t) g_hash_table_size(h->pmtu));
    vns_report_int(report, "gso_passed", (int64_t) h->st.gso_passed);
    vns_report_int(report, "rst_sent", (int64_t) h->st.rst_sent);
    if (h->cost_ps > 0)
        vns_report_num(report, "cpu_utilization",
                       vns_node_cpu_utilization(self->node));
}

static void
host_free(VnsElement *self)
{
    Host *h = (Host *) self;

    for (uint16_t i = 0; i < h->n_ifaces; i++) {
        g_free(h->ifaces[i].name);
        g_free(h->ifaces[i].path);
    }
    g_free(h->ifaces);
    if (h->routes != NULL)
        g_array_free(h->routes, TRUE);
    vns_lpm_free(h->rt4);
    vns_lpm_free(h->rt6);
    if (h->neigh != NULL)
        g_hash_table_destroy(h->neigh);
    if (h->apps != NULL)
        g_hash_table_destroy(h->apps);
    if (h->pmtu != NULL)
        g_hash_table_destroy(h->pmtu);
    for (uint32_t i = 0; h->reasm != NULL && i < h->reasm_slots; i++) {
        HostReasm *q = &h->reasm[i];
        while (q->used && q->frags != NULL) {
            VnsPacket *f = q->frags;
            q->frags = f->next;
            f->next = NULL;
            vns_packet_free(f);     /* torn down without a stop */
        }
    }
    g_free(h->reasm);
    for (int k = 0; k < VNS_HOST_N_HOOKS; k++)
        if (h->hooks[k] != NULL)
            g_array_free(h->hooks[k], TRUE);
    vns_cpu_stage_clear(&h->cpu);
}

const VnsElementOps vns_host_ops = {
    .type = "host",
    .spec = &host_spec,
    .instance_size = sizeof(Host),
    .create = host_create,
    .start = host_start,
    .receive = host_receive,
    .reset = host_reset,
    .stop = host_stop,
    .stats = host_stats,
    .free = host_free,
};

const VnsElementOps vns_router_ops = {
    .type = "router",
    .spec = &router_spec,
    .instance_size = sizeof(Host),
    .create = host_create,
    .start = host_start,
    .receive = host_receive,
    .reset = host_reset,
    .stop = host_stop,
    .stats = host_stats,
    .free = host_free,
};

const VnsElementOps vns_hypervisor_ops = {
    .type = "hypervisor",
    .spec = &hypervisor_spec,
    .instance_size = sizeof(Host),
    .create = host_create,
    .start = host_start,
    .receive = host_receive,
    .reset = host_reset,
    .stop = host_stop,
    .stats = host_stats,
    .free = host_free,
};
