/* OpenFlow matches and actions for the Open vSwitch model: parsing the
 * ovs-ofctl(8) text of a flow's match and actions into compact structs at
 * load time, extracting a packet's key, and applying actions to a key (the
 * table walk, as ovs-vswitchd translates a flow) or to the packet's bytes
 * (the datapath), keeping IPv4, TCP, UDP and ICMPv6 checksums right with
 * RFC 1624 incremental updates. */
#include <config.h>
#include "models/l2/ovs_match.h"

#include <errno.h>
#include <string.h>
#include "net/addr.h"
#include "net/checksum.h"
#include "net/config.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/wire.h"

/* ---- Match fields ------------------------------------------------------- */

typedef enum {
    FK_INT,                     /* unsigned integer of 'size' bytes */
    FK_MAC,
    FK_IP4,
    FK_IP6,
    FK_VLAN_VID,                /* dl_vlan: VID bits of vlan_tci */
    FK_VLAN_PCP,                /* dl_vlan_pcp: PCP bits of vlan_tci */
} FieldKind;

/* Prerequisites (OpenFlow 1.3 section 7.2.3.8, ovs-fields(7)): what the
 * same match must pin down before a field may be matched or set. */
typedef enum {
    PRE_NONE,
    PRE_IP4_ARP,                /* dl_type 0x0800 or 0x0806 */
    PRE_IP6,                    /* dl_type 0x86dd */
    PRE_IP_ARP,                 /* any of the three */
    PRE_L4,                     /* IPv4/IPv6 with nw_proto 6, 17 or 132 */
    PRE_TCP,
    PRE_UDP,
    PRE_SCTP,
    PRE_ICMP,                   /* IPv4 with nw_proto 1 */
    PRE_ICMP6,                  /* IPv6 with nw_proto 58 */
} Prereq;

typedef struct {
    const char *name;
    uint16_t offset;            /* in VnsOvsKey */
    uint8_t size;               /* bytes */
    uint8_t kind;               /* FieldKind */
    uint8_t prereq;             /* Prereq */
    bool maskable;
} OvsField;

#define F(name, member, kind, pre, maskable) \
    { name, offsetof(VnsOvsKey, member), \
      sizeof(((VnsOvsKey *) 0)->member), kind, pre, maskable }

static const OvsField ovs_fields[] = {
    F("in_port", in_port, FK_INT, PRE_NONE, false),
    F("dl_src", dl_src, FK_MAC, PRE_NONE, true),
    F("eth_src", dl_src, FK_MAC, PRE_NONE, true),
    F("dl_dst", dl_dst, FK_MAC, PRE_NONE, true),
    F("eth_dst", dl_dst, FK_MAC, PRE_NONE, true),
    F("dl_type", dl_type, FK_INT, PRE_NONE, false),
    F("eth_type", dl_type, FK_INT, PRE_NONE, false),
    F("vlan_tci", vlan_tci, FK_INT, PRE_NONE, true),
    F("dl_vlan", vlan_tci, FK_VLAN_VID, PRE_NONE, false),
    F("dl_vlan_pcp", vlan_tci, FK_VLAN_PCP, PRE_NONE, false),
    F("nw_src", nw_src, FK_IP4, PRE_IP4_ARP, true),
    F("ip_src", nw_src, FK_IP4, PRE_IP4_ARP, true),
    F("arp_spa", nw_src, FK_IP4, PRE_IP4_ARP, true),
    F("nw_dst", nw_dst, FK_IP4, PRE_IP4_ARP, true),
    F("ip_dst", nw_dst, FK_IP4, PRE_IP4_ARP, true),
    F("arp_tpa", nw_dst, FK_IP4, PRE_IP4_ARP, true),
    F("ipv6_src", ipv6_src, FK_IP6, PRE_IP6, true),
    F("ipv6_dst", ipv6_dst, FK_IP6, PRE_IP6, true),
    F("nw_proto", nw_proto, FK_INT, PRE_IP_ARP, false),
    F("ip_proto", nw_proto, FK_INT, PRE_IP_ARP, false),
    F("arp_op", nw_proto, FK_INT, PRE_IP_ARP, false),
    F("tp_src", tp_src, FK_INT, PRE_L4, true),
    F("tp_dst", tp_dst, FK_INT, PRE_L4, true),
    F("tcp_src", tp_src, FK_INT, PRE_TCP, true),
    F("tcp_dst", tp_dst, FK_INT, PRE_TCP, true),
    F("udp_src", tp_src, FK_INT, PRE_UDP, true),
    F("udp_dst", tp_dst, FK_INT, PRE_UDP, true),
    F("sctp_src", tp_src, FK_INT, PRE_SCTP, true),
    F("sctp_dst", tp_dst, FK_INT, PRE_SCTP, true),
    F("icmp_type", icmp_type, FK_INT, PRE_ICMP, false),
    F("icmp_code", icmp_code, FK_INT, PRE_ICMP, false),
    F("icmpv6_type", icmp_type, FK_INT, PRE_ICMP6, false),
    F("icmpv6_code", icmp_code, FK_INT, PRE_ICMP6, false),
    F("tun_id", tun_id, FK_INT, PRE_NONE, true),
    F("tunnel_id", tun_id, FK_INT, PRE_NONE, true),
};

#undef F

#define OVS_FIELD_NAMES \
    "in_port, dl_src, dl_dst, dl_type, vlan_tci, dl_vlan, dl_vlan_pcp, " \
    "nw_src, nw_dst, ipv6_src, ipv6_dst, nw_proto, tp_src, tp_dst, " \
    "icmp_type, icmp_code, tun_id (and the OXM names eth_src, ip_src, " \
    "tcp_dst...)"

/* Shorthands (ovs-fields(7), "protocol" abbreviations). */
typedef struct {
    const char *name;
    uint16_t dl_type;
    int nw_proto;               /* -1 = not set */
} OvsShorthand;

