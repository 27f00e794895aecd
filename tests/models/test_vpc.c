/* Tests of the AWS-style VPC (models/cloud/vpc.c) and the <udp-connections>
 * builder (models/cloud/udp_conns.c). Expected values come from AWS's
 * documentation, cited next to each:
 *
 * [SG]   Amazon VPC User Guide, "Control traffic to your AWS resources
 *        using security groups": security groups are stateful (responses
 *        to allowed traffic flow regardless of rules), allow rules only.
 * [CT]   EC2 API Reference, ConnectionTrackingConfiguration: idle UDP
 *        flows time out after 30 s by default.
 * [NACL] Amazon VPC User Guide, "Control subnet traffic with network
 *        access control lists": stateless, rules evaluated in order from
 *        the lowest number, first match wins; replies need rules for the
 *        ephemeral ports ("Ephemeral ports": 1024-65535).
 * [RT]   Amazon VPC User Guide, "Configure route tables": longest prefix
 *        match; the local route covers the VPC's block; a more specific
 *        route can send a whole subnet's block to a middlebox ENI.
 * [SDC]  Amazon EC2 User Guide, "Source/destination checking".
 * [NAT]  Amazon VPC User Guide, "NAT gateway basics": 55,000 simultaneous
 *        connections per public address to each unique destination.
 * [FL]   Amazon VPC User Guide, "Flow log records": default format version
 *        2, 14 fields, ACCEPT/REJECT.
 * [SUB]  Amazon VPC User Guide, "Subnet CIDR blocks": the first four and
 *        the last address of a subnet are reserved. */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include "models/models.h"
#include "net/proto.h"
#include "host_bench.h"
#include "models_test.h"

#define TOPO "ok-vpc-topo.xml"
#define EXP(name) "../../experiments/" name

/* A number from a table row of the bench's report. */
static int64_t
vstat(Bench *b, const char *table, const char *row, const char *key)
{
    g_autoptr(VnsReport) r = vns_report_new();
    const VnsField *f;

    vns_net_stats(b->net, r);
    f = vns_report_find(r, table, row, key);
    cr_assert_not_null(f, "no %s/%s/%s", table, row, key);
    cr_assert_eq(f->kind, VNS_FIELD_INT);
    return f->i;
}

/* The flow log 'file' of the bench's report (owned copy). */
static char *
flow_log(Bench *b, const char *file)
{
    g_autoptr(VnsReport) r = vns_report_new();
    GString *s;

    vns_net_stats(b->net, r);
    s = g_hash_table_lookup(vns_report_files(r), file);
    cr_assert_not_null(s, "no file %s", file);
    return g_strdup(s->str);
}

static bool
has_line(const char *text, const char *line)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (size_t i = 0; lines[i] != NULL; i++)
        if (strcmp(lines[i], line) == 0)
            return true;
    return false;
}

/* ---- security groups --------------------------------------------------- */

Test(vpc, security_group_return_traffic_needs_no_rule)
{
    /* [SG]: hb's group allows UDP 7000-7010 in and nothing out; ha's
     * allows everything out and nothing in. A's reply (hb:7000 ->
     * ha:40000) 29 s after the request still belongs to the tracked flow
     * and passes both groups; B's reply 31 s after its request comes after
     * the 30 s UDP timeout [CT] and is denied at hb's egress, as is a
     * packet hb sends unprompted. A packet hc sends to ha unprompted is
     * denied at ha's ingress. */
    Bench b;
    TestApp *ha, *ha_b, *hb, *hc;

    bench_open(&b, TOPO, NULL);
    ha = app_attach(b.net, "ha", "app-ha-a", VNS_IPPROTO_UDP, 40000);
    ha_b = app_attach(b.net, "ha", "app-ha-b", VNS_IPPROTO_UDP, 40002);
    hb = app_attach(b.net, "hb", "app-hb", VNS_IPPROTO_UDP, 7000);
    hc = app_attach(b.net, "hc", "app-hc", VNS_IPPROTO_UDP, 9);
    /* Bound, so that hb sends no ICMP port unreachable for B. */
    (void) app_attach(b.net, "hb", "app-hb2", VNS_IPPROTO_UDP, 7002);
    bench_start(&b);
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                      7000, 100, 64, true));
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40002,
                                      7002, 100, 64, true));
    app_send_at(hb, 20 * VNS_MS, udp4(b.net, "10.1.1.10", "10.1.0.10", 7000,
                                      40001, 100, 64, true));
    app_send_at(hb, 10 * VNS_MS + 29 * VNS_SEC,
                udp4(b.net, "10.1.1.10", "10.1.0.10", 7000, 40000, 100, 64, true));
    app_send_at(hb, 10 * VNS_MS + 31 * VNS_SEC,
                udp4(b.net, "10.1.1.10", "10.1.0.10", 7002, 40002, 100, 64, true));
    app_send_at(hc, 20 * VNS_MS, udp4(b.net, "10.1.2.10", "10.1.0.10", 9,
                                      40003, 100, 64, true));
    vns_sim_run_until(b.sim, 32 * VNS_SEC);
    cr_assert_eq(hb->rx->len, 1, "hb got %u", hb->rx->len);
    cr_assert_eq(ha->rx->len, 1, "the tracked reply was not delivered");
    cr_assert_eq(ha_b->rx->len, 0, "a reply after the UDP timeout passed");
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-hb", "sg_denied_out"), 2);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-hb", "sg_denied_in"), 0);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-ha", "sg_denied_in"), 1);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_SG_DENY), 3);
    bench_finish(&b);
}

