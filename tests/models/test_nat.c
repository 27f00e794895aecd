/* Tests of NAT (models/stateful/nat.c) on the router r1 of
 * tests/data/ok-nat-*.xml, between the private h1 (10.0.1.2) and the
 * public h2 (203.0.113.2), which has no route back to 10.0.1.0/24: a reply
 * reaches h1 only if r1 translates it back.
 *
 * Behaviour checked against Linux's nf_nat (net/netfilter/nf_nat_core.c):
 * a source port is kept when free (get_unique_tuple()), remapped within
 * the range when not; a port is reused towards another destination
 * (nf_nat_used_tuple() compares whole tuples); a range of N ports carries
 * N connections to one destination and the next finds none; MASQUERADE
 * takes the egress interface's address; DNAT sends a real TCP transfer
 * (models/transport) to the backend. Checksums are checked by our own
 * RFC 1071 sum and by Wireshark's tshark on captures of a run. */
#include <config.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "tests/models/stateful_bench.h"
#include "tests/common/tshark.h"

#include "exp/experiment.h"
#include "models/transport/tcp_endpoint.h"

static bool
addr_is(const VnsIpAddr *a, const char *text)
{
    VnsIpAddr b = bench_ip(text);

    return vns_ip_addr_equal(a, &b);
}

static int64_t
nat_stat(Bench *b, const char *key)
{
    return test_bench_int(b, "nat", "nat-r1", key);
}

