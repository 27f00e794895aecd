/* Overlay tunnel devices: "vxlan", "geneve", "gretap" and "gre" (see
 * tunnel.h and doc/models/overlay.md).
 *
 * What each does, following Linux's drivers (drivers/net/vxlan,
 * drivers/net/geneve.c, net/ipv4/ip_gre.c + ip_tunnel.c, net/ipv6/ip6_gre.c):
 *
 * - Encapsulation: the inner frame (or, for gre, the inner IP packet) gets
 *   the tunnel header, a UDP header for VXLAN and Geneve (source port from
 *   a hash of the inner flow, as udp_flow_src_port()), and an outer IPv4 or
 *   IPv6 header from 'local' to the remote, then goes to the underlay
 *   host, which routes it. Outer DF, TTL, ECN (RFC 6040 normal mode) and
 *   the IPv6 flow label (hash of the inner flow, as auto_flowlabels) follow
 *   Linux's defaults; on receipt CE is copied inward (RFC 6040).
 * - Decapsulation: a function at the underlay host's input hook takes the
 *   outer packets addressed to 'local' that match the device (UDP port and
 *   VNI; GRE remote, key and protocol), checks the UDP or GRE checksum when
 *   there is one, strips the outer headers and sends the inner frame out of
 *   the inner port, with the VNI / key as the packet's tunnel metadata.
 * - VXLAN forwarding database: static <fdb> entries, learning of inner
 *   source MAC -> outer source address from received frames (ageing 300 s,
 *   Linux's FDB_AGE_DEFAULT), head-end replication of broadcast, multicast
 *   and unknown unicast to every <flood> remote (Linux's all-zeros FDB
 *   entries), and a "control-plane" mode filled from the topology (every
 *   other vxlan of the same VNI, like EVPN type-2 and type-3 routes).
 * - MTU: the underlay interface's MTU less the encapsulation, with Linux's
 *   floors; a larger configured MTU is refused.
 *
 * Nothing is allocated per packet: replicas come from the pool, FDB entries
 * are allocated once per learnt MAC address. */
#include <config.h>
#include "models/overlay/tunnel.h"

#include <string.h>
#include "models/l3/host.h"
#include "net/app.h"
#include "net/cpu_stage.h"
#include "net/geneve.h"
#include "net/node.h"
#include "net/gre.h"
#include "net/proto.h"
#include "net/vxlan.h"

/* ETH_MIN_MTU and IPV4_MIN_MTU (68, RFC 791) and IPV6_MIN_MTU (1280, RFC
 * 8200 section 5): the floors Linux's drivers clamp a derived MTU to. */
#define TUNNEL_MIN_MTU4 68
#define TUNNEL_MIN_MTU6 1280
/* Linux's ETH_DATA_LEN: the MTU assumed when the underlay interface's is
 * not known (the host's own default). */
#define TUNNEL_DEFAULT_UMTU 1500
/* Priority of the decapsulation function at the input hook: after every
 * netfilter-style function (conntrack -200 ... filter 0), as the UDP
 * socket or GRE handler runs after the INPUT chain in Linux. */
#define TUNNEL_HOOK_PRIORITY 1000
/* Linux's default TTL for packets it originates, net.ipv4.ip_default_ttl
 * (and the IPv6 hop_limit sysctl): what ip4_dst_hoplimit() gives a tunnel
 * whose ttl is 0. */
#define TUNNEL_DEFAULT_TTL 64
/* ip6gre's default Tunnel Encapsulation Limit, IPV6_DEFAULT_TNL_ENCAP_LIMIT
 * (include/net/ip6_tunnel.h). */
#define TUNNEL_DEFAULT_ENCAP_LIMIT "4"

typedef enum {
    TUN_VXLAN,
    TUN_GENEVE,
    TUN_GRETAP,
    TUN_GRE,
} TunKind;

typedef enum { DF_UNSET, DF_SET, DF_INHERIT } TunDf;
typedef enum { CSUM_AUTO, CSUM_ON, CSUM_OFF } TunCsum;
typedef enum { MODE_FLOOD, MODE_STATIC, MODE_CONTROL } TunMode;

enum { PORT_INNER, PORT_UNDERLAY };

/* A VXLAN FDB entry: an inner MAC address behind a remote VTEP. */
typedef struct {
    uint64_t key;               /* the MAC in the low 48 bits */
    VnsIpAddr remote;
    VnsTime updated;            /* when last learnt (ps) */
    bool is_static;             /* configured or from the control plane */
} FdbEntry;

typedef struct {
    uint64_t tx_frames;         /* inner frames / packets taken for sending */
    uint64_t tx_packets;        /* outer packets sent (replicas counted) */
    uint64_t tx_bytes;          /* their outer IP bytes */
    uint64_t rx_packets;        /* outer packets decapsulated */
    uint64_t rx_bytes;          /* their outer IP bytes */
    uint64_t flooded;           /* inner frames replicated to the flood list */
    uint64_t flood_copies;      /* replicas sent for them */
    uint64_t learned;           /* FDB entries created or moved by learning */
    uint64_t unknown_unicast;   /* frames dropped for want of an FDB entry */
    uint64_t mtu_drops;         /* inner frames above the MTU */
    uint64_t bad_checksum;      /* received with a bad UDP or GRE checksum */
    uint64_t arp_replies;       /* gre: ARP / ND answers to the host */
    uint64_t critical_drops;    /* geneve: received with critical options */
    uint64_t ecn_drops;         /* CE outside a Not-ECT inner packet */
} TunStats;

typedef struct {
    VnsElement base;            /* must stay first */
    TunKind kind;
    VnsPort *inner;
    VnsPort *underlay;
    VnsElement *host;           /* borrowed: the underlay host */
    VnsIpAddr local;
    VnsIpAddr remote;           /* family NONE for a vxlan without one */
    bool external;              /* vni / key "flow": from packet metadata */
    uint32_t vni;               /* VXLAN / Geneve VNI */
    bool has_key;               /* GRE key present */
    uint32_t key;
    bool gre_csum, gre_seq;
    uint32_t seq_next;          /* next GRE sequence number */
    uint16_t dstport;
    uint16_t sport_min, sport_max;  /* source port range [min, max) */
    TunDf df;
    int ttl;                    /* 1-255, or -1 = inherit */
    bool udp_csum;
    int encap_limit;            /* ip6gre TEL value; -1 = none */
    uint8_t opts[VNS_GENEVE_MAX_OPTS];  /* Geneve options, encoded */
    uint32_t opt_len;
    uint32_t mtu;               /* advertised on the inner port */
    bool mtu_explicit;
    uint32_t umtu;              /* the underlay MTU it was derived from */
    uint32_t overhead;          /* outer IP + UDP + tunnel header bytes */
    uint16_t ip_id;             /* next outer IPv4 Identification */
    VnsMac mac;                 /* gre: the device's MAC on the inner link */
    /* VXLAN forwarding. */
    TunMode mode;
    bool learning;
    VnsTime ageing_ps;
    GArray *flood;              /* of VnsIpAddr */
    GHashTable *fdb;            /* uint64 MAC -> FdbEntry*, owned */
    VnsTime cost_ps;            /* CPU time per packet; 0 = no CPU model */
    VnsCpuStage cpu;            /* packets in CPU service, released in order */
    TunStats st;
} Tunnel;

static bool
tunnel_kind_l2(TunKind kind)
{
    return kind != TUN_GRE;
}

static bool
tunnel_kind_udp(TunKind kind)
{
    return kind == TUN_VXLAN || kind == TUN_GENEVE;
}

/*
 * vns_tunnel_is_tunnel:
 * Returns whether 'e' is a vxlan, geneve, gretap or gre device.
 */
bool
vns_tunnel_is_tunnel(const VnsElement *e)
{
    return e != NULL && (e->ops == &vns_vxlan_ops || e->ops == &vns_geneve_ops ||
                         e->ops == &vns_gretap_ops || e->ops == &vns_gre_ops);
}

/*
 * vns_tunnel_mtu:
 * The MTU tunnel 'e' advertises on its inner port, bytes of inner L3
 * packet (known after connect).
 */
uint32_t
vns_tunnel_mtu(const VnsElement *e)
{
    g_return_val_if_fail(vns_tunnel_is_tunnel(e), 0);
    return ((const Tunnel *) e)->mtu;
}

/*
 * vns_tunnel_overhead:
 * The bytes tunnel 'e' puts in front of an inner frame or packet: outer IP,
 * UDP, tunnel header (the inner Ethernet header not counted).
 */