Test(vpc, security_group_denies_new_inbound_from_outside_rules)
{
    /* hc's packet to ha starts no tracked flow on ha (ha's group has no
     * ingress rule): denied at eni-ha, a REJECT record there [FL]. */
    Bench b;
    TestApp *hc, *ha;
    g_autofree char *log = NULL;

    bench_open(&b, TOPO, NULL);
    hc = app_attach(b.net, "hc", "app-hc", VNS_IPPROTO_UDP, 9);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40003);
    bench_start(&b);
    app_send_at(hc, 10 * VNS_MS, udp4(b.net, "10.1.2.10", "10.1.0.10", 9,
                                      40003, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(ha->rx->len, 0);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-ha", "sg_denied_in"), 1);
    log = flow_log(&b, "t-flows.log");
    /* 128 bytes: 100 payload + 8 UDP (RFC 768) + 20 IPv4 (RFC 791). */
    cr_assert(has_line(log, "2 123456789010 eni-ha 10.1.2.10 10.1.0.10 9 40003 "
                       "17 1 128 0 0 REJECT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-hc 10.1.2.10 10.1.0.10 9 40003 "
                       "17 1 128 0 0 ACCEPT OK"), "%s", log);
    bench_finish(&b);
}

/* ---- network ACLs ------------------------------------------------------ */

Test(vpc, nacl_lowest_number_first_match_wins)
{
    /* [NACL]: acl-b lists rule 200 (allow all) before rule 100 (deny UDP
     * 7001 from subnet a) in the file; rule 100 is evaluated first and
     * wins for port 7001; port 7002 falls through to rule 200. */
    Bench b;
    TestApp *ha, *p1, *p2;
    g_autofree char *log = NULL;

    bench_open(&b, TOPO, NULL);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40000);
    p1 = app_attach(b.net, "hb", "app-p7001", VNS_IPPROTO_UDP, 7001);
    p2 = app_attach(b.net, "hb", "app-p7002", VNS_IPPROTO_UDP, 7002);
    bench_start(&b);
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                      7001, 100, 64, true));
    app_send_at(ha, 11 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                      7002, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(p1->rx->len, 0, "rule 100 did not deny");
    cr_assert_eq(p2->rx->len, 1, "rule 200 did not allow");
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_NACL_DENY), 1);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-hb", "nacl_denied_in"), 1);
    log = flow_log(&b, "t-flows.log");
    cr_assert(has_line(log, "2 123456789010 eni-hb 10.1.0.10 10.1.1.10 40000 "
                       "7001 17 1 128 0 0 REJECT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-hb 10.1.0.10 10.1.1.10 40000 "
                       "7002 17 1 128 0 0 ACCEPT OK"), "%s", log);
    /* The flow log of eni-hb alone (600 s intervals, AWS's default): its
     * two records and nothing of the other ENIs. */
    {
        g_autofree char *hb_log = flow_log(&b, "t-hb.log");
        cr_assert_str_eq(hb_log,
                         "version account-id interface-id srcaddr dstaddr "
                         "srcport dstport protocol packets bytes start end "
                         "action log-status\n"
                         "2 123456789010 eni-hb 10.1.0.10 10.1.1.10 40000 7001 "
                         "17 1 128 0 0 REJECT OK\n"
                         "2 123456789010 eni-hb 10.1.0.10 10.1.1.10 40000 7002 "
                         "17 1 128 0 0 ACCEPT OK\n");
    }
    bench_finish(&b);
}

static double
run_num(const VnsReport *r, const char *table, const char *row, const char *key)
{
    return models_test_num(r, table, row, key);
}

static uint64_t
report_drops(const VnsReport *r, const char *element, const char *cause)
{
    g_autofree char *row = g_strdup_printf("%s/%s", element, cause);
    double v = 0;

    if (!vns_report_get_num(r, "drops", row, "packets", &v))
        return 0;
    return (uint64_t) v;
}

Test(vpc, nacl_that_forgets_ephemeral_ports_breaks_replies)
{
    /* experiments/vpc-nacl-ephemeral.xml [NACL]: the app subnet lets TCP
     * 8080 in but only port 8080 out toward the load balancer, so the
     * SYN-ACKs (to the client's ephemeral port, Linux's 32768-60999) are
     * denied. The client sends its SYN at 0 s and retransmits it after
     * the initial RTO of 1 s, doubled each time (RFC 6298 sections 2.1,
     * 5.5): at 1 s and 3 s of the 4 s run, 3 SYNs that reach app1 and
     * nothing delivered. Every packet app1 answers with is denied, each a
     * REJECT at eni-app1. With 1024-65535 the 100,000 bytes arrive. */
    static const char *const right[] = { "app_reply_ports=1024-65535", NULL };
    g_autoptr(VnsReport) r = models_test_run(EXP("vpc-nacl-ephemeral.xml"),
                                             NULL, 0);
    g_autoptr(VnsReport) ok = models_test_run(EXP("vpc-nacl-ephemeral.xml"),
                                              right, 0);
    GString *log = g_hash_table_lookup(vns_report_files(r), "vpc1-flows.log");
    uint64_t denied = report_drops(r, "vpc1", "nacl_deny");
    g_auto(GStrv) lines = NULL;
    bool saw_reject = false, saw_syns = false;

    cr_assert_eq(run_num(r, "flows", "lb-app", "delivered_bytes"), 0);
    cr_assert_eq(run_num(r, "enis", "vpc1:eni-app1", "packets_in"), 3);
    cr_assert(denied > 0);
    cr_assert_eq(run_num(r, "enis", "vpc1:eni-app1", "nacl_denied_out"),
                 (double) denied);
    cr_assert_not_null(log);
    lines = g_strsplit(log->str, "\n", -1);
    for (size_t i = 0; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", -1);
        if (g_strv_length(f) != 14 || strcmp(f[2], "eni-app1") != 0)
            continue;
        if (strcmp(f[12], "REJECT") == 0 && strcmp(f[5], "8080") == 0) {
            guint64 dport = g_ascii_strtoull(f[6], NULL, 10);
            cr_assert(dport >= 32768 && dport <= 60999, "dport %s", f[6]);
            cr_assert_eq(g_ascii_strtoull(f[8], NULL, 10), denied);
            saw_reject = true;
        }
        if (strcmp(f[12], "ACCEPT") == 0 && strcmp(f[6], "8080") == 0) {
            cr_assert_str_eq(f[8], "3");
            /* 3 SYNs of 52 bytes: 20 IPv4 + 20 TCP + 12 of options? The
             * bytes are whatever the TCP model sends; the count is the
             * point. */
            saw_syns = true;
        }
    }
    cr_assert(saw_reject && saw_syns, "%s", log->str);
    cr_assert_eq(run_num(ok, "flows", "lb-app", "delivered_bytes"), 100000);
    cr_assert_eq(report_drops(ok, "vpc1", "nacl_deny"), 0);
}

/* ---- routing ----------------------------------------------------------- */

Test(vpc, longest_prefix_match_and_the_local_route)
{
    /* [RT] rt-a: 0/0 -> nat1, 10.0.0.0/8 -> igw, 10.2.0.0/16 -> nat1,
     * 10.2.5.0/24 -> igw, and the local route 10.1.0.0/16. 10.1.1.10 is
     * in the VPC: the local route (/16) beats 10.0.0.0/8, so hb gets it.
     * 10.2.5.7: the /24 beats the /16 (igw). 10.2.9.9: the /16 (nat1).
     * 198.51.100.6: only 0/0 (nat1). So the internet gateway sends 3
     * packets out (one straight from ha, with its public address, and the
     * NAT gateway's 2), the NAT gateway 2. */
    Bench b;
    TestApp *ha, *hb;

    bench_open(&b, TOPO, NULL);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40000);
    hb = app_attach(b.net, "hb", "app-hb", VNS_IPPROTO_UDP, 7005);
    bench_start(&b);
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                      7005, 100, 64, true));
    app_send_at(ha, 11 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.5.7", 40000,
                                      9, 100, 64, true));
    app_send_at(ha, 12 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.9.9", 40000,
                                      9, 100, 64, true));
    app_send_at(ha, 13 * VNS_MS, udp4(b.net, "10.1.0.10", "198.51.100.6",
                                      40000, 9, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(hb->rx->len, 1);
    cr_assert_eq(vstat(&b, "internet_gateways", "vpc:igw", "packets_out"), 3);
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "packets_out_to_destination"), 2);
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "connection_established_count"), 2);
    bench_finish(&b);
}

