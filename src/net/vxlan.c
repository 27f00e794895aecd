/* VXLAN codec (see vxlan.h). */
#include <config.h>
#include "net/vxlan.h"

#include "net/wire.h"

/*
 * vns_vxlan_push:
 * Prepends an 8-byte VXLAN header with the I flag and 'vni' (24 bits).
 * Returns data[0].
 */
uint8_t *
vns_vxlan_push(VnsPacket *pkt, uint32_t vni)
{
    uint8_t *p;

    g_return_val_if_fail(vni <= VNS_VXLAN_VNI_MAX, NULL);
    p = vns_packet_push(pkt, VNS_VXLAN_HLEN);
    p[0] = VNS_VXLAN_FLAG_I;
    vns_wire_put32(p + 4, vni << 8);
    return p;
}

/*
 * vns_vxlan_parse:
 * Reads the VNI of the VXLAN header in the 'size' bytes at 'data'. Returns
 * false when fewer than 8 bytes are there or the I flag is clear (RFC 7348
 * section 5: the VNI is then not valid).
 */
bool
vns_vxlan_parse(const uint8_t *data, size_t size, uint32_t *vni)
{
    if (size < VNS_VXLAN_HLEN || (data[0] & VNS_VXLAN_FLAG_I) == 0)
        return false;
    *vni = vns_wire_get32(data + 4) >> 8;
    return true;
}