uint32_t
vns_tunnel_overhead(const VnsElement *e)
{
    g_return_val_if_fail(vns_tunnel_is_tunnel(e), 0);
    return ((const Tunnel *) e)->overhead;
}

/* ------------------------------------------------------------------ */
/* Specs                                                               */

#define TUN_COMMON_ATTRS \
    { "name", VNS_ATTR_NAME, true, NULL, NULL, \
      "The device's name, unique in the topology." }, \
    { "underlay", VNS_ATTR_NAME, true, NULL, NULL, \
      "The host, router or hypervisor whose IP stack carries the outer " \
      "packets (the device joins a new port 'app:NAME' of it); required." }, \
    { "local", VNS_ATTR_IP, true, NULL, NULL, \
      "Outer source address: an IPv4 or IPv6 address of one of the " \
      "underlay's interfaces, whose MTU the default MTU derives from (as " \
      "Linux with 'dev' set to that interface); its family is the " \
      "underlay's; required." }, \
    { "inner", VNS_ATTR_REF, false, NULL, NULL, \
      "The port joined directly to the device's inner port (an in-node " \
      "connection, like <wire>), e.g. 'vm1:eth0'. Default: none; join the " \
      "port 'NAME:inner' with <wire> or <link>." }, \
    { "mtu", VNS_ATTR_UINT, false, NULL, "bytes", \
      "Largest inner L3 packet. Default: the underlay interface's MTU less " \
      "the encapsulation, as Linux computes it (doc/models/overlay.md); a " \
      "larger value is refused (vxlan_change_mtu() refuses it with EINVAL; " \
      "the outer packet would not fit the underlay).", NULL, 68, 65535 }, \
    { "cost-per-packet", VNS_ATTR_TIME, false, "0ns", NULL, \
      "CPU time each encapsulation or decapsulation costs (per inner frame " \
      "and per received packet; replicas are free). Default 0: free, no " \
      "CPU events." }, \
    { "node", VNS_ATTR_NAME, false, NULL, NULL, \
      "The host, router or hypervisor whose CPU that cost is charged to. " \
      "Default: the underlay's." }

static const VnsAttrSpec vxlan_fdb_attrs[] = {
    { "mac", VNS_ATTR_MAC, true, NULL, NULL,
      "Inner unicast MAC address; required." },
    { "remote", VNS_ATTR_IP, true, NULL, NULL,
      "Outer address of the VTEP behind which 'mac' sits (bridge fdb add "
      "MAC dev vxlan0 dst REMOTE); required." },
    { NULL }
};

static const VnsSpec vxlan_fdb_spec = {
    "fdb", "A static VXLAN forwarding entry: frames to 'mac' go to 'remote' "
    "only (never aged, never moved by learning).", vxlan_fdb_attrs, NULL, false,
};

static const VnsAttrSpec vxlan_flood_attrs[] = {
    { "remote", VNS_ATTR_IP, true, NULL, NULL,
      "Outer address of a VTEP that gets a copy of every broadcast, "
      "multicast and unknown-unicast frame (bridge fdb append "
      "00:00:00:00:00:00 dev vxlan0 dst REMOTE); required." },
    { NULL }
};

static const VnsSpec vxlan_flood_spec = {
    "flood", "A head-end replication target: one copy of each flooded frame "
    "per <flood> remote.", vxlan_flood_attrs, NULL, false,
};

static const VnsSpec *const vxlan_children[] = {
    &vxlan_fdb_spec, &vxlan_flood_spec, NULL,
};

static const VnsAttrSpec vxlan_attrs[] = {
    TUN_COMMON_ATTRS,
    { "vni", VNS_ATTR_STRING, true, NULL, NULL,
      "VXLAN Network Identifier, 0 to 16777215 (24 bits, RFC 7348 section "
      "5), or 'flow': taken from each packet's tunnel metadata, any VNI "
      "accepted (Linux's 'external'); required." },
    { "remote", VNS_ATTR_IP, false, NULL, NULL,
      "Default destination (ip link ... remote): added to the flood list. "
      "Default: none." },
    { "dstport", VNS_ATTR_UINT, false, "4789", NULL,
      "Outer UDP destination port, also the port it receives on. Default "
      "4789, IANA's VXLAN port (RFC 7348 section 5); Linux's module "
      "default and Flannel use 8472.", NULL, 1, 65535 },
    { "srcport-min", VNS_ATTR_UINT, false, "32768", NULL,
      "Lowest outer UDP source port. Default: Linux's ip_local_port_range "
      "low end, 32768, which udp_flow_src_port() uses.", NULL, 1, 65535 },
    { "srcport-max", VNS_ATTR_UINT, false, "60999", NULL,
      "Upper end of the source port range (exclusive, as in "
      "udp_flow_src_port()). Default: ip_local_port_range's 60999.",
      NULL, 1, 65535 },
    { "df", VNS_ATTR_ENUM, false, "unset", NULL,
      "Outer IPv4 Don't Fragment bit: 'unset', 'set', or 'inherit' (copied "
      "from the inner IPv4 header). Default unset, as ip-link(8) says of "
      "vxlan.", "unset|set|inherit" },
    { "ttl", VNS_ATTR_STRING, false, "64", NULL,
      "Outer TTL / hop limit, 1-255, or 'inherit' (from the inner IP header; "
      "64 for non-IP frames). Default 64: Linux's ttl 0 means "
      "ip4_dst_hoplimit(), net.ipv4.ip_default_ttl = 64." },
    { "udp-csum", VNS_ATTR_ENUM, false, "auto", NULL,
      "Outer UDP checksum: 'on', 'off' (zero: allowed for IPv4 by RFC 768, "
      "for IPv6 tunnels by RFC 6935), or 'auto': off over IPv4, on over "
      "IPv6, Linux's defaults (noudpcsum, no udp6zerocsumtx).",
      "auto|on|off" },
    { "mode", VNS_ATTR_ENUM, false, "flood", NULL,
      "Forwarding: 'flood' (broadcast, multicast and unknown unicast to "
      "every <flood> remote), 'static' (unknown unicast dropped), or "
      "'control-plane' (FDB and flood list from every other vxlan with the "
      "same VNI and port in the topology, as EVPN routes; no learning, "
      "unknown unicast dropped). Default flood.",
      "flood|static|control-plane" },
    { "learning", VNS_ATTR_BOOL, false, "true", NULL,
      "Learn inner source MAC -> outer source address from received "
      "frames. Default true, as Linux (VXLAN_F_LEARN unless nolearning); "
      "ignored in control-plane mode." },
    { "ageing", VNS_ATTR_TIME, false, "300s", NULL,
      "Lifetime of a learnt FDB entry. Default 300 s, Linux's "
      "FDB_AGE_DEFAULT." },
    { NULL }
};

static const VnsSpec vxlan_spec = {
    "vxlan", "A VXLAN tunnel endpoint (RFC 7348; Linux's vxlan device): "
    "Ethernet frames on its inner port, UDP/IP through its underlay host, "
    "with a forwarding database (<fdb>, <flood>, learning).",
    vxlan_attrs, vxlan_children, false,
};

static const VnsAttrSpec geneve_option_attrs[] = {
    { "class", VNS_ATTR_STRING, true, NULL, NULL,
      "Option Class, 0 to 0xffff (decimal or 0x hex; RFC 8926 section 3.5, "
      "IANA Geneve Option Class registry); required." },
    { "type", VNS_ATTR_STRING, true, NULL, NULL,
      "Type, 0 to 0xff; the high bit (0x80) marks a critical option and "
      "sets the header's C bit; required." },
    { "data", VNS_ATTR_STRING, false, "", NULL,
      "Option data as hex digits, a multiple of 4 bytes, at most 124 "
      "bytes. Default: none (a 4-byte option)." },
    { NULL }
};

static const VnsSpec geneve_option_spec = {
    "option", "A Geneve TLV option sent in every packet (RFC 8926 section "
    "3.5); all options together at most 252 bytes.",
    geneve_option_attrs, NULL, false,
};

static const VnsSpec *const geneve_children[] = { &geneve_option_spec, NULL };