static void
middlebox(const char *sdcheck, guint expect_rx, uint64_t expect_drops)
{
    /* [RT] rt-c sends subnet b's whole block to eni-fw; fw (a router)
     * forwards to hb, decrementing the TTL (RFC 1812 section 5.3.1): hb
     * sees TTL 63, proof that the packet went through fw. [SDC] with the
     * check on, the VPC drops what fw is not the destination of. */
    const char *const set[] = { "fw_sdcheck", sdcheck, NULL };
    Bench b;
    TestApp *hc, *hb;

    bench_open(&b, TOPO, set);
    hc = app_attach(b.net, "hc", "app-hc", VNS_IPPROTO_UDP, 40000);
    hb = app_attach(b.net, "hb", "app-hb", VNS_IPPROTO_UDP, 7003);
    bench_start(&b);
    app_send_at(hc, 10 * VNS_MS, udp4(b.net, "10.1.2.10", "10.1.1.10", 40000,
                                      7003, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(hb->rx->len, expect_rx);
    if (expect_rx > 0)
        cr_assert_eq(rx(hb, 0)->hdr[8], 63, "TTL %u", rx(hb, 0)->hdr[8]);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_SRC_DST_CHECK), expect_drops);
    bench_finish(&b);
}

Test(vpc, route_to_a_middlebox_eni_needs_source_dest_check_off)
{
    middlebox("false", 1, 0);
    middlebox("true", 0, 1);
}

/* ---- NAT gateway ------------------------------------------------------- */

/* ha and ha2 each open 60,000 UDP connections (source ports 1024-61023)
 * to ext:443 through nat1 with public addresses 'ips'. */
static void
nat_fill(const char *ips, int64_t expect_ok)
{
    const char *const set[] = { "nat_ips", ips, NULL };
    static const char *const src[] = { "10.1.0.10", "10.1.0.11" };
    static const char *const host[] = { "ha", "ha2" };
    const int64_t per_host = 60000;
    Bench b;

    bench_open(&b, TOPO, set);
    for (int h = 0; h < 2; h++) {
        TestApp *app = app_attach(b.net, host[h], src[h], VNS_IPPROTO_UDP, 1);
        for (int64_t k = 0; k < per_host; k++)
            app_send_at(app, 10 * VNS_MS + (2 * k + h) * VNS_US,
                        udp4(b.net, src[h], "198.51.100.6",
                             (uint16_t) (1024 + k), 443, 10, 64, true));
    }
    bench_start(&b);
    vns_sim_run_until(b.sim, 300 * VNS_MS);
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1", "peak_connection_count"),
                 expect_ok);
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1", "error_port_allocation"),
                 2 * per_host - expect_ok);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_NAT_PORTS_EXHAUSTED),
                 (uint64_t) (2 * per_host - expect_ok));
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "packets_out_to_destination"), expect_ok);
    bench_finish(&b);
}

Test(vpc, nat_gateway_limit_is_55000_per_destination_per_address)
{
    /* [NAT]: 55,000 per public address to one destination (address,
     * port, protocol); a second address raises it to 110,000. */
    nat_fill("203.0.113.20", 55000);
    nat_fill("203.0.113.20,203.0.113.21", 110000);
}

Test(vpc, nat_exhaustion_experiment)
{
    /* experiments/vpc-nat-exhaustion.xml: 60,000 connections from app1 to
     * ext:443 [NAT]: 55,000 get a port and reach ext (each from its own
     * translated source port), 5,000 fail. */
    g_autoptr(VnsReport) r = models_test_run(EXP("vpc-nat-exhaustion.xml"),
                                             NULL, 0);

    cr_assert_eq(run_num(r, "nat_gateways", "vpc1:nat1", "peak_connection_count"),
                 55000);
    cr_assert_eq(run_num(r, "nat_gateways", "vpc1:nat1", "error_port_allocation"),
                 5000);
    cr_assert_eq(report_drops(r, "vpc1", "nat_ports_exhausted"), 5000);
    cr_assert_eq(run_num(r, "udp_connections", "burst", "sent"), 60000);
    cr_assert_eq(run_num(r, "udp_connections", "burst", "received"), 55000);
    cr_assert_eq(run_num(r, "udp_connections", "burst", "source_ports_seen"),
                 55000);
}

/* ---- the three tiers and flow logs -------------------------------------- */

Test(vpc, three_tier_reachability_and_flow_log)
{
    /* experiments/vpc-three-tier.xml. */
    g_autoptr(VnsReport) r = models_test_run(EXP("vpc-three-tier.xml"), NULL, 0);
    GString *log = g_hash_table_lookup(vns_report_files(r), "vpc1-flows.log");
    g_auto(GStrv) lines = NULL;

    /* The database takes the app tier's connection (sg-db allows TCP 5432
     * from sg-app; its ACKs leave though sg-db allows nothing out). */
    cr_assert_eq(run_num(r, "flows", "app-db", "delivered_bytes"), 100000);
    cr_assert_eq(run_num(r, "flows", "lb-app", "delivered_bytes"), 1000000);
    /* Not the load balancer's: 21 datagrams (every 100 ms, 0 to 2 s
     * inclusive) denied by sg-db. */
    cr_assert_eq(run_num(r, "flows", "lb-db", "received_packets"), 0);
    cr_assert_eq(run_num(r, "enis", "vpc1:eni-db1", "sg_denied_in"), 21);
    /* Not the internet's: db1 has no public address and its private one is
     * not routed outside; the client's datagrams die at the internet
     * router; nothing from outside reaches db1. */
    cr_assert_eq(run_num(r, "flows", "client-db", "received_packets"), 0);
    cr_assert_eq(report_drops(r, "inet", "no_route"), 20);
    /* The web flow enters by the internet gateway (its 200 datagrams of
     * 1028 bytes: 1000 + 8 UDP + 20 IPv4) and nothing else does. */
    cr_assert_eq(run_num(r, "flows", "web", "received_packets"), 200);
    cr_assert_eq(run_num(r, "internet_gateways", "vpc1:igw", "packets_in"), 200);
    /* app1 reaches ext through the NAT gateway: 100 datagrams. */
    cr_assert_eq(run_num(r, "flows", "app-out", "received_packets"), 100);
    cr_assert_eq(run_num(r, "nat_gateways", "vpc1:nat1",
                         "connection_established_count"), 1);

    /* [FL] the default format: a header line, then 14 space-separated
     * fields per record. */
    cr_assert_not_null(log);
    lines = g_strsplit(log->str, "\n", -1);
    cr_assert_str_eq(lines[0], "version account-id interface-id srcaddr dstaddr "
                     "srcport dstport protocol packets bytes start end action "
                     "log-status");
    for (size_t i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], " ", -1);
        cr_assert_eq(g_strv_length(f), 14, "'%s'", lines[i]);
        cr_assert_str_eq(f[0], "2");
        cr_assert_str_eq(f[1], "123456789010");
        cr_assert(strcmp(f[12], "ACCEPT") == 0 || strcmp(f[12], "REJECT") == 0);
        cr_assert_str_eq(f[13], "OK");
    }
    /* At the load balancer, as it sees the packets (private address after
     * the gateway's translation): 200 x 1028 = 205,600 bytes, first at
     * 0 s, last at 1.99 s + 1 ms. */
    cr_assert(has_line(log->str, "2 123456789010 eni-lb 198.51.100.2 10.0.0.10 "
                       "40000 80 17 200 205600 0 1 ACCEPT OK"), "%s", log->str);
    /* The denied datagrams: accepted leaving the load balancer, rejected
     * at the database, 21 x 128 = 2,688 bytes, 0 s to 2 s. */
    cr_assert(has_line(log->str, "2 123456789010 eni-lb 10.0.0.10 10.0.2.10 "
                       "42000 5432 17 21 2688 0 2 ACCEPT OK"), "%s", log->str);
    cr_assert(has_line(log->str, "2 123456789010 eni-db1 10.0.0.10 10.0.2.10 "
                       "42000 5432 17 21 2688 0 2 REJECT OK"), "%s", log->str);
    /* The NAT'ed flow at app1: private addresses, 101 x 528 bytes (500 +
     * 8 + 20); the 101st left at 2 s. */
    cr_assert(has_line(log->str, "2 123456789010 eni-app1 10.0.1.10 198.51.100.6 "
                       "41000 443 17 101 53328 0 2 ACCEPT OK"), "%s", log->str);
}