Test(nat, snat_rewrites_the_source_and_replies_come_back)
{
    /* SNAT to 203.0.113.100: h2 sees the translated source with the
     * original port (free, in 1024-65535: kept, as get_unique_tuple()
     * keeps it); its answer to 203.0.113.100:40000 is translated back to
     * 10.0.1.2:40000. Every checksum verifies after the rewrites. */
    Bench b;
    BenchApp *a1, *a2;
    const BenchRx *r;

    bench_open(&b, "ok-nat-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a2->echo = true;
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_run(&b, 100 * VNS_MS);
    r = bench_rx(a2, 0);
    cr_assert(addr_is(&r->src, "203.0.113.100"));
    cr_assert(addr_is(&r->dst, "203.0.113.2"));
    cr_assert_eq(r->sport, 40000);
    cr_assert(r->ip_csum_ok && r->l4_csum_ok, "checksums after SNAT");
    r = bench_rx(a1, 0);
    cr_assert(addr_is(&r->src, "203.0.113.2"));
    cr_assert(addr_is(&r->dst, "10.0.1.2"));
    cr_assert_eq(r->sport, 5000);
    cr_assert_eq(r->dport, 40000);
    cr_assert(r->ip_csum_ok && r->l4_csum_ok, "checksums after un-NAT");
    cr_assert_eq(nat_stat(&b, "src_connections"), 1);
    cr_assert_eq(nat_stat(&b, "packets_rewritten"), 2);
    bench_finish(&b);
}

Test(nat, clashing_source_port_is_remapped)
{
    /* Two private sources with the same port to the same destination:
     * the second would leave with the first one's tuple, so its port is
     * remapped within 1024-65535. */
    Bench b;
    BenchApp *a1, *a2;

    bench_open(&b, "ok-nat-topo.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_send_at(a1, 20 * VNS_MS, bench_udp4(b.net, "10.0.1.3", "203.0.113.2", 40000, 5000));
    bench_run(&b, 100 * VNS_MS);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(bench_rx(a2, 0)->sport, 40000);
    cr_assert_neq(bench_rx(a2, 1)->sport, 40000);
    cr_assert_geq(bench_rx(a2, 1)->sport, 1024);
    cr_assert(addr_is(&bench_rx(a2, 1)->src, "203.0.113.100"));
    cr_assert(bench_rx(a2, 1)->l4_csum_ok);
    bench_finish(&b);
}

/* Sends 'n' datagrams from 10.0.1.2:40000+i to 203.0.113.2:'dport', 1 ms
 * apart from 'at'. */
static void
send_flows(Bench *b, BenchApp *a1, int first, int n, uint16_t dport, VnsTime at)
{
    for (int i = 0; i < n; i++)
        bench_send_at(a1, at + (VnsTime) i * VNS_MS,
                      bench_udp4(b->net, "10.0.1.2", "203.0.113.2",
                                 (uint16_t) (40000 + first + i), dport));
}

Test(nat, ten_ports_carry_ten_flows_and_the_eleventh_is_dropped)
{
    /* ports="1000-1009": 10 connections to one destination take the 10
     * ports (none of the original ports is in the range, so each is
     * remapped: random mode tries min(10, 128) = all 10 ports); the 11th
     * finds none and is dropped (nat_ports_exhausted). A 12th to another
     * destination port reuses a port: tuples, not ports, must be
     * unique. */
    Bench b;
    const char *const set[] = { "ports", "1000-1009", NULL };
    BenchApp *a1, *a2, *a3;
    bool used[10] = { false };

    bench_open(&b, "ok-nat-topo.xml", set);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 39999);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a3 = bench_attach(&b, "h2", "a3", VNS_IPPROTO_UDP, 5001);
    bench_start(&b);
    send_flows(&b, a1, 0, 11, 5000, 10 * VNS_MS);
    bench_run(&b, 100 * VNS_MS);
    cr_assert_eq(a2->rx->len, 10);
    for (guint i = 0; i < 10; i++) {
        uint16_t p = bench_rx(a2, i)->sport;
        cr_assert(p >= 1000 && p <= 1009, "port %u out of range", p);
        cr_assert(!used[p - 1000], "port %u used twice", p);
        used[p - 1000] = true;
        cr_assert(bench_rx(a2, i)->l4_csum_ok);
    }
    cr_assert_eq(bench_drops(&b, "nat-r1", VNS_DROP_NAT_PORTS_EXHAUSTED), 1);
    cr_assert_eq(nat_stat(&b, "ports_exhausted"), 1);
    cr_assert_eq(nat_stat(&b, "rule1_exhausted"), 1);
    send_flows(&b, a1, 11, 1, 5001, 200 * VNS_MS);
    bench_run(&b, 300 * VNS_MS);
    cr_assert_eq(a3->rx->len, 1, "a port is reusable towards another destination");
    cr_assert(bench_rx(a3, 0)->sport >= 1000 && bench_rx(a3, 0)->sport <= 1009);
    cr_assert_eq(bench_drops(&b, "nat-r1", VNS_DROP_NAT_PORTS_EXHAUSTED), 1);
    bench_finish(&b);
}

Test(nat, one_source_keeps_its_mapping_across_destinations)
{
    /* ports="1000-1009": 10.0.1.2:40000 is out of the range, so its first
     * connection gets a port P; its next connections, to other
     * destination ports, get the same P (find_appropriate_src() in
     * get_unique_tuple(): endpoint-independent mapping, RFC 4787
     * section 4.1), while another source port gets another one. */
    Bench b;
    const char *const set[] = { "ports", "1000-1009", NULL };
    BenchApp *a1, *a2, *a3;
    uint16_t p;

    bench_open(&b, "ok-nat-topo.xml", set);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a3 = bench_attach(&b, "h2", "a3", VNS_IPPROTO_UDP, 5001);
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_send_at(a1, 20 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5001));
    bench_send_at(a1, 30 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40001, 5000));
    bench_run(&b, 100 * VNS_MS);
    cr_assert_eq(a2->rx->len, 2);
    cr_assert_eq(a3->rx->len, 1);
    p = bench_rx(a2, 0)->sport;
    cr_assert(p >= 1000 && p <= 1009);
    cr_assert_eq(bench_rx(a3, 0)->sport, p, "port %u, expected the mapping %u again",
                 bench_rx(a3, 0)->sport, p);
    cr_assert_neq(bench_rx(a2, 1)->sport, p);
    bench_finish(&b);
}

Test(nat, sequential_mode_takes_ports_from_the_bottom)
{
    Bench b;
    const char *const set[] = { "ports", "1000-1009", "mode", "sequential", NULL };
    BenchApp *a1, *a2;

    bench_open(&b, "ok-nat-topo.xml", set);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 39999);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    bench_start(&b);
    send_flows(&b, a1, 0, 11, 5000, 10 * VNS_MS);
    bench_run(&b, 100 * VNS_MS);
    cr_assert_eq(a2->rx->len, 10);
    for (guint i = 0; i < 10; i++)
        cr_assert_eq(bench_rx(a2, i)->sport, 1000 + i);
    cr_assert_eq(bench_drops(&b, "nat-r1", VNS_DROP_NAT_PORTS_EXHAUSTED), 1);
    bench_finish(&b);
}

