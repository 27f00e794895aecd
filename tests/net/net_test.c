/* Shared helpers of the packet-library tests (see net_test.h). */
#include <config.h>
#include "net_test.h"

#include <stdio.h>
#include <string.h>

VnsIp6
net_test_ip6(const char *text)
{
    VnsIp6 a;
    g_autoptr(GError) err = NULL;

    if (!vns_ip6_parse(text, &a, &err))
        g_error("%s", err->message);
    return a;
}

/* Pushes IPv4 and Ethernet headers in front of a transport header. */
static void
push_ip4_eth(VnsPacket *pkt, uint8_t proto, uint32_t src, uint32_t dst)
{
    VnsIpv4Hdr ip = {
        .ttl = 64, .proto = proto, .src = src, .dst = dst, .id = 0x1234, .df = true,
    };
    VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A, .ethertype = VNS_ETHERTYPE_IPV4 };

    vns_ipv4_push(pkt, &ip);
    vns_eth_push(pkt, &eth);
}

static void
push_ip6_eth(VnsPacket *pkt, uint8_t next, const VnsIp6 *src, const VnsIp6 *dst,
             uint8_t hop_limit, const VnsMac *eth_dst)
{
    VnsIpv6Hdr ip = {
        .next_header = next, .hop_limit = hop_limit, .src = *src, .dst = *dst,
        .flow_label = 0x12345,
    };
    VnsEthHdr eth = { .dst = *eth_dst, .src = NT_MAC_A, .ethertype = VNS_ETHERTYPE_IPV6 };

    vns_ipv6_push(pkt, &ip);
    vns_eth_push(pkt, &eth);
}

VnsPacket *
net_test_udp4(VnsPacketPool *pool, uint32_t payload_len)
{
    VnsPacket *pkt = vns_packet_new(pool, payload_len);
    /* Port 5001 (iperf) has no Wireshark dissector to object to zeros. */
    VnsUdpHdr udp = { .sport = 40000, .dport = 5001 };
    VnsIpAddr s = vns_ip_addr_v4(NT_IP4_A), d = vns_ip_addr_v4(NT_IP4_B);

    vns_udp_push(pkt, &udp, &s, &d);
    push_ip4_eth(pkt, VNS_IPPROTO_UDP, NT_IP4_A, NT_IP4_B);
    return pkt;
}

VnsPacket *
net_test_tcp4_syn(VnsPacketPool *pool)
{
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsTcpHdr tcp = {
        .sport = 43210, .dport = 80, .seq = 0x01020304, .flags = VNS_TCP_SYN,
        .window = 64240,
        .opts = { .has_mss = true, .mss = 1460, .sack_permitted = true,
                  .has_ts = true, .ts_val = 1000, .ts_ecr = 0,
                  .has_wscale = true, .wscale = 7 },
    };
    VnsIpAddr s = vns_ip_addr_v4(NT_IP4_A), d = vns_ip_addr_v4(NT_IP4_B);

    vns_tcp_push(pkt, &tcp, &s, &d);
    push_ip4_eth(pkt, VNS_IPPROTO_TCP, NT_IP4_A, NT_IP4_B);
    return pkt;
}

VnsPacket *
net_test_tcp4_sack(VnsPacketPool *pool, uint32_t payload_len)
{
    VnsPacket *pkt = vns_packet_new(pool, payload_len);
    /* The reply to net_test_tcp4_syn()'s peer: it acknowledges up to 'ack'
     * and SACKs three later segments of 1448 bytes, with holes. */
    const uint32_t ack = 0x01020305;
    VnsTcpHdr tcp = {
        .sport = 80, .dport = 43210, .seq = 5000, .ack = ack,
        .flags = VNS_TCP_ACK | VNS_TCP_PSH, .window = 501,
        .opts = { .has_ts = true, .ts_val = 2000, .ts_ecr = 1000, .sack_blocks = 3,
                  .sack = { { ack + 1448, ack + 2896 }, { ack + 4344, ack + 5792 },
                            { ack + 7240, ack + 8688 } } },
    };
    VnsIpAddr s = vns_ip_addr_v4(NT_IP4_B), d = vns_ip_addr_v4(NT_IP4_A);

    vns_tcp_push(pkt, &tcp, &s, &d);
    push_ip4_eth(pkt, VNS_IPPROTO_TCP, NT_IP4_B, NT_IP4_A);
    return pkt;
}

