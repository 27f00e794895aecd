/* Network address translation: the element type "nat", a model of Linux's
 * nf_nat core (net/netfilter/nf_nat_core.c, nf_nat_proto.c) driven by
 * iptables-style SNAT, MASQUERADE and DNAT rules.
 *
 * What it models (doc/models/conntrack.md has the details):
 *
 * - Hooks where Linux has them (nf_nat_ipv4_ops): destination translation
 *   at prerouting and output (priority -100, NF_IP_PRI_NAT_DST), source
 *   translation at postrouting and input (100, NF_IP_PRI_NAT_SRC).
 * - The first packet of a connection (its conntrack entry still
 *   unconfirmed) runs the rules of the hook's kind, first match wins; the
 *   chosen translation becomes the entry's reply tuple
 *   (nf_nat_setup_info()). A connection no rule matches gets a null
 *   binding, which still remaps a source port that would clash
 *   (nf_nat_alloc_null_binding()).
 * - Every packet is then rewritten from the entry (nf_nat_packet()): the
 *   original direction to the translated tuple, replies back, with the
 *   IPv4 header and TCP/UDP/ICMP checksums updated incrementally
 *   (RFC 1624).
 * - Source ports are chosen as nf_nat_l4proto_unique_tuple() does: the
 *   original port is kept when it is in the range and the resulting tuple
 *   is unused; else, from a random offset, up to 128 ports are tried in
 *   turn, then ever smaller windows from new random offsets
 *   (mode="random"); mode="sequential" searches the whole range from its
 *   first port. A tuple is in use only if some entry holds exactly it, so
 *   one port serves connections to different destinations. No free port:
 *   the packet is dropped (nat_ports_exhausted).
 *
 * IPv4 only: IPv6 packets pass untranslated. */
#include <config.h>
#include "models/stateful/nat.h"

#include <stdlib.h>
#include <string.h>
#include "models/l3/host.h"
#include "models/stateful/conntrack.h"
#include "net/proto.h"

/* NF_IP_PRI_NAT_DST and NF_IP_PRI_NAT_SRC. */
#define NAT_PRI_DST (-100)
#define NAT_PRI_SRC 100
/* NF_NAT_MAX_ATTEMPTS (nf_nat_core.c): ports tried from one offset. */
#define NAT_MAX_ATTEMPTS 128

typedef enum {
    NAT_MANIP_SRC,
    NAT_MANIP_DST,
} NatManip;

typedef enum {
    NAT_RULE_SNAT,
    NAT_RULE_MASQUERADE,
    NAT_RULE_DNAT,
} NatRuleKind;

typedef struct {
    NatRuleKind kind;
    char *out_name, *in_name;   /* interface names; NULL = any */
    int out_iface, in_iface;    /* resolved; -1 = any */
    uint8_t proto;              /* 0 = any */
    bool has_source, has_destination;
    VnsIpPrefix source, destination;
    uint16_t dport;             /* dnat match; 0 = any */
    VnsIpAddr to;               /* snat/dnat address; masquerade: resolved */
    uint16_t to_port;           /* dnat; 0 = keep */
    bool ports_given;
    uint16_t port_min, port_max;
    bool sequential;
    uint64_t connections;       /* connections it translated */
    uint64_t exhausted;         /* connections refused for lack of ports */
} NatRule;

typedef struct {
    VnsElement base;            /* must stay first */
    char *host_name;
    VnsElement *host;           /* borrowed */
    VnsConntrack *ct;           /* borrowed */
    GArray *rules;              /* of NatRule */
    uint64_t src_connections;   /* connections given a source translation */
    uint64_t dst_connections;
    uint64_t null_remaps;       /* source ports remapped without a rule */
    uint64_t exhausted;
    uint64_t packets;           /* packets rewritten */
} Nat;

/* ------------------------------------------------------------------ */
/* Specs                                                               */

#define NAT_MATCH_ATTRS \
    { "proto", VNS_ATTR_ENUM, false, "all", NULL, \
      "Match only this protocol (iptables -p).", "tcp|udp|icmp|all" }, \
    { "source", VNS_ATTR_STRING, false, NULL, NULL, \
      "Match only sources in this prefix or address (-s). Default: any." }, \
    { "destination", VNS_ATTR_STRING, false, NULL, NULL, \
      "Match only destinations in this prefix or address (-d). Default: " \
      "any." }