/* ---- bad input ---------------------------------------------------------- */

static void
check_bad(const char *file, const char *const *set, int line, int code,
          const char *part)
{
    Bench b;
    GError *error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);

    cr_assert_not(bench_load(&b, file, set, &error), "%s was accepted", file);
    cr_assert_not_null(error);
    cr_assert_eq(error->domain, VNS_CONFIG_ERROR, "%s", error->message);
    cr_assert_eq(error->code, code, "code %d: %s", error->code, error->message);
    cr_assert(g_str_has_prefix(error->message, prefix), "expected '%s...', got '%s'",
              prefix, error->message);
    cr_assert_not_null(strstr(error->message, part), "no '%s' in '%s'", part,
                       error->message);
    g_error_free(error);
    bench_finish(&b);
}

Test(vpc, subnet_outside_vpc_and_overlapping_subnets_are_refused)
{
    check_bad("bad-vpc-subnet-outside.xml", NULL, 6, VNS_CONFIG_ERROR_CONFLICT,
              "<subnet> 'b' cidr 10.1.0.0/24 is outside its VPC's block "
              "10.0.0.0/16");
    check_bad("bad-vpc-subnet-overlap.xml", NULL, 6, VNS_CONFIG_ERROR_CONFLICT,
              "<subnet> 'b' cidr 10.0.1.0/24 overlaps subnet 'a' (10.0.0.0/23, "
              "line 5)");
}

Test(vpc, reserved_addresses_are_refused)
{
    /* [SUB]: in 10.0.1.0/24, .0 (network), .1 (VPC router), .2 (DNS),
     * .3 (future use) and .255 (broadcast) are reserved; .4 and .254 are
     * the first and last usable. */
    static const char *const reserved[] = {
        "10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255",
    };
    static const char *const usable[] = { "10.0.1.4", "10.0.1.254" };

    for (size_t i = 0; i < G_N_ELEMENTS(reserved); i++) {
        const char *const set[] = { "addr", reserved[i], NULL };
        g_autofree char *msg = g_strdup_printf("address %s is reserved",
                                               reserved[i]);
        check_bad("bad-vpc-reserved.xml", set, 12, VNS_CONFIG_ERROR_BAD_VALUE,
                  msg);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(usable); i++) {
        const char *const set[] = { "addr", usable[i], NULL };
        GError *error = NULL;
        Bench b;
        cr_assert(bench_load(&b, "bad-vpc-reserved.xml", set, &error), "%s: %s",
                  usable[i], error ? error->message : "");
        bench_finish(&b);
    }
}

/* ---- peering ------------------------------------------------------------ */