static const OvsShorthand ovs_shorthands[] = {
    { "ip", VNS_ETHERTYPE_IPV4, -1 },
    { "ipv6", VNS_ETHERTYPE_IPV6, -1 },
    { "arp", VNS_ETHERTYPE_ARP, -1 },
    { "tcp", VNS_ETHERTYPE_IPV4, VNS_IPPROTO_TCP },
    { "udp", VNS_ETHERTYPE_IPV4, VNS_IPPROTO_UDP },
    { "sctp", VNS_ETHERTYPE_IPV4, VNS_IPPROTO_SCTP },
    { "icmp", VNS_ETHERTYPE_IPV4, VNS_IPPROTO_ICMP },
    { "tcp6", VNS_ETHERTYPE_IPV6, VNS_IPPROTO_TCP },
    { "udp6", VNS_ETHERTYPE_IPV6, VNS_IPPROTO_UDP },
    { "sctp6", VNS_ETHERTYPE_IPV6, VNS_IPPROTO_SCTP },
    { "icmp6", VNS_ETHERTYPE_IPV6, VNS_IPPROTO_ICMPV6 },
};

static const OvsField *
ovs_field_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ovs_fields); i++)
        if (strcmp(ovs_fields[i].name, name) == 0)
            return &ovs_fields[i];
    return NULL;
}

static void
ovs_bad(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static void
ovs_bad(GError **error, const char *format, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, format);
    msg = g_strdup_vprintf(format, ap);
    va_end(ap);
    g_set_error_literal(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_BAD_VALUE, msg);
    g_free(msg);
}

/* Parses an unsigned integer, decimal or 0x hex, of at most 'bits' bits. */
static bool
ovs_parse_uint(const char *text, unsigned bits, uint64_t *out)
{
    const char *p = text;
    char *end = NULL;
    int base = 10;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        base = 16;
    }
    if (!g_ascii_isxdigit(*p))
        return false;
    errno = 0;
    *out = g_ascii_strtoull(p, &end, base);
    if (errno != 0 || end == p || *end != '\0')
        return false;
    return bits >= 64 || *out < ((uint64_t) 1 << bits);
}

static void
ovs_store_uint(uint8_t *at, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: { uint8_t x = (uint8_t) v; memcpy(at, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t) v; memcpy(at, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t) v; memcpy(at, &x, 4); break; }
    default: memcpy(at, &v, 8); break;
    }
}

/* An IPv4 mask "/24" or "/255.255.255.0". */
static bool
ovs_parse_mask4(const char *text, uint32_t *mask)
{
    uint64_t len;

    if (strchr(text, '.') != NULL)
        return vns_ip4_parse(text, mask, NULL);
    if (!ovs_parse_uint(text, 8, &len) || len > 32)
        return false;
    *mask = len == 0 ? 0 : ~(uint32_t) 0 << (32 - len);
    return true;
}

static bool
ovs_parse_mask6(const char *text, uint8_t mask[16])
{
    uint64_t len;
    VnsIp6 m;

    if (strchr(text, ':') != NULL) {
        if (!vns_ip6_parse(text, &m, NULL))
            return false;
        memcpy(mask, m.b, 16);
        return true;
    }
    if (!ovs_parse_uint(text, 8, &len) || len > 128)
        return false;
    memset(mask, 0, 16);
    for (unsigned i = 0; i < len; i++)
        mask[i / 8] |= (uint8_t) (0x80 >> (i % 8));
    return true;
}

/* Parses the value (and mask) of field 'f' into value/mask bytes of its
 * size at 'v'/'m'. */
static bool
ovs_parse_value(const OvsField *f, const char *text, uint8_t *v, uint8_t *m,
                GError **error)
{
    g_autofree char *val = g_strdup(text);
    char *slash = strchr(val, '/');
    const char *mask_text = NULL;

    if (slash != NULL) {
        if (!f->maskable) {
            ovs_bad(error, "'%s' cannot be masked, expected '%s=VALUE' "
                    "without '/' (ovs-fields(7))", f->name, f->name);
            return false;
        }
        *slash = '\0';
        mask_text = slash + 1;
    }
    switch ((FieldKind) f->kind) {
    case FK_INT: {
        uint64_t x, mk = f->size == 8 ? UINT64_MAX
                                      : ((uint64_t) 1 << (8 * f->size)) - 1;
        if (!ovs_parse_uint(val, 8u * f->size, &x) ||
            (mask_text != NULL && !ovs_parse_uint(mask_text, 8u * f->size, &mk))) {
            ovs_bad(error, "'%s=%s' is not a %u-bit number, expected "
                    "decimal or 0x hex%s", f->name, text, 8u * f->size,
                    f->maskable ? " with an optional /mask" : "");
            return false;
        }
        ovs_store_uint(v, f->size, x & mk);
        ovs_store_uint(m, f->size, mk);
        return true;
    }
    case FK_MAC: {
        VnsMac mac, mask = VNS_MAC_BROADCAST;
        if (!vns_mac_parse(val, &mac, NULL) ||
            (mask_text != NULL && !vns_mac_parse(mask_text, &mask, NULL))) {
            ovs_bad(error, "'%s=%s' is not a MAC address, expected "
                    "xx:xx:xx:xx:xx:xx[/xx:xx:xx:xx:xx:xx]", f->name, text);
            return false;
        }
        for (int i = 0; i < 6; i++) {
            v[i] = mac.b[i] & mask.b[i];
            m[i] = mask.b[i];
        }
        return true;
    }
    case FK_IP4: {
        uint32_t a, mk = UINT32_MAX;
        if (!vns_ip4_parse(val, &a, NULL) ||
            (mask_text != NULL && !ovs_parse_mask4(mask_text, &mk))) {
            ovs_bad(error, "'%s=%s' is not an IPv4 address, expected "
                    "a.b.c.d, a.b.c.d/len or a.b.c.d/m.m.m.m", f->name, text);
            return false;
        }
        a &= mk;
        memcpy(v, &a, 4);
        memcpy(m, &mk, 4);
        return true;
    }
    case FK_IP6: {
        VnsIp6 a;
        uint8_t mk[16];
        memset(mk, 0xff, sizeof mk);
        if (!vns_ip6_parse(val, &a, NULL) ||
            (mask_text != NULL && !ovs_parse_mask6(mask_text, mk))) {
            ovs_bad(error, "'%s=%s' is not an IPv6 address, expected "
                    "x:x::x or x:x::x/len", f->name, text);
            return false;
        }
        for (int i = 0; i < 16; i++) {
            v[i] = a.b[i] & mk[i];
            m[i] = mk[i];
        }
        return true;
    }
    case FK_VLAN_VID: {
        uint64_t x;
        uint16_t tci, mk;
        if (!ovs_parse_uint(val, 16, &x) || (x > 4095 && x != 0xffff)) {
            ovs_bad(error, "'dl_vlan=%s' is not a VLAN id, expected 0 to "
                    "4095, or 0xffff for untagged frames", text);
            return false;
        }
        /* ovs-fields(7): dl_vlan=0xffff matches frames without a tag. */
        tci = x == 0xffff ? 0 : (uint16_t) (x | VNS_OVS_VLAN_PRESENT);
        mk = x == 0xffff ? 0xffff : VNS_OVS_VLAN_PRESENT | VNS_OVS_VLAN_VID_MASK;
        memcpy(v, &tci, 2);
        memcpy(m, &mk, 2);
        return true;
    }
    case FK_VLAN_PCP: {
        uint64_t x;
        uint16_t tci, mk = 0xe000 | VNS_OVS_VLAN_PRESENT;
        if (!ovs_parse_uint(val, 3, &x)) {
            ovs_bad(error, "'dl_vlan_pcp=%s' is not a priority, expected 0 "
                    "to 7", text);
            return false;
        }
        tci = (uint16_t) (x << 13 | VNS_OVS_VLAN_PRESENT);
        memcpy(v, &tci, 2);
        memcpy(m, &mk, 2);
        return true;
    }
    }
    return false;
}