static const VnsAttrSpec geneve_attrs[] = {
    TUN_COMMON_ATTRS,
    { "vni", VNS_ATTR_STRING, true, NULL, NULL,
      "Virtual Network Identifier, 0 to 16777215 (RFC 8926 section 3.4), "
      "or 'flow' (from packet metadata, any VNI accepted); required." },
    { "remote", VNS_ATTR_IP, true, NULL, NULL,
      "The other endpoint's outer address; packets are accepted only from "
      "it, as geneve_lookup() matches it; required." },
    { "dstport", VNS_ATTR_UINT, false, "6081", NULL,
      "Outer UDP destination port. Default 6081, IANA's Geneve port (RFC "
      "8926 section 3.3).", NULL, 1, 65535 },
    { "srcport-min", VNS_ATTR_UINT, false, "1", NULL,
      "Lowest outer UDP source port. Default 1: Linux's geneve_xmit() calls "
      "udp_flow_src_port() with the range 1 to USHRT_MAX.", NULL, 1, 65535 },
    { "srcport-max", VNS_ATTR_UINT, false, "65535", NULL,
      "Upper end of the source port range (exclusive). Default 65535.",
      NULL, 1, 65535 },
    { "df", VNS_ATTR_ENUM, false, "unset", NULL,
      "Outer IPv4 Don't Fragment bit: unset, set or inherit. Default unset "
      "(GENEVE_DF_UNSET).", "unset|set|inherit" },
    { "ttl", VNS_ATTR_STRING, false, "64", NULL,
      "Outer TTL / hop limit, 1-255 or 'inherit'. Default 64 (ttl 0 means "
      "ip4_dst_hoplimit(), net.ipv4.ip_default_ttl)." },
    { "udp-csum", VNS_ATTR_ENUM, false, "auto", NULL,
      "Outer UDP checksum: on, off, or auto (off over IPv4, on over IPv6).",
      "auto|on|off" },
    { NULL }
};

static const VnsSpec geneve_spec = {
    "geneve", "A Geneve tunnel endpoint (RFC 8926; Linux's geneve device): "
    "Ethernet frames to one remote over UDP/IP, with optional TLV options.",
    geneve_attrs, geneve_children, false,
};

#define GRE_ATTRS(what) \
    TUN_COMMON_ATTRS, \
    { "remote", VNS_ATTR_IP, true, NULL, NULL, \
      "The other endpoint's outer address; packets are accepted only from " \
      "it (ip_tunnel_lookup()); required." }, \
    { "key", VNS_ATTR_STRING, false, NULL, NULL, \
      "GRE key, 0 to 4294967295 (RFC 2890 section 2.1), sent in every " \
      "packet and required of received ones, or 'flow' (from packet " \
      "metadata). Default: none (no key field)." }, \
    { "seq", VNS_ATTR_BOOL, false, "false", NULL, \
      "Send sequence numbers (RFC 2890 section 2.2), from 0. Default " \
      "false, as ip-link(8)." }, \
    { "csum", VNS_ATTR_BOOL, false, "false", NULL, \
      "Send the GRE checksum (RFC 2784 section 2.5); received checksums " \
      "are always verified. Default false, as ip-link(8)." }, \
    { "df", VNS_ATTR_ENUM, false, "set", NULL, \
      "Outer IPv4 Don't Fragment bit: set, unset or inherit. Default set: " \
      "ip-link(8)'s pmtudisc is on by default (iph.frag_off = IP_DF); " \
      "'inherit' is nopmtudisc.", "unset|set|inherit" }, \
    { "ttl", VNS_ATTR_STRING, false, "auto", NULL, \
      "Outer TTL / hop limit, 1-255, 'inherit', or 'auto': inherit over " \
      "IPv4, 64 over IPv6, the defaults ip-link(8) gives " what "." }, \
    { "encap-limit", VNS_ATTR_STRING, false, TUNNEL_DEFAULT_ENCAP_LIMIT, NULL, \
      "IPv6 underlay only: the Tunnel Encapsulation Limit option (RFC 2473 " \
      "section 5.1, an 8-byte Destination Options header) ip6gre sends, " \
      "0-255, or 'none'. Default 4, IPV6_DEFAULT_TNL_ENCAP_LIMIT." }, \
    { NULL }

static const VnsAttrSpec gretap_attrs[] = { GRE_ATTRS("gretap") };
static const VnsAttrSpec gre_attrs[] = { GRE_ATTRS("gre") };

static const VnsSpec gretap_spec = {
    "gretap", "A GRE tunnel carrying Ethernet frames (protocol type 0x6558; "
    "Linux's gretap / ip6gretap): frames on its inner port to one remote.",
    gretap_attrs, NULL, false,
};

static const VnsSpec gre_spec = {
    "gre", "A GRE tunnel carrying IP packets (protocol type 0x0800 / "
    "0x86DD; Linux's gre / ip6gre): its inner port is an IP interface of a "
    "host or router, to which it answers ARP and ND as a point-to-point "
    "link.", gre_attrs, NULL, false,
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint64_t
tunnel_mac_key(const VnsMac *m)
{
    uint64_t k = 0;

    for (int i = 0; i < 6; i++)
        k = k << 8 | m->b[i];
    return k;
}

static uint32_t
tunnel_fnv1a(const void *data, size_t size, uint32_t h)
{
    const uint8_t *p = data;

    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* The hash of the inner flow that picks the UDP source port and IPv6 flow
 * label (Linux's skb_get_hash(), falling back to a hash of the MAC
 * addresses for non-IP frames, as udp_flow_src_port() does). */
static uint32_t
tunnel_inner_hash(Tunnel *t, VnsPacket *pkt)
{
    const VnsFlowKey *k = tunnel_kind_l2(t->kind) ? vns_packet_flow_key(pkt)
                                                  : vns_packet_parse_l3(pkt);
    uint32_t h;

    if (k->family != VNS_IP_NONE)
        return vns_flow_key_hash(k, 0, VNS_FLOW_HASH_DEFAULT);
    h = tunnel_fnv1a(k->eth_dst.b, 6, 2166136261u);
    h = tunnel_fnv1a(k->eth_src.b, 6, h);
    return tunnel_fnv1a(&k->ethertype, sizeof k->ethertype, h);
}

/* udp_flow_src_port() (include/net/udp.h): the hash's upper half scaled
 * into [min, max). */
static uint16_t
tunnel_src_port(const Tunnel *t, uint32_t hash)
{
    hash ^= hash << 16;
    return (uint16_t) ((((uint64_t) hash * (t->sport_max - t->sport_min)) >> 32) +
                       t->sport_min);
}

/* The inner IP header (IPv4 or IPv6) of 'pkt', or NULL. */
static const uint8_t *
tunnel_inner_ip(Tunnel *t, VnsPacket *pkt)
{
    const VnsFlowKey *k = tunnel_kind_l2(t->kind) ? vns_packet_flow_key(pkt)
                                                  : vns_packet_parse_l3(pkt);

    if (k->family == VNS_IP_NONE || pkt->l3_off == VNS_OFF_NONE)
        return NULL;
    return vns_packet_data(pkt) + pkt->l3_off;
}

/* RFC 6040 section 4.1, normal mode (Linux's INET_ECN_encapsulate()): the
 * outer ECN field copies the inner's, except that CE becomes ECT(0). */
static uint8_t
tunnel_ecn(const uint8_t *ip)
{
    uint8_t ecn;

    if (ip == NULL)
        return 0;
    ecn = ip[0] >> 4 == 4 ? ip[1] & 3 : (ip[1] >> 4) & 3;
    return ecn == 3 ? 2 : ecn;
}

/* ------------------------------------------------------------------ */
/* Encapsulation                                                       */

/* Pushes the tunnel, UDP and outer IP headers on 'pkt' (the inner frame
 * or packet at data[0]) for 'remote', and sends it to the underlay host.
 * 'hash' is the inner flow's hash; 'ip' the inner IP header's fields read
 * before any push: ECN, DF, TTL (ecn 0, df false, ttl 0 when not IP). */
static void
tunnel_encap_send(Tunnel *t, VnsPacket *pkt, const VnsIpAddr *remote,
                  uint32_t hash, uint8_t ecn, bool inner_df, uint8_t inner_ttl,
                  uint16_t inner_proto)
{
    bool v4 = t->local.family == VNS_IP_V4;
    uint8_t proto = tunnel_kind_udp(t->kind) ? VNS_IPPROTO_UDP : VNS_IPPROTO_GRE;
    uint32_t id = t->external && pkt->tun_valid ? (uint32_t) pkt->tun_id : 0;
    uint8_t ttl;

    switch (t->kind) {
    case TUN_VXLAN:
        vns_vxlan_push(pkt, t->external ? id & VNS_VXLAN_VNI_MAX : t->vni);
        break;
    case TUN_GENEVE: {
        VnsGeneveHdr g = {
            .vni = t->external ? id & 0xffffffu : t->vni,
            .proto = VNS_ETHERTYPE_TEB, .opt_len = t->opt_len, .opts = t->opts,
        };
        vns_geneve_push(pkt, &g);
        break;
    }
    case TUN_GRETAP:
    case TUN_GRE: {
        VnsGreHdr g = {
            .proto = inner_proto, .has_csum = t->gre_csum,
            .has_key = t->has_key, .key = t->external ? id : t->key,
            .has_seq = t->gre_seq, .seq = t->seq_next,
        };
        if (t->gre_seq)
            t->seq_next++;
        vns_gre_push(pkt, &g);
        break;
    }
    }
    if (tunnel_kind_udp(t->kind)) {
        VnsUdpHdr u = { .sport = tunnel_src_port(t, hash), .dport = t->dstport };
        vns_udp_push(pkt, &u, t->udp_csum ? &t->local : NULL,
                     t->udp_csum ? remote : NULL);
    }
    ttl = t->ttl > 0 ? (uint8_t) t->ttl
                     : inner_ttl != 0 ? inner_ttl : TUNNEL_DEFAULT_TTL;
    if (v4) {
        VnsIpv4Hdr h = {
            .ecn = ecn, .id = t->ip_id++, .ttl = ttl, .proto = proto,
            .df = t->df == DF_SET || (t->df == DF_INHERIT && inner_df),
            .src = t->local.v4, .dst = remote->v4,
        };
        vns_ipv4_push(pkt, &h);
    } else {
        VnsIpv6Hdr h = {
            .ecn = ecn, .flow_label = (hash ^ hash >> 12) & 0xfffffu,
            .next_header = proto, .hop_limit = ttl,
            .src = t->local.v6, .dst = remote->v6,
        };
        if (!tunnel_kind_udp(t->kind) && t->encap_limit >= 0) {
            vns_gre_ip6_tel_push(pkt, proto, (uint8_t) t->encap_limit);
            h.next_header = VNS_IPPROTO_DSTOPTS;
        }
        vns_ipv6_push(pkt, &h);
    }
    /* The metadata described the inner packet; the outer one has none
     * (Linux drops the skb's tunnel dst on transmission). */
    pkt->tun_valid = false;
    pkt->tun_id = 0;
    t->st.tx_packets++;
    t->st.tx_bytes += vns_packet_size(pkt);
    vns_port_send(t->underlay, pkt);
}

/* Sends 'pkt' (taken) to each of the n remotes: n - 1 clones, then the
 * packet itself. */
static void
tunnel_send_all(Tunnel *t, VnsPacket *pkt, const VnsIpAddr *remotes, guint n,
                uint16_t inner_proto)
{
    const uint8_t *ip = tunnel_inner_ip(t, pkt);
    uint32_t hash = tunnel_inner_hash(t, pkt);
    uint8_t ecn = tunnel_ecn(ip);
    bool df = ip != NULL && ip[0] >> 4 == 4 && vns_ipv4_df(ip);
    uint8_t ttl = ip == NULL ? 0 : ip[0] >> 4 == 4 ? ip[8] : ip[7];

    if (n == 0) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_NO_ROUTE);
        return;
    }
    for (guint i = 0; i + 1 < n; i++)
        tunnel_encap_send(t, vns_packet_clone(pkt), &remotes[i], hash, ecn, df,
                          ttl, inner_proto);
    tunnel_encap_send(t, pkt, &remotes[n - 1], hash, ecn, df, ttl, inner_proto);
}

