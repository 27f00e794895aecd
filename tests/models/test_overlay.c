/* Tests of the overlay tunnels and MSS clamping (models/overlay): Linux's
 * default tunnel MTUs for every type and underlay family, the refusal of a
 * larger MTU, goodput through VXLAN against its closed form, head-end
 * replication, learning and the FDB modes, captures of every tunnel type
 * decoded by tshark, and TCPMSS-style clamping of SYNs.
 *
 * Topologies and experiments are the ok-overlay-*.xml files of
 * tests/data. Expected numbers name their source next to them. */
#include <config.h>
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include "host_bench.h"
#include "models/overlay/tunnel.h"
#include "models_test.h"
#include "net/proto.h"
#include "net/vxlan.h"
#include "tests/common/tshark.h"

/* ---- MTU ---------------------------------------------------------------- */

typedef struct {
    const char *name;
    uint32_t overhead;      /* underlay MTU - tunnel MTU */
} MtuCase;

/* Linux's default MTU = underlay MTU - these (see doc/models/overlay.md):
 * vxlan_config_apply(): lower MTU - vxlan_headroom() = 20/40 IP + 8 UDP
 * + 8 VXLAN + 14 inner Ethernet (include/net/vxlan.h), 1450 / 1430 on
 * 1500. geneve_link_config(): - GENEVE_IPV4_HLEN / GENEVE_IPV6_HLEN (14 +
 * 20/40 + 8 + 8) - options length. ip_tunnel_bind_dev(): - (GRE header +
 * 20) - 14 for gretap (dev->hard_header_len), GRE header 4 + 4 per
 * checksum, key, sequence (gre_calc_hlen()). ip6gre_tnl_link_config_route():
 * - (GRE header + 40) - 8 (encapsulation limit option unless
 * IGN_ENCAP_LIMIT) - 14 for ip6gretap. */
static const MtuCase mtu_cases[] = {
    { "vx4", 50 }, { "vx6", 70 },
    { "gv4", 50 }, { "gv6", 70 }, { "gvo", 50 + 12 },
    { "gt4", 4 + 20 + 14 }, { "gt4k", 8 + 20 + 14 },
    { "gt6", 4 + 40 + 8 + 14 }, { "gt6k", 8 + 40 + 8 + 14 },
    { "gr4", 4 + 20 }, { "gr4k", 8 + 20 }, { "gr4all", 16 + 20 },
    { "gr6", 4 + 40 + 8 }, { "gr6n", 4 + 40 },
};

static void
check_mtus(const char *umtu)
{
    const char *set[] = { "umtu", umtu, NULL };
    uint32_t u = (uint32_t) strtoul(umtu, NULL, 10);
    Bench b;

    bench_open(&b, "ok-overlay-mtu.xml", set);
    bench_start(&b);
    for (size_t i = 0; i < G_N_ELEMENTS(mtu_cases); i++) {
        VnsElement *t = vns_net_find(b.net, mtu_cases[i].name);
        cr_assert(vns_tunnel_is_tunnel(t), "%s", mtu_cases[i].name);
        cr_assert_eq(vns_tunnel_mtu(t), u - mtu_cases[i].overhead,
                     "%s over %s: MTU %u, Linux's %u", mtu_cases[i].name, umtu,
                     vns_tunnel_mtu(t), u - mtu_cases[i].overhead);
        cr_assert_eq(vns_element_find_port(t, "inner")->info.mtu,
                     u - mtu_cases[i].overhead);
    }
    bench_finish(&b);
}

Test(overlay, default_mtus_are_linux_s)
{
    /* The figures quoted everywhere: VXLAN 1450 over IPv4 and 1430 over
     * IPv6 on a 1500 underlay, GRE 1476, gretap 1462, ip6gre 1448; and
     * AWS's 9001-byte jumbo frames leave 8951 to VXLAN. */
    check_mtus("1500");
    check_mtus("9001");
}

