/* An AWS-style VPC: element type "vpc".
 *
 * One element is the whole VPC fabric and its implicit router: subnets,
 * route tables, an internet gateway, NAT gateways, security groups,
 * network ACLs, elastic network interfaces (ENIs) joined to <host>
 * interfaces, gateway and interface endpoints, and flow logs. doc/models/vpc.md describes the model, its XML,
 * its assumptions (each default with its AWS documentation page) and what
 * it leaves out. */
#ifndef VNS_VPC_H
#define VNS_VPC_H

#include "net/element.h"

extern const VnsElementOps vns_vpc_ops;
/* A transit gateway between <vpc>s (no ports; VPC routes name it). */
extern const VnsElementOps vns_transit_gateway_ops;

#endif