/* The exact value of dl_type and nw_proto in a match, or -1. */
static int
ovs_match_dl_type(const VnsOvsMatch *m)
{
    return m->mask.dl_type == 0xffff ? m->value.dl_type : -1;
}

static int
ovs_match_proto(const VnsOvsMatch *m)
{
    return m->mask.nw_proto == 0xff ? m->value.nw_proto : -1;
}

static bool
ovs_prereq_ok(const VnsOvsMatch *m, Prereq pre)
{
    int dl = ovs_match_dl_type(m), pr = ovs_match_proto(m);
    bool ip4 = dl == VNS_ETHERTYPE_IPV4, ip6 = dl == VNS_ETHERTYPE_IPV6;

    switch (pre) {
    case PRE_NONE:
        return true;
    case PRE_IP4_ARP:
        return ip4 || dl == VNS_ETHERTYPE_ARP;
    case PRE_IP6:
        return ip6;
    case PRE_IP_ARP:
        return ip4 || ip6 || dl == VNS_ETHERTYPE_ARP;
    case PRE_L4:
        return (ip4 || ip6) && (pr == VNS_IPPROTO_TCP || pr == VNS_IPPROTO_UDP ||
                                pr == VNS_IPPROTO_SCTP);
    case PRE_TCP:
        return (ip4 || ip6) && pr == VNS_IPPROTO_TCP;
    case PRE_UDP:
        return (ip4 || ip6) && pr == VNS_IPPROTO_UDP;
    case PRE_SCTP:
        return (ip4 || ip6) && pr == VNS_IPPROTO_SCTP;
    case PRE_ICMP:
        return ip4 && pr == VNS_IPPROTO_ICMP;
    case PRE_ICMP6:
        return ip6 && pr == VNS_IPPROTO_ICMPV6;
    }
    return false;
}

static const char *
ovs_prereq_text(Prereq pre)
{
    switch (pre) {
    case PRE_IP4_ARP: return "'ip' or 'arp' (dl_type=0x0800 or 0x0806)";
    case PRE_IP6: return "'ipv6' (dl_type=0x86dd)";
    case PRE_IP_ARP: return "'ip', 'ipv6' or 'arp'";
    case PRE_L4: return "'tcp', 'udp' or 'sctp' (or their IPv6 forms)";
    case PRE_TCP: return "'tcp' or 'tcp6'";
    case PRE_UDP: return "'udp' or 'udp6'";
    case PRE_SCTP: return "'sctp' or 'sctp6'";
    case PRE_ICMP: return "'icmp'";
    case PRE_ICMP6: return "'icmp6'";
    default: return "nothing";
    }
}

/* Sets bytes [off, off + n) of value and mask; fails if the mask already
 * covers any of them (a field given twice, or a shorthand and the field). */
static bool
ovs_match_set(VnsOvsMatch *out, size_t off, size_t n, const uint8_t *v,
              const uint8_t *m, const char *what, GError **error)
{
    uint8_t *ov = (uint8_t *) &out->value + off, *om = (uint8_t *) &out->mask + off;

    for (size_t i = 0; i < n; i++)
        if (om[i] & m[i]) {
            ovs_bad(error, "'%s' sets a field that the match already sets, "
                    "expected each field at most once", what);
            return false;
        }
    for (size_t i = 0; i < n; i++) {
        ov[i] |= v[i];
        om[i] |= m[i];
    }
    return true;
}

/*
 * vns_ovs_match_parse:
 * Parses an ovs-ofctl(8) match, comma-separated 'field=value[/mask]' items
 * and shorthands ('tcp,nw_dst=10.0.0.0/24,tp_dst=80'); an empty text
 * matches everything. Checks the OpenFlow prerequisites of every field.
 * Returns false with a message naming the bad item and the expected
 * syntax.
 */