Test(overlay, vm_interface_takes_the_tunnel_mtu)
{
    /* The VM's interface joined to the inner port reads the device's MTU
     * as its link's (models/l3/host.c: host_start()). */
    const char *set[] = { "umtu", "9001", NULL };
    Bench b;

    bench_open(&b, "ok-overlay-topo.xml", set);
    bench_start(&b);
    cr_assert_eq(vns_element_find_port(vns_net_find(b.net, "vm1"), "eth0")->info.mtu,
                 9001 - 50);
    bench_finish(&b);
}

Test(overlay, larger_mtu_than_the_underlay_allows_is_refused)
{
    Bench b;
    GError *error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR,
                                             "bad-overlay-mtu.xml", NULL);
    g_autofree char *prefix = g_strdup_printf("%s:13: ", path);

    cr_assert_not(bench_load(&b, "bad-overlay-mtu.xml", NULL, &error));
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
    cr_assert_eq(error->code, VNS_CONFIG_ERROR_BAD_VALUE);
    cr_assert(g_str_has_prefix(error->message, prefix), "%s", error->message);
    /* 1500 - 20 - 4 = 1476, ip_tunnel_bind_dev(). */
    cr_assert_not_null(strstr(error->message, "expected at most 1476"), "%s",
                       error->message);
    g_error_free(error);
    bench_finish(&b);
}

/* ---- Goodput ------------------------------------------------------------ */