Test(vpc, peering_carries_traffic_to_the_peer_only)
{
    /* Amazon VPC Peering Guide: a peering connection routes between the
     * two VPCs' own addresses; it is not transitive (no edge-to-edge
     * routing). h1 -> h2:7000 arrives (vpc2's group allows UDP 7000 from
     * 10.1.0.0/16); h1 -> 10.3.0.5 goes to the peering too (vpc1 routes
     * 10.0.0.0/8 there) and vpc2 drops it (no_route). */
    Bench b;
    TestApp *h1, *h2;

    bench_open(&b, "ok-vpc-peering-topo.xml", NULL);
    h1 = app_attach(b.net, "h1", "app-h1", VNS_IPPROTO_UDP, 40000);
    h2 = app_attach(b.net, "h2", "app-h2", VNS_IPPROTO_UDP, 7000);
    bench_start(&b);
    app_send_at(h1, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.0.10", 40000,
                                      7000, 100, 64, true));
    app_send_at(h1, 11 * VNS_MS, udp4(b.net, "10.1.0.10", "10.3.0.5", 40000,
                                      7000, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(h2->rx->len, 1);
    cr_assert_eq(vstat(&b, "vpc_peerings", "vpc1:pcx-12", "packets_out"), 2);
    cr_assert_eq(vstat(&b, "vpc_peerings", "vpc2:pcx-21", "packets_in"), 2);
    cr_assert_eq(drops(&b, "vpc2", VNS_DROP_NO_ROUTE), 1);
    bench_finish(&b);
}

Test(vpc, bad_peerings_are_refused)
{
    check_bad("bad-vpc-peering-overlap.xml", NULL, 6, VNS_CONFIG_ERROR_CONFLICT,
              "<peering> 'pcx-12': the blocks 10.1.0.0/16 and 10.1.128.0/17 "
              "of 'vpc2' overlap");
    check_bad("bad-vpc-peering-one-sided.xml", NULL, 6,
              VNS_CONFIG_ERROR_REFERENCE,
              "<vpc> 'vpc2' has no <peering> with peer=\"vpc1\"");
}

/* ---- transit gateway ----------------------------------------------------- */

Test(vpc, transit_gateway_routes_between_vpcs_and_to_central_egress)
{
    /* Amazon VPC Transit Gateways guide ("How transit gateways work"):
     * an attachment's associated route table routes its packets;
     * propagation adds the attached VPC's block; a blackhole route drops.
     * h1 -> h2 (spoke to spoke, the propagated 10.2.0.0/16); h1 -> ext
     * (the static default to the egress VPC, whose attachment subnet
     * routes to nat1); ext's reply to nat1's public address and first
     * port, 1024, goes back through the gateway (table "egress") to h1;
     * h1 -> 10.99.1.1 is blackholed. */
    Bench b;
    TestApp *h1, *h2, *ext;

    bench_open(&b, "ok-vpc-tgw-topo.xml", NULL);
    h1 = app_attach(b.net, "h1", "app-h1", VNS_IPPROTO_UDP, 40000);
    h2 = app_attach(b.net, "h2", "app-h2", VNS_IPPROTO_UDP, 7000);
    ext = app_attach(b.net, "ext", "app-ext", VNS_IPPROTO_UDP, 443);
    bench_start(&b);
    app_send_at(h1, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.0.10", 40000,
                                      7000, 100, 64, true));
    app_send_at(h1, 11 * VNS_MS, udp4(b.net, "10.1.0.10", "198.51.100.6",
                                      40000, 443, 100, 64, true));
    app_send_at(h1, 12 * VNS_MS, udp4(b.net, "10.1.0.10", "10.99.1.1", 40000,
                                      9, 100, 64, true));
    app_send_at(ext, 50 * VNS_MS, udp4(b.net, "198.51.100.6", "203.0.113.20",
                                       443, 1024, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(h2->rx->len, 1);
    cr_assert_eq(ext->rx->len, 1);
    /* The source ext saw: nat1's public address and port 1024. */
    cr_assert_eq(vns_wire_get32(rx(ext, 0)->hdr + 12), ip4("203.0.113.20"));
    cr_assert_eq(vns_wire_get16(rx(ext, 0)->hdr + 20), 1024);
    cr_assert_eq(h1->rx->len, 1, "the reply did not come back");
    cr_assert_eq(vns_wire_get32(rx(h1, 0)->hdr + 12), ip4("198.51.100.6"));
    cr_assert_eq(vstat(&b, "transit_gateways", "tgw1", "blackholed"), 1);
    cr_assert_eq(vstat(&b, "transit_gateways", "tgw1", "forwarded"), 3);
    cr_assert_eq(vstat(&b, "transit_gateway_attachments", "tgw1:vpc1",
                       "packets_in"), 3);
    cr_assert_eq(vstat(&b, "transit_gateway_attachments", "tgw1:vpc1",
                       "packets_out"), 1);
    bench_finish(&b);
}

Test(vpc, route_to_an_unattached_transit_gateway_is_refused)
{
    check_bad("bad-vpc-tgw-unattached.xml", NULL, 7, VNS_CONFIG_ERROR_REFERENCE,
              "<route> 'target' is transit gateway 'tgw1', which has no "
              "<attachment vpc=\"vpc1\">");
}

Test(vpc, flow_log_aggregates_per_interval)
{
    /* [FL] with a 60 s maximum aggregation interval: datagrams at 10 ms
     * and 30 s fall in the first interval (one record of 2 packets,
     * start 0, end 30), the one at 70 s in the second; the third interval
     * (120-130 s, the end of the run) has no traffic: NODATA records for
     * every ENI, start and end the interval's. */
    Bench b;
    TestApp *ha;
    g_autofree char *log = NULL;

    bench_open(&b, TOPO, NULL);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40000);
    (void) app_attach(b.net, "hb", "app-hb", VNS_IPPROTO_UDP, 7000);
    bench_start(&b);
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                      7000, 100, 64, true));
    app_send_at(ha, 30 * VNS_SEC, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                       7000, 100, 64, true));
    app_send_at(ha, 70 * VNS_SEC, udp4(b.net, "10.1.0.10", "10.1.1.10", 40000,
                                       7000, 100, 64, true));
    vns_sim_run_until(b.sim, 130 * VNS_SEC);
    log = flow_log(&b, "t-flows.log");
    cr_assert(has_line(log, "2 123456789010 eni-ha 10.1.0.10 10.1.1.10 40000 "
                       "7000 17 2 256 0 30 ACCEPT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-hb 10.1.0.10 10.1.1.10 40000 "
                       "7000 17 2 256 0 30 ACCEPT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-ha 10.1.0.10 10.1.1.10 40000 "
                       "7000 17 1 128 70 70 ACCEPT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-ha - - - - - - - 120 130 - "
                       "NODATA"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 eni-fw - - - - - - - 0 60 - "
                       "NODATA"), "%s", log);
    bench_finish(&b);
}

/* ha sends 'n' UDP datagrams of 128 IP bytes (1,024 bits) to ext, one
 * every 'gap', through nat1 with ceilings 'bw' and 'pps'; returns how
 * many the NAT gateway forwarded. */
static int64_t
nat_ceiling(const char *bw, const char *pps, int n, VnsTime gap)
{
    const char *const set[] = { "nat_bw", bw, "nat_pps", pps, NULL };
    Bench b;
    TestApp *ha;
    int64_t out;

    bench_open(&b, TOPO, set);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40000);
    /* Bound, so that ext sends no ICMP port unreachable back through the
     * gateway (both directions share the ceilings). */
    (void) app_attach(b.net, "ext", "app-ext", VNS_IPPROTO_UDP, 443);
    for (int k = 0; k < n; k++)
        app_send_at(ha, 10 * VNS_MS + k * gap,
                    udp4(b.net, "10.1.0.10", "198.51.100.6", 40000, 443, 100,
                         64, true));
    bench_start(&b);
    vns_sim_run_until(b.sim, 10 * VNS_MS + n * gap + VNS_MS);
    out = vstat(&b, "nat_gateways", "vpc:nat1", "packets_out_to_destination");
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_RATE_LIMIT), (uint64_t) (n - out),
                 "%d sent, %" G_GINT64_FORMAT " out, %" G_GUINT64_FORMAT
                 " rate_limit drops, %" G_GUINT64_FORMAT " no_neighbor", n, out,
                 drops(&b, "vpc", VNS_DROP_RATE_LIMIT),
                 drops(&b, "ha", VNS_DROP_NO_NEIGHBOR));
    bench_finish(&b);
    return out;
}

Test(vpc, nat_gateway_rate_ceilings)
{
    /* Token buckets, full at the start, 1 ms deep (the 'burst' default):
     * what passes by the last packet, at time T after the first, is the
     * bucket plus T of refill, over the cost of a packet.
     * Bandwidth 10 Mbit/s offered 20 Mbit/s (20,000 packets of 1,024
     * bits every 51.2 us, T = 19,999 x 51.2 us = 1.0239488 s):
     * (10,000 + 10,239,488) / 1,024 = 10,009.3 packets.
     * Packet rate 1,000/s offered 2,000/s (2,000 packets every 500 us,
     * T = 0.9995 s): the bucket's floor of one packet plus 999.5. */
    int64_t bw = nat_ceiling("10Mbps", "10000000", 20000, 51200 * VNS_NS);
    int64_t pps = nat_ceiling("100Gbps", "1000", 2000, 500 * VNS_US);

    cr_assert(bw >= 10008 && bw <= 10010, "bandwidth: %" G_GINT64_FORMAT, bw);
    cr_assert(pps >= 1000 && pps <= 1001, "packet rate: %" G_GINT64_FORMAT, pps);
}

