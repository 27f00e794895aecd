/* The Internet checksum of RFC 1071, with the pseudo-headers of RFC 768 and
 * RFC 8200 section 8.1 and the incremental update of RFC 1624. */
#include <config.h>
#include "net/checksum.h"

/* Folds a wide sum into 16 bits, adding the carries back in (the "end
 * around carry" of RFC 1071 section 2(B)). */
static uint32_t
csum_reduce(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint32_t) sum;
}

/*
 * vns_csum_partial:
 * Adds the 'size' bytes at 'data' to the one's complement sum 'sum' (start
 * with 0), as big-endian 16-bit words; an odd last byte is padded with a
 * zero byte (RFC 1071 section 4.1). Returns the new sum, folded to 16 bits.
 * When chaining, every piece but the last must have an even size, or the
 * words of the later pieces are misaligned.
 */
uint32_t
vns_csum_partial(const void *data, size_t size, uint32_t sum)
{
    const uint8_t *p = data;
    uint64_t acc = sum;
    size_t k = 0;

    for (; k + 1 < size; k += 2)
        acc += (uint32_t) p[k] << 8 | p[k + 1];
    if (k < size)
        acc += (uint32_t) p[k] << 8;
    return csum_reduce(acc);
}

/*
 * vns_csum_fold:
 * Returns the checksum field value for a one's complement sum: the sum
 * folded to 16 bits and complemented (host order).
 */
uint16_t
vns_csum_fold(uint32_t sum)
{
    return (uint16_t) ~csum_reduce(sum);
}

/*
 * vns_csum_pseudo:
 * Returns the sum of the pseudo-header for an upper-layer checksum: for IPv4
 * (RFC 768, RFC 9293 section 3.1) source, destination, zero, protocol and
 * 16-bit length; for IPv6 (RFC 8200 section 8.1) source, destination,
 * 32-bit upper-layer length, three zero bytes and next header. 'size' is the
 * upper-layer length in bytes (header plus data). Both addresses must be of
 * the same family.
 */
uint32_t
vns_csum_pseudo(const VnsIpAddr *src, const VnsIpAddr *dst, uint8_t proto,
                uint32_t size)
{
    uint64_t acc = 0;

    g_return_val_if_fail(src->family == dst->family, 0);
    if (src->family == VNS_IP_V4) {
        acc += (src->v4 >> 16) + (src->v4 & 0xffff);
        acc += (dst->v4 >> 16) + (dst->v4 & 0xffff);
        acc += proto;
        acc += size & 0xffff;
    } else {
        acc += vns_csum_partial(src->v6.b, 16, 0);
        acc += vns_csum_partial(dst->v6.b, 16, 0);
        acc += (size >> 16) + (size & 0xffff);
        acc += proto;
    }
    return csum_reduce(acc);
}

/*
 * vns_csum_l4:
 * Computes the checksum of an upper-layer segment (UDP, TCP, ICMPv6, or
 * ICMPv4 with 'src' NULL for no pseudo-header) whose first 'stored' bytes
 * are at 'seg' and which is 'size' bytes long in all: the bytes beyond
 * 'stored' are the zero payload that packets do not store, and add nothing
 * to the sum, though 'size' counts them in the pseudo-header. The checksum
 * field inside 'seg' must be zero, or the result is the verification sum's
 * complement (0 when the segment's checksum is right). Returns the field
 * value, host order.
 */
uint16_t
vns_csum_l4(const uint8_t *seg, size_t stored, uint32_t size, uint8_t proto,
            const VnsIpAddr *src, const VnsIpAddr *dst)
{
    uint32_t sum = 0;

    if (src != NULL)
        sum = vns_csum_pseudo(src, dst, proto, size);
    return vns_csum_fold(vns_csum_partial(seg, stored, sum));
}

/*
 * vns_csum_update16:
 * Returns checksum field 'check' updated for one 16-bit word of the covered
 * data changing from 'old_word' to 'new_word', by RFC 1624 equation 3:
 * HC' = ~(~HC + ~m + m'). Unlike equation 2 it never yields 0xffff from a
 * correct update (RFC 1624 section 3).
 */
uint16_t
vns_csum_update16(uint16_t check, uint16_t old_word, uint16_t new_word)
{
    uint64_t acc = (uint16_t) ~check;

    acc += (uint16_t) ~old_word;
    acc += new_word;
    return (uint16_t) ~csum_reduce(acc);
}

/*
 * vns_csum_update32:
 * Like vns_csum_update16() for a 32-bit field (an IPv4 address), as two
 * word updates.
 */
uint16_t
vns_csum_update32(uint16_t check, uint32_t old_word, uint32_t new_word)
{
    check = vns_csum_update16(check, (uint16_t) (old_word >> 16),
                              (uint16_t) (new_word >> 16));
    return vns_csum_update16(check, (uint16_t) old_word, (uint16_t) new_word);
}