static void
check_goodput(uint32_t payload)
{
    g_autofree char *s = g_strdup_printf("size=%u", payload);
    const char *sets[] = { s, NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-overlay-goodput.xml", sets, 0);
    /* The 1 Gbit/s underlay link sends frames back to back: goodput =
     * rate x payload / (payload + 8 UDP + 20 IPv4 + 14 inner Ethernet + 8
     * VXLAN + 8 UDP + 20 IPv4 + 14 Ethernet + 4 FCS + 8 preamble/SFD + 12
     * gap); RFC 7348 section 5 for the VXLAN part, IEEE 802.3 for the
     * rest. */
    double want = 1e9 * payload / (payload + 8 + 20 + 14 + 8 + 8 + 20 + 14 + 4 +
                                   8 + 12);
    double got = models_test_num(r, "flows", "f", "goodput_bps");

    cr_assert(fabs(got - want) <= 0.005 * want,
              "payload %u: goodput %.0f bit/s, closed form %.0f", payload, got,
              want);
    cr_assert_eq(models_test_num(r, "tunnels", "vx1", "mtu_drops"), 0);
}

Test(overlay, vxlan_goodput_matches_closed_form)
{
    check_goodput(1422);        /* the largest: 1450 - 28 */
    check_goodput(500);
    check_goodput(64);
}

/* ---- Forwarding --------------------------------------------------------- */

typedef struct {
    int64_t flooded, copies, learned, unknown, fdb;
    int64_t rx2, rx3;           /* packets vx2 and vx3 decapsulated */
    guint got;                  /* datagrams vm2's application received */
} Fwd;

/* vm1 sends ten datagrams to vm2 (its first ARPs for vm2: one broadcast)
 * with vx1 in 'mode' and learning 'learning'. */
static Fwd
run_fwd(const char *mode, const char *learning)
{
    const char *set[] = { "mode", mode, "learning", learning, NULL };
    Bench b;
    Fwd f;

    bench_open(&b, "ok-overlay-topo.xml", set);
    TestApp *a1 = app_attach(b.net, "vm1", "a1", VNS_IPPROTO_UDP, 4000);
    TestApp *a2 = app_attach(b.net, "vm2", "a2", VNS_IPPROTO_UDP, 5000);
    (void) a1;
    bench_start(&b);
    for (int i = 0; i < 10; i++)
        app_send_at(a1, (VnsTime) i * 100 * VNS_US,
                    udp4(b.net, "10.1.0.1", "10.1.0.2", 4000, 5000, 100, 64, false));
    vns_sim_run_until(b.sim, 10 * VNS_MS);
    f.flooded = test_bench_int(&b, "tunnels", "vx1", "flooded");
    f.copies = test_bench_int(&b, "tunnels", "vx1", "flood_copies");
    f.learned = test_bench_int(&b, "tunnels", "vx1", "learned");
    f.unknown = test_bench_int(&b, "tunnels", "vx1", "unknown_unicast");
    f.fdb = test_bench_int(&b, "tunnels", "vx1", "fdb_entries");
    f.rx2 = test_bench_int(&b, "tunnels", "vx2", "rx_packets");
    f.rx3 = test_bench_int(&b, "tunnels", "vx3", "rx_packets");
    f.got = a2->rx->len;
    bench_finish(&b);
    return f;
}

Test(overlay, head_end_replication_and_learning)
{
    /* Flood mode with learning (Linux's defaults): the ARP request is the
     * one frame flooded, one copy per <flood> remote (2); vx2 learns vm1
     * from it and answers unicast; vx1 learns vm2 from the reply, so the
     * ten datagrams go to hv2 only. vx3 sees the broadcast and nothing
     * else. */
    Fwd f = run_fwd("flood", "true");

    cr_assert_eq(f.flooded, 1);
    cr_assert_eq(f.copies, 2);
    cr_assert_eq(f.learned, 1);
    cr_assert_eq(f.fdb, 1);
    cr_assert_eq(f.rx2, 1 + 10);
    cr_assert_eq(f.rx3, 1);
    cr_assert_eq(f.got, 10);
}

Test(overlay, without_learning_unicast_is_flooded)
{
    /* nolearning: vm2's MAC stays unknown at vx1, so every datagram is
     * flooded to both remotes; vm3 drops its copies (not its MAC). */
    Fwd f = run_fwd("flood", "false");

    cr_assert_eq(f.learned, 0);
    cr_assert_eq(f.flooded, 1 + 10);
    cr_assert_eq(f.copies, 2 * (1 + 10));
    cr_assert_eq(f.rx2, 1 + 10);
    cr_assert_eq(f.rx3, 1 + 10);
    cr_assert_eq(f.got, 10);
}

Test(overlay, static_mode_drops_unknown_unicast)
{
    /* Static mode without learning: broadcasts still reach the flood list,
     * unknown unicast is dropped (10 datagrams). */
    Fwd f = run_fwd("static", "false");

    cr_assert_eq(f.flooded, 1);
    cr_assert_eq(f.unknown, 10);
    cr_assert_eq(f.rx2, 1);
    cr_assert_eq(f.got, 0);
}

Test(overlay, control_plane_mode_knows_every_mac)
{
    /* Control-plane mode: vx1's FDB holds vm2's and vm3's MACs from the
     * topology (EVPN type-2 routes), nothing is learnt, the ARP broadcast
     * is replicated to both VTEPs (type-3), the datagrams go to hv2 only. */
    Fwd f = run_fwd("control-plane", "true");

    cr_assert_eq(f.fdb, 2);
    cr_assert_eq(f.learned, 0);
    cr_assert_eq(f.flooded, 1);
    cr_assert_eq(f.copies, 2);
    cr_assert_eq(f.rx2, 1 + 10);
    cr_assert_eq(f.rx3, 1);
    cr_assert_eq(f.got, 10);
}

/* ---- Captures decoded by tshark ------------------------------------------ */

static const char *const cap_fields[] = {
    "frame.len", "_ws.expert.severity", "_ws.malformed", "vxlan.vni",
    "geneve.vni", "geneve.option.class", "gre.key", "gre.checksum.status",
    "gre.sequence_number", "ipv6.opt.tel", "ip.dst", "udp.dstport",
    "udp.checksum.status", "ip.checksum.status", "udp.srcport",
    "ip.flags.df", "ip.ttl",
};
enum {
    C_LEN, C_SEV, C_MAL, C_VNI, C_GVNI, C_GCLASS, C_KEY, C_GCSUM, C_SEQ, C_TEL,
    C_IPDST, C_UDPDST, C_UDPCSUM, C_IPCSUM, C_UDPSRC, C_DF, C_TTL, C_N
};
G_STATIC_ASSERT(G_N_ELEMENTS(cap_fields) == C_N);

Test(overlay, captured_tunnels_decode_in_tshark)
{
    g_autofree char *dir = test_tmpdir("vns-overlay-XXXXXX");
    g_autofree char *pcap = NULL;
    g_autoptr(VnsReport) report = NULL;
    g_autoptr(GPtrArray) rows = NULL;
    /* Frames of each flow's 500-byte datagrams (8 UDP + 20 IPv4 = 528
     * bytes of inner packet): VXLAN 528 + 14 + 8 + 8 + 20 + 14 = 592;
     * Geneve over IPv6 with a 12-byte option 528 + 14 + 8 + 12 + 8 + 40 +
     * 14 = 624; gretap with checksum, key and sequence 528 + 14 + 16 + 20 +
     * 14 = 592; gre the same without the inner Ethernet header, 578;
     * ip6gre with a key and the encapsulation limit 528 + 8 + 8 + 40 + 14
     * = 598. */
    const struct {
        const char *dst;
        const char *len;
        int count;
    } want[] = {
        { "10.1.0.2", "592", 0 }, { "10.2.0.2", "624", 0 },
        { "10.3.0.2", "592", 0 }, { "10.4.0.2", "578", 0 },
        { "10.5.0.2", "598", 0 },
    };
    int counts[5] = { 0 };
    unsigned long vx_sport = 0;

    report = models_test_run_into("ok-overlay-capture.xml", dir);
    pcap = g_build_filename(dir, "underlay.pcap", NULL);
    /* test_tshark() checks that every row has the C_N fields. */
    rows = test_tshark(pcap, cap_fields, C_N, 0);
    cr_assert_gt(rows->len, 50);
    for (guint i = 0; i < rows->len; i++) {
        char **r = rows->pdata[i];
        cr_assert_str_eq(r[C_MAL], "", "frame %u malformed", i + 1);
        cr_assert_lt(test_tshark_worst(r[C_SEV]), TEST_TSHARK_PI_WARN,
                     "frame %u: expert severity %s", i + 1, r[C_SEV]);
        for (int k = 0; k < 5; k++) {
            g_autofree char *tail = g_strdup_printf(",%s", want[k].dst);
            if (!g_str_has_suffix(r[C_IPDST], tail) &&
                strcmp(r[C_IPDST], want[k].dst) != 0)
                continue;
            counts[k]++;
            cr_assert_str_eq(r[C_LEN], want[k].len, "frame %u to %s", i + 1,
                             want[k].dst);
            switch (k) {
            case 0:     /* VXLAN, VNI 100, zero outer UDP checksum (3 =
                         * not present), inner checksum good (1) */
                cr_assert_str_eq(r[C_VNI], "100");
                cr_assert_str_eq(r[C_UDPDST], "4789,5001");
                cr_assert_str_eq(r[C_UDPCSUM], "3,1");
                cr_assert_str_eq(r[C_IPCSUM], "1,1");
                /* Outer DF unset, TTL 64 (ip-link(8) vxlan defaults); the
                 * inner UDP has DF (Linux's IP_PMTUDISC_WANT). */
                cr_assert_str_eq(r[C_DF], "0,1");
                cr_assert_str_eq(r[C_TTL], "64,64");
                /* udp_flow_src_port(): in ip_local_port_range [32768,
                 * 60999), one port for the whole inner flow. */
                {
                    unsigned long sp = strtoul(r[C_UDPSRC], NULL, 10);
                    cr_assert(sp >= 32768 && sp < 60999, "source port %lu", sp);
                    if (vx_sport == 0)
                        vx_sport = sp;
                    cr_assert_eq(sp, vx_sport, "one flow, one source port");
                }
                break;
            case 1:     /* Geneve over IPv6: computed UDP checksum */
                cr_assert_str_eq(r[C_GVNI], "0x0000c8");
                cr_assert_str_eq(r[C_GCLASS], "0x0102");
                cr_assert_str_eq(r[C_UDPDST], "6081,5001");
                cr_assert_str_eq(r[C_UDPCSUM], "1,1");
                break;
            case 2:
            case 3:     /* gretap and gre: key, good checksum, sequence */
                cr_assert_str_eq(r[C_KEY], k == 2 ? "0x0000012c" : "0x00000190");
                cr_assert_str_eq(r[C_GCSUM], "1");
                cr_assert_neq(r[C_SEQ][0], '\0');
                cr_assert_str_eq(r[C_IPCSUM], "1,1");
                /* pmtudisc: outer DF set; TTL inherited (64) */
                cr_assert_str_eq(r[C_DF], "1,1");
                cr_assert_str_eq(r[C_TTL], "64,64");
                break;
            case 4:     /* ip6gre: encapsulation limit 4, key 500 */
                cr_assert_str_eq(r[C_TEL], "4");
                cr_assert_str_eq(r[C_KEY], "0x000001f4");
                break;
            }
        }
    }
    /* 10 ms at 4 Mbit/s of 500-byte payloads: one datagram per 1 ms. */
    for (int k = 0; k < 5; k++)
        cr_assert(counts[k] >= 9 && counts[k] <= 11, "%s: %d frames",
                  want[k].dst, counts[k]);
    test_tmpdir_remove(dir);
}

/* ---- MSS clamping ------------------------------------------------------- */

/* A TCP segment from h1 to h2:80 with 'flags', an MSS option 'mss' (0 =
 * none) and 'payload' bytes. */
static VnsPacket *
tcp_seg(VnsNet *net, uint8_t flags, uint16_t mss, uint32_t payload)
{
    VnsPacket *p = vns_packet_new(vns_net_pool(net), payload);
    VnsIpAddr s = vns_ip_addr_v4(ip4("10.0.1.1")), d = vns_ip_addr_v4(ip4("10.0.3.2"));
    VnsTcpHdr t = { .sport = 40000, .dport = 80, .seq = 1, .flags = flags,
                    .window = 65535 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .df = true,
                      .src = s.v4, .dst = d.v4 };

    t.opts.has_mss = mss != 0;
    t.opts.mss = mss;
    t.opts.sack_permitted = true;
    vns_tcp_push(p, &t, &s, &d);
    vns_ipv4_push(p, &ip);
    return p;
}

/* The MSS of received segment i (0 = no option), with its checksums
 * verified. */
static uint16_t
seg_mss(const TestApp *app, guint i)
{
    const TestRx *r = rx(app, i);
    VnsTcpHdr t;
    VnsIpAddr s = vns_ip_addr_v4(vns_wire_get32(r->hdr + 12));
    VnsIpAddr d = vns_ip_addr_v4(vns_wire_get32(r->hdr + 16));

    cr_assert(vns_ipv4_checksum_ok(r->hdr, r->len), "segment %u: IP checksum", i);
    cr_assert_eq(vns_wire_get16(r->hdr + 2), r->size, "segment %u: IP length", i);
    cr_assert(vns_tcp_parse(r->hdr + 20, r->len - 20, &t));
    /* RFC 9293 section 3.1: the sum over pseudo-header and segment, the
     * checksum included, is 0xffff. */
    cr_assert_eq(vns_csum_l4(r->hdr + 20, r->len - 20, r->size - 20,
                             VNS_IPPROTO_TCP, &s, &d), 0,
                 "segment %u: bad TCP checksum", i);
    cr_assert(t.opts.sack_permitted, "segment %u lost an option", i);
    return t.opts.has_mss ? t.opts.mss : 0;
}

Test(overlay, mss_clamp_rewrites_syns_as_iptables)
{
    Bench b;

    bench_open(&b, "ok-overlay-mss.xml", NULL);
    TestApp *a1 = app_attach(b.net, "h1", "c", VNS_IPPROTO_TCP, 40000);
    TestApp *a2 = app_attach(b.net, "h2", "s", VNS_IPPROTO_TCP, 80);
    bench_start(&b);
    /* In order: SYN MSS 1460; SYN-ACK MSS 1460 (also SYN); SYN MSS 1300;
     * ACK with an MSS option (not a SYN); SYN without MSS; SYN+RST; a SYN
     * with data and no MSS option. */
    app_send_at(a1, 1 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN, 1460, 0));
    app_send_at(a1, 2 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN | VNS_TCP_ACK, 1460, 0));
    app_send_at(a1, 3 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN, 1300, 0));
    app_send_at(a1, 4 * VNS_MS, tcp_seg(b.net, VNS_TCP_ACK, 1460, 0));
    app_send_at(a1, 5 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN, 0, 0));
    app_send_at(a1, 6 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN | VNS_TCP_RST, 1460, 0));
    app_send_at(a1, 7 * VNS_MS, tcp_seg(b.net, VNS_TCP_SYN, 0, 100));
    vns_sim_run_until(b.sim, 20 * VNS_MS);
    cr_assert_eq(a2->rx->len, 7);
    /* r1 --set-mss 1380 then r2 --clamp-mss-to-pmtu: 1400 - 40 = 1360
     * (xt_TCPMSS: only lowers). */
    cr_assert_eq(seg_mss(a2, 0), 1360);
    cr_assert_eq(seg_mss(a2, 1), 1360);
    cr_assert_eq(seg_mss(a2, 2), 1300);     /* already lower: untouched */
    cr_assert_eq(seg_mss(a2, 3), 1460);     /* not a SYN: untouched */
    /* No option: r1 inserts min(1380, 536) (RFC 879's default, as
     * xt_TCPMSS), which r2 leaves alone; the header grows by 4 bytes. */
    cr_assert_eq(seg_mss(a2, 4), 536);
    cr_assert_eq(rx(a2, 4)->size, 20 + 20 + 4 + 4);     /* + SACK-permitted */
    cr_assert_eq(seg_mss(a2, 5), 1460);     /* RST set: untouched */
    cr_assert_eq(seg_mss(a2, 6), 0);        /* data: no option added */
    cr_assert_eq(a1->rx->len, 0);
    bench_finish(&b);
}

