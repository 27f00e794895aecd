/* GRE codec (see gre.h). */
#include <config.h>
#include "net/gre.h"

#include "net/checksum.h"
#include "net/wire.h"

/*
 * vns_gre_hdr_len:
 * The size of a GRE header with the given optional fields: 4, plus 4 for
 * each of checksum (with Reserved1), key and sequence number.
 */
uint32_t
vns_gre_hdr_len(bool csum, bool key, bool seq)
{
    return VNS_GRE_HLEN + (csum ? 4u : 0u) + (key ? 4u : 0u) + (seq ? 4u : 0u);
}

/*
 * vns_gre_push:
 * Prepends a version 0 GRE header with the protocol type and the optional
 * fields of 'hdr'. With has_csum the checksum is computed over the GRE
 * header and every byte after it (stored bytes; the unstored payload is
 * zeros and adds nothing). Returns data[0].
 */
uint8_t *
vns_gre_push(VnsPacket *pkt, const VnsGreHdr *hdr)
{
    uint32_t hlen = vns_gre_hdr_len(hdr->has_csum, hdr->has_key, hdr->has_seq);
    uint8_t *p = vns_packet_push(pkt, hlen);
    uint32_t at = VNS_GRE_HLEN;

    vns_wire_put16(p, (uint16_t) ((hdr->has_csum ? VNS_GRE_F_CSUM : 0) |
                                  (hdr->has_key ? VNS_GRE_F_KEY : 0) |
                                  (hdr->has_seq ? VNS_GRE_F_SEQ : 0)));
    vns_wire_put16(p + 2, hdr->proto);
    if (hdr->has_csum)
        at += 4;                    /* filled in last */
    if (hdr->has_key) {
        vns_wire_put32(p + at, hdr->key);
        at += 4;
    }
    if (hdr->has_seq)
        vns_wire_put32(p + at, hdr->seq);
    if (hdr->has_csum)
        vns_wire_put16(p + 4, vns_csum_fold(vns_csum_partial(p, pkt->len, 0)));
    return p;
}

/*
 * vns_gre_parse:
 * Reads the GRE header in the 'size' bytes at 'data'. Returns false when it
 * is not all there, the version is not 0, or a routing-present bit (RFC
 * 1701's R, 0x4000, reserved since RFC 2784) is set.
 */
bool
vns_gre_parse(const uint8_t *data, size_t size, VnsGreHdr *out)
{
    uint16_t flags;
    uint32_t at = VNS_GRE_HLEN;

    if (size < VNS_GRE_HLEN)
        return false;
    flags = vns_wire_get16(data);
    if ((flags & 0x7) != 0 || (flags & 0x4000) != 0)
        return false;
    out->has_csum = (flags & VNS_GRE_F_CSUM) != 0;
    out->has_key = (flags & VNS_GRE_F_KEY) != 0;
    out->has_seq = (flags & VNS_GRE_F_SEQ) != 0;
    out->hdr_len = (uint8_t) vns_gre_hdr_len(out->has_csum, out->has_key,
                                             out->has_seq);
    if (size < out->hdr_len)
        return false;
    out->proto = vns_wire_get16(data + 2);
    out->checksum = out->key = out->seq = 0;
    if (out->has_csum) {
        out->checksum = vns_wire_get16(data + at);
        at += 4;
    }
    if (out->has_key) {
        out->key = vns_wire_get32(data + at);
        at += 4;
    }
    if (out->has_seq)
        out->seq = vns_wire_get32(data + at);
    return true;
}

/*
 * vns_gre_checksum_ok:
 * Whether the checksum of the GRE header at offset 'off' of 'pkt' (which
 * has the C bit) verifies: the sum over the header and every later byte is
 * 0xffff (RFC 2784 section 2.5, RFC 1071).
 */
bool
vns_gre_checksum_ok(const VnsPacket *pkt, uint32_t off)
{
    if (off >= pkt->len)
        return false;
    return vns_csum_fold(vns_csum_partial(vns_packet_data(pkt) + off,
                                          pkt->len - off, 0)) == 0;
}

/*
 * vns_gre_ip6_tel_push:
 * Prepends the 8-byte IPv6 Destination Options header that Linux's ip6gre
 * sends: Next Header 'next_header', the Tunnel Encapsulation Limit option
 * (type 4, length 1, value 'limit'; RFC 2473 section 5.1) and a PadN
 * option of one zero byte. Returns data[0].
 */
uint8_t *
vns_gre_ip6_tel_push(VnsPacket *pkt, uint8_t next_header, uint8_t limit)
{
    uint8_t *p = vns_packet_push(pkt, VNS_IP6_TEL_HLEN);

    p[0] = next_header;
    p[1] = 0;                       /* (8 / 8) - 1 */
    p[2] = VNS_IP6_OPT_TEL;
    p[3] = 1;
    p[4] = limit;
    p[5] = 1;                       /* PadN */
    p[6] = 1;
    p[7] = 0;
    return p;
}