static void
too_big(const char *icmp_from, int64_t expect_pmtu, uint64_t expect_sg_deny)
{
    /* ha sends 2,000-byte datagrams (fine in the VPC's 9001) to 10.2.5.7,
     * which rt-a routes to the internet gateway, whose MTU is 1500 (EC2
     * User Guide, network MTU: traffic over an internet gateway is
     * limited to 1500). Both are dropped (mtu_exceeded); for the one with
     * DF the gateway returns ICMP type 3 code 4 with MTU 1500 (Amazon VPC
     * User Guide, "Path MTU Discovery"; RFC 1191 section 4), which ha's
     * security group must allow: then ha's path-MTU cache learns it. */
    const char *const set[] = { "icmp_from", icmp_from, NULL };
    Bench b;
    TestApp *ha;

    bench_open(&b, TOPO, set);
    ha = app_attach(b.net, "ha", "app-ha", VNS_IPPROTO_UDP, 40000);
    bench_start(&b);
    /* Without DF first: once ha has learnt the path MTU it would
     * fragment such datagrams itself (Linux does), and the VPC model
     * drops fragments. */
    app_send_at(ha, 10 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.5.7", 40000,
                                      9, 1972, 64, false));
    app_send_at(ha, 11 * VNS_MS, udp4(b.net, "10.1.0.10", "10.2.5.7", 40000,
                                      9, 1972, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_MTU_EXCEEDED), 2);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-ha", "sg_denied_in"),
                 (int64_t) expect_sg_deny);
    cr_assert_eq(host_stat(&b, "ha", "pmtu_updates"), expect_pmtu);
    cr_assert_eq(vstat(&b, "internet_gateways", "vpc:igw", "packets_out"), 0);
    bench_finish(&b);
}

Test(vpc, internet_gateway_mtu_and_path_mtu_discovery)
{
    too_big("192.0.2.0/24", 0, 1);      /* the ICMP error is denied */
    too_big("10.1.0.0/16", 1, 0);       /* allowed: the host learns 1500 */
}

/* ---- VPC endpoints ------------------------------------------------------- *
 * [GWE]  AWS PrivateLink guide, "Gateway endpoints": S3 and DynamoDB only;
 *        a route per prefix of the service's prefix list is added to each
 *        selected route table with the endpoint as target; instances need
 *        no internet or NAT gateway and keep their private addresses;
 *        subnets whose route table is not selected do not use it.
 * [PRIO] Amazon VPC User Guide, "How route priority works": longest prefix
 *        first, then static routes before prefix-list routes.
 * [IFE]  AWS PrivateLink guide, interface endpoints: an ENI with a
 *        private address in each selected subnet, its security groups
 *        control inbound traffic; IPv4 TCP only; responses only to traffic
 *        initiated from the VPC.
 * [POL]  AWS PrivateLink guide, "Control access to VPC endpoints using
 *        endpoint policies": the default policy allows full access; an
 *        explicit deny overrides an allow (IAM policy evaluation). */

#define EP_TOPO "ok-vpc-endpoints-topo.xml"

static VnsPacket *
tcp4(Bench *b, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint8_t flags)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(b->net), 0);
    VnsIpAddr s = { .family = VNS_IP_V4, .v4 = ip4(src) };
    VnsIpAddr d = { .family = VNS_IP_V4, .v4 = ip4(dst) };
    VnsTcpHdr t = { .sport = sport, .dport = dport, .seq = 1000,
                    .ack = flags & VNS_TCP_ACK ? 2001 : 0, .flags = flags,
                    .window = 65535 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_TCP, .src = s.v4,
                      .dst = d.v4, .id = 1, .df = true };

    vns_tcp_push(pkt, &t, &s, &d);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

Test(vpc, gateway_endpoint_keeps_s3_traffic_private)
{
    /* [GWE] app's subnet routes 0.0.0.0/0 to nat1 and has no internet
     * gateway route; rt-app is associated with vpce-s3, whose /15 is more
     * specific than 0/0 [PRIO]: app's datagram to 52.216.10.10 reaches
     * the S3 host with its private source 10.5.1.10, and the internet copy
     * of that address (ext) sees nothing: no NAT translation, no internet
     * gateway packet. S3's answer comes back to app. other's subnet
     * (rt-other, not associated) reaches the same address through nat1:
     * ext sees 203.0.113.20:1024. 54.231.1.1 is in the prefix list too,
     * but rt-app has a static route for exactly 54.231.0.0/17, which wins
     * over the prefix-list route [PRIO]: through nat1. */
    Bench b;
    TestApp *app, *other, *s3, *ext;

    bench_open(&b, EP_TOPO, NULL);
    app = app_attach(b.net, "app", "app-app", VNS_IPPROTO_UDP, 40000);
    other = app_attach(b.net, "other", "app-other", VNS_IPPROTO_UDP, 40000);
    s3 = app_attach(b.net, "s3", "app-s3", VNS_IPPROTO_UDP, 443);
    ext = app_attach(b.net, "ext", "app-ext", VNS_IPPROTO_UDP, 443);
    bench_start(&b);
    app_send_at(app, 10 * VNS_MS, udp4(b.net, "10.5.1.10", "52.216.10.10",
                                       40000, 443, 100, 64, true));
    app_send_at(s3, 20 * VNS_MS, udp4(b.net, "52.216.10.10", "10.5.1.10",
                                      443, 40000, 200, 64, true));
    app_send_at(other, 30 * VNS_MS, udp4(b.net, "10.5.2.10", "52.216.10.10",
                                         40000, 443, 100, 64, true));
    app_send_at(app, 40 * VNS_MS, udp4(b.net, "10.5.1.10", "54.231.1.1",
                                       40000, 443, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(s3->rx->len, 1, "s3 got %u", s3->rx->len);
    cr_assert_eq(vns_wire_get32(rx(s3, 0)->hdr + 12), ip4("10.5.1.10"),
                 "the source was translated");
    cr_assert_eq(app->rx->len, 1, "S3's answer did not come back");
    cr_assert_eq(vns_wire_get32(rx(app, 0)->hdr + 12), ip4("52.216.10.10"));
    cr_assert_eq(ext->rx->len, 1, "ext got %u", ext->rx->len);
    cr_assert_eq(vns_wire_get32(rx(ext, 0)->hdr + 12), ip4("203.0.113.20"));
    cr_assert_eq(other->rx->len, 0);
    /* 128 bytes out (100 + 8 UDP + 20 IPv4), 228 back. */
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-s3",
                       "packets_to_service"), 1);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-s3",
                       "bytes_to_service"), 128);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-s3",
                       "bytes_from_service"), 228);
    /* nat1 carried other's datagram and the one to 54.231.1.1 only. */
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "packets_out_to_destination"), 2);
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "bytes_out_to_destination"), 256);
    cr_assert_eq(vstat(&b, "internet_gateways", "vpc:igw", "packets_out"), 2);
    bench_finish(&b);
}