bool
vns_ovs_match_parse(const char *text, VnsOvsMatch *out, GError **error)
{
    g_auto(GStrv) items = g_strsplit(text, ",", -1);
    Prereq pre[G_N_ELEMENTS(ovs_fields)];
    const char *pre_name[G_N_ELEMENTS(ovs_fields)];
    size_t n_pre = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; items[i] != NULL; i++) {
        char *item = g_strstrip(items[i]);
        char *eq = strchr(item, '=');
        const OvsField *f;
        uint8_t v[16], m[16];

        if (*item == '\0') {
            if (items[1] == NULL)
                break;          /* "" matches everything */
            ovs_bad(error, "empty item in match '%s', expected "
                    "'field=value' items separated by single commas", text);
            return false;
        }
        if (eq == NULL) {
            const OvsShorthand *s = NULL;
            for (size_t k = 0; k < G_N_ELEMENTS(ovs_shorthands); k++)
                if (strcmp(ovs_shorthands[k].name, item) == 0)
                    s = &ovs_shorthands[k];
            if (s == NULL) {
                ovs_bad(error, "unknown match item '%s', expected "
                        "'field=value' or one of ip, ipv6, arp, tcp, udp, "
                        "sctp, icmp, tcp6, udp6, sctp6, icmp6", item);
                return false;
            }
            uint16_t dl = s->dl_type, dlm = 0xffff;
            if (!ovs_match_set(out, offsetof(VnsOvsKey, dl_type), 2,
                               (uint8_t *) &dl, (uint8_t *) &dlm, item, error))
                return false;
            if (s->nw_proto >= 0) {
                uint8_t p = (uint8_t) s->nw_proto, pm = 0xff;
                if (!ovs_match_set(out, offsetof(VnsOvsKey, nw_proto), 1,
                                   &p, &pm, item, error))
                    return false;
            }
            continue;
        }
        *eq = '\0';
        g_strstrip(item);
        f = ovs_field_find(item);
        if (f == NULL) {
            if (strcmp(item, "priority") == 0 || strcmp(item, "table") == 0 ||
                strcmp(item, "actions") == 0 || strcmp(item, "idle_timeout") == 0 ||
                strcmp(item, "hard_timeout") == 0 || strcmp(item, "cookie") == 0)
                ovs_bad(error, "'%s' is not a match field here, expected it "
                        "as the <flow> attribute of that name", item);
            else
                ovs_bad(error, "unknown match field '%s', expected one of "
                        OVS_FIELD_NAMES, item);
            return false;
        }
        if (!ovs_parse_value(f, g_strstrip(eq + 1), v, m, error) ||
            !ovs_match_set(out, f->offset, f->size, v, m, f->name, error))
            return false;
        pre[n_pre] = (Prereq) f->prereq;
        pre_name[n_pre++] = f->name;
    }
    for (size_t i = 0; i < n_pre; i++)
        if (!ovs_prereq_ok(out, pre[i])) {
            ovs_bad(error, "'%s' needs %s in the same match (OpenFlow 1.3 "
                    "prerequisites, ovs-fields(7))", pre_name[i],
                    ovs_prereq_text(pre[i]));
            return false;
        }
    return true;
}

/*
 * vns_ovs_hash_fields_parse:
 * Parses a comma-separated list of field names (a select group's 'fields')
 * into a mask with every bit of those fields set.
 */
bool
vns_ovs_hash_fields_parse(const char *text, VnsOvsKey *mask, GError **error)
{
    g_auto(GStrv) items = g_strsplit(text, ",", -1);

    memset(mask, 0, sizeof *mask);
    for (size_t i = 0; items[i] != NULL; i++) {
        const char *name = g_strstrip(items[i]);
        const OvsField *f = ovs_field_find(name);

        if (f == NULL) {
            ovs_bad(error, "unknown field '%s', expected a comma-separated "
                    "list of " OVS_FIELD_NAMES, name);
            return false;
        }
        memset((uint8_t *) mask + f->offset, 0xff, f->size);
    }
    return true;
}

/* ---- Actions ------------------------------------------------------------ */

typedef struct {
    const char *name;
    uint8_t field;              /* VnsOvsSetField */
    uint8_t kind;               /* FieldKind of the value */
    uint8_t bits;               /* FK_INT: width */
} OvsSetTarget;

static const OvsSetTarget ovs_set_targets[] = {
    { "eth_src", VNS_OVS_SET_ETH_SRC, FK_MAC, 0 },
    { "dl_src", VNS_OVS_SET_ETH_SRC, FK_MAC, 0 },
    { "eth_dst", VNS_OVS_SET_ETH_DST, FK_MAC, 0 },
    { "dl_dst", VNS_OVS_SET_ETH_DST, FK_MAC, 0 },
    { "ip_src", VNS_OVS_SET_IP4_SRC, FK_IP4, 0 },
    { "nw_src", VNS_OVS_SET_IP4_SRC, FK_IP4, 0 },
    { "ip_dst", VNS_OVS_SET_IP4_DST, FK_IP4, 0 },
    { "nw_dst", VNS_OVS_SET_IP4_DST, FK_IP4, 0 },
    { "ipv6_src", VNS_OVS_SET_IP6_SRC, FK_IP6, 0 },
    { "ipv6_dst", VNS_OVS_SET_IP6_DST, FK_IP6, 0 },
    { "tp_src", VNS_OVS_SET_TP_SRC, FK_INT, 16 },
    { "tcp_src", VNS_OVS_SET_TP_SRC, FK_INT, 16 },
    { "udp_src", VNS_OVS_SET_TP_SRC, FK_INT, 16 },
    { "sctp_src", VNS_OVS_SET_TP_SRC, FK_INT, 16 },
    { "tp_dst", VNS_OVS_SET_TP_DST, FK_INT, 16 },
    { "tcp_dst", VNS_OVS_SET_TP_DST, FK_INT, 16 },
    { "udp_dst", VNS_OVS_SET_TP_DST, FK_INT, 16 },
    { "sctp_dst", VNS_OVS_SET_TP_DST, FK_INT, 16 },
    { "vlan_vid", VNS_OVS_SET_VLAN_VID, FK_INT, 13 },
    { "vlan_pcp", VNS_OVS_SET_VLAN_PCP, FK_INT, 3 },
    { "tun_id", VNS_OVS_SET_TUN_ID, FK_INT, 64 },
    { "tunnel_id", VNS_OVS_SET_TUN_ID, FK_INT, 64 },
};

/* The old-style modification actions (ovs-actions(7)) and the set_field
 * target each stands for. */
static const struct {
    const char *name;
    const char *target;
} ovs_mod_aliases[] = {
    { "mod_dl_src", "eth_src" },
    { "mod_dl_dst", "eth_dst" },
    { "mod_nw_src", "ip_src" },
    { "mod_nw_dst", "ip_dst" },
    { "mod_tp_src", "tp_src" },
    { "mod_tp_dst", "tp_dst" },
    { "mod_vlan_vid", "vlan_vid" },
    { "mod_vlan_pcp", "vlan_pcp" },
    { "set_tunnel", "tun_id" },
    { "set_tunnel64", "tun_id" },
};

#define OVS_ACTION_NAMES \
    "output:N, N, in_port, flood, all, normal, drop, group:N, " \
    "goto_table:N, set_field:VALUE->FIELD, mod_dl_src/mod_dl_dst/" \
    "mod_nw_src/mod_nw_dst/mod_tp_src/mod_tp_dst/mod_vlan_vid/" \
    "mod_vlan_pcp:VALUE, set_tunnel:N, push_vlan:0x8100, pop_vlan, " \
    "strip_vlan"

