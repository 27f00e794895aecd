/* Drop causes. Every packet that dies goes through vns_packet_drop(), which
 * records the cause and the element, then returns the packet to its pool. */
#ifndef VNS_DROP_H
#define VNS_DROP_H

/* X(ENUM, "name in reports", "description") */
#define VNS_DROP_CAUSES(X) \
    X(QUEUE_FULL, "queue_full", "the egress queue was full (tail drop)") \
    X(AQM, "aqm", "an active queue manager (CoDel, RED) dropped it") \
    X(MTU_EXCEEDED, "mtu_exceeded", "larger than the egress MTU and not fragmentable") \
    X(TTL_EXPIRED, "ttl_expired", "TTL or hop limit reached zero") \
    X(NO_ROUTE, "no_route", "no route to the destination") \
    X(NO_NEIGHBOR, "no_neighbor", "neighbour resolution failed or its queue overflowed") \
    X(NOT_FOR_US, "not_for_us", "addressed to another host and forwarding is off") \
    X(NO_SOCKET, "no_socket", "no application bound to the destination port") \
    X(MALFORMED, "malformed", "headers could not be parsed") \
    X(LINK_DOWN, "link_down", "the port is not connected") \
    X(CPU_BACKLOG, "cpu_backlog", "the node's CPU backlog was full") \
    X(ICMP_FILTERED, "icmp_filtered", "ICMP filtered (path-MTU black hole)") \
    X(SG_DENY, "sg_deny", "denied by a security group") \
    X(NACL_DENY, "nacl_deny", "denied by a network ACL") \
    X(POLICY_DENY, "policy_deny", "denied by a network policy") \
    X(CONNTRACK_FULL, "conntrack_full", "conntrack table full") \
    X(NAT_PORTS_EXHAUSTED, "nat_ports_exhausted", "no NAT port left") \
    X(VLAN_FILTER, "vlan_filter", "VLAN not allowed on the port") \
    X(FLOW_MISS, "flow_miss", "no OpenFlow flow entry matched (table-miss drop)") \
    X(FLOW_DROP, "flow_drop", "an OpenFlow flow's actions sent it nowhere") \
    X(NO_EGRESS, "no_egress", "a bridge had no port to send it out of (only the ingress port, hairpin off, or no port in its VLAN)") \
    X(SRC_DST_CHECK, "src_dst_check", "an ENI with source/destination check on neither sent nor receives the address") \
    X(RATE_LIMIT, "rate_limit", "over a gateway's bandwidth or packet-rate ceiling") \
    X(RANDOM_LOSS, "random_loss", "lost on a link by its random loss probability") \
    X(REASSEMBLY, "reassembly", "a fragment whose datagram was never reassembled (timeout, overlap, table full)") \
    X(END_OF_RUN, "end_of_run", "still in flight when the run ended")

typedef enum {
#define VNS_DROP_ENUM(e, n, d) VNS_DROP_##e,
    VNS_DROP_CAUSES(VNS_DROP_ENUM)
#undef VNS_DROP_ENUM
    VNS_DROP_N_CAUSES
} VnsDropCause;

const char *vns_drop_cause_name(VnsDropCause cause);
const char *vns_drop_cause_description(VnsDropCause cause);

#endif
