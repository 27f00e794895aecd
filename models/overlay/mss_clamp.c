/* TCP MSS clamping: the element type "mss-clamp", as iptables' TCPMSS
 * target in the mangle table (net/netfilter/xt_TCPMSS.c):
 *
 *   iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN \
 *            -j TCPMSS --set-mss 1360        (or --clamp-to-pmtu)
 *
 * A function registered at the host's forward (or postrouting, or output)
 * hook looks at TCP segments with SYN set and RST clear (SYN and SYN-ACK).
 * If the MSS option is larger than the target it is lowered to the target
 * and the TCP checksum updated incrementally (RFC 1624), as
 * tcpmss_mangle_packet() does; a smaller MSS is left alone. A SYN without
 * an MSS option and without data gets one, inserted first among the
 * options, of min(target, 536) over IPv4 or min(target, 1220) over IPv6
 * (the defaults RFC 879 / RFC 8200 imply, as the kernel uses), with the
 * lengths and checksums fixed. Every other segment is untouched.
 *
 * --clamp-to-pmtu's target is the smaller of the egress and ingress
 * interface MTUs less 40 (IPv4 + TCP) or 60 (IPv6 + TCP) bytes. */
#include <config.h>
#include "models/overlay/mss_clamp.h"

#include <string.h>
#include "models/l3/host.h"
#include "net/proto.h"

/* xt_TCPMSS: the MSS assumed when a SYN carries none (RFC 879: 536 for
 * IPv4; IPv6's minimum MTU 1280 less 60 is 1220). */
#define MSS_DEFAULT4 536
#define MSS_DEFAULT6 1220
/* The mangle table's place among the hook functions (CONTRACTS.md). */
#define MSS_HOOK_PRIORITY 0
#define MSS_OPT_LEN 4               /* kind 2, length 4 (RFC 9293 3.2) */

typedef struct {
    VnsElement base;            /* must stay first */
    VnsElement *host;           /* borrowed */
    uint16_t set_mss;           /* 0 = clamp to the path MTU */
    uint64_t syns;              /* SYN segments seen */
    uint64_t clamped;           /* MSS lowered */
    uint64_t added;             /* MSS option inserted */
    uint64_t untouched;         /* SYNs left as they were */
} MssClamp;

static const VnsAttrSpec mss_clamp_attrs[] = {
    { "name", VNS_ATTR_NAME, false, NULL, NULL,
      "The element's name. Default 'mss-clamp-HOST'." },
    { "host", VNS_ATTR_NAME, true, NULL, NULL,
      "The host, router or hypervisor whose IP stack gets the rule; "
      "required." },
    { "set-mss", VNS_ATTR_UINT, false, NULL, "bytes",
      "Lower the MSS option of SYNs to this value (--set-mss). Give it or "
      "clamp-to-pmtu.", NULL, 1, 65535 },
    { "clamp-to-pmtu", VNS_ATTR_BOOL, false, "false", NULL,
      "Lower the MSS to the smaller interface MTU of the packet's way in and "
      "out less 40 (IPv4) or 60 (IPv6) bytes (--clamp-mss-to-pmtu). "
      "Default false." },
    { "hook", VNS_ATTR_ENUM, false, "forward", NULL,
      "Where the rule sits: 'forward' (routed packets, the usual place), "
      "'postrouting' (every packet leaving) or 'output' (the host's own). "
      "Default forward.", "forward|postrouting|output" },
    { NULL }
};

static const VnsSpec mss_clamp_spec = {
    "mss-clamp", "TCP MSS clamping on a host's SYNs, as iptables -t mangle "
    "... -j TCPMSS (--set-mss or --clamp-mss-to-pmtu).",
    mss_clamp_attrs, NULL, false,
};

static uint32_t
mss_iface_mtu(const VnsElement *host, int iface)
{
    const VnsPort *p;

    if (iface < 0 || (guint) iface >= host->ports->len)
        return 0;
    p = vns_element_port(host, (uint16_t) iface);
    if (p->info.mtu != 0)
        return p->info.mtu;
    return p->peer != NULL ? p->peer->info.mtu : 0;
}