/* Fills a SET_FIELD action from target 'name' and value text. */
static bool
ovs_parse_set(const char *name, const char *value, VnsOvsAction *a,
              GError **error)
{
    const OvsSetTarget *t = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(ovs_set_targets); i++)
        if (strcmp(ovs_set_targets[i].name, name) == 0)
            t = &ovs_set_targets[i];
    if (t == NULL) {
        ovs_bad(error, "cannot set field '%s', expected one of eth_src, "
                "eth_dst, ip_src, ip_dst, ipv6_src, ipv6_dst, tp_src, tp_dst "
                "(tcp_/udp_/sctp_), vlan_vid, vlan_pcp, tun_id", name);
        return false;
    }
    a->type = VNS_OVS_ACT_SET_FIELD;
    a->field = t->field;
    switch ((FieldKind) t->kind) {
    case FK_MAC: {
        VnsMac mac;
        if (!vns_mac_parse(value, &mac, NULL)) {
            ovs_bad(error, "'%s' is not a MAC address for '%s', expected "
                    "xx:xx:xx:xx:xx:xx", value, name);
            return false;
        }
        memcpy(a->bytes, mac.b, 6);
        return true;
    }
    case FK_IP4: {
        uint32_t ip;
        if (!vns_ip4_parse(value, &ip, NULL)) {
            ovs_bad(error, "'%s' is not an IPv4 address for '%s', expected "
                    "a.b.c.d", value, name);
            return false;
        }
        a->u64 = ip;
        return true;
    }
    case FK_IP6: {
        VnsIp6 ip;
        if (!vns_ip6_parse(value, &ip, NULL)) {
            ovs_bad(error, "'%s' is not an IPv6 address for '%s', expected "
                    "x:x::x", value, name);
            return false;
        }
        memcpy(a->bytes, ip.b, 16);
        return true;
    }
    default:
        if (!ovs_parse_uint(value, t->bits, &a->u64)) {
            ovs_bad(error, "'%s' is not a %u-bit number for '%s', expected "
                    "decimal or 0x hex", value, t->bits, name);
            return false;
        }
        /* OpenFlow 1.2+ writes vlan_vid with OFPVID_PRESENT (0x1000);
         * both forms are accepted. */
        if (t->field == VNS_OVS_SET_VLAN_VID)
            a->u64 &= VNS_OVS_VLAN_VID_MASK;
        return true;
    }
}

/* Parses one action item into 'a'. */
static bool
ovs_parse_action(char *item, VnsOvsAction *a, GError **error)
{
    char *colon = strchr(item, ':');
    const char *arg = colon != NULL ? colon + 1 : NULL;
    uint64_t n;

    memset(a, 0, sizeof *a);
    if (colon != NULL)
        *colon = '\0';
    if (arg == NULL && ovs_parse_uint(item, 32, &n)) {
        a->type = VNS_OVS_ACT_OUTPUT;
        a->arg = (uint32_t) n;
        return true;
    }
    if (arg == NULL) {
        if (g_ascii_strcasecmp(item, "normal") == 0)
            a->type = VNS_OVS_ACT_NORMAL;
        else if (strcmp(item, "in_port") == 0)
            a->type = VNS_OVS_ACT_IN_PORT;
        else if (strcmp(item, "flood") == 0 || strcmp(item, "all") == 0)
            a->type = VNS_OVS_ACT_FLOOD;
        else if (strcmp(item, "pop_vlan") == 0 || strcmp(item, "strip_vlan") == 0)
            a->type = VNS_OVS_ACT_POP_VLAN;
        else
            goto unknown;
        return true;
    }
    if (strcmp(item, "output") == 0 || strcmp(item, "group") == 0 ||
        strcmp(item, "goto_table") == 0) {
        if (!ovs_parse_uint(arg, 32, &n)) {
            ovs_bad(error, "'%s:%s' needs a number, expected '%s:N'", item,
                    arg, item);
            return false;
        }
        a->type = item[0] == 'o' ? VNS_OVS_ACT_OUTPUT
                  : item[0] == 'g' && item[1] == 'r' ? VNS_OVS_ACT_GROUP
                  : VNS_OVS_ACT_GOTO_TABLE;
        a->arg = (uint32_t) n;
        return true;
    }
    if (strcmp(item, "push_vlan") == 0) {
        if (!ovs_parse_uint(arg, 16, &n) ||
            (n != VNS_ETHERTYPE_VLAN && n != VNS_ETHERTYPE_QINQ)) {
            ovs_bad(error, "'push_vlan:%s' has a bad TPID, expected "
                    "push_vlan:0x8100 or push_vlan:0x88a8", arg);
            return false;
        }
        a->type = VNS_OVS_ACT_PUSH_VLAN;
        a->arg = (uint32_t) n;
        return true;
    }
    if (strcmp(item, "set_field") == 0) {
        g_autofree char *copy = g_strdup(arg);
        char *arrow = strstr(copy, "->");
        if (arrow == NULL) {
            ovs_bad(error, "'set_field:%s' has no '->', expected "
                    "set_field:VALUE->FIELD", arg);
            return false;
        }
        *arrow = '\0';
        if (strchr(copy, '/') != NULL) {
            ovs_bad(error, "'set_field:%s' is masked, expected an unmasked "
                    "VALUE (masked set_field is not modelled)", arg);
            return false;
        }
        return ovs_parse_set(g_strstrip(arrow + 2), g_strstrip(copy), a, error);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ovs_mod_aliases); i++)
        if (strcmp(ovs_mod_aliases[i].name, item) == 0)
            return ovs_parse_set(ovs_mod_aliases[i].target, arg, a, error);
    if (colon != NULL)
        *colon = ':';
unknown:
    ovs_bad(error, "unknown action '%s', expected one of " OVS_ACTION_NAMES,
            item);
    return false;
}

/*
 * vns_ovs_actions_parse:
 * Parses ovs-ofctl(8) actions, comma-separated, into 'out' (an array of
 * VnsOvsAction). "drop" (alone) gives no actions. goto_table must come
 * last, as ovs-ofctl requires of instructions. OpenFlow port numbers,
 * group ids and tables are left for the caller to resolve.
 */