static uint32_t
gwep_run(const char *tables)
{
    const char *const set[] = { "s3_tables", tables, NULL };
    Bench b;
    TestApp *app, *s3;
    uint32_t got;

    bench_open(&b, EP_TOPO, set);
    app = app_attach(b.net, "app", "app-app", VNS_IPPROTO_UDP, 40000);
    s3 = app_attach(b.net, "s3", "app-s3", VNS_IPPROTO_UDP, 443);
    (void) app_attach(b.net, "ext", "app-ext", VNS_IPPROTO_UDP, 443);
    bench_start(&b);
    app_send_at(app, 10 * VNS_MS, udp4(b.net, "10.5.1.10", "52.216.10.10",
                                       40000, 443, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    got = s3->rx->len;
    cr_assert_eq(vstat(&b, "nat_gateways", "vpc:nat1",
                       "packets_out_to_destination"), got == 1 ? 0 : 1);
    bench_finish(&b);
    return got;
}

Test(vpc, route_table_not_associated_does_not_use_the_endpoint)
{
    /* [GWE] the same datagram with vpce-s3 associated with rt-other only
     * (or with no table) follows rt-app's 0/0 to the NAT gateway. */
    cr_assert_eq(gwep_run("rt-app"), 1);
    cr_assert_eq(gwep_run("rt-other"), 0);
    cr_assert_eq(gwep_run(""), 0);
}

static void
gwep_policy(const char *deny, guint expect_rx, int64_t expect_denied)
{
    /* app2's security group allows UDP out to vpce-s3's prefix list
     * only: its datagram to S3 passes, the one to 198.51.100.6 is denied
     * (sg_deny). [POL] the policy allows 10.5.0.0/16 and denies 'deny'. */
    const char *const set[] = { "s3_deny", deny, NULL };
    Bench b;
    TestApp *app2, *s3;

    bench_open(&b, EP_TOPO, set);
    app2 = app_attach(b.net, "app2", "app-app2", VNS_IPPROTO_UDP, 40000);
    s3 = app_attach(b.net, "s3", "app-s3", VNS_IPPROTO_UDP, 443);
    bench_start(&b);
    app_send_at(app2, 10 * VNS_MS, udp4(b.net, "10.5.1.11", "52.216.10.10",
                                        40000, 443, 100, 64, true));
    app_send_at(app2, 20 * VNS_MS, udp4(b.net, "10.5.1.11", "198.51.100.6",
                                        40000, 443, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(s3->rx->len, expect_rx);
    cr_assert_eq(vstat(&b, "enis", "vpc:eni-app2", "sg_denied_out"), 1);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-s3", "policy_denied"),
                 expect_denied);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_POLICY_DENY),
                 (uint64_t) expect_denied);
    bench_finish(&b);
}

Test(vpc, gateway_endpoint_prefix_list_rule_and_policy)
{
    gwep_policy("192.0.2.0/24", 1, 0);
    gwep_policy("10.5.1.11/32", 0, 1);  /* the deny wins over the allow */
}

Test(vpc, interface_endpoint_forwards_tcp_and_replies_return)
{
    /* [IFE] app (same subnet as the endpoint's ENI 10.5.1.50) sends a SYN
     * to 10.5.1.50:443; sg-api allows TCP 443 from the subnet. The service
     * host sees it from the endpoint's link address 100.64.20.1 and the
     * endpoint's first port, 1024, to its own address, port 443 kept. Its
     * SYN-ACK to 100.64.20.1:1024 reaches app from 10.5.1.50:443 to port
     * 40000. A UDP datagram to the endpoint is dropped (TCP only). The
     * flow log has ACCEPT records at the endpoint's ENI both ways [FL]:
     * 40 bytes each (20 IPv4 + 20 TCP, RFC 791/793). */
    Bench b;
    TestApp *app, *api;
    g_autofree char *log = NULL;

    bench_open(&b, EP_TOPO, NULL);
    app = app_attach(b.net, "app", "app-app", VNS_IPPROTO_TCP, 40000);
    (void) app_attach(b.net, "app", "app-app-udp", VNS_IPPROTO_UDP, 40001);
    api = app_attach(b.net, "api", "app-api", VNS_IPPROTO_TCP, 443);
    bench_start(&b);
    app_send_at(app, 10 * VNS_MS, tcp4(&b, "10.5.1.10", "10.5.1.50", 40000,
                                       443, VNS_TCP_SYN));
    app_send_at(api, 20 * VNS_MS, tcp4(&b, "100.64.20.2", "100.64.20.1", 443,
                                       1024, VNS_TCP_SYN | VNS_TCP_ACK));
    app_send_at(app, 30 * VNS_MS, udp4(b.net, "10.5.1.10", "10.5.1.50", 40001,
                                       443, 100, 64, true));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(api->rx->len, 1, "api got %u", api->rx->len);
    cr_assert_eq(vns_wire_get32(rx(api, 0)->hdr + 12), ip4("100.64.20.1"));
    cr_assert_eq(vns_wire_get32(rx(api, 0)->hdr + 16), ip4("100.64.20.2"));
    cr_assert_eq(vns_wire_get16(rx(api, 0)->hdr + 20), 1024);
    cr_assert_eq(vns_wire_get16(rx(api, 0)->hdr + 22), 443);
    cr_assert_eq(app->rx->len, 1, "the SYN-ACK did not come back");
    cr_assert_eq(vns_wire_get32(rx(app, 0)->hdr + 12), ip4("10.5.1.50"));
    cr_assert_eq(vns_wire_get16(rx(app, 0)->hdr + 20), 443);
    cr_assert_eq(vns_wire_get16(rx(app, 0)->hdr + 22), 40000);
    cr_assert_eq(rx(app, 0)->hdr[33], VNS_TCP_SYN | VNS_TCP_ACK);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-api",
                       "active_connections"), 1);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-api",
                       "unsupported_protocol"), 1);
    cr_assert_eq(vstat(&b, "enis", "vpc:vpce-api-app", "packets_in"), 2);
    {
        /* An endpoint without 'address' takes the first free address of
         * its subnet after the four reserved ones [SUB]: 10.5.2.4. */
        g_autoptr(VnsReport) r = vns_report_new();
        const VnsField *f;

        vns_net_stats(b.net, r);
        f = vns_report_find(r, "enis", "vpc:vpce-ddb-other", "address");
        cr_assert_not_null(f);
        cr_assert_str_eq(f->s, "10.5.2.4");
    }
    log = flow_log(&b, "t-ep.log");
    cr_assert(has_line(log, "2 123456789010 vpce-api-app 10.5.1.10 10.5.1.50 "
                       "40000 443 6 1 40 0 0 ACCEPT OK"), "%s", log);
    cr_assert(has_line(log, "2 123456789010 vpce-api-app 10.5.1.50 10.5.1.10 "
                       "443 40000 6 1 40 0 0 ACCEPT OK"), "%s", log);
    bench_finish(&b);
}

