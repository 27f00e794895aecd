/* The VNS_NET_ERROR domain (see net_error.h). */
#include <config.h>
#include "net/net_error.h"

G_DEFINE_QUARK(vns-net-error-quark, vns_net_error)