static void
tunnel_flood(Tunnel *t, VnsPacket *pkt)
{
    t->st.flooded++;
    t->st.flood_copies += t->flood->len;
    tunnel_send_all(t, pkt, (const VnsIpAddr *) (void *) t->flood->data,
                    t->flood->len, VNS_ETHERTYPE_TEB);
}

/* Checks the inner L3 size of the frame at data[0] (after the Ethernet
 * header and any VLAN tags: Linux's is_skb_forwardable() allows one tag
 * above the MTU) against the MTU. */
static bool
tunnel_l2_fits(const Tunnel *t, const VnsPacket *pkt)
{
    const uint8_t *d = vns_packet_data(pkt);
    uint32_t hdr = VNS_ETH_HLEN;

    if (pkt->len >= VNS_ETH_HLEN + VNS_VLAN_HLEN &&
        (vns_wire_get16(d + 12) == VNS_ETHERTYPE_VLAN ||
         vns_wire_get16(d + 12) == VNS_ETHERTYPE_QINQ))
        hdr += VNS_VLAN_HLEN;
    return vns_packet_size(pkt) <= t->mtu + hdr;
}

static FdbEntry *
tunnel_fdb_lookup(Tunnel *t, const VnsMac *mac)
{
    uint64_t key = tunnel_mac_key(mac);
    FdbEntry *e = g_hash_table_lookup(t->fdb, &key);

    if (e != NULL && !e->is_static &&
        vns_element_now(&t->base) - e->updated > t->ageing_ps) {
        g_hash_table_remove(t->fdb, &key);      /* aged out */
        return NULL;
    }
    return e;
}

