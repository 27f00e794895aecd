/* The test application and bench shared by the host and ECMP tests
 * (host_bench.h). */
#include <config.h>
#include "host_bench.h"

#include <string.h>
#include <criterion/criterion.h>
#include "models/models.h"

TestApp *
app_attach(VnsNet *net, const char *host, const char *name, uint8_t proto,
           uint16_t port)
{
    return test_end_attach(net, host, name, proto, port);
}

/* Has 'app' send 'pkt' (taken) at time 'at'. */
void
app_send_at(TestApp *app, VnsTime at, VnsPacket *pkt)
{
    test_end_send_at(app, NULL, at, pkt);
}

uint32_t
ip4(const char *text)
{
    uint32_t a = 0;
    cr_assert(vns_ip4_parse(text, &a, NULL), "%s", text);
    return a;
}

VnsIp6
ip6(const char *text)
{
    VnsIp6 a;
    cr_assert(vns_ip6_parse(text, &a, NULL), "%s", text);
    return a;
}

/* A UDP/IPv4 packet, IP header at data[0], checksums right. */
VnsPacket *
udp4(VnsNet *net, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint32_t payload, uint8_t ttl, bool df)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIpAddr s = vns_ip_addr_v4(ip4(src)), d = vns_ip_addr_v4(ip4(dst));
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv4Hdr ip = { .ttl = ttl, .proto = VNS_IPPROTO_UDP, .df = df,
                      .src = s.v4, .dst = d.v4, .id = 1 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

VnsPacket *
udp6(VnsNet *net, const char *src, const char *dst, uint16_t sport,
     uint16_t dport, uint32_t payload, uint8_t hops)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), payload);
    VnsIp6 s6 = ip6(src), d6 = ip6(dst);
    VnsIpAddr s = vns_ip_addr_v6(&s6), d = vns_ip_addr_v6(&d6);
    VnsUdpHdr u = { .sport = sport, .dport = dport };
    VnsIpv6Hdr ip = { .next_header = VNS_IPPROTO_UDP, .hop_limit = hops,
                      .src = s6, .dst = d6 };

    vns_udp_push(pkt, &u, &s, &d);
    vns_ipv6_push(pkt, &ip);
    return pkt;
}

/* An ICMP echo request with identifier 'id'. */
VnsPacket *
echo4(VnsNet *net, const char *src, const char *dst, uint16_t id)
{
    VnsPacket *pkt = vns_packet_new(vns_net_pool(net), 56);
    VnsIcmpHdr e = { .type = VNS_ICMP_ECHO_REQUEST, .id = id, .seq = 1 };
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_ICMP,
                      .src = ip4(src), .dst = ip4(dst) };

    vns_icmp_push(pkt, &e);
    vns_ipv4_push(pkt, &ip);
    return pkt;
}

/* ---- Topologies --------------------------------------------------------- */

bool
bench_load(Bench *b, const char *file, const char *const *set, GError **error)
{
    return test_bench_load(b, file, set, error);
}

void
bench_open(Bench *b, const char *file, const char *const *set)
{
    test_bench_open(b, file, set);
}

void
bench_start(Bench *b)
{
    test_bench_start(b);
}

void
bench_finish(Bench *b)
{
    test_bench_finish(b);
}

/* A host's counter from its "hosts" row. */
int64_t
host_stat(Bench *b, const char *host, const char *key)
{
    return test_bench_int(b, "hosts", host, key);
}

uint64_t
drops(Bench *b, const char *element, VnsDropCause cause)
{
    return test_bench_drops(b, element, cause);
}

const TestRx *
rx(const TestApp *app, guint i)
{
    return test_end_rx(app, i);
}
