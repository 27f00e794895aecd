/* The header codecs, all at once: Ethernet II and 802.1Q (eth.h), ARP
 * (arp.h), IPv4 (ipv4.h), IPv6 (ipv6.h), ICMP (icmp.h), ICMPv6 and
 * Neighbor Discovery (icmp6.h), UDP (udp.h), TCP (tcp.h), with the
 * registry numbers of wire.h and the Internet checksum of checksum.h.
 *
 * Every codec has the same shape: a struct of host-order fields; a push
 * function that prepends the header to a packet built from the inside out
 * (payload, then transport, then network, then link), filling lengths and
 * checksums from what follows it; and a parse function that reads the
 * header from a byte range, checks that it is whole and well formed, and
 * returns false otherwise without reading past the range. */
#ifndef VNS_PROTO_H
#define VNS_PROTO_H

#include "net/wire.h"
#include "net/checksum.h"
#include "net/eth.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/icmp.h"
#include "net/icmp6.h"
#include "net/udp.h"
#include "net/tcp.h"

#endif