/* An Ethernet frame from the inner side of a vxlan, geneve or gretap. */
static void
tunnel_l2_output(Tunnel *t, VnsPacket *pkt)
{
    VnsEthHdr eth;
    FdbEntry *e;

    t->st.tx_frames++;
    if (!vns_eth_parse(vns_packet_data(pkt), pkt->len, &eth)) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
        return;
    }
    if (!tunnel_l2_fits(t, pkt)) {
        t->st.mtu_drops++;
        vns_packet_drop(pkt, &t->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    if (t->external && !pkt->tun_valid) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (t->kind != TUN_VXLAN) {
        tunnel_send_all(t, pkt, &t->remote, 1, VNS_ETHERTYPE_TEB);
        return;
    }
    if (vns_mac_is_multicast(&eth.dst)) {
        tunnel_flood(t, pkt);
        return;
    }
    e = tunnel_fdb_lookup(t, &eth.dst);
    if (e != NULL) {
        tunnel_send_all(t, pkt, &e->remote, 1, VNS_ETHERTYPE_TEB);
    } else if (t->mode == MODE_FLOOD) {
        tunnel_flood(t, pkt);
    } else {
        t->st.unknown_unicast++;
        vns_packet_drop(pkt, &t->base, VNS_DROP_NO_ROUTE);
    }
}

/* gre: answers an ARP request from the host for any address with the
 * device's MAC (the link has one neighbour: the tunnel). */
static void
tunnel_gre_arp(Tunnel *t, VnsPacket *pkt)
{
    VnsArpHdr a;

    if (!vns_arp_parse(vns_packet_data(pkt) + VNS_ETH_HLEN,
                       pkt->len - VNS_ETH_HLEN, &a) ||
        a.op != VNS_ARP_OP_REQUEST) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    VnsPacket *r = vns_packet_new(vns_net_pool(t->base.net), 0);
    VnsArpHdr rep = {
        .op = VNS_ARP_OP_REPLY, .sha = t->mac, .spa = a.tpa, .tha = a.sha,
        .tpa = a.spa,
    };
    VnsEthHdr eh = { .dst = a.sha, .src = t->mac, .ethertype = VNS_ETHERTYPE_ARP };

    r->t_created = vns_element_now(&t->base);
    vns_arp_push(r, &rep);
    vns_eth_push(r, &eh);
    t->st.arp_replies++;
    vns_packet_free(pkt);       /* consumed */
    vns_port_send(t->inner, r);
}

/* gre: answers a neighbor solicitation (RFC 4861 section 7.2.4) for any
 * target with the device's MAC. */
static void
tunnel_gre_nd(Tunnel *t, VnsPacket *pkt)
{
    const uint8_t *ip = vns_packet_data(pkt) + VNS_ETH_HLEN;
    uint32_t len = pkt->len - VNS_ETH_HLEN;
    VnsIpv6Hdr h6;
    VnsIcmp6Hdr m;

    if (!vns_ipv6_parse(ip, len, &h6) || h6.proto != VNS_IPPROTO_ICMPV6 ||
        h6.l4_off >= len || !vns_icmp6_parse(ip + h6.l4_off, len - h6.l4_off, &m) ||
        m.type != VNS_ICMP6_NEIGHBOR_SOLICIT) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    VnsPacket *r = vns_packet_new(vns_net_pool(t->base.net), 0);
    VnsIcmp6Hdr na = {
        .type = VNS_ICMP6_NEIGHBOR_ADVERT, .target = m.target,
        .solicited = true, .override = true, .has_lladdr = true, .lladdr = t->mac,
    };
    VnsIpv6Hdr ih = {
        .next_header = VNS_IPPROTO_ICMPV6, .hop_limit = 255,
        .src = m.target, .dst = h6.src,
    };
    VnsEthHdr eh = {
        .dst = m.has_lladdr ? m.lladdr : t->inner->peer->info.mac,
        .src = t->mac, .ethertype = VNS_ETHERTYPE_IPV6,
    };

    r->t_created = vns_element_now(&t->base);
    vns_icmp6_push(r, &na, &m.target, &h6.src);
    vns_ipv6_push(r, &ih);
    vns_eth_push(r, &eh);
    t->st.arp_replies++;
    vns_packet_free(pkt);       /* consumed */
    vns_port_send(t->inner, r);
}

/* A frame from the host interface joined to a gre device. */
static void
tunnel_l3_output(Tunnel *t, VnsPacket *pkt)
{
    VnsEthHdr eth;
    const uint8_t *d = vns_packet_data(pkt);

    if (!vns_eth_parse(d, pkt->len, &eth)) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
        return;
    }
    if (eth.ethertype == VNS_ETHERTYPE_ARP) {
        tunnel_gre_arp(t, pkt);
        return;
    }
    if (eth.ethertype == VNS_ETHERTYPE_IPV6 && pkt->len > VNS_ETH_HLEN + 40 &&
        d[VNS_ETH_HLEN + 6] == VNS_IPPROTO_ICMPV6 &&
        d[VNS_ETH_HLEN + 40] == VNS_ICMP6_NEIGHBOR_SOLICIT) {
        tunnel_gre_nd(t, pkt);
        return;
    }
    if (eth.ethertype != VNS_ETHERTYPE_IPV4 && eth.ethertype != VNS_ETHERTYPE_IPV6) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
        return;
    }
    t->st.tx_frames++;
    vns_packet_pull(pkt, VNS_ETH_HLEN);
    if (vns_packet_size(pkt) > t->mtu) {
        t->st.mtu_drops++;
        vns_packet_drop(pkt, &t->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    if (t->external && !pkt->tun_valid) {
        vns_packet_drop(pkt, &t->base, VNS_DROP_NO_ROUTE);
        return;
    }
    tunnel_send_all(t, pkt, &t->remote, 1, eth.ethertype);
}

/* The work a packet waits for: encapsulation (it came in on the inner
 * port) or the end of a decapsulation (it leaves by the inner port); the
 * CPU stage's release callback, 'port' being its tag. */
static void
tunnel_process(VnsElement *self, VnsPacket *pkt, uint32_t port,
               const void *data)
{
    Tunnel *t = (Tunnel *) self;

    (void) data;
    if (port == PORT_UNDERLAY)
        vns_port_send(t->inner, pkt);
    else if (t->kind == TUN_GRE)
        tunnel_l3_output(t, pkt);
    else
        tunnel_l2_output(t, pkt);
}

/* Runs the packet's work now, or after its CPU time on the node. */
static void
tunnel_work(Tunnel *t, VnsPacket *pkt, uint16_t port)
{
    vns_cpu_stage_submit(&t->cpu, pkt, port, t->cost_ps);
}

static void
tunnel_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Tunnel *t = (Tunnel *) self;

    if (port == PORT_UNDERLAY) {
        /* A datagram to the device's UDP port that no device took at the
         * input hook (another VNI): Linux's vxlan_rcv() drops it. */
        vns_packet_drop(pkt, self, VNS_DROP_NOT_FOR_US);
        return;
    }
    tunnel_work(t, pkt, PORT_INNER);
}

/* ------------------------------------------------------------------ */
/* Decapsulation                                                       */

/* Learns the inner source MAC of a received frame (vxlan_snoop()): a new
 * address is added, a moved one updated, a static one left alone. */
static void
tunnel_learn(Tunnel *t, const VnsMac *src, const VnsIpAddr *from)
{
    uint64_t key;
    FdbEntry *e;

    if (vns_mac_is_multicast(src))
        return;
    key = tunnel_mac_key(src);
    e = g_hash_table_lookup(t->fdb, &key);
    if (e == NULL) {
        e = g_new0(FdbEntry, 1);
        e->key = key;
        g_hash_table_insert(t->fdb, &e->key, e);
    } else if (e->is_static) {
        return;
    } else if (vns_ip_addr_equal(&e->remote, from)) {
        e->updated = vns_element_now(&t->base);
        return;
    }
    e->remote = *from;
    e->updated = vns_element_now(&t->base);
    t->st.learned++;
}

/* RFC 6040 section 4.2, as Linux's INET_ECN_decapsulate(): CE on the
 * outer header is copied into an ECN-capable inner IP header (fixing the
 * IPv4 checksum, RFC 1624); a Not-ECT inner packet that arrives with CE
 * outside is dropped. Returns false to drop. */
static bool
tunnel_ecn_decap(Tunnel *t, VnsPacket *pkt, uint8_t outer_ecn)
{
    const VnsFlowKey *k;
    uint8_t *ip, inner;

    if (outer_ecn != 3)
        return true;
    k = tunnel_kind_l2(t->kind) ? vns_packet_flow_key(pkt)
                                : vns_packet_parse_l3(pkt);
    if (k->family == VNS_IP_NONE || pkt->l3_off == VNS_OFF_NONE)
        return true;
    ip = vns_packet_data(pkt) + pkt->l3_off;
    inner = ip[0] >> 4 == 4 ? ip[1] & 3 : (ip[1] >> 4) & 3;
    if (inner == 0)
        return false;
    if (inner == 3)
        return true;
    if (ip[0] >> 4 == 4) {
        uint16_t old = vns_wire_get16(ip);
        ip[1] |= 3;
        vns_wire_put16(ip + 10, vns_csum_update16(vns_wire_get16(ip + 10), old,
                                                  vns_wire_get16(ip)));
    } else {
        ip[1] |= 0x30;
    }
    vns_packet_invalidate(pkt);
    return true;
}

/* The input hook of the underlay host: takes the outer packets that belong
 * to this device. */