Test(overlay, every_tunnel_goodput_matches_closed_form)
{
    /* topologies/overlay-tunnels.xml through ok-overlay-types.xml: goodput
     * = 1e9 x payload / (payload + 28 + tunnel + 38), tunnel = 50 for VXLAN
     * and Geneve (RFC 7348 section 5, RFC 8926 section 3.4: 20 IP + 8 UDP +
     * 8 + 14 inner Ethernet), 38 for gretap (20 + 4 GRE, RFC 2784 + 14)
     * and 24 for L3 GRE; 38 = Ethernet 14 + FCS 4 + preamble/SFD 8 + gap
     * 12. */
    const struct { const char *name; uint32_t tunnel; } types[] = {
        { "vxlan", 50 }, { "geneve", 50 }, { "gretap", 38 }, { "gre", 24 },
    };
    const uint32_t payloads[] = { 64, 1400 };

    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(payloads); j++) {
            g_autofree char *t = g_strdup_printf("tunnel=%s", types[i].name);
            g_autofree char *p = g_strdup_printf("payload=%u", payloads[j]);
            const char *sets[] = { t, p, NULL };
            g_autoptr(VnsReport) r = models_test_run("ok-overlay-types.xml", sets, 0);
            double pl = payloads[j];
            double want = 1e9 * pl / (pl + 28 + types[i].tunnel + 38);
            double got = models_test_num(r, "flows", "f", "goodput_bps");
            cr_assert(fabs(got - want) <= 0.005 * want,
                      "%s, %u bytes: goodput %.0f, closed form %.0f",
                      types[i].name, payloads[j], got, want);
        }
    }
}