#define NAT_PORT_ATTRS \
    { "ports", VNS_ATTR_STRING, false, NULL, NULL, \
      "Source port range MIN-MAX (or one port) for TCP and UDP, and ICMP " \
      "echo identifiers (--to-ports). Default: as Linux without a range, " \
      "ports stay in their class: 1-511, 600-1023 or 1024-65535, and " \
      "ICMP identifiers take 0-65535." }, \
    { "mode", VNS_ATTR_ENUM, false, "random", NULL, \
      "random: Linux's search from a random offset, 128 ports at a time " \
      "(nf_nat_l4proto_unique_tuple(), NF_NAT_MAX_ATTEMPTS); sequential: " \
      "the first free port from the bottom of the range.", \
      "random|sequential" }

static const VnsAttrSpec snat_attrs[] = {
    { "to", VNS_ATTR_IP, true, NULL, NULL,
      "The IPv4 address sources are translated to (--to-source)." },
    { "out-interface", VNS_ATTR_NAME, false, NULL, NULL,
      "Match packets leaving by this interface (-o). Default: any." },
    NAT_MATCH_ATTRS,
    NAT_PORT_ATTRS,
    { NULL }
};

static const VnsSpec snat_spec = {
    "snat", "Source NAT at postrouting (iptables -t nat -A POSTROUTING -j "
    "SNAT): new connections that match leave with source 'to'.",
    snat_attrs, NULL, false,
};

static const VnsAttrSpec masquerade_attrs[] = {
    { "out-interface", VNS_ATTR_NAME, true, NULL, NULL,
      "Packets leaving by this interface get its IPv4 address as source "
      "(-o ... -j MASQUERADE)." },
    NAT_MATCH_ATTRS,
    NAT_PORT_ATTRS,
    { NULL }
};

static const VnsSpec masquerade_spec = {
    "masquerade", "Source NAT to the egress interface's own address "
    "(MASQUERADE).",
    masquerade_attrs, NULL, false,
};

static const VnsAttrSpec dnat_attrs[] = {
    { "to", VNS_ATTR_STRING, true, NULL, NULL,
      "The new destination, ADDRESS or ADDRESS:PORT (--to-destination); "
      "without a port the destination port is kept." },
    { "in-interface", VNS_ATTR_NAME, false, NULL, NULL,
      "Match packets arriving on this interface (-i); such a rule never "
      "matches locally sent packets. Default: any, including the host's "
      "own packets (the OUTPUT chain)." },
    { "dport", VNS_ATTR_UINT, false, NULL, NULL,
      "Match this TCP/UDP destination port (--dport). Default: any.",
      NULL, 1, 65535 },
    NAT_MATCH_ATTRS,
    { NULL }
};

static const VnsSpec dnat_spec = {
    "dnat", "Destination NAT at prerouting and output (-j DNAT): new "
    "connections that match go to 'to' instead.",
    dnat_attrs, NULL, false,
};

static const VnsSpec *const nat_children[] = {
    &snat_spec, &masquerade_spec, &dnat_spec, NULL
};

static const VnsAttrSpec nat_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL,
      "The element's name, its row in the 'nat' table. Default: nat-HOST." },
    { "host", VNS_ATTR_REF, true, NULL, NULL,
      "The host or router whose packets are translated; it needs a "
      "<conntrack>." },
    { NULL }
};

static const VnsSpec nat_spec = {
    "nat", "Linux NAT (nf_nat) on a host or router: <snat>, <masquerade> and "
    "<dnat> rules, evaluated in document order for a connection's first "
    "packet; the translation is kept in its conntrack entry.",
    nat_attrs, nat_children, false,
};

/* ------------------------------------------------------------------ */
/* Rules                                                               */

static bool
nat_parse_prefix(const VnsConfig *rc, const char *attr, bool *has,
                 VnsIpPrefix *out, GError **error)
{
    *has = false;
    if (!vns_config_has(rc, attr))
        return true;
    g_autofree char *text = NULL;
    GError *local = NULL;

    if (!vns_config_string(rc, attr, &text, error))
        return false;
    if (!vns_ip_prefix_parse(text, VNS_IP_PREFIX_ALLOW_NO_LENGTH, out, &local)) {
        vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is '%s', expected an IPv4 prefix such as "
                         "10.0.0.0/24 or an address", vns_config_element(rc),
                         attr, text);
        g_error_free(local);
        return false;
    }
    *has = true;
    if (out->addr.family != VNS_IP_V4) {
        vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is IPv6, expected an IPv4 prefix (NAT is "
                         "IPv4 only)", vns_config_element(rc), attr);
        return false;
    }
    return true;
}