static VnsHookVerdict
tunnel_input(VnsElement *host, VnsPacket *pkt, const VnsHookState *state,
             void *data)
{
    Tunnel *t = data;
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);
    const uint8_t *d = vns_packet_data(pkt);
    VnsIpAddr src, dst;
    uint32_t off, hlen, id = 0;
    uint16_t inner_proto = VNS_ETHERTYPE_TEB;
    uint8_t outer_ecn;

    if (k->frag != VNS_FLOW_FRAG_NONE || pkt->l4_off == VNS_OFF_NONE ||
        k->family != t->local.family || !vns_ip_addr_equal(&k->dst, &t->local))
        return VNS_HOOK_ACCEPT;
    src = k->src;
    dst = k->dst;
    off = pkt->l4_off;
    if (tunnel_kind_udp(t->kind)) {
        uint32_t at = off + VNS_UDP_HLEN;
        if (k->proto != VNS_IPPROTO_UDP || k->dport != t->dstport)
            return VNS_HOOK_ACCEPT;
        if (t->kind == TUN_VXLAN) {
            if (at > pkt->len || !vns_vxlan_parse(d + at, pkt->len - at, &id) ||
                (!t->external && id != t->vni))
                return VNS_HOOK_ACCEPT;
            hlen = VNS_UDP_HLEN + VNS_VXLAN_HLEN;
        } else {
            VnsGeneveHdr g;
            if (at > pkt->len || !vns_geneve_parse(d + at, pkt->len - at, &g) ||
                (!t->external && g.vni != t->vni) || g.proto != VNS_ETHERTYPE_TEB ||
                !vns_ip_addr_equal(&src, &t->remote))
                return VNS_HOOK_ACCEPT;
            id = g.vni;
            hlen = VNS_UDP_HLEN + VNS_GENEVE_HLEN + g.opt_len;
            if (g.critical && !t->external) {
                /* geneve_rx(): a device that is not collecting metadata
                 * understands no option, so it drops packets with
                 * critical ones (RFC 8926 section 3.5.1). */
                t->st.critical_drops++;
                vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
                return VNS_HOOK_STOLEN;
            }
        }
        /* A zero UDP checksum means none (RFC 768; RFC 6935 for tunnels
         * over IPv6). */
        if (vns_wire_get16(d + off + 6) != 0 &&
            vns_csum_l4(d + off, pkt->len - off, vns_packet_size(pkt) - off,
                        VNS_IPPROTO_UDP, &src, &dst) != 0) {
            t->st.bad_checksum++;
            vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
            return VNS_HOOK_STOLEN;
        }
    } else {
        VnsGreHdr g;
        if (k->proto != VNS_IPPROTO_GRE || !vns_ip_addr_equal(&src, &t->remote) ||
            !vns_gre_parse(d + off, pkt->len - off, &g) ||
            g.has_key != t->has_key || (!t->external && g.key != t->key))
            return VNS_HOOK_ACCEPT;
        if (t->kind == TUN_GRETAP ? g.proto != VNS_ETHERTYPE_TEB
                                  : g.proto != VNS_ETHERTYPE_IPV4 &&
                                        g.proto != VNS_ETHERTYPE_IPV6)
            return VNS_HOOK_ACCEPT;
        if (g.has_csum && !vns_gre_checksum_ok(pkt, off)) {
            t->st.bad_checksum++;
            vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
            return VNS_HOOK_STOLEN;
        }
        id = g.key;
        inner_proto = g.proto;
        hlen = g.hdr_len;
    }
    t->st.rx_packets++;
    t->st.rx_bytes += vns_packet_size(pkt);
    outer_ecn = d[0] >> 4 == 4 ? d[1] & 3 : (d[1] >> 4) & 3;
    vns_packet_pull(pkt, off + hlen);
    pkt->tun_id = id;
    pkt->tun_valid = true;
    if (tunnel_kind_l2(t->kind)) {
        VnsEthHdr eth;
        if (!vns_eth_parse(vns_packet_data(pkt), pkt->len, &eth)) {
            vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
            return VNS_HOOK_STOLEN;
        }
        if (t->kind == TUN_VXLAN && t->learning)
            tunnel_learn(t, &eth.src, &src);
        if (!tunnel_ecn_decap(t, pkt, outer_ecn)) {
            t->st.ecn_drops++;
            vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
            return VNS_HOOK_STOLEN;
        }
    } else {
        if (!tunnel_ecn_decap(t, pkt, outer_ecn)) {
            t->st.ecn_drops++;
            vns_packet_drop(pkt, &t->base, VNS_DROP_MALFORMED);
            return VNS_HOOK_STOLEN;
        }
        VnsEthHdr eth = {
            .dst = t->inner->peer != NULL ? t->inner->peer->info.mac : t->mac,
            .src = t->mac, .ethertype = inner_proto,
        };
        vns_eth_push(pkt, &eth);
    }
    tunnel_work(t, pkt, PORT_UNDERLAY);
    (void) host;
    (void) state;
    return VNS_HOOK_STOLEN;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static const char *
tunnel_element(const Tunnel *t)
{
    return t->base.ops->type;
}

/* Reads an id attribute: a number up to 'max', or "flow". */
static bool
tunnel_cfg_id(Tunnel *t, const VnsConfig *cfg, const char *attr, uint64_t max,
              uint32_t *out, GError **error)
{
    uint64_t x;
    int word;

    if (!vns_config_uint_or(cfg, attr, "flow", 0, max, &x, &word, error))
        return false;
    if (word == 0)
        t->external = true;
    *out = (uint32_t) x;
    return true;
}

static bool
tunnel_cfg_ttl(Tunnel *t, const VnsConfig *cfg, GError **error)
{
    bool udp = tunnel_kind_udp(t->kind);
    uint64_t x;
    int word;

    /* 'auto' is GRE's: inherit over IPv4, 64 over IPv6 (ip-link(8)). */
    if (!vns_config_uint_or(cfg, "ttl", udp ? "inherit" : "inherit|auto", 1,
                            255, &x, &word, error))
        return false;
    if (word == 0)
        t->ttl = -1;
    else if (word == 1)
        t->ttl = t->local.family == VNS_IP_V4 ? -1 : TUNNEL_DEFAULT_TTL;
    else
        t->ttl = (int) x;
    return true;
}

static bool
tunnel_cfg_encap_limit(Tunnel *t, const VnsConfig *cfg, GError **error)
{
    uint64_t x;
    int word;

    if (!vns_config_uint_or(cfg, "encap-limit", "none", 0, 255, &x, &word,
                            error))
        return false;
    t->encap_limit = word == 0 ? -1 : (int) x;
    return true;
}

static bool
tunnel_check_family(Tunnel *t, const VnsConfig *cfg, const char *what,
                    const VnsIpAddr *a, GError **error)
{
    char buf[VNS_IP_STRLEN];

    if (a->family == t->local.family)
        return true;
    vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                     "<%s> %s %s is %s but 'local' is %s, expected one "
                     "underlay family", vns_config_element(cfg), what,
                     vns_ip_addr_format(a, buf),
                     a->family == VNS_IP_V4 ? "IPv4" : "IPv6",
                     t->local.family == VNS_IP_V4 ? "IPv4" : "IPv6");
    return false;
}

static bool
tunnel_add_fdb(Tunnel *t, const VnsMac *mac, const VnsIpAddr *remote)
{
    uint64_t key = tunnel_mac_key(mac);
    FdbEntry *e = g_hash_table_lookup(t->fdb, &key);

    if (e != NULL)
        return false;
    e = g_new0(FdbEntry, 1);
    e->key = key;
    e->remote = *remote;
    e->is_static = true;
    g_hash_table_insert(t->fdb, &e->key, e);
    return true;
}

static bool
tunnel_add_flood(Tunnel *t, const VnsIpAddr *remote)
{
    for (guint i = 0; i < t->flood->len; i++)
        if (vns_ip_addr_equal(&g_array_index(t->flood, VnsIpAddr, i), remote))
            return false;
    g_array_append_val(t->flood, *remote);
    return true;
}

static bool
vxlan_create_children(Tunnel *t, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) fdbs = vns_config_children(cfg, "fdb");
    g_autoptr(GPtrArray) floods = vns_config_children(cfg, "flood");
    char buf[VNS_IP_STRLEN], mbuf[VNS_MAC_STRLEN];

    for (guint i = 0; i < fdbs->len; i++) {
        const VnsConfig *c = fdbs->pdata[i];
        VnsMac mac;
        VnsIpAddr remote;
        bool present;
        if (!vns_config_mac(c, "mac", &mac, &present, error) ||
            !vns_config_ip(c, "remote", &remote, &present, error) ||
            !tunnel_check_family(t, c, "'remote'", &remote, error))
            return false;
        if (vns_mac_is_multicast(&mac)) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<fdb> 'mac' is %s, a multicast address, expected "
                             "a unicast MAC (floods go in <flood>)",
                             vns_mac_format(&mac, mbuf));
            return false;
        }
        if (!tunnel_add_fdb(t, &mac, &remote)) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<fdb> %s is given twice, expected one entry per "
                             "MAC address", vns_mac_format(&mac, mbuf));
            return false;
        }
    }
    for (guint i = 0; i < floods->len; i++) {
        const VnsConfig *c = floods->pdata[i];
        VnsIpAddr remote;
        bool present;
        if (!vns_config_ip(c, "remote", &remote, &present, error) ||
            !tunnel_check_family(t, c, "'remote'", &remote, error))
            return false;
        if (!tunnel_add_flood(t, &remote)) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<flood> %s is given twice, expected each remote "
                             "once", vns_ip_addr_format(&remote, buf));
            return false;
        }
    }
    return true;
}

/* Parses hex digits into at most 'room' bytes; returns the count or -1. */
static int
tunnel_parse_hex(const char *s, uint8_t *out, size_t room)
{
    size_t n = strlen(s);

    if (n % 2 != 0 || n / 2 > room)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = g_ascii_xdigit_value(s[i]), lo = g_ascii_xdigit_value(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t) (hi << 4 | lo);
    }
    return (int) (n / 2);
}