Test(nat, masquerade_uses_the_out_interface_address)
{
    /* MASQUERADE on eth1 (203.0.113.1/24): UDP and ICMP echo leave with
     * 203.0.113.1 and come back to h1; the echo identifier is restored. */
    Bench b;
    BenchApp *a1, *a2, *p1;

    bench_open(&b, "ok-nat-masquerade.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    p1 = bench_attach(&b, "h1", "p1", VNS_IPPROTO_ICMP, 7);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a2->echo = true;
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "203.0.113.2", 40000, 5000));
    bench_send_at(p1, 20 * VNS_MS, bench_echo4(b.net, "10.0.1.2", "203.0.113.2", 7));
    bench_run(&b, 100 * VNS_MS);
    cr_assert(addr_is(&bench_rx(a2, 0)->src, "203.0.113.1"));
    cr_assert(bench_rx(a2, 0)->ip_csum_ok && bench_rx(a2, 0)->l4_csum_ok);
    cr_assert(addr_is(&bench_rx(a1, 0)->dst, "10.0.1.2"));
    cr_assert(bench_rx(a1, 0)->l4_csum_ok);
    cr_assert_eq(p1->rx->len, 1, "no echo reply through MASQUERADE");
    cr_assert_eq(bench_rx(p1, 0)->sport, 7);
    cr_assert(addr_is(&bench_rx(p1, 0)->src, "203.0.113.2"));
    cr_assert(bench_rx(p1, 0)->ip_csum_ok && bench_rx(p1, 0)->l4_csum_ok);
    bench_finish(&b);
}

Test(nat, dnat_sends_a_tcp_transfer_to_the_backend)
{
    /* The client connects to 198.51.100.10:80; r1 translates to
     * 203.0.113.2:8080 where the server listens, and the server's
     * segments back to the service address: the 50000-byte transfer
     * completes over a real TCP (models/transport). */
    Bench b;
    GError *error = NULL;
    VnsElement *client, *server;
    VnsTcpConf conf = {
        .local = bench_ip("10.0.1.2"), .remote = bench_ip("198.51.100.10"),
        .lport = 40000, .rport = 80, .mtu = 1500, .rcvbuf = 131072,
        .wscale = true, .sack = true, .cc = &vns_tcp_cubic_ops,
        .start = 10 * VNS_MS, .stop = VNS_TIME_NEVER, .size = 50000,
    };
    VnsTcpConf sconf = conf;
    VnsPort *cp, *sp;

    bench_open(&b, "ok-nat-dnat.xml", NULL);
    client = vns_net_add(b.net, &vns_tcp_endpoint_ops, "c", NULL, &error);
    server = vns_net_add(b.net, &vns_tcp_endpoint_ops, "s", NULL, &error);
    cr_assert(client != NULL && server != NULL);
    conf.flow_id = vns_net_flow_register(b.net, "c");
    sconf.flow_id = conf.flow_id;
    sconf.server = true;
    sconf.lport = 8080;
    sconf.rport = 0;
    sconf.size = 0;
    sp = vns_tcp_endpoint_setup(server, &sconf, NULL, NULL);
    cp = vns_tcp_endpoint_setup(client, &conf, "c", server);
    cr_assert(vns_port_connect(sp, vns_element_add_port(vns_net_find(b.net, "h2"), "app:s"),
                               &error));
    cr_assert(vns_port_connect(cp, vns_element_add_port(vns_net_find(b.net, "h1"), "app:c"),
                               &error));
    bench_start(&b);
    bench_run(&b, 2 * VNS_SEC);
    cr_assert_eq(vns_tcp_endpoint_delivered(server), 50000);
    cr_assert_eq(nat_stat(&b, "dst_connections"), 1);
    cr_assert_eq(nat_stat(&b, "rule1_connections"), 1);
    bench_finish(&b);
}

Test(nat, dnat_of_the_hosts_own_packets_at_output)
{
    /* NAT on h1 itself (tests/data/ok-nat-output.xml): DNAT in the OUTPUT
     * hook sends h1's datagram for 198.51.100.53:53 to 203.0.113.2:5000;
     * the answer's source is translated back at h1's input (priority 100,
     * NF_IP_PRI_NAT_SRC), so the application sees the service address. */
    Bench b;
    BenchApp *a1, *a2;
    const BenchRx *r;

    bench_open(&b, "ok-nat-output.xml", NULL);
    a1 = bench_attach(&b, "h1", "a1", VNS_IPPROTO_UDP, 40000);
    a2 = bench_attach(&b, "h2", "a2", VNS_IPPROTO_UDP, 5000);
    a2->echo = true;
    bench_start(&b);
    bench_send_at(a1, 10 * VNS_MS, bench_udp4(b.net, "10.0.1.2", "198.51.100.53", 40000, 53));
    bench_run(&b, 100 * VNS_MS);
    r = bench_rx(a2, 0);
    cr_assert(addr_is(&r->src, "10.0.1.2"));
    cr_assert(addr_is(&r->dst, "203.0.113.2"));
    cr_assert_eq(r->dport, 5000);
    cr_assert(r->ip_csum_ok && r->l4_csum_ok);
    r = bench_rx(a1, 0);
    cr_assert(addr_is(&r->src, "198.51.100.53"));
    cr_assert_eq(r->sport, 53);
    cr_assert_eq(r->dport, 40000);
    cr_assert(r->ip_csum_ok && r->l4_csum_ok);
    bench_finish(&b);
}