Test(vpc, interface_endpoint_security_group_denies_other_sources)
{
    /* [IFE] sg-api allows TCP 443 from 10.5.1.0/24 only: other
     * (10.5.2.10) is denied at the endpoint's ENI (sg_deny, a REJECT
     * record there), the service sees nothing. An unsolicited packet from
     * the service is dropped (not_for_us). */
    Bench b;
    TestApp *other, *api;
    g_autofree char *log = NULL;

    bench_open(&b, EP_TOPO, NULL);
    other = app_attach(b.net, "other", "app-other", VNS_IPPROTO_TCP, 40000);
    api = app_attach(b.net, "api", "app-api", VNS_IPPROTO_TCP, 443);
    bench_start(&b);
    app_send_at(other, 10 * VNS_MS, tcp4(&b, "10.5.2.10", "10.5.1.50", 40000,
                                         443, VNS_TCP_SYN));
    app_send_at(api, 20 * VNS_MS, tcp4(&b, "100.64.20.2", "100.64.20.1", 443,
                                       1024, VNS_TCP_SYN | VNS_TCP_ACK));
    vns_sim_run_until(b.sim, 100 * VNS_MS);
    cr_assert_eq(api->rx->len, 0);
    cr_assert_eq(other->rx->len, 0);
    cr_assert_eq(vstat(&b, "enis", "vpc:vpce-api-app", "sg_denied_in"), 1);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_SG_DENY), 1);
    cr_assert_eq(drops(&b, "vpc", VNS_DROP_NOT_FOR_US), 1);
    cr_assert_eq(vstat(&b, "vpc_endpoints", "vpc:vpce-api",
                       "unmatched_from_service"), 1);
    log = flow_log(&b, "t-ep.log");
    cr_assert(has_line(log, "2 123456789010 vpce-api-app 10.5.2.10 10.5.1.50 "
                       "40000 443 6 1 40 0 0 REJECT OK"), "%s", log);
    bench_finish(&b);
}

Test(vpc, bad_endpoint_references_are_refused)
{
    check_bad("bad-vpc-endpoint-table.xml", NULL, 10, VNS_CONFIG_ERROR_REFERENCE,
              "<gateway-endpoint> 'route-tables' names 'rt-nope', which is no "
              "<route-table> of the VPC");
    check_bad("bad-vpc-endpoint-subnet.xml", NULL, 9,
              VNS_CONFIG_ERROR_REFERENCE,
              "<interface-endpoint> 'subnets' names 'nope', which is no "
              "<subnet> of the VPC");
}

Test(vpc, endpoints_experiment_s3_bypasses_the_nat_gateway)
{
    /* experiments/vpc-endpoints.xml [GWE]: app1's 1,000,000-byte TCP
     * upload to S3 crosses vpce-s3 whole: every segment leaves by the
     * endpoint, each with 40 bytes of headers (20 IPv4 + 20 TCP, RFC
     * 791/793) plus the SYN's options (at most 40, RFC 793); S3's ACKs
     * come back through it. nat1 carries app-out alone: 101 datagrams of
     * 528 bytes (500 + 8 + 20) = 53,328 bytes, as in vpc-three-tier: the
     * S3 bytes cost no NAT gateway data processing. The flow log shows
     * the upload with app1's private address. */
    g_autoptr(VnsReport) r = models_test_run(EXP("vpc-endpoints.xml"), NULL, 0);
    GString *log = g_hash_table_lookup(vns_report_files(r), "vpc1-flows.log");
    double pkts = run_num(r, "vpc_endpoints", "vpc1:vpce-s3",
                          "packets_to_service");
    double bytes = run_num(r, "vpc_endpoints", "vpc1:vpce-s3",
                           "bytes_to_service");
    double sent = run_num(r, "flows", "s3-put", "sent_segments");

    cr_assert_eq(run_num(r, "flows", "s3-put", "delivered_bytes"), 1000000);
    cr_assert_eq(pkts, sent, "%g packets through the endpoint, %g sent", pkts,
                 sent);
    cr_assert(bytes >= 1000000 + 40 * pkts && bytes <= 1000000 + 40 * pkts + 40,
              "bytes %g for %g packets", bytes, pkts);
    cr_assert(run_num(r, "vpc_endpoints", "vpc1:vpce-s3",
                      "packets_from_service") > 0);
    cr_assert_eq(run_num(r, "nat_gateways", "vpc1:nat1",
                         "bytes_out_to_destination"), 53328);
    cr_assert_eq(run_num(r, "nat_gateways", "vpc1:nat1",
                         "packets_out_to_destination"), 101);
    cr_assert_eq(run_num(r, "internet_gateways", "vpc1:igw", "bytes_out"),
                 53328);
    cr_assert_not_null(log);
    cr_assert_not_null(strstr(log->str, " eni-app1 10.0.1.10 52.216.10.10 "),
                       "%s", log->str);
}

Test(vpc, instances_without_an_address_get_a_lease)
{
    /* AWS: the first four addresses and the last of a subnet are reserved
     * (Amazon VPC User Guide, "Subnet CIDR blocks"); the VPC's DHCP gives
     * the instance its private address and the subnet router (+1) as its
     * gateway ("DHCP option sets"). h3 already holds .4, h2's ENI names
     * .9, so h1 gets .5; the ten datagrams h1 sends to h2 arrive. */
    g_autoptr(VnsReport) r = models_test_run("ok-vpc-dhcp.xml", NULL, 0);
    VnsExperiment *exp;
    VnsRegistry *reg;
    VnsNet *net = models_test_build("ok-vpc-dhcp.xml", NULL, 0, &exp, &reg);
    const VnsPort *p1 = vns_element_find_port(vns_net_find(net, "h1"), "eth0");
    const VnsPort *p2 = vns_element_find_port(vns_net_find(net, "h2"), "eth0");

    cr_assert_eq(p1->info.addr4.v4, 0x0A070105u);
    cr_assert_eq(p1->info.prefix4, 24);
    cr_assert_eq(p2->info.addr4.v4, 0x0A070109u);
    cr_assert_eq(models_test_num(r, "flows", "f", "sent_packets"), 10);
    cr_assert_eq(models_test_num(r, "flows", "f", "received_packets"), 10);
    vns_sim_free(vns_net_sim(net));
    vns_net_free(net);
    vns_experiment_free(exp);
    vns_registry_free(reg);
}