bool
vns_ovs_actions_parse(const char *text, GArray *out, GError **error)
{
    g_auto(GStrv) items = g_strsplit(text, ",", -1);
    guint n_items = g_strv_length(items);

    for (guint i = 0; i < n_items; i++) {
        char *item = g_strstrip(items[i]);
        VnsOvsAction a;

        if (strcmp(item, "drop") == 0) {
            if (n_items != 1) {
                ovs_bad(error, "'drop' is combined with other actions in "
                        "'%s', expected 'drop' alone", text);
                return false;
            }
            return true;
        }
        if (*item == '\0') {
            ovs_bad(error, "empty action in '%s', expected actions "
                    "separated by single commas, or 'drop'", text);
            return false;
        }
        if (!ovs_parse_action(item, &a, error))
            return false;
        if (a.type == VNS_OVS_ACT_GOTO_TABLE && i + 1 != n_items) {
            ovs_bad(error, "goto_table is not the last action in '%s', "
                    "expected it last (an OpenFlow instruction)", text);
            return false;
        }
        g_array_append_val(out, a);
    }
    return true;
}

/*
 * vns_ovs_actions_check:
 * Checks that every set_field has its prerequisites in 'match' (ovs-ofctl
 * refuses e.g. mod_nw_dst without 'ip' in the match).
 */
bool
vns_ovs_actions_check(const VnsOvsAction *acts, guint n, const VnsOvsMatch *match,
                      GError **error)
{
    int dl = ovs_match_dl_type(match);

    for (guint i = 0; i < n; i++) {
        const char *what, *need;
        bool ok;

        if (acts[i].type != VNS_OVS_ACT_SET_FIELD)
            continue;
        switch (acts[i].field) {
        case VNS_OVS_SET_IP4_SRC:
        case VNS_OVS_SET_IP4_DST:
            ok = dl == VNS_ETHERTYPE_IPV4;
            what = "setting an IPv4 address";
            need = "'ip' (dl_type=0x0800)";
            break;
        case VNS_OVS_SET_IP6_SRC:
        case VNS_OVS_SET_IP6_DST:
            ok = dl == VNS_ETHERTYPE_IPV6;
            what = "setting an IPv6 address";
            need = ovs_prereq_text(PRE_IP6);
            break;
        case VNS_OVS_SET_TP_SRC:
        case VNS_OVS_SET_TP_DST:
            ok = ovs_prereq_ok(match, PRE_L4);
            what = "setting a port";
            need = ovs_prereq_text(PRE_L4);
            break;
        default:
            continue;
        }
        if (!ok) {
            ovs_bad(error, "%s needs %s in the flow's match (OpenFlow 1.3 "
                    "prerequisites)", what, need);
            return false;
        }
    }
    return true;
}

/* ---- Keys --------------------------------------------------------------- */

/*
 * vns_ovs_key_extract:
 * Fills 'key' from the Ethernet frame at pkt's data[0] (parsed through the
 * packet's cached flow key), its tunnel metadata, and the OpenFlow port
 * 'ofport' it arrived on. ARP's opcode and addresses go to nw_proto,
 * nw_src and nw_dst, as in OVS.
 */
void
vns_ovs_key_extract(VnsOvsKey *key, VnsPacket *pkt, uint32_t ofport)
{
    const VnsFlowKey *fk = vns_packet_flow_key(pkt);
    const uint8_t *data = vns_packet_data(pkt);
    uint32_t l3 = VNS_ETH_HLEN;

    memset(key, 0, sizeof *key);
    key->in_port = ofport;
    key->tun_id = pkt->tun_valid ? pkt->tun_id : 0;
    memcpy(key->dl_src, fk->eth_src.b, 6);
    memcpy(key->dl_dst, fk->eth_dst.b, 6);
    key->dl_type = fk->ethertype;
    if (pkt->len >= VNS_ETH_HLEN + VNS_VLAN_HLEN) {
        uint16_t tpid = vns_wire_get16(data + 12);
        if (tpid == VNS_ETHERTYPE_VLAN || tpid == VNS_ETHERTYPE_QINQ) {
            key->vlan_tci = vns_wire_get16(data + 14) | VNS_OVS_VLAN_PRESENT;
            l3 += VNS_VLAN_HLEN;
        }
    }
    if (fk->family == VNS_IP_V4) {
        key->nw_src = fk->src.v4;
        key->nw_dst = fk->dst.v4;
        key->nw_proto = fk->proto;
    } else if (fk->family == VNS_IP_V6) {
        memcpy(key->ipv6_src, fk->src.v6.b, 16);
        memcpy(key->ipv6_dst, fk->dst.v6.b, 16);
        key->nw_proto = fk->proto;
    } else if (fk->ethertype == VNS_ETHERTYPE_ARP && pkt->len >= l3 + 28) {
        /* RFC 826: opcode at 6, sender IP at 14, target IP at 24. */
        key->nw_proto = data[l3 + 7];
        key->nw_src = vns_wire_get32(data + l3 + 14);
        key->nw_dst = vns_wire_get32(data + l3 + 24);
    }
    if (fk->family != VNS_IP_NONE && pkt->l4_off != VNS_OFF_NONE &&
        fk->frag != VNS_FLOW_FRAG_LATER) {
        switch (fk->proto) {
        case VNS_IPPROTO_TCP:
        case VNS_IPPROTO_UDP:
        case VNS_IPPROTO_SCTP:
            key->tp_src = fk->sport;
            key->tp_dst = fk->dport;
            break;
        case VNS_IPPROTO_ICMP:
        case VNS_IPPROTO_ICMPV6:
            key->icmp_type = fk->icmp_type;
            key->icmp_code = fk->icmp_code;
            break;
        default:
            break;
        }
    }
}

static bool
ovs_key_has_l4_ports(const VnsOvsKey *key)
{
    return (key->dl_type == VNS_ETHERTYPE_IPV4 || key->dl_type == VNS_ETHERTYPE_IPV6) &&
           (key->nw_proto == VNS_IPPROTO_TCP || key->nw_proto == VNS_IPPROTO_UDP ||
            key->nw_proto == VNS_IPPROTO_SCTP);
}

