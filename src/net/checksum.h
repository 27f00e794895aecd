/* The Internet checksum (RFC 1071): the 16-bit one's complement of the one's
 * complement sum of 16-bit big-endian words, used by IPv4 (RFC 791 section
 * 3.1), ICMP (RFC 792), UDP (RFC 768), TCP (RFC 9293 section 3.1) and ICMPv6
 * (RFC 4443 section 2.3), the last three over a pseudo-header of the IP
 * addresses (RFC 768; RFC 8200 section 8.1 for IPv6).
 *
 * Sums are carried as uint32_t values folded to 16 bits, in host order, so
 * they can be added together; vns_csum_fold() complements a sum into the
 * value of a checksum field. */
#ifndef VNS_CHECKSUM_H
#define VNS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include "net/addr.h"

uint32_t vns_csum_partial(const void *data, size_t size, uint32_t sum);
uint16_t vns_csum_fold(uint32_t sum);
uint32_t vns_csum_pseudo(const VnsIpAddr *src, const VnsIpAddr *dst,
                         uint8_t proto, uint32_t size);
uint16_t vns_csum_l4(const uint8_t *seg, size_t stored, uint32_t size,
                     uint8_t proto, const VnsIpAddr *src, const VnsIpAddr *dst);
uint16_t vns_csum_update16(uint16_t check, uint16_t old_word, uint16_t new_word);
uint16_t vns_csum_update32(uint16_t check, uint32_t old_word, uint32_t new_word);

#endif
