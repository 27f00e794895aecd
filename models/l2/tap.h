/* A TAP device (element type "tap"): the host-kernel end of a VM's NIC.
 *
 * Port "vm" faces the vNIC (the file descriptor QEMU or vhost-net reads
 * and writes), port "host" is the tap netdev the hypervisor's kernel sees
 * (usually a bridge or Open vSwitch port). Frames pass unchanged both ways,
 * each charged an optional CPU cost to the hypervisor (node=). */
#ifndef VNS_TAP_H
#define VNS_TAP_H

#include "net/element.h"

extern const VnsElementOps vns_tap_ops;

#define VNS_TAP_PORT_VM 0
#define VNS_TAP_PORT_HOST 1

#endif