static bool
nat_parse_ports(const VnsConfig *rc, NatRule *r, GError **error)
{
    g_autofree char *text = NULL;
    char *end = NULL;
    unsigned long a, b;

    if (!vns_config_has(rc, "ports"))
        return true;
    if (!vns_config_string(rc, "ports", &text, error))
        return false;
    a = strtoul(text, &end, 10);
    b = a;
    if (end != text && *end == '-') {
        const char *s = end + 1;
        b = strtoul(s, &end, 10);
        if (end == s)
            end = NULL;
    }
    if (end == NULL || end == text || *end != '\0' || !g_ascii_isdigit(text[0]) ||
        a < 1 || b > 65535 || a > b) {
        vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'ports' is '%s', expected MIN-MAX with "
                         "1 <= MIN <= MAX <= 65535", vns_config_element(rc), text);
        return false;
    }
    r->ports_given = true;
    r->port_min = (uint16_t) a;
    r->port_max = (uint16_t) b;
    return true;
}

static bool
nat_parse_rule(const VnsConfig *rc, NatRule *r, GError **error)
{
    const char *el = vns_config_element(rc);
    int proto = 0, mode = 0;
    bool present = false;

    memset(r, 0, sizeof *r);
    r->out_iface = r->in_iface = -1;
    r->kind = strcmp(el, "snat") == 0 ? NAT_RULE_SNAT
              : strcmp(el, "masquerade") == 0 ? NAT_RULE_MASQUERADE : NAT_RULE_DNAT;
    if (!vns_config_enum(rc, "proto", &proto, error) ||
        !nat_parse_prefix(rc, "source", &r->has_source, &r->source, error) ||
        !nat_parse_prefix(rc, "destination", &r->has_destination, &r->destination,
                          error))
        return false;
    /* tcp|udp|icmp|all */
    r->proto = proto == 0 ? VNS_IPPROTO_TCP : proto == 1 ? VNS_IPPROTO_UDP
               : proto == 2 ? VNS_IPPROTO_ICMP : 0;
    if (r->kind != NAT_RULE_DNAT) {
        if (!vns_config_string(rc, "out-interface", &r->out_name, error) ||
            !nat_parse_ports(rc, r, error) ||
            !vns_config_enum(rc, "mode", &mode, error))
            return false;
        r->sequential = mode == 1;
    }
    if (r->kind == NAT_RULE_SNAT) {
        if (!vns_config_ip(rc, "to", &r->to, &present, error))
            return false;
        if (r->to.family != VNS_IP_V4) {
            vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<snat> 'to' is IPv6, expected an IPv4 address "
                             "(NAT is IPv4 only)");
            return false;
        }
    }
    if (r->kind == NAT_RULE_DNAT) {
        g_autofree char *to = NULL;
        uint64_t dport = 0;
        char *colon;
        GError *local = NULL;
        if (!vns_config_string(rc, "in-interface", &r->in_name, error) ||
            !vns_config_string(rc, "to", &to, error))
            return false;
        if (vns_config_has(rc, "dport")) {
            if (!vns_config_uint(rc, "dport", &dport, error))
                return false;
            r->dport = (uint16_t) dport;
        }
        colon = strchr(to, ':');
        if (colon != NULL) {
            char *end = NULL;
            unsigned long p = strtoul(colon + 1, &end, 10);
            if (end == colon + 1 || *end != '\0' || p < 1 || p > 65535) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<dnat> 'to' is '%s', expected ADDRESS or "
                                 "ADDRESS:PORT with a port 1-65535", to);
                return false;
            }
            r->to_port = (uint16_t) p;
            *colon = '\0';
        }
        if (!vns_ip_addr_parse(to, &r->to, &local) || r->to.family != VNS_IP_V4) {
            if (colon != NULL)
                *colon = ':';
            vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<dnat> 'to' is '%s', expected an IPv4 ADDRESS or "
                             "ADDRESS:PORT", to);
            g_clear_error(&local);
            return false;
        }
        if (r->dport != 0 && r->proto == 0) {
            vns_config_error(error, rc, VNS_CONFIG_ERROR_CONFLICT,
                             "<dnat> 'dport' needs 'proto' tcp or udp, as "
                             "iptables' --dport needs -p");
            return false;
        }
    }
    if ((r->dport != 0 || r->to_port != 0 || r->ports_given) &&
        r->proto == VNS_IPPROTO_ICMP && r->kind == NAT_RULE_DNAT) {
        vns_config_error(error, rc, VNS_CONFIG_ERROR_CONFLICT,
                         "<dnat> ports with proto 'icmp', expected tcp or udp");
        return false;
    }
    return true;
}