VnsPacket *
net_test_icmp4_echo(VnsPacketPool *pool, uint32_t payload_len)
{
    VnsPacket *pkt = vns_packet_new(pool, payload_len);
    VnsIcmpHdr ic = { .type = VNS_ICMP_ECHO_REQUEST, .id = 0x4242, .seq = 7 };

    vns_icmp_push(pkt, &ic);
    push_ip4_eth(pkt, VNS_IPPROTO_ICMP, NT_IP4_A, NT_IP4_B);
    return pkt;
}

VnsPacket *
net_test_icmp4_frag_needed(VnsPacketPool *pool, uint16_t mtu)
{
    /* The body quotes the offending packet's IP header and its first 8
     * bytes (RFC 792): a 1500-byte UDP datagram with DF. */
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsUdpHdr udp = { .sport = 40000, .dport = 53, .length = 1480 };
    VnsIpv4Hdr inner = {
        .total_len = 1500, .ttl = 63, .proto = VNS_IPPROTO_UDP, .df = true,
        .src = NT_IP4_A, .dst = 0xC0000201u,    /* 192.0.2.1 */
    };
    VnsIcmpHdr ic = { .type = VNS_ICMP_DEST_UNREACH, .code = VNS_ICMP_FRAG_NEEDED,
                      .mtu = mtu };

    vns_udp_push(pkt, &udp, NULL, NULL);
    vns_ipv4_push(pkt, &inner);
    vns_icmp_push(pkt, &ic);
    push_ip4_eth(pkt, VNS_IPPROTO_ICMP, 0x0A0000FEu, NT_IP4_A);
    return pkt;
}

VnsPacket *
net_test_arp(VnsPacketPool *pool)
{
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsArpHdr arp = { .op = VNS_ARP_OP_REQUEST, .sha = NT_MAC_A, .spa = NT_IP4_A,
                      .tpa = NT_IP4_B };
    VnsEthHdr eth = { .dst = VNS_MAC_BROADCAST, .src = NT_MAC_A,
                      .ethertype = VNS_ETHERTYPE_ARP };

    vns_arp_push(pkt, &arp);
    vns_eth_push(pkt, &eth);
    return pkt;
}

VnsPacket *
net_test_vlan_udp4(VnsPacketPool *pool, uint16_t vid)
{
    VnsPacket *pkt = vns_packet_new(pool, 100);
    VnsUdpHdr udp = { .sport = 40001, .dport = 5001 };
    VnsIpAddr s = vns_ip_addr_v4(NT_IP4_A), d = vns_ip_addr_v4(NT_IP4_B);
    VnsIpv4Hdr ip = { .ttl = 64, .proto = VNS_IPPROTO_UDP, .src = NT_IP4_A,
                      .dst = NT_IP4_B, .dscp = 46 };
    VnsVlanHdr tag = { .pcp = 5, .vid = vid, .ethertype = VNS_ETHERTYPE_IPV4 };
    VnsEthHdr eth = { .dst = NT_MAC_B, .src = NT_MAC_A, .ethertype = VNS_ETHERTYPE_VLAN };

    vns_udp_push(pkt, &udp, &s, &d);
    vns_ipv4_push(pkt, &ip);
    vns_vlan_push(pkt, &tag);
    vns_eth_push(pkt, &eth);
    return pkt;
}

VnsPacket *
net_test_udp6(VnsPacketPool *pool, uint32_t payload_len)
{
    VnsPacket *pkt = vns_packet_new(pool, payload_len);
    VnsIp6 a = net_test_ip6("2001:db8::1"), b = net_test_ip6("2001:db8::2");
    VnsIpAddr s = vns_ip_addr_v6(&a), d = vns_ip_addr_v6(&b);
    VnsUdpHdr udp = { .sport = 40000, .dport = 5001 };
    VnsMac mb = NT_MAC_B;

    vns_udp_push(pkt, &udp, &s, &d);
    push_ip6_eth(pkt, VNS_IPPROTO_UDP, &a, &b, 64, &mb);
    return pkt;
}