static bool
geneve_create_options(Tunnel *t, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) list = vns_config_children(cfg, "option");

    for (guint i = 0; i < list->len; i++) {
        const VnsConfig *c = list->pdata[i];
        g_autofree char *cls = NULL, *type = NULL, *data = NULL;
        uint8_t bytes[VNS_GENEVE_MAX_OPT_DATA];
        guint64 vc, vt;
        char *e1 = NULL, *e2 = NULL;
        int n;
        uint32_t w;

        if (!vns_config_string(c, "class", &cls, error) ||
            !vns_config_string(c, "type", &type, error) ||
            !vns_config_string(c, "data", &data, error))
            return false;
        vc = g_ascii_strtoull(cls, &e1, 0);
        vt = g_ascii_strtoull(type, &e2, 0);
        if (!g_ascii_isdigit(cls[0]) || *e1 != '\0' || vc > 0xffff ||
            !g_ascii_isdigit(type[0]) || *e2 != '\0' || vt > 0xff) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<option> class '%s' type '%s', expected a class "
                             "0 to 0xffff and a type 0 to 0xff", cls, type);
            return false;
        }
        n = tunnel_parse_hex(data, bytes, sizeof bytes);
        if (n < 0 || n % 4 != 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<option> 'data' is '%s', expected hex digits for "
                             "a multiple of 4 bytes, at most %d bytes (RFC "
                             "8926 section 3.5)", data, VNS_GENEVE_MAX_OPT_DATA);
            return false;
        }
        VnsGeneveOpt o = { (uint16_t) vc, (uint8_t) vt, (uint8_t) n, bytes };
        w = vns_geneve_opt_encode(t->opts + t->opt_len,
                                  sizeof t->opts - t->opt_len, &o);
        if (w == 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<option> makes the options longer than %d bytes, "
                             "expected at most %d (Opt Len is 6 bits of 4-byte "
                             "words, RFC 8926 section 3.4)",
                             VNS_GENEVE_MAX_OPTS, VNS_GENEVE_MAX_OPTS);
            return false;
        }
        t->opt_len += w;
    }
    return true;
}

static bool
tunnel_create(VnsElement *self, const VnsConfig *cfg, TunKind kind,
              GError **error)
{
    Tunnel *t = (Tunnel *) self;
    bool present;
    uint64_t port, pmin, pmax, mtu;
    int df = 0, csum = CSUM_AUTO, mode = MODE_FLOOD;

    t->kind = kind;
    t->flood = g_array_new(FALSE, FALSE, sizeof(VnsIpAddr));
    t->fdb = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    t->inner = vns_element_add_port(self, "inner");
    t->underlay = vns_element_add_port(self, "underlay");
    t->encap_limit = -1;
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "%s '%s' needs its XML configuration", self->ops->type,
                    self->name);
        return false;
    }
    if (!vns_config_ip(cfg, "local", &t->local, &present, error) ||
        !vns_config_enum(cfg, "df", &df, error))
        return false;
    t->df = (TunDf) df;
    if (vns_config_has(cfg, "remote")) {
        if (!vns_config_ip(cfg, "remote", &t->remote, &present, error) ||
            !tunnel_check_family(t, cfg, "'remote'", &t->remote, error))
            return false;
    }
    if (!tunnel_cfg_ttl(t, cfg, error))
        return false;
    if (!vns_config_time(cfg, "cost-per-packet", &t->cost_ps, error))
        return false;
    vns_cpu_stage_init(&t->cpu, self, "tunnel-cpu", tunnel_process);
    t->mtu_explicit = vns_config_has(cfg, "mtu");
    if (t->mtu_explicit) {
        if (!vns_config_uint(cfg, "mtu", &mtu, error))
            return false;
        t->mtu = (uint32_t) mtu;
    }
    if (tunnel_kind_udp(kind)) {
        if (!tunnel_cfg_id(t, cfg, "vni", VNS_VXLAN_VNI_MAX, &t->vni, error) ||
            !vns_config_uint(cfg, "dstport", &port, error) ||
            !vns_config_uint(cfg, "srcport-min", &pmin, error) ||
            !vns_config_uint(cfg, "srcport-max", &pmax, error) ||
            !vns_config_enum(cfg, "udp-csum", &csum, error))
            return false;
        if (pmin >= pmax) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<%s> 'srcport-min' %" G_GUINT64_FORMAT " is not "
                             "below 'srcport-max' %" G_GUINT64_FORMAT ", expected "
                             "a range min < max", tunnel_element(t), pmin, pmax);
            return false;
        }
        t->dstport = (uint16_t) port;
        t->sport_min = (uint16_t) pmin;
        t->sport_max = (uint16_t) pmax;
        t->udp_csum = csum == CSUM_ON ||
                      (csum == CSUM_AUTO && t->local.family == VNS_IP_V6);
    } else {
        if (vns_config_has(cfg, "key")) {
            if (!tunnel_cfg_id(t, cfg, "key", UINT32_MAX, &t->key, error))
                return false;
            t->has_key = true;
        }
        if (!vns_config_bool(cfg, "seq", &t->gre_seq, error) ||
            !vns_config_bool(cfg, "csum", &t->gre_csum, error) ||
            !tunnel_cfg_encap_limit(t, cfg, error))
            return false;
        if (t->local.family == VNS_IP_V4)
            t->encap_limit = -1;
    }
    if (kind == TUN_VXLAN) {
        if (!vns_config_enum(cfg, "mode", &mode, error) ||
            !vns_config_bool(cfg, "learning", &t->learning, error) ||
            !vns_config_time(cfg, "ageing", &t->ageing_ps, error) ||
            !vxlan_create_children(t, cfg, error))
            return false;
        t->mode = (TunMode) mode;
        if (t->mode == MODE_CONTROL)
            t->learning = false;
        if (t->remote.family != VNS_IP_NONE)
            tunnel_add_flood(t, &t->remote);
    } else if (kind == TUN_GENEVE) {
        if (!geneve_create_options(t, cfg, error))
            return false;
    }
    /* The MAC the gre device answers ARP with: 02, then a hash of its
     * name (locally administered unicast). */
    uint32_t h = tunnel_fnv1a(self->name, strlen(self->name), 2166136261u);
    t->mac = (VnsMac) { { 0x02, (uint8_t) (h >> 24), (uint8_t) (h >> 16),
                          (uint8_t) (h >> 8), (uint8_t) h, 0xfe } };
    t->inner->info.mac = t->mac;
    t->overhead = (t->local.family == VNS_IP_V4 ? VNS_IPV4_HLEN : VNS_IPV6_HLEN);
    switch (kind) {
    case TUN_VXLAN:
        t->overhead += VNS_UDP_HLEN + VNS_VXLAN_HLEN;
        break;
    case TUN_GENEVE:
        t->overhead += VNS_UDP_HLEN + VNS_GENEVE_HLEN + t->opt_len;
        break;
    case TUN_GRETAP:
    case TUN_GRE:
        t->overhead += vns_gre_hdr_len(t->gre_csum, t->has_key, t->gre_seq) +
                       (t->encap_limit >= 0 ? VNS_IP6_TEL_HLEN : 0);
        break;
    }
    return true;
}

static bool
vxlan_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return tunnel_create(self, cfg, TUN_VXLAN, error);
}

static bool
geneve_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return tunnel_create(self, cfg, TUN_GENEVE, error);
}

static bool
gretap_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return tunnel_create(self, cfg, TUN_GRETAP, error);
}

static bool
gre_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    return tunnel_create(self, cfg, TUN_GRE, error);
}

/* The MTU of the underlay interface that holds 'local': its own (given in
 * the XML, or set when the host started), else its link's, else 1500. */
static uint32_t
tunnel_underlay_mtu(const VnsPort *iface)
{
    if (iface->info.mtu != 0)
        return iface->info.mtu;
    if (iface->peer != NULL && iface->peer->info.mtu != 0)
        return iface->peer->info.mtu;
    return TUNNEL_DEFAULT_UMTU;
}

/* Linux's default MTU for the device over an underlay MTU 'umtu':
 * vxlan_config_apply() (lower MTU - vxlan_headroom(): IP + UDP + 8 + 14),
 * geneve_link_config() (- GENEVE_IPV4/IPV6_HLEN, - options), 
 * ip_tunnel_bind_dev() (- GRE header - 20, - 14 for gretap) and
 * ip6gre_tnl_link_config_route() (- GRE header - 40, - 8 with the
 * encapsulation limit, - 14 for ip6gretap), each with its floor. */
static uint32_t
tunnel_derived_mtu(const Tunnel *t, uint32_t umtu)
{
    int64_t mtu = (int64_t) umtu - t->overhead -
                  (tunnel_kind_l2(t->kind) ? VNS_ETH_HLEN : 0);
    int64_t floor = !tunnel_kind_udp(t->kind) && t->local.family == VNS_IP_V6
                        ? TUNNEL_MIN_MTU6 : TUNNEL_MIN_MTU4;

    return (uint32_t) MAX(mtu, floor);
}