/* Whether rule 'r' matches a new connection's current tuple 't' at the
 * hook state 'st'. */
static bool
nat_rule_matches(const NatRule *r, const VnsCtTuple *t, const VnsHookState *st)
{
    if (r->proto != 0 && t->proto != r->proto)
        return false;
    if (r->has_source && !vns_ip_prefix_contains(&r->source, &t->src))
        return false;
    if (r->has_destination && !vns_ip_prefix_contains(&r->destination, &t->dst))
        return false;
    if (r->kind == NAT_RULE_DNAT) {
        if (r->in_iface >= 0 && st->in_iface != r->in_iface)
            return false;
        if (r->dport != 0 && t->dport != r->dport)
            return false;
    } else if (r->out_iface >= 0 && st->out_iface != r->out_iface) {
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Translation setup (nf_nat_setup_info)                               */

static bool
nat_has_ports(uint8_t proto)
{
    return proto == VNS_IPPROTO_TCP || proto == VNS_IPPROTO_UDP ||
           proto == VNS_IPPROTO_ICMP;
}

/* nf_nat_used_tuple(): whether the connection whose original tuple would
 * be 't' collides with another entry's reply. */
static bool
nat_used(Nat *nat, const VnsCtTuple *t, const VnsCtEntry *e)
{
    VnsCtTuple reply;

    vns_ct_tuple_invert(&reply, t);
    return vns_conntrack_tuple_taken(nat->ct, &reply, e);
}

/* nf_nat_l4proto_unique_tuple() for source translation: sets t->sport
 * (the port, or ICMP's identifier) to an unused value in the range.
 * Returns false when none was found. */
static bool
nat_unique_port(Nat *nat, VnsCtTuple *t, const VnsCtEntry *e, const NatRule *r)
{
    uint32_t min, range_size, attempts, off;
    bool sequential = r != NULL && r->sequential;

    if (r != NULL && r->ports_given) {
        min = r->port_min;
        range_size = (uint32_t) r->port_max - r->port_min + 1;
    } else if (t->proto == VNS_IPPROTO_ICMP) {
        min = 0;
        range_size = 65536;
    } else if (t->sport < 1024) {
        /* "Loose convention: >> 512 is credential passing". */
        if (t->sport < 512) {
            min = 1;
            range_size = 511;
        } else {
            min = 600;
            range_size = 1023 - 600 + 1;
        }
    } else {
        min = 1024;
        range_size = 65535 - 1024 + 1;
    }
    if (sequential) {
        for (uint32_t i = 0; i < range_size; i++) {
            t->sport = (uint16_t) (min + i);
            if (!nat_used(nat, t, e))
                return true;
        }
        return false;
    }
    off = (uint32_t) gsl_rng_uniform_int(vns_element_rng(&nat->base), 65536);
    attempts = MIN(range_size, NAT_MAX_ATTEMPTS);
    for (;;) {
        for (uint32_t i = 0; i < attempts; i++, off++) {
            t->sport = (uint16_t) (min + off % range_size);
            if (!nat_used(nat, t, e))
                return true;
        }
        if (attempts >= range_size || attempts < 16)
            return false;
        attempts /= 2;
        off = (uint32_t) gsl_rng_uniform_int(vns_element_rng(&nat->base), 65536);
    }
}

static bool
nat_port_in_range(const NatRule *r, uint16_t port)
{
    return !r->ports_given || (port >= r->port_min && port <= r->port_max);
}

/* find_appropriate_src(): the mapping another connection from the same
 * source (address, port, protocol) already has, if it fits rule 'r'.
 * Only the first such connection is considered, as in Linux. */
static bool
nat_same_src_mapping(Nat *nat, const VnsCtTuple *orig, const VnsCtEntry *e,
                     const NatRule *r, VnsCtTuple *out)
{
    VnsCtEntry *o = NULL;

    while ((o = vns_conntrack_next_same_source(nat->ct, orig, o)) != NULL) {
        const VnsCtTuple *rep = vns_ct_entry_tuple(o, VNS_CT_DIR_REPLY);
        if (o == e)
            continue;
        *out = *orig;
        out->src = rep->dst;
        out->sport = orig->proto == VNS_IPPROTO_ICMP ? rep->sport : rep->dport;
        return vns_ip_addr_equal(&out->src, &r->to) && nat_port_in_range(r, out->sport);
    }
    return false;
}

/* get_unique_tuple() for a source translation with rule 'r' (NULL: a null
 * binding) of the connection whose original tuple is 'orig'; 't' comes
 * with the new source address set. */
static bool
nat_unique_src(Nat *nat, VnsCtTuple *t, const VnsCtTuple *orig,
               const VnsCtEntry *e, const NatRule *r)
{
    if (r != NULL) {
        VnsCtTuple cand;
        /* 1. The original tuple, if the range holds it; else the mapping
         * the same source already has elsewhere (endpoint-independent
         * mapping), if unused. */
        if (vns_ip_addr_equal(&orig->src, &r->to) &&
            (!nat_has_ports(orig->proto) || nat_port_in_range(r, orig->sport))) {
            if (!nat_used(nat, orig, e)) {
                *t = *orig;
                return true;
            }
        } else if (nat_has_ports(orig->proto) &&
                   nat_same_src_mapping(nat, orig, e, r, &cand) &&
                   !nat_used(nat, &cand, e)) {
            *t = cand;
            return true;
        }
    }
    if (!nat_has_ports(t->proto))
        return true;            /* nothing to remap; a clash fails at confirmation */
    if (r != NULL && r->ports_given) {
        if (t->sport >= r->port_min && t->sport <= r->port_max &&
            (r->port_min == r->port_max || !nat_used(nat, t, e)))
            return true;
    } else if (!nat_used(nat, t, e)) {
        return true;
    }
    return nat_unique_port(nat, t, e, r);
}

/*
 * vns_nat_setup_dnat:
 * Destination NAT of the new (unconfirmed) connection 'e' to 'addr' and,
 * for TCP and UDP, port 'port' (0 = keep): the reply tuple becomes the
 * translated tuple seen from the other end, as nf_nat_setup_info() does
 * for a DNAT range of one address and port. Returns whether anything
 * changed (false: already that destination).
 */
bool
vns_nat_setup_dnat(VnsCtEntry *e, const VnsIpAddr *addr, uint16_t port)
{
    VnsCtTuple curr, t, reply;

    g_return_val_if_fail(!(vns_ct_entry_status(e) & VNS_CT_CONFIRMED), false);
    vns_ct_tuple_invert(&curr, vns_ct_entry_tuple(e, VNS_CT_DIR_REPLY));
    t = curr;
    t.dst = *addr;
    if (port != 0 && (t.proto == VNS_IPPROTO_TCP || t.proto == VNS_IPPROTO_UDP))
        t.dport = port;
    vns_ct_entry_set_status(e, VNS_CT_DST_NAT_DONE);
    if (vns_ct_tuple_equal(&t, &curr))
        return false;
    vns_ct_tuple_invert(&reply, &t);
    vns_ct_entry_alter_reply(e, &reply);
    vns_ct_entry_set_status(e, VNS_CT_DST_NAT);
    return true;
}

/* Sets up the translation of kind 'manip' for new entry 'e' with rule
 * 'r' (NULL: null binding). Returns false when no unique tuple exists. */
static bool
nat_setup(Nat *nat, VnsCtEntry *e, NatManip manip, NatRule *r)
{
    VnsCtTuple curr, t, reply;

    if (manip == NAT_MANIP_DST) {
        /* A DNAT rule; without one, nothing changes (a null binding for
         * the destination never touches the port). */
        if (r != NULL && vns_nat_setup_dnat(e, &r->to, r->to_port)) {
            r->connections++;
            nat->dst_connections++;
        }
        vns_ct_entry_set_status(e, VNS_CT_DST_NAT_DONE);
        return true;
    }
    /* The original tuple as packets look after earlier translations. */
    vns_ct_tuple_invert(&curr, vns_ct_entry_tuple(e, VNS_CT_DIR_REPLY));
    t = curr;
    if (r != NULL)
        t.src = r->to;
    if (!nat_unique_src(nat, &t, &curr, e, r)) {
        if (r != NULL)
            r->exhausted++;
        nat->exhausted++;
        return false;
    }
    vns_ct_entry_set_status(e, VNS_CT_SRC_NAT_DONE);
    if (vns_ct_tuple_equal(&t, &curr))
        return true;
    vns_ct_tuple_invert(&reply, &t);
    vns_ct_entry_alter_reply(e, &reply);
    vns_ct_entry_set_status(e, VNS_CT_SRC_NAT);
    if (r != NULL)
        r->connections++;
    else
        nat->null_remaps++;
    nat->src_connections++;
    return true;
}

/* ------------------------------------------------------------------ */
/* Packet rewriting (nf_nat_manip_pkt)                                 */

static inline uint16_t
nat_get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline void
nat_set16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) (v >> 8);
    p[1] = (uint8_t) v;
}