static VnsReport *
run_blackhole(const char *icmp, const char *mss)
{
    g_autofree char *a = g_strdup_printf("icmp=%s", icmp);
    g_autofree char *b = g_strdup_printf("mss=%s", mss);
    const char *sets[] = { a, b, NULL };

    return models_test_run("ok-overlay-blackhole.xml", sets, 0);
}

Test(overlay, filtered_icmp_blackholes_and_mss_clamp_fixes_it)
{
    /* GRE MTU 1476 < 1500: c1's MSS-1460 segments need ICMP "fragmentation
     * needed" (RFC 1191) to get through. */
    g_autoptr(VnsReport) ok = run_blackhole("none", "65535");
    g_autoptr(VnsReport) hole = run_blackhole("too-big", "65535");
    g_autoptr(VnsReport) fixed = run_blackhole("too-big", "1436");

    /* ICMP passes: path-MTU discovery lowers the MSS to 1476 - 40. */
    cr_assert_eq(models_test_num(ok, "flows", "up", "mss"), 1436);
    cr_assert_gt(models_test_num(ok, "flows", "up", "goodput_bps"), 50e6);
    /* ICMP filtered: nothing but the handshake gets through. */
    cr_assert_eq(models_test_num(hole, "flows", "up", "goodput_bps"), 0);
    cr_assert_eq(models_test_num(hole, "flows", "up", "mss"), 1460);
    /* Clamped at r1: the SYNs carry 1436, no ICMP is needed. */
    cr_assert_eq(models_test_num(fixed, "flows", "up", "mss"), 1436);
    cr_assert_gt(models_test_num(fixed, "flows", "up", "goodput_bps"), 50e6);
    cr_assert_eq(models_test_num(fixed, "mss_clamps", "mss-clamp-r1", "clamped"), 2);
    cr_assert_eq(models_test_num(fixed, "hosts", "r1", "icmp_errors_sent"), 0);
}

