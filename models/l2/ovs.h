/* An Open vSwitch-style OpenFlow switch: element type "ovs".
 *
 * Ports are named by <port> children, each with an OpenFlow port number.
 * Packets walk OpenFlow 1.3 flow tables (<flow> children: table, priority,
 * match, actions, idle and hard timeouts, counters) and select/all/indirect
 * groups (<group>); a table miss drops. An exact-match flow cache in front
 * of the tables (OVS's microflow cache / EMC) decides the CPU cost of a
 * packet on the node named by 'node': cost-hit when its flow is cached,
 * cost-miss when the tables are walked. The "normal" action is a learning
 * L2 switch inside the OVS. doc/models/ovs.md describes the model, its
 * syntax, defaults and what it leaves out. */
#ifndef VNS_OVS_H
#define VNS_OVS_H

#include "net/element.h"

extern const VnsElementOps vns_ovs_ops;

#endif
