/* TCP codec with options (see tcp.h). */
#include <config.h>
#include "net/tcp.h"

#include <string.h>
#include "net/checksum.h"
#include "net/wire.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TS 8
#define TCP_MAX_OPTS (VNS_TCP_MAX_HLEN - VNS_TCP_HLEN)

/* Bytes of the options other than SACK, in the layout tcp_write_opts()
 * uses. */
static uint32_t
tcp_opts_base(const VnsTcpOpts *o)
{
    uint32_t n = 0;

    if (o->has_mss)
        n += 4;
    if (o->has_ts)
        n += 12;            /* SACK-Permitted rides in the timestamp's padding */
    else if (o->sack_permitted)
        n += 4;
    if (o->has_wscale)
        n += 4;
    return n;
}

/* SACK blocks that fit beside the other options (4 + 8 per block). */
static uint32_t
tcp_sack_fit(const VnsTcpOpts *o)
{
    uint32_t base = tcp_opts_base(o);
    uint32_t n = MIN(o->sack_blocks, VNS_TCP_MAX_SACK);

    while (n > 0 && base + 4 + 8 * n > TCP_MAX_OPTS)
        n--;
    return n;
}

/*
 * vns_tcp_opts_size:
 * Returns the bytes the options of 'opts' take on the wire (a multiple of
 * 4, at most 40): MSS 4; Timestamps 12 (with SACK-Permitted or two NOPs in
 * front); SACK-Permitted alone 4; Window Scale 4; SACK 4 + 8 per block.
 * SACK blocks that do not fit in 40 bytes are left out, last first, as
 * Linux does (3 blocks fit beside timestamps, RFC 2018 section 3).
 */
uint32_t
vns_tcp_opts_size(const VnsTcpOpts *opts)
{
    uint32_t n = tcp_sack_fit(opts);

    return tcp_opts_base(opts) + (n > 0 ? 4 + 8 * n : 0);
}

/* Writes the options in Linux's order (tcp_options_write()): MSS,
 * SACK-Permitted + Timestamps, Window Scale, SACK. */
static void
tcp_write_opts(uint8_t *p, const VnsTcpOpts *o)
{
    uint32_t nsack = tcp_sack_fit(o);

    if (o->has_mss) {
        p[0] = TCPOPT_MSS;
        p[1] = 4;
        vns_wire_put16(p + 2, o->mss);
        p += 4;
    }
    if (o->has_ts) {
        if (o->sack_permitted) {
            p[0] = TCPOPT_SACK_PERM;
            p[1] = 2;
        } else {
            p[0] = TCPOPT_NOP;
            p[1] = TCPOPT_NOP;
        }
        p[2] = TCPOPT_TS;
        p[3] = 10;
        vns_wire_put32(p + 4, o->ts_val);
        vns_wire_put32(p + 8, o->ts_ecr);
        p += 12;
    } else if (o->sack_permitted) {
        p[0] = TCPOPT_NOP;
        p[1] = TCPOPT_NOP;
        p[2] = TCPOPT_SACK_PERM;
        p[3] = 2;
        p += 4;
    }
    if (o->has_wscale) {
        p[0] = TCPOPT_NOP;
        p[1] = TCPOPT_WSCALE;
        p[2] = 3;
        p[3] = o->wscale;
        p += 4;
    }
    if (nsack > 0) {
        p[0] = TCPOPT_NOP;
        p[1] = TCPOPT_NOP;
        p[2] = TCPOPT_SACK;
        p[3] = (uint8_t) (2 + 8 * nsack);
        for (uint32_t k = 0; k < nsack; k++) {
            vns_wire_put32(p + 4 + 8 * k, o->sack[k][0]);
            vns_wire_put32(p + 8 + 8 * k, o->sack[k][1]);
        }
    }
}

/*
 * vns_tcp_push:
 * Prepends a TCP header with the fields and options of 'hdr' (hdr_len is
 * computed), and the checksum over the pseudo-header of 'src' and 'dst',
 * the header, the stored bytes after it and the zero payload (RFC 9293
 * section 3.1). Returns data[0].
 */
