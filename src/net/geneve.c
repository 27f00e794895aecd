/* Geneve codec (see geneve.h). */
#include <config.h>
#include "net/geneve.h"

#include <string.h>
#include "net/wire.h"

/*
 * vns_geneve_opt_encode:
 * Writes option 'opt' (RFC 8926 section 3.5) into the 'room' bytes at
 * 'out'. Returns the bytes written (4 + data length), or 0 when the data
 * length is not a multiple of 4 up to 124 or the option does not fit.
 */
uint32_t
vns_geneve_opt_encode(uint8_t *out, size_t room, const VnsGeneveOpt *opt)
{
    uint32_t size = VNS_GENEVE_OPT_HLEN + opt->len;

    if (opt->len % 4 != 0 || opt->len > VNS_GENEVE_MAX_OPT_DATA || size > room)
        return 0;
    vns_wire_put16(out, opt->cls);
    out[2] = opt->type;
    out[3] = (uint8_t) (opt->len / 4);      /* R bits zero */
    if (opt->data != NULL)
        memcpy(out + VNS_GENEVE_OPT_HLEN, opt->data, opt->len);
    else
        memset(out + VNS_GENEVE_OPT_HLEN, 0, opt->len);
    return size;
}

/*
 * vns_geneve_opt_next:
 * Reads the option at offset *at of the 'opt_len' option bytes at 'opts'
 * into 'out' (data borrowed) and advances *at past it. Returns false at the
 * end or on an option that runs past the option bytes.
 */
bool
vns_geneve_opt_next(const uint8_t *opts, uint32_t opt_len, uint32_t *at,
                    VnsGeneveOpt *out)
{
    uint32_t len;

    if (*at + VNS_GENEVE_OPT_HLEN > opt_len)
        return false;
    len = (uint32_t) (opts[*at + 3] & 0x1f) * 4;
    if (*at + VNS_GENEVE_OPT_HLEN + len > opt_len)
        return false;
    out->cls = vns_wire_get16(opts + *at);
    out->type = opts[*at + 2];
    out->len = (uint8_t) len;
    out->data = opts + *at + VNS_GENEVE_OPT_HLEN;
    *at += VNS_GENEVE_OPT_HLEN + len;
    return true;
}

/*
 * vns_geneve_push:
 * Prepends a Geneve header, version 0, with the VNI, protocol type, O bit
 * and the opt_len option bytes of 'hdr'. The C bit is set when one of the
 * options has the critical bit in its type (RFC 8926 section 3.4), whatever
 * hdr->critical says. Returns data[0].
 */
uint8_t *
vns_geneve_push(VnsPacket *pkt, const VnsGeneveHdr *hdr)
{
    bool critical = false;
    uint32_t at = 0;
    VnsGeneveOpt o;
    uint8_t *p;

    g_return_val_if_fail(hdr->opt_len % 4 == 0 &&
                         hdr->opt_len <= VNS_GENEVE_MAX_OPTS, NULL);
    g_return_val_if_fail(hdr->vni <= 0xffffffu, NULL);
    while (vns_geneve_opt_next(hdr->opts, hdr->opt_len, &at, &o))
        critical |= (o.type & VNS_GENEVE_TYPE_CRITICAL) != 0;
    p = vns_packet_push(pkt, VNS_GENEVE_HLEN + hdr->opt_len);
    p[0] = (uint8_t) (hdr->opt_len / 4);            /* Ver 0 */
    p[1] = (uint8_t) ((hdr->oam ? 0x80 : 0) | (critical ? 0x40 : 0));
    vns_wire_put16(p + 2, hdr->proto);
    vns_wire_put32(p + 4, hdr->vni << 8);
    if (hdr->opt_len > 0)
        memcpy(p + VNS_GENEVE_HLEN, hdr->opts, hdr->opt_len);
    return p;
}

/*
 * vns_geneve_parse:
 * Reads the Geneve header in the 'size' bytes at 'data'. Returns false when
 * the base header or its options are not all there, or the version is not
 * 0 (RFC 8926 section 3.4: a packet with an unknown version must be
 * dropped).
 */
bool
vns_geneve_parse(const uint8_t *data, size_t size, VnsGeneveHdr *out)
{
    uint32_t opt_len;

    if (size < VNS_GENEVE_HLEN || (data[0] >> 6) != 0)
        return false;
    opt_len = (uint32_t) (data[0] & 0x3f) * 4;
    if (VNS_GENEVE_HLEN + opt_len > size)
        return false;
    out->oam = (data[1] & 0x80) != 0;
    out->critical = (data[1] & 0x40) != 0;
    out->proto = vns_wire_get16(data + 2);
    out->vni = vns_wire_get32(data + 4) >> 8;
    out->opt_len = opt_len;
    out->opts = opt_len > 0 ? data + VNS_GENEVE_HLEN : NULL;
    return true;
}