Test(overlay, geneve_drops_critical_options_it_does_not_know)
{
    /* The Geneve pair of ok-overlay-all-topo.xml with a critical option
     * (type 0x80): Linux's geneve_rx() drops such packets unless the device
     * collects metadata (RFC 8926 section 3.5.1: a tunnel endpoint that
     * does not understand a critical option must drop the packet). The
     * other tunnels are unaffected. */
    const char *sets[] = { "gtype=0x80", NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-overlay-capture.xml", sets, 0);

    cr_assert_eq(models_test_num(r, "flows", "fb", "received_packets"), 0);
    cr_assert_gt(models_test_num(r, "tunnels", "gva2", "critical_drops"), 0);
    cr_assert_gt(models_test_num(r, "flows", "fa", "received_packets"), 0);
}

Test(overlay, encapsulation_cpu_cost_caps_the_packet_rate)
{
    /* vx1 charges 20 us per frame to hv1's one core: at most 50000 frames
     * per second, below the 81300 the 1 Gbit/s underlay carries (1e9 /
     * 8 / 1538) and the 105000 offered (1.2 Gbit/s / 8 / 1422). Goodput =
     * 50000 x 1422 x 8 = 568.8 Mbit/s (an M/D/1 server saturated), the
     * rest dropped for want of CPU (cpu_backlog). */
    const char *sets[] = { "size=1422", "cost=20us", NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-overlay-goodput.xml", sets, 0);
    double got = models_test_num(r, "flows", "f", "goodput_bps");
    double want = 50000.0 * 1422 * 8;

    cr_assert(fabs(got - want) <= 0.005 * want, "goodput %.0f, expected %.0f",
              got, want);
    cr_assert_gt(models_test_num(r, "drops", "vx1/cpu_backlog", "packets"), 0);
}

Test(overlay, flow_based_vxlan_carries_the_ovs_tunnel_id)
{
    /* vni="flow" (Linux's external mode): the VNI on the wire is the
     * packet's tunnel id, which OVS set (set_tunnel:77); the receiving
     * device hands the VNI back as tun_id, and ovs2 forwards only
     * tun_id=77. With 78 set instead, ovs2's tables miss. */
    const char *v78[] = { "vni=78", NULL };
    g_autoptr(VnsReport) ok = models_test_run("ok-overlay-ovs.xml", NULL, 0);
    g_autoptr(VnsReport) miss = models_test_run("ok-overlay-ovs.xml", v78, 0);

    cr_assert_eq(models_test_num(ok, "flows", "f", "loss"), 0);
    cr_assert_gt(models_test_num(ok, "flows", "f", "received_packets"), 5);
    cr_assert_gt(models_test_num(ok, "tunnels", "vx2", "rx_packets"), 0);
    cr_assert_eq(models_test_num(miss, "flows", "f", "received_packets"), 0);
    cr_assert_gt(models_test_num(miss, "tunnels", "vx2", "rx_packets"), 0);
    cr_assert_gt(models_test_num(miss, "drops", "ovs2/flow_miss", "packets"), 0);
}

/* An outer VXLAN packet from hv1 to vx2 (VNI 42, ok-overlay-topo.xml) with
 * outer ECN 'outer', carrying an Ethernet frame to vm2 whose UDP/IPv4
 * packet has ECN 'inner'. */
static VnsPacket *
vxlan_ecn(Bench *b, uint8_t outer, uint8_t inner)
{
    VnsPacket *p = vns_packet_new(vns_net_pool(b->net), 100);
    VnsIpAddr s = vns_ip_addr_v4(ip4("10.1.0.1")), d = vns_ip_addr_v4(ip4("10.1.0.2"));
    VnsUdpHdr u = { .sport = 4000, .dport = 5000 }, ou = { .sport = 40000,
                                                          .dport = 4789 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .ecn = inner,
                      .src = s.v4, .dst = d.v4 };
    VnsIpv4Hdr oip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .ecn = outer,
                       .src = ip4("192.0.2.1"), .dst = ip4("192.0.2.65") };
    VnsEthHdr eth = {
        .dst = vns_element_find_port(vns_net_find(b->net, "vm2"), "eth0")->info.mac,
        .src = { { 0x02, 0, 0, 0, 0, 0x99 } }, .ethertype = VNS_ETHERTYPE_IPV4,
    };

    vns_udp_push(p, &u, &s, &d);
    vns_ipv4_push(p, &ip);
    vns_eth_push(p, &eth);
    vns_vxlan_push(p, 42);
    vns_udp_push(p, &ou, NULL, NULL);
    vns_ipv4_push(p, &oip);
    return p;
}

Test(overlay, ce_is_copied_inward_as_rfc6040_says)
{
    /* RFC 6040 section 4.2 (Linux's INET_ECN_decapsulate()): outer CE on
     * an ECT(0) inner packet makes it CE (IPv4 checksum still right);
     * outer CE on a Not-ECT inner packet is dropped; outer ECT(0) leaves
     * the inner ECN alone. */
    Bench b;

    bench_open(&b, "ok-overlay-topo.xml", NULL);
    TestApp *inj = app_attach(b.net, "hv1", "inj", VNS_IPPROTO_UDP, 40000);
    TestApp *a2 = app_attach(b.net, "vm2", "a2", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    app_send_at(inj, 1 * VNS_MS, vxlan_ecn(&b, 3, 2));
    app_send_at(inj, 2 * VNS_MS, vxlan_ecn(&b, 3, 0));
    app_send_at(inj, 3 * VNS_MS, vxlan_ecn(&b, 2, 1));
    vns_sim_run_until(b.sim, 10 * VNS_MS);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(rx(a2, 0)->hdr[1] & 3, 3);         /* ECT(0) -> CE */
    cr_assert(vns_ipv4_checksum_ok(rx(a2, 0)->hdr, rx(a2, 0)->len));
    cr_assert_eq(rx(a2, 1)->hdr[1] & 3, 1);         /* ECT(1) kept */
    cr_assert_eq(test_bench_int(&b, "tunnels", "vx2", "ecn_drops"), 1);
    cr_assert_eq(test_bench_int(&b, "tunnels", "vx2", "rx_packets"), 3);
    bench_finish(&b);
}