Test(nat, needs_conntrack_on_the_host)
{
    Bench b;
    GError *error = NULL;
    const char *xml =
        "<?xml version=\"1.0\"?>\n<topology name=\"t\">\n"
        "  <router name=\"r1\"><interface name=\"eth0\" address=\"10.0.1.1/24\"/></router>\n"
        "  <nat host=\"r1\"><masquerade out-interface=\"eth0\"/></nat>\n</topology>\n";
    g_autofree char *path = test_tmp_file("nat-noct-XXXXXX.xml", xml);
    bool ok = test_bench_load(&b, path, NULL, &error);

    g_unlink(path);
    cr_assert(!ok);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR);
    cr_assert_eq(error->code, VNS_CONFIG_ERROR_REFERENCE);
    cr_assert(strstr(error->message, ":4: <nat> host 'r1' has no <conntrack>") != NULL,
              "%s", error->message);
    g_error_free(error);
    vns_sim_free(b.sim);
    vns_net_free(b.net);
    vns_registry_free(b.reg);
}

/* ---- tshark ------------------------------------------------------------ */

/* Checks every frame of 'file' with tshark (checksum validation on;
 * Wireshark: 1 = good, 0 = bad, 2 = unverified): IPv4 from 'src' to 'dst'
 * or back, IP and TCP/UDP checksums good. Returns the number of frames. */
static unsigned
nat_check_capture(const char *file, const char *a, const char *b)
{
    static const char *const fields[] = {
        "ip.src", "ip.dst", "ip.checksum.status", "udp.checksum.status",
        "tcp.checksum.status",
    };
    g_autoptr(GPtrArray) rows = test_tshark(file, fields, G_N_ELEMENTS(fields), 0);

    for (guint i = 0; i < rows->len; i++) {
        char **f = rows->pdata[i];
        cr_assert((strcmp(f[0], a) == 0 && strcmp(f[1], b) == 0) ||
                  (strcmp(f[0], b) == 0 && strcmp(f[1], a) == 0),
                  "%s: %s -> %s, expected between %s and %s", file, f[0], f[1], a, b);
        cr_assert_str_eq(f[2], "1", "%s frame %u: IP checksum status %s", file, i, f[2]);
        cr_assert(strcmp(f[3], "1") == 0 || strcmp(f[4], "1") == 0,
                  "%s frame %u: UDP/TCP checksum status '%s'/'%s'", file, i, f[3], f[4]);
    }
    return rows->len;
}

Test(nat, tshark_finds_translated_packets_with_good_checksums)
{
    /* tests/data/ok-nat-run.xml: 10 UDP datagrams and a 20000-byte TCP
     * transfer from h1 through r1's SNAT. On h2's link every frame is
     * between 203.0.113.100 and 203.0.113.2, on h1's between 10.0.1.2
     * and 203.0.113.2, and tshark validates every IP, UDP and TCP
     * checksum. */
    g_autofree char *dir = test_tmpdir("nat-run-XXXXXX");
    g_autofree char *h1 = NULL, *h2 = NULL;
    g_autoptr(VnsReport) report = models_test_run_into("ok-nat-run.xml", dir);
    double delivered = 0;
    unsigned n1, n2;

    cr_assert(vns_report_get_num(report, "flows", "t1", "delivered_bytes", &delivered));
    cr_assert_eq(delivered, 20000);
    h1 = g_build_filename(dir, "h1-eth0.pcap", NULL);
    h2 = g_build_filename(dir, "h2-eth0.pcap", NULL);
    n2 = nat_check_capture(h2, "203.0.113.100", "203.0.113.2");
    n1 = nat_check_capture(h1, "10.0.1.2", "203.0.113.2");
    cr_assert_eq(n1, n2, "%u frames on h1's link, %u on h2's", n1, n2);
    cr_assert_gt(n2, 10 + 10);
    test_tmpdir_remove(dir);
}