/*
 * vns_ovs_key_apply:
 * Applies a header-changing action to 'key' the way the packet will change
 * (the table walk matches later tables against the changed key). Other
 * actions leave it alone.
 */
void
vns_ovs_key_apply(VnsOvsKey *key, const VnsOvsAction *a)
{
    bool tagged = (key->vlan_tci & VNS_OVS_VLAN_PRESENT) != 0;

    if (a->type == VNS_OVS_ACT_PUSH_VLAN) {
        if (!tagged)
            key->vlan_tci = VNS_OVS_VLAN_PRESENT;
        return;
    }
    if (a->type == VNS_OVS_ACT_POP_VLAN) {
        key->vlan_tci = 0;
        return;
    }
    if (a->type != VNS_OVS_ACT_SET_FIELD)
        return;
    switch ((VnsOvsSetField) a->field) {
    case VNS_OVS_SET_ETH_SRC:
        memcpy(key->dl_src, a->bytes, 6);
        break;
    case VNS_OVS_SET_ETH_DST:
        memcpy(key->dl_dst, a->bytes, 6);
        break;
    case VNS_OVS_SET_IP4_SRC:
        if (key->dl_type == VNS_ETHERTYPE_IPV4)
            key->nw_src = (uint32_t) a->u64;
        break;
    case VNS_OVS_SET_IP4_DST:
        if (key->dl_type == VNS_ETHERTYPE_IPV4)
            key->nw_dst = (uint32_t) a->u64;
        break;
    case VNS_OVS_SET_IP6_SRC:
        if (key->dl_type == VNS_ETHERTYPE_IPV6)
            memcpy(key->ipv6_src, a->bytes, 16);
        break;
    case VNS_OVS_SET_IP6_DST:
        if (key->dl_type == VNS_ETHERTYPE_IPV6)
            memcpy(key->ipv6_dst, a->bytes, 16);
        break;
    case VNS_OVS_SET_TP_SRC:
        if (ovs_key_has_l4_ports(key))
            key->tp_src = (uint16_t) a->u64;
        break;
    case VNS_OVS_SET_TP_DST:
        if (ovs_key_has_l4_ports(key))
            key->tp_dst = (uint16_t) a->u64;
        break;
    case VNS_OVS_SET_VLAN_VID:
        key->vlan_tci = (uint16_t) ((tagged ? key->vlan_tci & 0xe000 : 0) |
                                    VNS_OVS_VLAN_PRESENT | a->u64);
        break;
    case VNS_OVS_SET_VLAN_PCP:
        key->vlan_tci = (uint16_t) ((tagged ? key->vlan_tci & VNS_OVS_VLAN_VID_MASK : 0) |
                                    VNS_OVS_VLAN_PRESENT | a->u64 << 13);
        break;
    case VNS_OVS_SET_TUN_ID:
        key->tun_id = a->u64;
        break;
    }
}

/* ---- Packets ------------------------------------------------------------ */

/* Offset of the transport checksum that covers the IP pseudo-header
 * (RFC 9293 3.1, RFC 768, RFC 4443 2.3), or -1 (ICMPv4 has no
 * pseudo-header; SCTP's CRC32c covers no IP field). */
static int
ovs_l4_csum_offset(uint8_t proto, uint8_t family)
{
    switch (proto) {
    case VNS_IPPROTO_TCP: return 16;
    case VNS_IPPROTO_UDP: return 6;
    case VNS_IPPROTO_ICMPV6: return family == VNS_IP_V6 ? 2 : -1;
    default: return -1;
    }
}

/* Updates the transport checksum of the parsed packet for the 16-bit words
 * old[0..n) becoming new[0..n) (big-endian byte pairs). UDP's zero
 * checksum means "none" over IPv4 and stays; a computed zero is sent as
 * 0xffff (RFC 768). */
static void
ovs_l4_csum_update(VnsPacket *pkt, const VnsFlowKey *fk, const uint8_t *old,
                   const uint8_t *new, size_t n_words)
{
    int off;
    uint8_t *p;
    uint16_t c;

    if (pkt->l4_off == VNS_OFF_NONE || fk->frag == VNS_FLOW_FRAG_LATER)
        return;
    off = ovs_l4_csum_offset(fk->proto, fk->family);
    if (off < 0 || pkt->len < (uint32_t) pkt->l4_off + (uint32_t) off + 2)
        return;
    p = vns_packet_data(pkt) + pkt->l4_off + off;
    c = vns_wire_get16(p);
    if (fk->proto == VNS_IPPROTO_UDP && c == 0 && fk->family == VNS_IP_V4)
        return;
    for (size_t i = 0; i < n_words; i++)
        c = vns_csum_update16(c, vns_wire_get16(old + 2 * i),
                              vns_wire_get16(new + 2 * i));
    if (fk->proto == VNS_IPPROTO_UDP && c == 0)
        c = 0xffff;
    vns_wire_put16(p, c);
}

/* Writes a VLAN tag's TCI, adding an 802.1Q tag when the frame has none. */
static void
ovs_set_tci(VnsPacket *pkt, uint16_t keep_mask, uint16_t bits)
{
    uint8_t *d = vns_packet_data(pkt);
    uint16_t tpid;

    if (pkt->len < VNS_ETH_HLEN)
        return;
    tpid = vns_wire_get16(d + 12);
    if ((tpid == VNS_ETHERTYPE_VLAN || tpid == VNS_ETHERTYPE_QINQ) &&
        pkt->len >= VNS_ETH_HLEN + VNS_VLAN_HLEN) {
        uint16_t tci = vns_wire_get16(d + 14);
        vns_wire_put16(d + 14, (uint16_t) ((tci & keep_mask) | bits));
        vns_packet_invalidate(pkt);
    } else {
        /* ovs-actions(7) mod_vlan_vid / mod_vlan_pcp: a tag is added
         * when there is none, with priority (or VID) zero. */
        VnsVlanHdr h = { .pcp = (uint8_t) (bits >> 13),
                         .vid = bits & VNS_OVS_VLAN_VID_MASK };
        vns_vlan_insert(pkt, VNS_ETHERTYPE_VLAN, &h);
    }
}