/* Updates the transport checksum at 'l4 + off' for a 32-bit change of the
 * pseudo-header (an address) or a 16-bit field. UDP's 0 means "none"
 * and stays; a computed 0 is sent as 0xffff (RFC 768). */
static void
nat_l4_csum(uint8_t *l4, uint8_t proto, uint32_t old32, uint32_t new32,
            bool is16)
{
    uint32_t off = proto == VNS_IPPROTO_TCP ? 16 : proto == VNS_IPPROTO_UDP ? 6 : 2;
    uint16_t c = nat_get16(l4 + off);

    if (proto == VNS_IPPROTO_UDP && c == 0)
        return;
    c = is16 ? vns_csum_update16(c, (uint16_t) old32, (uint16_t) new32)
             : vns_csum_update32(c, old32, new32);
    if (proto == VNS_IPPROTO_UDP && c == 0)
        c = 0xffff;
    nat_set16(l4 + off, c);
}

/* Rewrites the source (manip SRC) or destination of the IPv4 packet at
 * data[0] to that of 'target'. */
static void
nat_manip_pkt(VnsPacket *pkt, const VnsCtTuple *target, NatManip manip)
{
    uint8_t *ip = vns_packet_data(pkt);
    uint32_t ihl = (uint32_t) (ip[0] & 0x0f) * 4;
    uint8_t proto = ip[9];
    uint8_t *l4 = ip + ihl;
    bool have_l4 = false;
    uint32_t old_addr;
    uint16_t old_port, new_port;
    uint32_t aoff = manip == NAT_MANIP_SRC ? 12 : 16;

    if (proto == VNS_IPPROTO_TCP)
        have_l4 = ihl + 20 <= pkt->len;
    else if (proto == VNS_IPPROTO_UDP || proto == VNS_IPPROTO_ICMP)
        have_l4 = ihl + 8 <= pkt->len;
    old_addr = (uint32_t) nat_get16(ip + aoff) << 16 | nat_get16(ip + aoff + 2);
    if (old_addr != (manip == NAT_MANIP_SRC ? target->src.v4 : target->dst.v4)) {
        uint32_t new_addr = manip == NAT_MANIP_SRC ? target->src.v4 : target->dst.v4;
        if (manip == NAT_MANIP_SRC)
            vns_ipv4_set_src(ip, new_addr);
        else
            vns_ipv4_set_dst(ip, new_addr);
        /* The pseudo-header covers the addresses for TCP and UDP, not
         * ICMP (RFC 792). */
        if (have_l4 && (proto == VNS_IPPROTO_TCP || proto == VNS_IPPROTO_UDP))
            nat_l4_csum(l4, proto, old_addr, new_addr, false);
    }
    if (have_l4) {
        uint8_t *field;
        if (proto == VNS_IPPROTO_ICMP) {
            field = l4 + 4;                 /* echo identifier */
            new_port = target->sport;
        } else if (proto == VNS_IPPROTO_TCP || proto == VNS_IPPROTO_UDP) {
            field = l4 + (manip == NAT_MANIP_SRC ? 0 : 2);
            new_port = manip == NAT_MANIP_SRC ? target->sport : target->dport;
        } else {
            field = NULL;
            new_port = 0;
        }
        if (field != NULL && (old_port = nat_get16(field)) != new_port) {
            nat_set16(field, new_port);
            nat_l4_csum(l4, proto, old_port, new_port, true);
        }
    }
    vns_packet_invalidate(pkt);
}