uint8_t *
vns_tcp_push(VnsPacket *pkt, const VnsTcpHdr *hdr, const VnsIpAddr *src,
             const VnsIpAddr *dst)
{
    uint32_t hlen = VNS_TCP_HLEN + vns_tcp_opts_size(&hdr->opts);
    uint8_t *p;

    g_return_val_if_fail(src != NULL && dst != NULL && src->family == dst->family,
                         NULL);
    p = vns_packet_push(pkt, hlen);
    vns_wire_put16(p, hdr->sport);
    vns_wire_put16(p + 2, hdr->dport);
    vns_wire_put32(p + 4, hdr->seq);
    vns_wire_put32(p + 8, hdr->ack);
    p[12] = (uint8_t) (hlen / 4 << 4);
    p[13] = hdr->flags;
    vns_wire_put16(p + 14, hdr->window);
    vns_wire_put16(p + 18, hdr->urg_ptr);
    tcp_write_opts(p + VNS_TCP_HLEN, &hdr->opts);
    vns_wire_put16(p + 16, vns_csum_l4(p, pkt->len, vns_packet_size(pkt),
                                       VNS_IPPROTO_TCP, src, dst));
    return p;
}

/* Reads the options in the 'size' bytes at 'p'. Like Linux's
 * tcp_parse_options(), it stops at End of Option List or at an option whose
 * length is below 2 or runs past the header, keeping what it read, and
 * ignores a known option with the wrong length. */
static void
tcp_parse_opts(const uint8_t *p, size_t size, VnsTcpOpts *o)
{
    size_t at = 0;

    while (at < size) {
        uint8_t kind = p[at];
        size_t len;

        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            at++;
            continue;
        }
        if (size - at < 2)
            break;
        len = p[at + 1];
        if (len < 2 || len > size - at)
            break;
        switch (kind) {
        case TCPOPT_MSS:
            if (len == 4) {
                o->has_mss = true;
                o->mss = vns_wire_get16(p + at + 2);
            }
            break;
        case TCPOPT_WSCALE:
            if (len == 3) {
                o->has_wscale = true;
                o->wscale = p[at + 2];
            }
            break;
        case TCPOPT_SACK_PERM:
            if (len == 2)
                o->sack_permitted = true;
            break;
        case TCPOPT_SACK:
            if (len >= 10 && (len - 2) % 8 == 0) {
                size_t n = MIN((len - 2) / 8, VNS_TCP_MAX_SACK);
                o->sack_blocks = (uint8_t) n;
                for (size_t k = 0; k < n; k++) {
                    o->sack[k][0] = vns_wire_get32(p + at + 2 + 8 * k);
                    o->sack[k][1] = vns_wire_get32(p + at + 6 + 8 * k);
                }
            }
            break;
        case TCPOPT_TS:
            if (len == 10) {
                o->has_ts = true;
                o->ts_val = vns_wire_get32(p + at + 2);
                o->ts_ecr = vns_wire_get32(p + at + 6);
            }
            break;
        default:
            break;
        }
        at += len;
    }
}

/*
 * vns_tcp_parse:
 * Reads a TCP header and its options from the 'size' bytes at 'data'.
 * Returns false when fewer than 20 bytes are there, Data Offset is below 5,
 * or the header runs past 'size'. Malformed options end the option walk
 * without failing the header (see tcp_parse_opts()). The checksum is not
 * verified.
 */
bool
vns_tcp_parse(const uint8_t *data, size_t size, VnsTcpHdr *out)
{
    if (size < VNS_TCP_HLEN)
        return false;
    size_t hlen = (size_t) (data[12] >> 4) * 4;
    if (hlen < VNS_TCP_HLEN || hlen > size)
        return false;
    memset(out, 0, sizeof *out);
    out->sport = vns_wire_get16(data);
    out->dport = vns_wire_get16(data + 2);
    out->seq = vns_wire_get32(data + 4);
    out->ack = vns_wire_get32(data + 8);
    out->hdr_len = (uint8_t) hlen;
    out->flags = data[13];
    out->window = vns_wire_get16(data + 14);
    out->checksum = vns_wire_get16(data + 16);
    out->urg_ptr = vns_wire_get16(data + 18);
    tcp_parse_opts(data + VNS_TCP_HLEN, hlen - VNS_TCP_HLEN, &out->opts);
    return true;
}
