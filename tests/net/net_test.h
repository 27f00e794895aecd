/* Shared helpers of the packet-library tests: sample frames built with the
 * codecs, an independent checksum, and a pcap writer for tshark. */
#ifndef VNS_NET_TEST_H
#define VNS_NET_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "net/packet.h"
#include "net/proto.h"

/* Addresses of the sample frames. */
#define NT_MAC_A ((VnsMac) { { 0x02, 0, 0, 0, 0, 0x01 } })
#define NT_MAC_B ((VnsMac) { { 0x02, 0, 0, 0, 0, 0x02 } })
#define NT_IP4_A 0x0A000001u        /* 10.0.0.1 */
#define NT_IP4_B 0x0A000002u        /* 10.0.0.2 */
VnsIp6 net_test_ip6(const char *text);

/* Sample frames, each a whole Ethernet frame with valid checksums. */
VnsPacket *net_test_udp4(VnsPacketPool *pool, uint32_t payload_len);
VnsPacket *net_test_tcp4_syn(VnsPacketPool *pool);
VnsPacket *net_test_tcp4_sack(VnsPacketPool *pool, uint32_t payload_len);
VnsPacket *net_test_icmp4_echo(VnsPacketPool *pool, uint32_t payload_len);
VnsPacket *net_test_icmp4_frag_needed(VnsPacketPool *pool, uint16_t mtu);
VnsPacket *net_test_arp(VnsPacketPool *pool);
VnsPacket *net_test_vlan_udp4(VnsPacketPool *pool, uint16_t vid);
VnsPacket *net_test_udp6(VnsPacketPool *pool, uint32_t payload_len);
VnsPacket *net_test_tcp6_ext(VnsPacketPool *pool, uint32_t payload_len);
VnsPacket *net_test_icmp6_ns(VnsPacketPool *pool);
VnsPacket *net_test_icmp6_ptb(VnsPacketPool *pool, uint32_t mtu);
VnsPacket *net_test_vxlan(VnsPacketPool *pool, uint32_t vni);
/* All of the above by number, 0 to NET_TEST_N_SAMPLES - 1. */
#define NET_TEST_N_SAMPLES 12
VnsPacket *net_test_sample(VnsPacketPool *pool, int which);

/* A one's complement sum written independently of src/net/checksum.c:
 * the plain 32-bit accumulate-and-fold of RFC 1071 section 4.1, over the
 * 'stored' bytes at p, added to 'start' (unstored zero payload adds
 * nothing). */
uint16_t net_test_ones_sum(const uint8_t *p, size_t stored, uint16_t start);
/* The sum of an upper-layer pseudo-header, also written independently. */
uint16_t net_test_pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4_size);

/* Writes the frames, payload bytes as zeros, as a classic libpcap file
 * (magic 0xa1b2c3d4, version 2.4, linktype 1 = Ethernet). */
bool net_test_write_pcap(const char *path, VnsPacket *const *pkts, size_t n);

#endif