/*
 * vns_nat_packet:
 * nf_nat_packet(): rewrites the IPv4 packet 'pkt' (IP header at data[0])
 * of direction 'dir' of connection 'e', at a hook of source ('src') or
 * destination kind, if the connection was translated that way: the
 * original direction to the translated tuple, replies back. Checksums
 * are updated. Rewriting twice changes nothing. Returns whether the
 * connection called for a rewrite.
 */
bool
vns_nat_packet(VnsPacket *pkt, VnsCtEntry *e, VnsCtDir dir, bool src)
{
    uint32_t bit = src ? VNS_CT_SRC_NAT : VNS_CT_DST_NAT;
    VnsCtTuple target;

    if (dir == VNS_CT_DIR_REPLY)
        bit ^= VNS_CT_SRC_NAT | VNS_CT_DST_NAT;
    if (!(vns_ct_entry_status(e) & bit) || pkt->len < 20 ||
        vns_packet_data(pkt)[0] >> 4 != 4)
        return false;
    vns_ct_tuple_invert(&target, vns_ct_entry_tuple(e, !dir));
    nat_manip_pkt(pkt, &target, src ? NAT_MANIP_SRC : NAT_MANIP_DST);
    return true;
}

/* nf_nat_inet_fn(). */
static VnsHookVerdict
nat_hook(Nat *nat, VnsPacket *pkt, const VnsHookState *st, NatManip manip,
         bool rules)
{
    VnsCtDir dir;
    bool is_new = false;
    VnsCtEntry *e;
    uint32_t done = manip == NAT_MANIP_SRC ? VNS_CT_SRC_NAT_DONE : VNS_CT_DST_NAT_DONE;

    if (pkt->len < 20 || vns_packet_data(pkt)[0] >> 4 != 4)
        return VNS_HOOK_ACCEPT;
    e = vns_conntrack_get(nat->ct, pkt, &dir, &is_new);
    if (e == NULL)
        return VNS_HOOK_ACCEPT;
    if (is_new && dir == VNS_CT_DIR_ORIGINAL && !(vns_ct_entry_status(e) & done)) {
        NatRule *hit = NULL;
        VnsCtTuple curr;
        vns_ct_tuple_invert(&curr, vns_ct_entry_tuple(e, VNS_CT_DIR_REPLY));
        for (guint i = 0; rules && i < nat->rules->len; i++) {
            NatRule *r = &g_array_index(nat->rules, NatRule, i);
            if ((r->kind == NAT_RULE_DNAT) == (manip == NAT_MANIP_DST) &&
                nat_rule_matches(r, &curr, st)) {
                hit = r;
                break;
            }
        }
        if (!nat_setup(nat, e, manip, hit)) {
            vns_packet_drop(pkt, &nat->base, VNS_DROP_NAT_PORTS_EXHAUSTED);
            return VNS_HOOK_STOLEN;
        }
    }
    if (vns_nat_packet(pkt, e, dir, manip == NAT_MANIP_SRC))
        nat->packets++;
    return VNS_HOOK_ACCEPT;
}

