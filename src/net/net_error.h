/* The error domain of the packet library: bad addresses, prefixes and other
 * text that describes packets. */
#ifndef VNS_NET_ERROR_H
#define VNS_NET_ERROR_H

#include <glib.h>

#define VNS_NET_ERROR (vns_net_error_quark())
GQuark vns_net_error_quark(void);

typedef enum {
    VNS_NET_ERROR_FAILED,
    VNS_NET_ERROR_SYNTAX,       /* not an address of the expected form */
    VNS_NET_ERROR_RANGE,        /* a prefix length beyond the family's width */
    VNS_NET_ERROR_HOST_BITS,    /* a prefix with bits set after its length */
} VnsNetError;

#endif