/* Inserts an MSS option of 'mss' in front of the options of the TCP header
 * at offset 'l4' (IP header at data[0]), fixing Data Offset, the IP length
 * and both checksums. */
static void
mss_insert(VnsPacket *pkt, uint32_t l4, uint16_t mss)
{
    uint8_t *p = vns_packet_push(pkt, MSS_OPT_LEN);
    uint8_t *tcp;
    bool v4 = p[MSS_OPT_LEN] >> 4 == 4;
    VnsIpAddr src, dst;

    memmove(p, p + MSS_OPT_LEN, l4 + VNS_TCP_HLEN);
    tcp = p + l4;
    tcp[VNS_TCP_HLEN] = 2;
    tcp[VNS_TCP_HLEN + 1] = MSS_OPT_LEN;
    vns_wire_put16(tcp + VNS_TCP_HLEN + 2, mss);
    tcp[12] = (uint8_t) (((tcp[12] >> 4) + 1) << 4 | (tcp[12] & 0x0f));
    if (v4) {
        vns_wire_put16(p + 2, (uint16_t) (vns_wire_get16(p + 2) + MSS_OPT_LEN));
        vns_wire_put16(p + 10, 0);
        vns_wire_put16(p + 10, vns_ipv4_checksum(p));
        src = vns_ip_addr_v4(vns_wire_get32(p + 12));
        dst = vns_ip_addr_v4(vns_wire_get32(p + 16));
    } else {
        VnsIp6 a, b;
        vns_wire_put16(p + 4, (uint16_t) (vns_wire_get16(p + 4) + MSS_OPT_LEN));
        memcpy(a.b, p + 8, 16);
        memcpy(b.b, p + 24, 16);
        src = vns_ip_addr_v6(&a);
        dst = vns_ip_addr_v6(&b);
    }
    vns_wire_put16(tcp + 16, 0);
    vns_wire_put16(tcp + 16, vns_csum_l4(tcp, pkt->len - l4,
                                         vns_packet_size(pkt) - l4,
                                         VNS_IPPROTO_TCP, &src, &dst));
    vns_packet_invalidate(pkt);
}

static VnsHookVerdict
mss_hook(VnsElement *host, VnsPacket *pkt, const VnsHookState *state, void *data)
{
    MssClamp *m = data;
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);
    uint32_t l4 = pkt->l4_off, hlen, at;
    uint8_t *tcp;
    uint16_t target;
    bool v4 = k->family == VNS_IP_V4;

    if (k->proto != VNS_IPPROTO_TCP || k->frag != VNS_FLOW_FRAG_NONE ||
        l4 == VNS_OFF_NONE ||
        (k->tcp_flags & (VNS_TCP_SYN | VNS_TCP_RST)) != VNS_TCP_SYN)
        return VNS_HOOK_ACCEPT;
    tcp = vns_packet_data(pkt) + l4;
    hlen = (uint32_t) (tcp[12] >> 4) * 4;
    if (l4 + hlen > pkt->len)
        return VNS_HOOK_ACCEPT;
    m->syns++;
    if (m->set_mss != 0) {
        target = m->set_mss;
    } else {
        uint32_t out = mss_iface_mtu(host, state->out_iface);
        uint32_t in = mss_iface_mtu(host, state->in_iface);
        uint32_t mtu = out != 0 && in != 0 ? MIN(out, in) : MAX(out, in);
        uint32_t minlen = (v4 ? VNS_IPV4_HLEN : VNS_IPV6_HLEN) + VNS_TCP_HLEN;
        if (mtu <= minlen) {
            m->untouched++;
            return VNS_HOOK_ACCEPT;     /* "unknown or invalid path-MTU" */
        }
        target = (uint16_t) MIN(mtu - minlen, 65535u);
    }
    /* The option walk of tcpmss_mangle_packet(). */
    for (at = VNS_TCP_HLEN; at < hlen;) {
        uint8_t kind = tcp[at];
        if (kind == 0)
            break;
        if (kind == 1) {
            at++;
            continue;
        }
        if (at + 1 >= hlen || tcp[at + 1] < 2 || at + tcp[at + 1] > hlen)
            break;
        if (kind == 2 && tcp[at + 1] == MSS_OPT_LEN) {
            uint16_t old = vns_wire_get16(tcp + at + 2);
            if (old <= target) {
                m->untouched++;
                return VNS_HOOK_ACCEPT;
            }
            vns_wire_put16(tcp + at + 2, target);
            vns_wire_put16(tcp + 16, vns_csum_update16(vns_wire_get16(tcp + 16),
                                                       old, target));
            vns_packet_invalidate(pkt);
            m->clamped++;
            return VNS_HOOK_ACCEPT;
        }
        at += tcp[at + 1];
    }
    /* No MSS option: added only to a SYN without data whose header has
     * room for it. */
    if (vns_packet_size(pkt) > l4 + hlen || hlen + MSS_OPT_LEN > VNS_TCP_MAX_HLEN) {
        m->untouched++;
        return VNS_HOOK_ACCEPT;
    }
    mss_insert(pkt, l4, MIN(target, v4 ? MSS_DEFAULT4 : MSS_DEFAULT6));
    m->added++;
    return VNS_HOOK_ACCEPT;
}