static VnsHookVerdict
nat_hook_dst(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    (void) host;
    return nat_hook(data, pkt, st, NAT_MANIP_DST, true);
}

static VnsHookVerdict
nat_hook_src(VnsElement *host, VnsPacket *pkt, const VnsHookState *st, void *data)
{
    (void) host;
    /* SNAT rules live in POSTROUTING; INPUT only gets null bindings. */
    return nat_hook(data, pkt, st, NAT_MANIP_SRC,
                    st->hook == VNS_HOST_HOOK_POSTROUTING);
}

/* ------------------------------------------------------------------ */
/* Element                                                             */

static char *
nat_default_name(const VnsConfig *cfg)
{
    g_autofree char *host = NULL;

    if (!vns_config_string(cfg, "host", &host, NULL) || host == NULL)
        return g_strdup("nat");
    return g_strdup_printf("nat-%s", host);
}

static void
nat_rule_clear(NatRule *r)
{
    g_free(r->out_name);
    g_free(r->in_name);
}

static bool
nat_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Nat *nat = (Nat *) self;
    g_autoptr(GPtrArray) kids = vns_config_children(cfg, NULL);

    nat->rules = g_array_new(FALSE, TRUE, sizeof(NatRule));
    g_array_set_clear_func(nat->rules, (GDestroyNotify) nat_rule_clear);
    if (!vns_config_string(cfg, "host", &nat->host_name, error))
        return false;
    for (guint i = 0; i < kids->len; i++) {
        NatRule r;
        if (!nat_parse_rule(kids->pdata[i], &r, error)) {
            nat_rule_clear(&r);
            return false;
        }
        g_array_append_val(nat->rules, r);
    }
    return true;
}

/* The index of interface 'name' of 'host', or -1 with an error. */
static int
nat_iface(const VnsConfig *cfg, VnsElement *host, const char *el,
          const char *attr, const char *name, GError **error)
{
    VnsPort *p = vns_element_find_port(host, name);

    if (p == NULL || g_str_has_prefix(name, "app:")) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<%s> '%s' is '%s', but host '%s' has no such "
                         "interface, expected one of its <interface> names",
                         el, attr, name, host->name);
        return -1;
    }
    return p->index;
}