VnsPacket *
net_test_tcp6_ext(VnsPacketPool *pool, uint32_t payload_len)
{
    /* Fixed header, Hop-by-Hop (8), Routing (a Segment Routing Header, RFC
     * 8754, with Segments Left 0 and the destination as its one segment:
     * 24), Destination Options (16), TCP (20 + 12). */
    VnsPacket *pkt = vns_packet_new(pool, payload_len);
    VnsIp6 a = net_test_ip6("2001:db8::1"), b = net_test_ip6("2001:db8::2");
    VnsIpAddr s = vns_ip_addr_v6(&a), d = vns_ip_addr_v6(&b);
    VnsTcpHdr tcp = { .sport = 50000, .dport = 443, .seq = 1, .ack = 1,
                      .flags = VNS_TCP_ACK, .window = 1000,
                      .opts = { .has_ts = true, .ts_val = 5, .ts_ecr = 6 } };
    VnsMac mb = NT_MAC_B;
    uint8_t *rh;

    vns_tcp_push(pkt, &tcp, &s, &d);
    vns_ipv6_opts_push(pkt, VNS_IPPROTO_DSTOPTS, VNS_IPPROTO_TCP, 16);
    rh = vns_packet_push(pkt, 24);
    rh[0] = VNS_IPPROTO_DSTOPTS;
    rh[1] = 2;                  /* (2 + 1) x 8 = 24 bytes */
    rh[2] = 4;                  /* Routing Type 4: SRH */
    rh[3] = 0;                  /* Segments Left */
    rh[4] = 0;                  /* Last Entry */
    memcpy(rh + 8, b.b, 16);
    vns_ipv6_opts_push(pkt, VNS_IPPROTO_HOPOPTS, VNS_IPPROTO_ROUTING, 8);
    push_ip6_eth(pkt, VNS_IPPROTO_HOPOPTS, &a, &b, 64, &mb);
    return pkt;
}

VnsPacket *
net_test_icmp6_ns(VnsPacketPool *pool)
{
    /* A neighbour solicitation for 2001:db8::2 from 2001:db8::1 to the
     * solicited-node group ff02::1:ff00:2 (RFC 4291 section 2.7.1), sent
     * to 33:33:ff:00:00:02 (RFC 2464 section 7) with hop limit 255. */
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsIp6 a = net_test_ip6("2001:db8::1"), g = net_test_ip6("ff02::1:ff00:2");
    VnsIcmp6Hdr ns = { .type = VNS_ICMP6_NEIGHBOR_SOLICIT,
                       .target = net_test_ip6("2001:db8::2"),
                       .has_lladdr = true, .lladdr = NT_MAC_A };
    VnsMac md = { { 0x33, 0x33, 0xff, 0x00, 0x00, 0x02 } };

    vns_icmp6_push(pkt, &ns, &a, &g);
    push_ip6_eth(pkt, VNS_IPPROTO_ICMPV6, &a, &g, 255, &md);
    return pkt;
}

VnsPacket *
net_test_icmp6_ptb(VnsPacketPool *pool, uint32_t mtu)
{
    /* Packet Too Big from a router, quoting the offending packet's IPv6
     * header and the start of its UDP header (RFC 4443 section 3.2). */
    VnsPacket *pkt = vns_packet_new(pool, 0);
    VnsIp6 r = net_test_ip6("2001:db8:ffff::1"), a = net_test_ip6("2001:db8::1"),
           b = net_test_ip6("2001:db8::2");
    VnsUdpHdr udp = { .sport = 40000, .dport = 4791, .length = 1460 };
    VnsIpv6Hdr inner = { .payload_len = 1460, .next_header = VNS_IPPROTO_UDP,
                         .hop_limit = 63, .src = a, .dst = b };
    VnsIcmp6Hdr ptb = { .type = VNS_ICMP6_PACKET_TOO_BIG, .mtu = mtu };
    VnsMac mb = NT_MAC_B;

    vns_udp_push(pkt, &udp, NULL, NULL);
    vns_ipv6_push(pkt, &inner);
    vns_icmp6_push(pkt, &ptb, &r, &a);
    push_ip6_eth(pkt, VNS_IPPROTO_ICMPV6, &r, &a, 64, &mb);
    return pkt;
}