static char *
mss_clamp_default_name(const VnsConfig *cfg)
{
    g_autofree char *host = NULL;

    if (!vns_config_string(cfg, "host", &host, NULL) || host == NULL)
        return g_strdup("mss-clamp");
    return g_strdup_printf("mss-clamp-%s", host);
}

static bool
mss_clamp_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    MssClamp *m = (MssClamp *) self;
    bool pmtu;
    uint64_t mss = 0;

    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "mss-clamp '%s' needs its XML configuration", self->name);
        return false;
    }
    if (!vns_config_bool(cfg, "clamp-to-pmtu", &pmtu, error))
        return false;
    if (vns_config_has(cfg, "set-mss") &&
        !vns_config_uint(cfg, "set-mss", &mss, error))
        return false;
    if (pmtu == (mss != 0)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                         "<mss-clamp> has %s, expected exactly one of "
                         "'set-mss' and clamp-to-pmtu=\"true\"",
                         pmtu ? "both" : "neither");
        return false;
    }
    m->set_mss = (uint16_t) mss;
    return true;
}

static bool
mss_clamp_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    MssClamp *m = (MssClamp *) self;
    static const VnsHostHook hooks[] = {
        VNS_HOST_HOOK_FORWARD, VNS_HOST_HOOK_POSTROUTING, VNS_HOST_HOOK_OUTPUT,
    };
    g_autofree char *name = NULL;
    int hook;

    if (!vns_config_string(cfg, "host", &name, error) ||
        !vns_config_enum(cfg, "hook", &hook, error))
        return false;
    m->host = vns_net_find(self->net, name);
    if (!vns_host_is_host(m->host)) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_REFERENCE,
                         "<mss-clamp> 'host' is '%s', which %s, expected a "
                         "host, router or hypervisor", name,
                         m->host == NULL ? "names no element" : "is not one");
        return false;
    }
    vns_host_hook_add(m->host, hooks[hook], MSS_HOOK_PRIORITY, mss_hook, m);
    return true;
}

static void
mss_clamp_reset(VnsElement *self)
{
    MssClamp *m = (MssClamp *) self;

    m->syns = m->clamped = m->added = m->untouched = 0;
}

static void
mss_clamp_stats(VnsElement *self, VnsReport *report)
{
    MssClamp *m = (MssClamp *) self;

    vns_report_row(report, "mss_clamps", self->name);
    vns_report_str(report, "host", m->host->name);
    vns_report_int(report, "syns", (int64_t) m->syns);
    vns_report_int(report, "clamped", (int64_t) m->clamped);
    vns_report_int(report, "added", (int64_t) m->added);
    vns_report_int(report, "untouched", (int64_t) m->untouched);
}

const VnsElementOps vns_mss_clamp_ops = {
    .type = "mss-clamp",
    .spec = &mss_clamp_spec,
    .instance_size = sizeof(MssClamp),
    .default_name = mss_clamp_default_name,
    .create = mss_clamp_create,
    .connect = mss_clamp_connect,
    .reset = mss_clamp_reset,
    .stats = mss_clamp_stats,
};