static bool
nat_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Nat *nat = (Nat *) self;
    VnsElement *host = vns_net_find(self->net, nat->host_name);
    g_autoptr(GPtrArray) kids = vns_config_children(cfg, NULL);

    if (host == NULL || !vns_host_is_host(host)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<nat> 'host' is '%s', %s", nat->host_name,
                         host == NULL ? "no such element, expected a host or router"
                                      : "not a host, expected a host or router");
        return false;
    }
    nat->ct = vns_conntrack_find(self->net, host);
    if (nat->ct == NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<nat> host '%s' has no <conntrack>, expected "
                         "<conntrack host=\"%s\"/> (NAT keeps its translations "
                         "in connection tracking)", nat->host_name, nat->host_name);
        return false;
    }
    for (guint i = 0; i < vns_net_n_elements(self->net); i++) {
        VnsElement *o = vns_net_element(self->net, i);
        if (o != self && o->ops == &vns_nat_ops &&
            strcmp(((Nat *) o)->host_name, nat->host_name) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<nat> host '%s' already has nat '%s', expected "
                             "one per host (put all rules in it)",
                             nat->host_name, o->name);
            return false;
        }
    }
    nat->host = host;
    for (guint i = 0; i < nat->rules->len; i++) {
        NatRule *r = &g_array_index(nat->rules, NatRule, i);
        const VnsConfig *rc = kids->pdata[i];
        const char *el = vns_config_element(rc);
        if (r->out_name != NULL &&
            (r->out_iface = nat_iface(rc, host, el, "out-interface", r->out_name,
                                      error)) < 0)
            return false;
        if (r->in_name != NULL &&
            (r->in_iface = nat_iface(rc, host, el, "in-interface", r->in_name,
                                     error)) < 0)
            return false;
        if (r->kind == NAT_RULE_MASQUERADE) {
            const VnsPort *p = vns_element_port(host, (uint16_t) r->out_iface);
            if (p->info.addr4.family != VNS_IP_V4) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_REFERENCE,
                                 "<masquerade> interface '%s' of '%s' has no IPv4 "
                                 "address, expected one to masquerade as",
                                 r->out_name, host->name);
                return false;
            }
            r->to = p->info.addr4;
        }
    }
    vns_host_hook_add(host, VNS_HOST_HOOK_PREROUTING, NAT_PRI_DST, nat_hook_dst, nat);
    vns_host_hook_add(host, VNS_HOST_HOOK_OUTPUT, NAT_PRI_DST, nat_hook_dst, nat);
    vns_host_hook_add(host, VNS_HOST_HOOK_POSTROUTING, NAT_PRI_SRC, nat_hook_src, nat);
    vns_host_hook_add(host, VNS_HOST_HOOK_INPUT, NAT_PRI_SRC, nat_hook_src, nat);
    return true;
}

static void
nat_reset(VnsElement *self)
{
    Nat *nat = (Nat *) self;

    nat->src_connections = nat->dst_connections = 0;
    nat->null_remaps = nat->exhausted = nat->packets = 0;
    for (guint i = 0; i < nat->rules->len; i++) {
        NatRule *r = &g_array_index(nat->rules, NatRule, i);
        r->connections = r->exhausted = 0;
    }
}

static void
nat_stats(VnsElement *self, VnsReport *report)
{
    Nat *nat = (Nat *) self;

    vns_report_row(report, "nat", self->name);
    vns_report_str(report, "host", nat->host_name);
    vns_report_int(report, "src_connections", (int64_t) nat->src_connections);
    vns_report_int(report, "dst_connections", (int64_t) nat->dst_connections);
    vns_report_int(report, "null_remaps", (int64_t) nat->null_remaps);
    vns_report_int(report, "ports_exhausted", (int64_t) nat->exhausted);
    vns_report_int(report, "packets_rewritten", (int64_t) nat->packets);
    for (guint i = 0; i < nat->rules->len; i++) {
        const NatRule *r = &g_array_index(nat->rules, NatRule, i);
        g_autofree char *k1 = g_strdup_printf("rule%u_connections", i + 1);
        g_autofree char *k2 = g_strdup_printf("rule%u_exhausted", i + 1);
        vns_report_int(report, k1, (int64_t) r->connections);
        vns_report_int(report, k2, (int64_t) r->exhausted);
    }
}

static void
nat_free(VnsElement *self)
{
    Nat *nat = (Nat *) self;

    g_free(nat->host_name);
    if (nat->rules != NULL)
        g_array_free(nat->rules, TRUE);
}

const VnsElementOps vns_nat_ops = {
    .type = "nat",
    .spec = &nat_spec,
    .instance_size = sizeof(Nat),
    .default_name = nat_default_name,
    .create = nat_create,
    .connect = nat_connect,
    .reset = nat_reset,
    .stats = nat_stats,
    .free = nat_free,
};