static const VnsPort *
tunnel_find_local(const Tunnel *t)
{
    for (guint i = 0; i < t->host->ports->len; i++) {
        const VnsPort *p = t->host->ports->pdata[i];
        const VnsIpAddr *a = vns_app_port_addr(p, t->local.family);
        if (a != NULL && vns_ip_addr_equal(a, &t->local))
            return p;
    }
    return NULL;
}

static bool
tunnel_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Tunnel *t = (Tunnel *) self;
    g_autofree char *uname = NULL;
    const VnsPort *iface;
    char buf[VNS_IP_STRLEN];
    uint32_t max;

    if (!vns_config_string(cfg, "underlay", &uname, error))
        return false;
    t->host = vns_net_find(self->net, uname);
    if (t->host == NULL || !vns_host_is_host(t->host)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> 'underlay' is '%s', which %s, expected a host, "
                         "router or hypervisor", tunnel_element(t), uname,
                         t->host == NULL ? "names no element" : "is not one");
        return false;
    }
    iface = tunnel_find_local(t);
    if (iface == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> 'local' %s is not an address of '%s', expected "
                         "the address of one of its interfaces",
                         tunnel_element(t), vns_ip_addr_format(&t->local, buf),
                         uname);
        return false;
    }
    if (tunnel_kind_udp(t->kind)) {
        t->underlay->info.l4_proto = VNS_IPPROTO_UDP;
        t->underlay->info.l4_port = t->dstport;
    } else {
        t->underlay->info.l4_proto = VNS_IPPROTO_GRE;
    }
    if (!vns_app_attach(cfg, t->host, t->underlay, error))
        return false;
    vns_host_hook_add(t->host, VNS_HOST_HOOK_INPUT, TUNNEL_HOOK_PRIORITY,
                      tunnel_input, t);
    self->node = t->host->node;
    if (!vns_element_use_node(self, cfg, "node", error))
        return false;
    if (vns_config_has(cfg, "inner") &&
        !vns_config_connect(cfg, t->inner, "inner", error))
        return false;
    t->umtu = tunnel_underlay_mtu(iface);
    max = tunnel_derived_mtu(t, t->umtu);
    if (t->mtu_explicit && t->mtu > max) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'mtu' is %u but the underlay interface's MTU %u "
                         "leaves %u after %u bytes of encapsulation, expected "
                         "at most %u (%s)", tunnel_element(t), t->mtu, t->umtu,
                         max, t->umtu - max, max,
                         t->kind == TUN_VXLAN
                             ? "Linux's vxlan_change_mtu() refuses it: EINVAL"
                             : "an outer packet would not fit the underlay");
        return false;
    }
    if (!t->mtu_explicit)
        t->mtu = max;
    if (t->kind == TUN_GRE && t->mtu < TUNNEL_MIN_MTU4) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<gre> 'mtu' is %u, expected at least %u (RFC 791)",
                         t->mtu, TUNNEL_MIN_MTU4);
        return false;
    }
    t->inner->info.mtu = t->mtu;
    return true;
}

/* Control-plane mode: every other vxlan of the topology with the same VNI,
 * port and family is a flood target (EVPN type-3 route), and the MAC its
 * inner port's peer advertises sits behind it (type-2 route). */
static void
vxlan_control_plane(Tunnel *t)
{
    for (guint i = 0; i < vns_net_n_elements(t->base.net); i++) {
        VnsElement *e = vns_net_element(t->base.net, i);
        Tunnel *o = (Tunnel *) e;
        static const VnsMac zero;
        if (e == &t->base || e->ops != &vns_vxlan_ops || o->vni != t->vni ||
            o->external != t->external || o->dstport != t->dstport ||
            o->local.family != t->local.family)
            continue;
        tunnel_add_flood(t, &o->local);
        if (o->inner->peer != NULL &&
            !vns_mac_equal(&o->inner->peer->info.mac, &zero))
            tunnel_add_fdb(t, &o->inner->peer->info.mac, &o->local);
    }
}

static bool
tunnel_start(VnsElement *self, GError **error)
{
    Tunnel *t = (Tunnel *) self;
    const VnsPort *iface = tunnel_find_local(t);
    uint32_t umtu = iface != NULL ? tunnel_underlay_mtu(iface) : t->umtu;

    if (umtu != t->umtu && !t->mtu_explicit) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_CONFLICT,
                    "%s '%s': the underlay interface's MTU became %u after "
                    "the device took %u from it, expected the <link> of "
                    "the underlay before the %s in the topology (or an "
                    "explicit 'mtu')", self->ops->type, self->name, umtu,
                    t->umtu, self->ops->type);
        return false;
    }
    if (t->kind == TUN_VXLAN && t->mode == MODE_CONTROL)
        vxlan_control_plane(t);
    return true;
}

static void
tunnel_stop(VnsElement *self)
{
    Tunnel *t = (Tunnel *) self;

    vns_cpu_stage_purge(&t->cpu);
}

static void
tunnel_reset(VnsElement *self)
{
    Tunnel *t = (Tunnel *) self;

    memset(&t->st, 0, sizeof t->st);
}

static void
tunnel_stats(VnsElement *self, VnsReport *report)
{
    Tunnel *t = (Tunnel *) self;
    char buf[VNS_IP_STRLEN];

    vns_report_row(report, "tunnels", self->name);
    vns_report_str(report, "type", self->ops->type);
    vns_report_str(report, "local", vns_ip_addr_format(&t->local, buf));
    if (tunnel_kind_udp(t->kind))
        vns_report_int(report, "vni", t->external ? -1 : (int64_t) t->vni);
    else
        vns_report_int(report, "key", t->has_key && !t->external
                                          ? (int64_t) t->key : -1);
    vns_report_int(report, "mtu", t->mtu);
    vns_report_int(report, "overhead_bytes", t->overhead +
                   (tunnel_kind_l2(t->kind) ? VNS_ETH_HLEN : 0));
    vns_report_int(report, "tx_frames", (int64_t) t->st.tx_frames);
    vns_report_int(report, "tx_packets", (int64_t) t->st.tx_packets);
    vns_report_int(report, "tx_bytes", (int64_t) t->st.tx_bytes);
    vns_report_int(report, "rx_packets", (int64_t) t->st.rx_packets);
    vns_report_int(report, "rx_bytes", (int64_t) t->st.rx_bytes);
    vns_report_int(report, "mtu_drops", (int64_t) t->st.mtu_drops);
    vns_report_int(report, "bad_checksum", (int64_t) t->st.bad_checksum);
    vns_report_int(report, "ecn_drops", (int64_t) t->st.ecn_drops);
    if (t->kind == TUN_VXLAN) {
        vns_report_int(report, "flooded", (int64_t) t->st.flooded);
        vns_report_int(report, "flood_copies", (int64_t) t->st.flood_copies);
        vns_report_int(report, "learned", (int64_t) t->st.learned);
        vns_report_int(report, "unknown_unicast", (int64_t) t->st.unknown_unicast);
        vns_report_int(report, "fdb_entries", g_hash_table_size(t->fdb));
        vns_report_int(report, "flood_remotes", t->flood->len);
    }
    if (t->kind == TUN_GENEVE)
        vns_report_int(report, "critical_drops", (int64_t) t->st.critical_drops);
    if (t->kind == TUN_GRE)
        vns_report_int(report, "neighbor_replies", (int64_t) t->st.arp_replies);
}

static void
tunnel_free(VnsElement *self)
{
    Tunnel *t = (Tunnel *) self;

    if (t->flood != NULL)
        g_array_free(t->flood, TRUE);
    if (t->fdb != NULL)
        g_hash_table_destroy(t->fdb);
    vns_cpu_stage_clear(&t->cpu);   /* torn down without a stop */
}

#define TUNNEL_OPS(ctype, cspec, ccreate) { \
    .type = ctype, \
    .spec = cspec, \
    .instance_size = sizeof(Tunnel), \
    .create = ccreate, \
    .connect = tunnel_connect, \
    .start = tunnel_start, \
    .receive = tunnel_receive, \
    .reset = tunnel_reset, \
    .stop = tunnel_stop, \
    .stats = tunnel_stats, \
    .free = tunnel_free, \
}

const VnsElementOps vns_vxlan_ops = TUNNEL_OPS("vxlan", &vxlan_spec, vxlan_create);
const VnsElementOps vns_geneve_ops = TUNNEL_OPS("geneve", &geneve_spec, geneve_create);
const VnsElementOps vns_gretap_ops = TUNNEL_OPS("gretap", &gretap_spec, gretap_create);
const VnsElementOps vns_gre_ops = TUNNEL_OPS("gre", &gre_spec, gre_create);