VnsPacket *
net_test_vxlan(VnsPacketPool *pool, uint32_t vni)
{
    /* Inner TCP frame, VXLAN header (RFC 7348 section 5: flags 0x08, VNI in
     * bytes 4-6), outer UDP to 4789 with checksum 0, outer IPv4, Ethernet. */
    VnsPacket *pkt = vns_packet_new(pool, 1000);
    VnsTcpHdr tcp = { .sport = 1234, .dport = 80, .flags = VNS_TCP_ACK, .window = 100 };
    VnsIpAddr s = vns_ip_addr_v4(0xC0A80001u), d = vns_ip_addr_v4(0xC0A80002u);
    VnsUdpHdr udp = { .sport = 49152, .dport = VNS_UDP_PORT_VXLAN };
    uint8_t *vx;

    vns_tcp_push(pkt, &tcp, &s, &d);
    push_ip4_eth(pkt, VNS_IPPROTO_TCP, 0xC0A80001u, 0xC0A80002u);
    vx = vns_packet_push(pkt, 8);
    vx[0] = 0x08;
    vns_wire_put32(vx + 4, vni << 8);
    vns_udp_push(pkt, &udp, NULL, NULL);
    push_ip4_eth(pkt, VNS_IPPROTO_UDP, 0xAC100001u, 0xAC100002u);
    return pkt;
}

VnsPacket *
net_test_sample(VnsPacketPool *pool, int which)
{
    switch (which) {
    case 0: return net_test_udp4(pool, 100);
    case 1: return net_test_tcp4_syn(pool);
    case 2: return net_test_tcp4_sack(pool, 100);
    case 3: return net_test_icmp4_echo(pool, 56);
    case 4: return net_test_icmp4_frag_needed(pool, 1400);
    case 5: return net_test_arp(pool);
    case 6: return net_test_vlan_udp4(pool, 7);
    case 7: return net_test_udp6(pool, 100);
    case 8: return net_test_tcp6_ext(pool, 100);
    case 9: return net_test_icmp6_ns(pool);
    case 10: return net_test_icmp6_ptb(pool, 1280);
    default: return net_test_vxlan(pool, 5000);
    }
}

uint16_t
net_test_ones_sum(const uint8_t *p, size_t stored, uint16_t start)
{
    uint32_t sum = start;

    for (size_t k = 0; k < stored; k++)
        sum += k % 2 == 0 ? (uint32_t) p[k] << 8 : p[k];
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t) sum;
}

uint16_t
net_test_pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_size)
{
    uint8_t ph[40];
    size_t n;

    memset(ph, 0, sizeof ph);
    if (ip[0] >> 4 == 4) {
        /* RFC 768: source, destination, zero, protocol, UDP length. */
        memcpy(ph, ip + 12, 8);
        ph[9] = proto;
        ph[10] = (uint8_t) (l4_size >> 8);
        ph[11] = (uint8_t) l4_size;
        n = 12;
    } else {
        /* RFC 8200 section 8.1: source, destination, 32-bit length, three
         * zero bytes, next header. */
        memcpy(ph, ip + 8, 32);
        ph[32] = (uint8_t) (l4_size >> 24);
        ph[33] = (uint8_t) (l4_size >> 16);
        ph[34] = (uint8_t) (l4_size >> 8);
        ph[35] = (uint8_t) l4_size;
        ph[39] = proto;
        n = 40;
    }
    return net_test_ones_sum(ph, n, 0);
}

bool
net_test_write_pcap(const char *path, VnsPacket *const *pkts, size_t n)
{
    /* pcap-savefile(5): the global header in the writer's byte order,
     * which readers detect from the magic number. */
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } gh = { 0xa1b2c3d4u, 2, 4, 0, 0, 65535, 1 };
    FILE *f = fopen(path, "wb");
    bool ok;

    G_STATIC_ASSERT(sizeof gh == 24);
    if (f == NULL)
        return false;
    ok = fwrite(&gh, sizeof gh, 1, f) == 1;
    for (size_t k = 0; ok && k < n; k++) {
        uint32_t size = vns_packet_size(pkts[k]);
        uint32_t rec[4] = { (uint32_t) k, 0, size, size };   /* ts_sec, ts_usec, caplen, len */
        g_autofree uint8_t *bytes = g_malloc0(size);

        memcpy(bytes, vns_packet_data(pkts[k]), pkts[k]->len);
        ok = fwrite(rec, sizeof rec, 1, f) == 1 && fwrite(bytes, size, 1, f) == 1;
    }
    return fclose(f) == 0 && ok;
}