static void
ovs_set_ip4(VnsPacket *pkt, bool src, uint32_t addr)
{
    const VnsFlowKey *fk = vns_packet_flow_key(pkt);
    uint8_t old[4], new[4];
    uint8_t *ip;

    if (fk->family != VNS_IP_V4 || pkt->l3_off == VNS_OFF_NONE ||
        pkt->len < (uint32_t) pkt->l3_off + 20)
        return;
    ip = vns_packet_data(pkt) + pkt->l3_off;
    memcpy(old, ip + (src ? 12 : 16), 4);
    vns_wire_put32(new, addr);
    /* Header checksum (RFC 791) by vns_ipv4_set_*, then the transport
     * checksum over the pseudo-header. */
    if (src)
        vns_ipv4_set_src(ip, addr);
    else
        vns_ipv4_set_dst(ip, addr);
    ovs_l4_csum_update(pkt, fk, old, new, 2);
    vns_packet_invalidate(pkt);
}

static void
ovs_set_ip6(VnsPacket *pkt, bool src, const uint8_t addr[16])
{
    const VnsFlowKey *fk = vns_packet_flow_key(pkt);
    uint8_t old[16];
    uint8_t *at;

    if (fk->family != VNS_IP_V6 || pkt->l3_off == VNS_OFF_NONE ||
        pkt->len < (uint32_t) pkt->l3_off + 40)
        return;
    at = vns_packet_data(pkt) + pkt->l3_off + (src ? 8 : 24);
    memcpy(old, at, 16);
    memcpy(at, addr, 16);
    ovs_l4_csum_update(pkt, fk, old, addr, 8);
    vns_packet_invalidate(pkt);
}

static void
ovs_set_port(VnsPacket *pkt, bool src, uint16_t port)
{
    const VnsFlowKey *fk = vns_packet_flow_key(pkt);
    uint8_t old[2], new[2];
    uint8_t *at;

    if (pkt->l4_off == VNS_OFF_NONE || fk->frag == VNS_FLOW_FRAG_LATER ||
        (fk->proto != VNS_IPPROTO_TCP && fk->proto != VNS_IPPROTO_UDP &&
         fk->proto != VNS_IPPROTO_SCTP) ||
        pkt->len < (uint32_t) pkt->l4_off + 4)
        return;
    at = vns_packet_data(pkt) + pkt->l4_off + (src ? 0 : 2);
    memcpy(old, at, 2);
    vns_wire_put16(new, port);
    memcpy(at, new, 2);
    /* The port is covered by the TCP/UDP checksum itself. */
    ovs_l4_csum_update(pkt, fk, old, new, 1);
    vns_packet_invalidate(pkt);
}

/*
 * vns_ovs_packet_apply:
 * Applies a header-changing action to the Ethernet frame at pkt's data[0],
 * with correct IPv4 header and transport checksums; a field the packet
 * does not carry is left alone. Other actions do nothing here.
 */
void
vns_ovs_packet_apply(VnsPacket *pkt, const VnsOvsAction *a)
{
    uint8_t *d = vns_packet_data(pkt);

    if (a->type == VNS_OVS_ACT_PUSH_VLAN) {
        /* OpenFlow 1.3 section 5.12.1: a new outer tag copies the VID and
         * PCP of the existing outer tag, if any, else they are zero. */
        VnsVlanHdr h = { 0 };
        if (pkt->len >= VNS_ETH_HLEN + VNS_VLAN_HLEN) {
            uint16_t tpid = vns_wire_get16(d + 12);
            if (tpid == VNS_ETHERTYPE_VLAN || tpid == VNS_ETHERTYPE_QINQ)
                vns_vlan_parse(d + VNS_ETH_HLEN, VNS_VLAN_HLEN, &h);
        }
        vns_vlan_insert(pkt, (uint16_t) a->arg, &h);
        return;
    }
    if (a->type == VNS_OVS_ACT_POP_VLAN) {
        vns_vlan_strip(pkt, NULL);
        return;
    }
    if (a->type != VNS_OVS_ACT_SET_FIELD)
        return;
    switch ((VnsOvsSetField) a->field) {
    case VNS_OVS_SET_ETH_SRC:
    case VNS_OVS_SET_ETH_DST:
        if (pkt->len >= VNS_ETH_HLEN) {
            memcpy(d + (a->field == VNS_OVS_SET_ETH_DST ? 0 : 6), a->bytes, 6);
            vns_packet_invalidate(pkt);
        }
        break;
    case VNS_OVS_SET_IP4_SRC:
    case VNS_OVS_SET_IP4_DST:
        ovs_set_ip4(pkt, a->field == VNS_OVS_SET_IP4_SRC, (uint32_t) a->u64);
        break;
    case VNS_OVS_SET_IP6_SRC:
    case VNS_OVS_SET_IP6_DST:
        ovs_set_ip6(pkt, a->field == VNS_OVS_SET_IP6_SRC, a->bytes);
        break;
    case VNS_OVS_SET_TP_SRC:
    case VNS_OVS_SET_TP_DST:
        ovs_set_port(pkt, a->field == VNS_OVS_SET_TP_SRC, (uint16_t) a->u64);
        break;
    case VNS_OVS_SET_VLAN_VID:
        ovs_set_tci(pkt, 0xf000, (uint16_t) a->u64);
        break;
    case VNS_OVS_SET_VLAN_PCP:
        ovs_set_tci(pkt, 0x1fff, (uint16_t) (a->u64 << 13));
        break;
    case VNS_OVS_SET_TUN_ID:
        pkt->tun_id = a->u64;
        pkt->tun_valid = true;
        break;
    }
}

/* The 64-bit finalizer of MurmurHash3 (public domain constants). */
static inline uint64_t
ovs_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/*
 * vns_ovs_key_hash:
 * Hashes the bits of 'key' under 'mask' (NULL: all of them) with 'seed'.
 */
uint64_t
vns_ovs_key_hash(const VnsOvsKey *key, const VnsOvsKey *mask, uint64_t seed)
{
    uint64_t h = ovs_mix64(seed ^ UINT64_C(0x9e3779b97f4a7c15));

    for (size_t i = 0; i < VNS_OVS_KEY_WORDS; i++) {
        uint64_t w = vns_ovs_key_word(key, i);
        if (mask != NULL)
            w &= vns_ovs_key_word(mask, i);
        h = ovs_mix64(h ^ (w + i * UINT64_C(0x9e3779b97f4a7c15)));
    }
    return h;
}
