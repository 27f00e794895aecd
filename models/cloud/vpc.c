/* An AWS-style VPC (element type "vpc"), see vpc.h and doc/models/vpc.md.
 *
 * The element is the VPC fabric and its implicit router. Its ports are:
 * one per <eni>, joined to the instance's interface (a <host>'s
 * <interface> port), and one per <internet-gateway>, named after it, that a
 * <link> joins to the outside world. A packet from an instance goes:
 *
 *   source/destination check -> security groups (egress, stateful)
 *   -> route table of the instance's subnet (longest prefix match; the
 *      local route VPC-CIDR -> local is always there)
 *   -> the subnet's network ACL (egress, stateless) when it leaves the
 *      subnet -> the target: an ENI (the destination instance, or a
 *      middlebox), the internet gateway (1:1 public address translation),
 *      a NAT gateway (source NAT, then its own subnet's routes), a peered
 *      VPC, a transit gateway (element type "transit-gateway", at the
 *      end of this file, which hands the packet to another VPC), or a
 *      gateway endpoint (its prefix list's routes: out of its port to the
 *      service, addresses unchanged). Interface endpoints are ENIs
 *      without instance whose packets are translated to their service's
 *      port.
 *   -> the destination subnet's network ACL (ingress) when it enters from
 *      another subnet -> the destination ENI's security groups (ingress)
 *   -> the instance.
 *
 * Flow-log records are taken at the ENIs, as the instance sees the packet
 * (private addresses), ACCEPT or REJECT, aggregated per interval. Frames
 * leave the element through one FIFO served by one event, after the
 * configured fabric latency (0 by default), so that replies never re-enter
 * an element from inside its own send. Nothing per packet is allocated
 * except the first record of a flow in a flow-log interval and the rare
 * doubling of a connection table. IPv4 only. */
#include <config.h>
#include "models/cloud/vpc.h"

#include "models/l3/host.h"

#include <stddef.h>
#include <string.h>
#include "models/cloud/vpc_conn.h"
#include "net/lpm.h"
#include "net/proto.h"

/* AWS: "The first four IP addresses and the last IP address in each subnet
 * CIDR block are not available for you to use" (network, +1 VPC router,
 * +2 DNS, +3 future use, broadcast); Amazon VPC User Guide, "Subnet CIDR
 * blocks" (docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
 * The same page: block sizes from /16 to /28, for VPCs and subnets. */
#define VPC_RESERVED_LOW 4
#define VPC_PREFIX_MIN 16
#define VPC_PREFIX_MAX 28
/* The NAT gateway's ports: 1024-65535 (Amazon VPC User Guide, "NAT gateway
 * basics": custom network ACLs must allow 1024-65535 for NAT traffic). */
#define VPC_NAT_PORT_MIN 1024
#define VPC_NAT_PORT_MAX 65535
/* Packets waiting for the outside neighbour's MAC, like Linux's
 * /proc/sys/net/ipv4/neigh/default/unres_qlen = 101. */
#define VPC_ARP_QUEUE 101
/* ARP requests for the outside neighbour: one a second, three in all
 * (Linux's retrans_time_ms = 1000 and mcast_solicit = 3). */
#define VPC_ARP_RETRANS (1 * VNS_SEC)
#define VPC_ARP_PROBES 3

/* Flow-log actions (the record's 'action' field). */
enum { VPC_ACCEPT = 0, VPC_REJECT = 1 };
/* Directions seen from an ENI. */
enum { VPC_IN = 0, VPC_OUT = 1 };
/* Route targets. */
typedef enum {
    VPC_TGT_LOCAL,
    VPC_TGT_IGW,
    VPC_TGT_NAT,
    VPC_TGT_ENI,
    VPC_TGT_PEER,
    VPC_TGT_TGW,                /* index into Vpc.tgw_names / tgw_refs */
    VPC_TGT_GWEP,               /* a gateway endpoint's prefix-list route */
} VpcTarget;
/* Security-group connection classes (timeouts). */
enum { VPC_CT_TCP, VPC_CT_UDP, VPC_CT_UDP_STREAM, VPC_CT_OTHER };
/* Protocol "all" in rules. */
#define VPC_PROTO_ALL 0xffff

/* The fields of a packet the VPC looks at, host order. */
typedef struct {
    uint32_t src, dst;
    uint16_t sport, dport;      /* ICMP echo: the identifier, both */
    uint8_t proto;
    uint32_t size;              /* IP packet bytes */
} VpcFlow;

typedef struct {
    char *name;
    VnsIpPrefix cidr;
    uint32_t net, mask;         /* host order */
    int rt;                     /* route table index */
    int acl;                    /* network ACL index; -1 = default (allow) */
    VnsMac router_mac;          /* the VPC router's MAC on this subnet */
    int line;
} VpcSubnet;

typedef struct {
    VnsIpPrefix to;
    VpcTarget kind;
    int index;                  /* NAT, ENI or IGW index */
} VpcRoute;

typedef struct {
    char *name;
    GArray *routes;             /* of VpcRoute; the local route first */
    VnsLpm *lpm;                /* prefix -> index in routes */
    int line;
} VpcRouteTable;

/* A security-group or network-ACL rule. */
typedef struct {
    uint32_t number;            /* NACL rule number */
    bool allow;                 /* NACL action */
    uint16_t proto;             /* IP protocol or VPC_PROTO_ALL */
    uint16_t port_lo, port_hi;  /* destination port range */
    uint32_t net, mask;         /* CIDR, host order */
    int group;                  /* SG rule: referenced group, or -1 */
    uint16_t plist;             /* SG rule: gateway endpoint index + 1 whose
                                 * prefix list is the peer block; 0 = none */
} VpcRule;

typedef struct {
    char *name;
    GArray *rules[2];           /* of VpcRule, [VPC_IN] ingress, [VPC_OUT] egress */
    GArray *members;            /* of uint32_t: members' addresses */
    int line;
} VpcGroup;

typedef struct {
    char *name;
    GArray *rules[2];           /* of VpcRule, sorted by number */
    int line;
} VpcAcl;

typedef struct {
    char *name;
    char *instance;             /* "host:iface" */
    VnsPort *port;              /* the VPC's port for it, borrowed */
    int subnet;
    uint32_t addr;              /* private address; 0 = from the instance */
    uint32_t public_ip;         /* 0 = none */
    bool sdcheck;
    VnsMac mac;                 /* the instance interface's MAC */
    int *groups;
    int n_groups;
    uint64_t conntrack_max;     /* 0 = no limit */
    VpcConnTable ct;            /* tracked connections */
    GArray *logs;               /* of int: flow logs covering it */
    int vpce;                   /* interface endpoint index + 1 whose ENI
                                 * it is (no port, no instance); 0 = an
                                 * instance's ENI */
    int line;
    /* Counters. */
    uint64_t pkts[2], bytes[2];
    uint64_t sg_deny[2], nacl_deny[2];
    uint64_t ct_peak, ct_created;
} VpcEni;

typedef struct {
    char *name;
    VnsPort *port;
    VnsIpPrefix addr;           /* its address on the outside link */
    uint32_t gateway;           /* the outside next hop */
    uint32_t mtu;
    VnsMac mac;
    bool resolved;
    VnsMac gw_mac;
    unsigned probes;
    VnsEventId timer;
    VnsPacket *q_head, *q_tail; /* waiting for gw_mac */
    uint32_t q_len;
    uint64_t pkts[2], bytes[2]; /* [VPC_IN] from the internet, [VPC_OUT] to it */
    bool is_igw;                /* false: an endpoint's link to its service */
    int line;
} VpcIgw;

typedef struct {
    char *name;
    int subnet;
    uint32_t addr;              /* private address */
    uint32_t *pub;              /* public addresses */
    uint32_t n_pub;
    uint32_t limit;             /* connections per destination per address */
    VnsTime idle_ps;
    uint64_t rate_bps, pps;
    VnsTime burst_ps;
    double tok_bits, tok_pkts;  /* token buckets */
    VnsTime tok_time;
    VpcConnTable fwd;           /* (private src, dst) -> public address, port */
    VpcConnTable rev;           /* (public, dst) -> forward entry */
    VpcConnTable dest;          /* (dst, public index) -> count, cursor */
    int line;
    /* AWS CloudWatch metric counterparts. */
    uint64_t error_port_allocation;
    uint64_t conn_established;
    uint64_t conn_peak;
    uint64_t pkts_out, bytes_out, pkts_in, bytes_in;
    uint64_t drop_count;
    uint64_t unmatched;
} VpcNat;

typedef struct Vpc Vpc;

/* One side of a VPC peering connection. */
typedef struct {
    char *name;
    char *peer_name;            /* the other <vpc> */
    Vpc *peer;                  /* borrowed, resolved in connect */
    uint64_t pkts[2], bytes[2]; /* [VPC_OUT] to the peer, [VPC_IN] from it */
    int line;
} VpcPeer;

/* A gateway endpoint (S3, DynamoDB): its prefix list becomes a route in
 * its route tables; matching packets leave by its link to the service,
 * source addresses private. */
typedef struct {
    char *name;
    int service;                /* index in "s3|dynamodb" */
    GArray *prefixes;           /* of VnsIpPrefix: the managed prefix list */
    VnsLpm *lpm;                /* the same, for membership tests */
    GArray *policy;             /* of VpcRule (allow, net, mask): statements */
    VpcIgw link;                /* the port toward the service */
    uint64_t policy_denied;
    int line;
} VpcGwEp;

/* An interface endpoint (AWS PrivateLink): ENIs in its subnets (entries
 * of Vpc.enis with vpce set); TCP to them is source-translated to the
 * link address and sent to the service address. */
typedef struct {
    char *name;
    char *service;
    int first_eni, n_enis;      /* its ENIs: a range of Vpc.enis */
    VpcIgw link;                /* gateway = the service's address */
    VnsTime idle_ps;
    VpcConnTable fwd;           /* (client, ENI address, ports) -> link port */
    VpcConnTable rev;           /* (link port) -> forward entry */
    uint32_t cursor;            /* next link port to try */
    uint64_t unsupported, ports_exhausted, unmatched;
    int line;
} VpcIfEp;

typedef struct {
    uint16_t eni;
    uint8_t action;
    VpcConnKey key;
    int64_t window;
    VnsTime first_ps, last_ps;
    uint64_t packets, bytes;
} VpcLogRec;

typedef struct {
    char *file;
    VnsTime interval_ps;
    int eni;                    /* -1: every ENI of the VPC */
    int64_t window;             /* current interval */
    VpcConnTable agg;           /* the interval's records by flow and action */
    GArray *recs;               /* of VpcLogRec */
    int line;
} VpcLog;

struct Vpc {
    VnsElement base;            /* must stay first */
    VnsIpPrefix cidr;
    uint32_t net, mask;
    uint32_t mtu;
    VnsTime latency_ps;
    char *account;
    GArray *subnets;            /* of VpcSubnet */
    GArray *tables;             /* of VpcRouteTable */
    GArray *groups;             /* of VpcGroup */
    GArray *acls;               /* of VpcAcl */
    GArray *enis;               /* of VpcEni */
    GArray *igws;               /* of VpcIgw (at most one) */
    GArray *nats;               /* of VpcNat */
    GArray *logs;               /* of VpcLog */
    GArray *peers;              /* of VpcPeer */
    GPtrArray *tgw_names;       /* route targets left for connect (owned) */
    GPtrArray *tgw_refs;        /* the transit gateways they name */
    GArray *gweps;              /* of VpcGwEp */
    GArray *ifeps;              /* of VpcIfEp */
    int main_rt;
    int default_sg;
    GHashTable *by_addr;        /* private address -> ENI index + 1 */
    GHashTable *by_public;      /* public address -> ENI index + 1, or
                                 * -(NAT index + 1) */
    int *port_kind;             /* per port: ENI index, or -(link index + 1),
                                 * links being the internet gateways, then
                                 * the gateway endpoints, then the
                                 * interface endpoints */
    /* Output FIFO. */
    VnsPacket *out_head, *out_tail;
    VnsEventId out_event;
    uint64_t forwarded, arp_replies;
};

/* ------------------------------------------------------------------ */
/* Specs                                                               */

static const VnsAttrSpec subnet_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The subnet's name, unique in the VPC." },
    { "cidr", VNS_ATTR_PREFIX, true, NULL, NULL,
      "Its IPv4 block, inside the VPC's and overlapping no other subnet; "
      "/16 to /28 (Amazon VPC User Guide, 'Subnet CIDR blocks')." },
    { "route-table", VNS_ATTR_NAME, false, NULL, NULL,
      "The <route-table> it is associated with. Default: the VPC's main "
      "route table (the one marked main=\"true\", else one holding only the "
      "local route), as AWS associates subnets without an explicit "
      "association with the main route table." },
    { "network-acl", VNS_ATTR_NAME, false, NULL, NULL,
      "The <network-acl> it is associated with. Default: the VPC's default "
      "network ACL, which allows all inbound and outbound IPv4 traffic "
      "(Amazon VPC User Guide, 'Default network ACL')." },
    { NULL }
};

static const VnsSpec subnet_spec = {
    "subnet", "A subnet of the VPC: an address block, its route table and "
    "network ACL.", subnet_attrs, NULL, false,
};

static const VnsAttrSpec route_attrs[] = {
    { "to", VNS_ATTR_PREFIX, true, NULL, NULL,
      "Destination prefix, e.g. 0.0.0.0/0. Inside the VPC's block only a "
      "whole subnet's block (AWS: a route more specific than the local "
      "route must match a subnet's CIDR)." },
    { "target", VNS_ATTR_NAME, true, NULL, NULL,
      "The name of an <internet-gateway>, <nat-gateway>, <eni> or <peering> "
      "of the VPC, of a <transit-gateway> the VPC is attached to, or "
      "'local'." },
    { NULL }
};

static const VnsSpec route_spec = {
    "route", "A route: packets to 'to' go to 'target'.", route_attrs, NULL,
    false,
};

static const VnsSpec *const route_table_children[] = { &route_spec, NULL };

static const VnsAttrSpec route_table_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The route table's name, unique in the VPC." },
    { "main", VNS_ATTR_BOOL, false, "false", NULL,
      "Whether it is the VPC's main route table, used by subnets without "
      "'route-table'; at most one." },
    { NULL }
};

static const VnsSpec route_table_spec = {
    "route-table", "A route table: the local route (the VPC's block -> "
    "local) and its <route> children, looked up by longest prefix match.",
    route_table_attrs, route_table_children, false,
};

static const VnsAttrSpec igw_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The gateway's name, also the name of the VPC's port toward the "
      "internet (join it with a <link>, e.g. a=\"vpc1:igw\")." },
    { "address", VNS_ATTR_IFADDR, true, NULL, NULL,
      "The gateway's address and prefix on the outside link, e.g. "
      "100.64.0.1/30; outside routers route the public addresses to it." },
    { "gateway", VNS_ATTR_IP, true, NULL, NULL,
      "The outside next hop (on that link) that internet-bound packets are "
      "sent to." },
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes",
      "Largest IP packet toward the internet: AWS limits traffic through an "
      "internet gateway to 1500 bytes (Amazon EC2 User Guide, 'Network "
      "maximum transmission unit (MTU) for your EC2 instance'); larger "
      "packets are dropped (mtu_exceeded).", NULL, 68, 65535 },
    { "mac", VNS_ATTR_MAC, false, NULL, NULL,
      "The gateway's Ethernet address. Default: derived from the names, "
      "locally administered." },
    { NULL }
};

static const VnsSpec igw_spec = {
    "internet-gateway", "The internet gateway: 1:1 translation between "
    "private addresses and their public addresses, on a port toward the "
    "internet. At most one per VPC, as in AWS.", igw_attrs, NULL, false,
};

static const VnsAttrSpec nat_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The NAT gateway's name, a route target." },
    { "subnet", VNS_ATTR_NAME, true, NULL, NULL,
      "The (public) subnet it lives in; its traffic toward the internet "
      "follows that subnet's route table and network ACL." },
    { "address", VNS_ATTR_IP, false, NULL, NULL,
      "Its private address in the subnet. Default: the first free address "
      "after the subnet's reserved ones." },
    { "public-ips", VNS_ATTR_STRING, true, NULL, NULL,
      "Its public (elastic) IPv4 addresses, comma-separated; each adds "
      "'connections-per-destination' connections." },
    { "connections-per-destination", VNS_ATTR_UINT, false, "55000",
      "connections",
      "Simultaneous connections per public address to one destination "
      "(address, port, protocol); beyond it new connections fail "
      "(ErrorPortAllocation, nat_ports_exhausted). Default 55,000 (Amazon "
      "VPC User Guide, 'NAT gateway basics'); lower it to reach the limit "
      "in a small experiment.", NULL, 1, 64512 },
    { "idle-timeout", VNS_ATTR_TIME, false, "350s", NULL,
      "A translation idle this long is removed. Default 350 s (Amazon VPC "
      "User Guide, 'NAT gateway basics')." },
    { "bandwidth", VNS_ATTR_RATE, false, "100Gbps", "bit/s",
      "Ceiling on the bits per second it forwards, both directions "
      "together; beyond it packets are dropped (rate_limit). Default "
      "100 Gbit/s, the ceiling AWS scales a NAT gateway to from 5 Gbit/s "
      "(Amazon VPC User Guide, 'NAT gateway basics'); the scaling itself "
      "is not modelled." },
    { "packet-rate", VNS_ATTR_UINT, false, "10000000", "packets/s",
      "Ceiling on the packets per second it forwards. Default 10,000,000, "
      "the ceiling AWS scales a NAT gateway to from 1,000,000 (Amazon VPC "
      "User Guide, 'NAT gateway basics').", NULL, 1, UINT64_MAX },
    { "burst", VNS_ATTR_TIME, false, "1ms", NULL,
      "Depth of the two ceilings' token buckets, as time at the ceiling "
      "rate (AWS publishes none: an assumption)." },
    { NULL }
};

static const VnsSpec nat_spec = {
    "nat-gateway", "A public NAT gateway: source NAT of traffic from private "
    "subnets to its public addresses, with AWS's per-destination connection "
    "limit, idle timeout and rate ceilings.", nat_attrs, NULL, false,
};

#define VPC_RULE_COMMON_ATTRS \
    { "proto", VNS_ATTR_STRING, false, "all", NULL, \
      "Protocol: tcp, udp, icmp, all, or an IP protocol number (0-255)." }, \
    { "ports", VNS_ATTR_STRING, false, NULL, NULL, \
      "Destination port or range, '443' or '1024-65535' (tcp and udp only). " \
      "Default: all ports." }

static const VnsAttrSpec sg_ingress_attrs[] = {
    VPC_RULE_COMMON_ATTRS,
    { "cidr", VNS_ATTR_PREFIX, false, NULL, NULL,
      "Allowed source block. Give cidr or source-group." },
    { "source-group", VNS_ATTR_NAME, false, NULL, NULL,
      "Allowed sources: the addresses of the ENIs in this security group." },
    { "prefix-list", VNS_ATTR_NAME, false, NULL, NULL,
      "Allowed sources: the prefix list of this <gateway-endpoint> (AWS "
      "lets security group rules reference a managed prefix list). Give "
      "one of cidr, source-group and prefix-list." },
    { NULL }
};

static const VnsAttrSpec sg_egress_attrs[] = {
    VPC_RULE_COMMON_ATTRS,
    { "cidr", VNS_ATTR_PREFIX, false, NULL, NULL,
      "Allowed destination block. Give cidr or destination-group." },
    { "destination-group", VNS_ATTR_NAME, false, NULL, NULL,
      "Allowed destinations: the addresses of the ENIs in this security "
      "group." },
    { "prefix-list", VNS_ATTR_NAME, false, NULL, NULL,
      "Allowed destinations: the prefix list of this <gateway-endpoint> "
      "(e.g. egress to S3 only through its endpoint). Give one of cidr, "
      "destination-group and prefix-list." },
    { NULL }
};

static const VnsSpec sg_ingress_spec = {
    "ingress", "An inbound allow rule.", sg_ingress_attrs, NULL, false,
};

static const VnsSpec sg_egress_spec = {
    "egress", "An outbound allow rule.", sg_egress_attrs, NULL, false,
};

static const VnsSpec *const sg_children[] = {
    &sg_ingress_spec, &sg_egress_spec, NULL,
};

static const VnsAttrSpec sg_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The security group's name; 'default' replaces the VPC's default "
      "group (inbound from its own members, outbound to all)." },
    { NULL }
};

static const VnsSpec sg_spec = {
    "security-group", "A security group: stateful allow rules; a packet "
    "passes if any rule of any of the ENI's groups allows it, or if it "
    "belongs to a tracked connection.", sg_attrs, sg_children, false,
};

static const VnsAttrSpec acl_rule_attrs[] = {
    { "number", VNS_ATTR_UINT, true, NULL, NULL,
      "Rule number: lower numbers are evaluated first; 1-32766 (Amazon VPC "
      "User Guide, 'Network ACL rules').", NULL, 1, 32766 },
    { "action", VNS_ATTR_ENUM, true, NULL, NULL,
      "What a match does.", "allow|deny" },
    { "direction", VNS_ATTR_ENUM, true, NULL, NULL,
      "Inbound or outbound rule.", "ingress|egress" },
    VPC_RULE_COMMON_ATTRS,
    { "cidr", VNS_ATTR_PREFIX, false, "0.0.0.0/0", NULL,
      "Source block (ingress) or destination block (egress)." },
    { NULL }
};

static const VnsSpec acl_rule_spec = {
    "rule", "A numbered network-ACL rule.", acl_rule_attrs, NULL, false,
};

static const VnsSpec *const acl_children[] = { &acl_rule_spec, NULL };

static const VnsAttrSpec acl_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The network ACL's name." },
    { NULL }
};

static const VnsSpec acl_spec = {
    "network-acl", "A network ACL: stateless numbered rules per direction, "
    "lowest number first, first match wins, then an implicit deny (rule "
    "'*'). Applies to traffic entering or leaving its subnets, not within "
    "one.", acl_attrs, acl_children, false,
};

static const VnsAttrSpec eni_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The ENI's name: its flow-log interface-id, a route target, and the "
      "name of the VPC's port joined to the instance." },
    { "instance", VNS_ATTR_REF, true, NULL, NULL,
      "The instance's interface 'host:interface' (an IPv4 interface)." },
    { "subnet", VNS_ATTR_NAME, true, NULL, NULL,
      "The subnet it is in." },
    { "address", VNS_ATTR_IP, false, NULL, NULL,
      "Its private IPv4 address; must not be one of the subnet's five "
      "reserved addresses. Default: the instance interface's address; when "
      "the interface has none, the VPC leases it one, as AWS's DHCP does: "
      "this address, or the subnet's first free one after the reserved "
      "ones, with a default route via the subnet router (+1) if the "
      "instance has no default route. When both are given they must "
      "agree." },
    { "security-groups", VNS_ATTR_STRING, false, "default", NULL,
      "Its security groups, comma-separated. Default: the VPC's default "
      "security group." },
    { "source-dest-check", VNS_ATTR_BOOL, false, "true", NULL,
      "Whether packets it sends must come from, and packets it receives "
      "must go to, its own address (src_dst_check drops otherwise); turn "
      "off for NAT instances and middleboxes. Default true (Amazon EC2 User "
      "Guide, 'Source/destination checking')." },
    { "public-ip", VNS_ATTR_IP, false, NULL, NULL,
      "Its public (or elastic) IPv4 address, which the internet gateway "
      "maps 1:1 to its private address. Default: none." },
    { "tcp-established-timeout", VNS_ATTR_TIME, false, "432000s", NULL,
      "Idle timeout of tracked TCP connections. Default 432,000 s (5 days), "
      "AWS's default (EC2 API Reference, ConnectionTrackingConfiguration; "
      "350 s on Nitro v6 instance types)." },
    { "udp-timeout", VNS_ATTR_TIME, false, "30s", NULL,
      "Idle timeout of tracked UDP flows seen in one direction or in one "
      "request-response (and, an assumption, of other protocols). "
      "Default 30 s (EC2 API Reference, ConnectionTrackingConfiguration)." },
    { "udp-stream-timeout", VNS_ATTR_TIME, false, "180s", NULL,
      "Idle timeout of UDP flows that have seen more than one "
      "request-response. Default 180 s (EC2 API Reference, "
      "ConnectionTrackingConfiguration)." },
    { "conntrack-max", VNS_ATTR_UINT, false, "0", "connections",
      "Tracked connections the ENI can hold; new ones beyond it are dropped "
      "(conntrack_full). Default 0: no limit (AWS's allowance depends on "
      "the instance type and is not published)." },
    { NULL }
};

static const VnsSpec eni_spec = {
    "eni", "An elastic network interface: joins an instance's interface to "
    "the VPC in a subnet, with security groups and an optional public "
    "address.", eni_attrs, NULL, false,
};

static const VnsAttrSpec log_attrs[] = {
    { "file", VNS_ATTR_STRING, true, NULL, NULL,
      "The file written into the run's output directory: a plain name "
      "without '/'." },
    { "aggregation", VNS_ATTR_ENUM, false, "600s", NULL,
      "Maximum aggregation interval: 600 s (AWS's default) or 60 s (Amazon "
      "VPC User Guide, 'Flow log records').", "600s|60s" },
    { "eni", VNS_ATTR_NAME, false, NULL, NULL,
      "Capture at this ENI only. Default: every ENI of the VPC." },
    { NULL }
};

static const VnsSpec log_spec = {
    "flow-log", "A flow log in AWS's default format (version 2).",
    log_attrs, NULL, false,
};

static const VnsAttrSpec peer_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The peering connection's name on this side, a route target." },
    { "peer", VNS_ATTR_NAME, true, NULL, NULL,
      "The other <vpc>, which must declare a <peering> back to this one "
      "(the accepted connection); the two blocks must not overlap (AWS "
      "refuses peering VPCs with overlapping IPv4 blocks)." },
    { NULL }
};

static const VnsSpec peer_spec = {
    "peering", "A VPC peering connection: routes whose target is its name "
    "send packets to the peer VPC, which delivers them to its own ENIs "
    "only (no transitive routing through the peer's gateways or peerings, "
    "as in AWS).", peer_attrs, NULL, false,
};

static const VnsAttrSpec statement_attrs[] = {
    { "effect", VNS_ATTR_ENUM, true, NULL, NULL,
      "Allow or deny; a matching deny wins over any allow, as in IAM "
      "policy evaluation.", "allow|deny" },
    { "source", VNS_ATTR_PREFIX, false, "0.0.0.0/0", NULL,
      "The private source addresses it applies to (IAM condition key "
      "aws:VpcSourceIp)." },
    { NULL }
};

static const VnsSpec statement_spec = {
    "statement", "An endpoint policy statement, reduced to the source "
    "address: requests from addresses no allow statement matches are "
    "refused (policy_deny).", statement_attrs, NULL, false,
};

static const VnsSpec *const gwep_children[] = { &statement_spec, NULL };

static const VnsAttrSpec gwep_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The endpoint's name: the target of its routes, a security group "
      "rule's 'prefix-list', and the name of the VPC's port toward the "
      "service (join it with a <link> to the host that plays the "
      "service)." },
    { "service", VNS_ATTR_ENUM, true, NULL, NULL,
      "The AWS service: gateway endpoints exist for Amazon S3 and "
      "DynamoDB only (AWS PrivateLink guide, 'Gateway endpoints').",
      "s3|dynamodb" },
    { "prefixes", VNS_ATTR_STRING, true, NULL, NULL,
      "The service's AWS-managed prefix list (com.amazonaws.REGION.SERVICE):"
      " comma-separated public IPv4 blocks outside the VPC's block, e.g. "
      "the service's ranges for the region in AWS's ip-ranges.json." },
    { "route-tables", VNS_ATTR_STRING, false, "", NULL,
      "Comma-separated <route-table>s that get a route per prefix with the "
      "endpoint as target; subnets associated with other tables do not use "
      "it. Default: none." },
    { "link-address", VNS_ATTR_IFADDR, true, NULL, NULL,
      "The endpoint's address and prefix on its link to the service host "
      "(which routes the VPC's addresses back to it)." },
    { "next-hop", VNS_ATTR_IP, true, NULL, NULL,
      "The service host's address on that link: packets to the prefixes "
      "are sent to it, their addresses unchanged." },
    { NULL }
};

static const VnsSpec gwep_spec = {
    "gateway-endpoint", "A gateway VPC endpoint (S3 or DynamoDB): the "
    "service's prefix list becomes a route in its route tables; matching "
    "packets leave the VPC privately, with private source addresses, "
    "without an internet or NAT gateway. Optional <statement> children "
    "are its endpoint policy (default: full access, AWS's default policy).",
    gwep_attrs, gwep_children, false,
};

static const VnsAttrSpec ifep_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The endpoint's name, also the VPC's port toward the service (join it "
      "with a <link>). Its ENIs are named NAME-SUBNET (flow logs, report)." },
    { "service", VNS_ATTR_STRING, true, NULL, NULL,
      "The service's name, e.g. com.amazonaws.us-east-1.sqs (reported)." },
    { "subnets", VNS_ATTR_STRING, true, NULL, NULL,
      "Comma-separated subnets; the endpoint gets an ENI with a private "
      "address in each." },
    { "security-groups", VNS_ATTR_STRING, false, "default", NULL,
      "The ENIs' security groups, comma-separated. Default: the VPC's "
      "default security group (as AWS uses when none is given)." },
    { "address", VNS_ATTR_STRING, false, NULL, NULL,
      "The ENIs' private addresses, comma-separated, one per subnet in "
      "order. Default: the first free address of each subnet." },
    { "link-address", VNS_ATTR_IFADDR, true, NULL, NULL,
      "The endpoint's address and prefix on its link to the service host: "
      "the source the service sees (PrivateLink translates the client's "
      "address; the provider does not see it)." },
    { "service-address", VNS_ATTR_IP, true, NULL, NULL,
      "The service host's address on that link: the destination of the "
      "translated packets." },
    { "idle-timeout", VNS_ATTR_TIME, false, "350s", NULL,
      "A translated connection idle this long is forgotten. Default 350 s, "
      "the TCP idle timeout of a Network Load Balancer, which fronts "
      "PrivateLink endpoint services (Elastic Load Balancing, Network Load "
      "Balancers, 'Connection idle timeout'); for AWS's own services an "
      "assumption." },
    { NULL }
};

static const VnsSpec ifep_spec = {
    "interface-endpoint", "An interface VPC endpoint (AWS PrivateLink): an "
    "ENI in each of its subnets, with security groups and flow logs like "
    "any ENI; TCP connections to an ENI's address are forwarded to the "
    "service and their replies come back. IPv4 TCP only; private DNS is "
    "not modelled (clients use the address).", ifep_attrs, NULL, false,
};

static const VnsSpec *const vpc_children[] = {
    &subnet_spec, &route_table_spec, &igw_spec, &nat_spec, &sg_spec,
    &acl_spec, &eni_spec, &log_spec, &peer_spec, &gwep_spec, &ifep_spec,
    NULL,
};

static const VnsAttrSpec vpc_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The VPC's name, unique in the topology." },
    { "cidr", VNS_ATTR_PREFIX, true, NULL, NULL,
      "Its IPv4 block, /16 to /28 (Amazon VPC User Guide, 'VPC CIDR "
      "blocks')." },
    { "mtu", VNS_ATTR_UINT, false, "9001", "bytes",
      "Largest IP packet inside the VPC, advertised to the instances' "
      "interfaces. Default 9001, the jumbo-frame MTU of EC2 instances in a "
      "VPC (Amazon EC2 User Guide, 'Network maximum transmission unit "
      "(MTU) for your EC2 instance').", NULL, 576, 65535 },
    { "latency", VNS_ATTR_TIME, false, "0s", NULL,
      "Time a packet spends crossing the fabric (one way, instance to "
      "instance or gateway). Default 0 s: AWS publishes no figure." },
    { "account-id", VNS_ATTR_STRING, false, "123456789010", NULL,
      "The flow logs' account-id field. Default: the example account of "
      "the Amazon VPC User Guide's flow-log examples." },
    { NULL }
};

static const VnsSpec vpc_spec = {
    "vpc", "An AWS-style VPC: the fabric and implicit router of its "
    "subnets, with route tables, internet and NAT gateways, security "
    "groups, network ACLs, ENIs joined to instances, and flow logs.",
    vpc_attrs, vpc_children, false,
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static uint32_t
vpc_mask(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* 32-bit FNV-1a, for derived MACs (fixed on every machine). */
static uint32_t
vpc_fnv(const char *s, uint32_t h)
{
    for (; *s; s++) {
        h ^= (uint8_t) *s;
        h *= 16777619u;
    }
    return h;
}

static VnsMac
vpc_derive_mac(const char *a, const char *b)
{
    uint32_t h = vpc_fnv(b, vpc_fnv("/", vpc_fnv(a, 2166136261u)));
    uint32_t h2 = vpc_fnv("mac", h);
    /* Locally administered unicast: 0x02 in the first byte. */
    VnsMac m = { { 0x02, (uint8_t) (h >> 24), (uint8_t) (h >> 16),
                   (uint8_t) (h >> 8), (uint8_t) h, (uint8_t) (h2 >> 8) } };
    return m;
}

static char *
vpc_ip4_str(uint32_t a, char buf[static VNS_IP4_STRLEN])
{
    return vns_ip4_format(a, buf);
}

static int
vpc_find_name(GArray *arr, size_t elt, size_t name_off, const char *name)
{
    for (guint i = 0; i < arr->len; i++) {
        const char *n = *(char **) ((char *) arr->data + i * elt + name_off);
        if (strcmp(n, name) == 0)
            return (int) i;
    }
    return -1;
}

#define VPC_FIND(arr, type, key) \
    vpc_find_name((arr), sizeof(type), offsetof(type, name), (key))

#define SUBNET(v, i) (&g_array_index((v)->subnets, VpcSubnet, (i)))
#define ENI(v, i) (&g_array_index((v)->enis, VpcEni, (i)))
#define NAT(v, i) (&g_array_index((v)->nats, VpcNat, (i)))
#define IGW(v, i) (&g_array_index((v)->igws, VpcIgw, (i)))
#define ACL(v, i) (&g_array_index((v)->acls, VpcAcl, (i)))
#define GROUP(v, i) (&g_array_index((v)->groups, VpcGroup, (i)))
#define TABLE(v, i) (&g_array_index((v)->tables, VpcRouteTable, (i)))
#define LOG(v, i) (&g_array_index((v)->logs, VpcLog, (i)))
#define PEER(v, i) (&g_array_index((v)->peers, VpcPeer, (i)))
#define GWEP(v, i) (&g_array_index((v)->gweps, VpcGwEp, (i)))
#define IFEP(v, i) (&g_array_index((v)->ifeps, VpcIfEp, (i)))

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void vpc_out_event(VnsSim *sim, void *ctx, void *arg);

/* The event owns no packet (the element does). */
static const VnsEventType vpc_out_type = { "vpc-out", vpc_out_event, NULL };

/* Queues the frame 'pkt' (taken) to leave by port 'port' after the
 * fabric latency. 'in_port' holds the egress port while it waits. */
static void
vpc_send(Vpc *v, VnsPacket *pkt, uint16_t port)
{
    VnsTime now = vns_element_now(&v->base);

    pkt->in_port = port;
    pkt->t_enqueued = now + v->latency_ps;
    pkt->next = NULL;
    if (v->out_tail != NULL) {
        v->out_tail->next = pkt;
    } else {
        v->out_head = pkt;
        v->out_event = vns_sim_schedule(v->base.sim, v->latency_ps,
                                        &vpc_out_type, v, NULL);
    }
    v->out_tail = pkt;
}

static void
vpc_out_event(VnsSim *sim, void *ctx, void *arg)
{
    Vpc *v = ctx;
    VnsTime now = vns_sim_now(sim);

    v->out_event = VNS_EVENT_NONE;
    /* Every frame due now leaves; sending may queue more (at now +
     * latency, after these). */
    while (v->out_head != NULL && v->out_head->t_enqueued <= now) {
        VnsPacket *pkt = v->out_head;
        v->out_head = pkt->next;
        if (v->out_head == NULL)
            v->out_tail = NULL;
        pkt->next = NULL;
        vns_port_send(vns_element_port(&v->base, pkt->in_port), pkt);
    }
    if (v->out_head != NULL && v->out_event.seq == 0)
        v->out_event = vns_sim_schedule_at(sim, v->out_head->t_enqueued,
                                           &vpc_out_type, v, NULL);
}

/* Pushes an Ethernet header and queues the frame. */
static void
vpc_xmit(Vpc *v, VnsPacket *pkt, uint16_t port, const VnsMac *src,
         const VnsMac *dst, uint16_t type)
{
    VnsEthHdr eth = { .dst = *dst, .src = *src, .ethertype = type };

    vns_eth_push(pkt, &eth);
    vpc_send(v, pkt, port);
}

/* ------------------------------------------------------------------ */
/* Packets                                                             */

/* Reads the flow of the IPv4 packet at data[0]. False: not parseable or a
 * fragment (not modelled). */
static bool
vpc_flow(VnsPacket *pkt, VpcFlow *f)
{
    const VnsFlowKey *k = vns_packet_parse_l3(pkt);

    if (k->family != VNS_IP_V4 || k->frag != VNS_FLOW_FRAG_NONE)
        return false;
    memset(f, 0, sizeof *f);
    f->src = k->src.v4;
    f->dst = k->dst.v4;
    f->proto = k->proto;
    f->size = vns_packet_size(pkt);
    if (k->proto == VNS_IPPROTO_TCP || k->proto == VNS_IPPROTO_UDP) {
        if (pkt->l4_off == VNS_OFF_NONE)
            return false;
        f->sport = k->sport;
        f->dport = k->dport;
    } else if (k->proto == VNS_IPPROTO_ICMP) {
        if (k->icmp_type == VNS_ICMP_ECHO_REQUEST ||
            k->icmp_type == VNS_ICMP_ECHO_REPLY)
            f->sport = f->dport = k->icmp_id;
    }
    return true;
}

/* Rewrites the source (or destination) address and port of the IPv4
 * packet at data[0], keeping the IP and transport checksums right (RFC
 * 1624 incremental updates; a zero UDP checksum stays zero). */
static void
vpc_rewrite(VnsPacket *pkt, bool dst, uint32_t addr, uint16_t port)
{
    uint8_t *ip = vns_packet_data(pkt);
    uint32_t hlen = (ip[0] & 0x0fu) * 4;
    uint8_t proto = ip[9];
    uint32_t old_addr = vns_wire_get32(ip + (dst ? 16 : 12));
    uint8_t *l4 = ip + hlen;

    /* vns_ipv4_set_src/dst update the header checksum. */
    if (dst)
        vns_ipv4_set_dst(ip, addr);
    else
        vns_ipv4_set_src(ip, addr);
    if (proto == VNS_IPPROTO_TCP && pkt->len >= hlen + VNS_TCP_HLEN) {
        uint16_t c = vns_wire_get16(l4 + 16);
        uint16_t old_port = vns_wire_get16(l4 + (dst ? 2 : 0));
        c = vns_csum_update32(c, old_addr, addr);
        c = vns_csum_update16(c, old_port, port);
        vns_wire_put16(l4 + (dst ? 2 : 0), port);
        vns_wire_put16(l4 + 16, c);
    } else if (proto == VNS_IPPROTO_UDP && pkt->len >= hlen + VNS_UDP_HLEN) {
        uint16_t c = vns_wire_get16(l4 + 6);
        uint16_t old_port = vns_wire_get16(l4 + (dst ? 2 : 0));
        vns_wire_put16(l4 + (dst ? 2 : 0), port);
        if (c != 0) {
            c = vns_csum_update32(c, old_addr, addr);
            c = vns_csum_update16(c, old_port, port);
            vns_wire_put16(l4 + 6, c == 0 ? 0xffff : c);
        }
    } else if (proto == VNS_IPPROTO_ICMP && pkt->len >= hlen + 8 &&
               (l4[0] == VNS_ICMP_ECHO_REQUEST || l4[0] == VNS_ICMP_ECHO_REPLY)) {
        /* The echo identifier plays the port; the ICMP checksum has no
         * pseudo-header. */
        uint16_t c = vns_wire_get16(l4 + 2);
        uint16_t old_id = vns_wire_get16(l4 + 4);
        vns_wire_put16(l4 + 4, port);
        vns_wire_put16(l4 + 2, vns_csum_update16(c, old_id, port));
    }
    vns_packet_invalidate(pkt);
}

/* ------------------------------------------------------------------ */
/* Rules                                                               */

static bool
vpc_rule_l4(const VpcRule *r, const VpcFlow *f)
{
    if (r->proto != VPC_PROTO_ALL && r->proto != f->proto)
        return false;
    if ((f->proto == VNS_IPPROTO_TCP || f->proto == VNS_IPPROTO_UDP) &&
        r->proto != VPC_PROTO_ALL)
        return f->dport >= r->port_lo && f->dport <= r->port_hi;
    return true;
}

/* Network ACL of subnet 's' in direction 'dir' (VPC_IN: entering the
 * subnet; the CIDR matches the source; VPC_OUT: leaving it, the CIDR
 * matches the destination). Lowest number first, first match wins, then
 * the implicit deny. */
static bool
vpc_acl_pass(const Vpc *v, int s, int dir, const VpcFlow *f)
{
    const VpcSubnet *sn = SUBNET(v, s);
    const GArray *rules;
    uint32_t peer = dir == VPC_IN ? f->src : f->dst;

    if (sn->acl < 0)
        return true;
    rules = ACL(v, sn->acl)->rules[dir];
    for (guint i = 0; i < rules->len; i++) {
        const VpcRule *r = &g_array_index(rules, VpcRule, i);
        if ((peer & r->mask) == r->net && vpc_rule_l4(r, f))
            return r->allow;
    }
    return false;
}

static bool
vpc_group_has(const VpcGroup *g, uint32_t addr)
{
    for (guint i = 0; i < g->members->len; i++)
        if (g_array_index(g->members, uint32_t, i) == addr)
            return true;
    return false;
}

/* Whether a rule of one of the ENI's groups allows the packet. */
static bool
vpc_sg_rules(const Vpc *v, const VpcEni *e, int dir, const VpcFlow *f)
{
    uint32_t peer = dir == VPC_IN ? f->src : f->dst;

    for (int gi = 0; gi < e->n_groups; gi++) {
        const GArray *rules = GROUP(v, e->groups[gi])->rules[dir];
        for (guint i = 0; i < rules->len; i++) {
            const VpcRule *r = &g_array_index(rules, VpcRule, i);
            uint32_t unused;
            if (!vpc_rule_l4(r, f))
                continue;
            if (r->plist != 0) {
                if (vns_lpm_lookup_v4(GWEP(v, r->plist - 1)->lpm, peer,
                                      &unused))
                    return true;
            } else if (r->group >= 0 ? vpc_group_has(GROUP(v, r->group), peer)
                                     : (peer & r->mask) == r->net) {
                return true;
            }
        }
    }
    return false;
}

/* Security groups of ENI 'e', direction 'dir'. A packet of a tracked
 * connection passes whatever the rules; one that a rule allows starts a
 * tracked connection. Returns the drop cause, or VNS_DROP_N_CAUSES when
 * it passes. */
static VnsDropCause
vpc_sg_pass(Vpc *v, VpcEni *e, int dir, const VpcFlow *f)
{
    VnsTime now = vns_element_now(&v->base);
    VpcConnKey k = { 0 };
    uint32_t idx;

    k.proto = f->proto;
    if (dir == VPC_OUT) {
        k.a = f->src; k.b = f->dst; k.pa = f->sport; k.pb = f->dport;
    } else {
        k.a = f->dst; k.b = f->src; k.pa = f->dport; k.pb = f->sport;
    }
    vpc_conn_expire(&e->ct, now, NULL, NULL);
    idx = vpc_conn_lookup(&e->ct, &k);
    if (idx != VPC_CONN_NONE) {
        VpcConn *c = vpc_conn_at(&e->ct, idx);
        /* UDP: a flow whose direction has turned three times has seen
         * more than one request-response: a stream. */
        if (f->proto == VNS_IPPROTO_UDP && c->user[0] != (uint64_t) dir) {
            c->user[0] = (uint64_t) dir;
            if (++c->user[1] == 3)
                vpc_conn_set_class(&e->ct, idx, VPC_CT_UDP_STREAM);
        }
        vpc_conn_touch(&e->ct, idx, now);
        return VNS_DROP_N_CAUSES;
    }
    if (!vpc_sg_rules(v, e, dir, f)) {
        e->sg_deny[dir]++;
        return VNS_DROP_SG_DENY;
    }
    if (e->conntrack_max != 0 && e->ct.n >= e->conntrack_max)
        return VNS_DROP_CONNTRACK_FULL;
    idx = vpc_conn_insert(&e->ct, &k,
                          f->proto == VNS_IPPROTO_TCP ? VPC_CT_TCP
                          : f->proto == VNS_IPPROTO_UDP ? VPC_CT_UDP
                          : VPC_CT_OTHER, now);
    vpc_conn_at(&e->ct, idx)->user[0] = (uint64_t) dir;
    e->ct_created++;
    e->ct_peak = MAX(e->ct_peak, e->ct.n);
    return VNS_DROP_N_CAUSES;
}

/* ------------------------------------------------------------------ */
/* Flow logs                                                           */

static void
vpc_log_note(Vpc *v, int eni, const VpcFlow *f, int action)
{
    VpcEni *e = ENI(v, eni);
    VnsTime now = vns_element_now(&v->base);

    for (guint i = 0; i < e->logs->len; i++) {
        VpcLog *l = LOG(v, g_array_index(e->logs, int, i));
        int64_t w = now / l->interval_ps;
        VpcConnKey k = {
            .a = f->src, .b = f->dst, .pa = f->sport, .pb = f->dport,
            .proto = f->proto, .tag = (uint8_t) action, .id = (uint16_t) eni,
        };
        uint32_t idx;
        VpcLogRec *r;

        if (f->proto == VNS_IPPROTO_ICMP)
            k.pa = k.pb = 0;
        if (w != l->window) {
            vpc_conn_clear(&l->agg);
            l->window = w;
        }
        idx = vpc_conn_lookup(&l->agg, &k);
        if (idx == VPC_CONN_NONE) {
            VpcLogRec rec = {
                .eni = (uint16_t) eni, .action = (uint8_t) action, .key = k,
                .window = w, .first_ps = now,
            };
            idx = vpc_conn_insert(&l->agg, &k, 0, now);
            vpc_conn_at(&l->agg, idx)->user[0] = l->recs->len;
            g_array_append_val(l->recs, rec);
        }
        r = &g_array_index(l->recs, VpcLogRec, vpc_conn_at(&l->agg, idx)->user[0]);
        r->packets++;
        r->bytes += f->size;
        r->last_ps = now;
    }
}

/* The flow log as text: AWS's default format (version 2), one record per
 * line, with the header line that files delivered to Amazon S3 start
 * with; per interval the records in order of their first packet, then a
 * NODATA record for each captured ENI that saw nothing. */
static GString *
vpc_log_text(const Vpc *v, const VpcLog *l, VnsTime end)
{
    GString *s = g_string_new("version account-id interface-id srcaddr "
                              "dstaddr srcport dstport protocol packets "
                              "bytes start end action log-status\n");
    int64_t n_win = (end + l->interval_ps - 1) / l->interval_ps;
    guint r = 0;
    g_autofree bool *seen = g_new0(bool, MAX(v->enis->len, 1));

    for (int64_t w = 0; w < n_win; w++) {
        memset(seen, 0, sizeof(bool) * MAX(v->enis->len, 1));
        for (; r < l->recs->len; r++) {
            const VpcLogRec *x = &g_array_index(l->recs, VpcLogRec, r);
            char a[VNS_IP4_STRLEN], b[VNS_IP4_STRLEN];
            if (x->window != w)
                break;
            seen[x->eni] = true;
            g_string_append_printf(
                s, "2 %s %s %s %s %u %u %u %" G_GUINT64_FORMAT " %"
                G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                " %s OK\n", v->account, ENI(v, x->eni)->name,
                vpc_ip4_str(x->key.a, a), vpc_ip4_str(x->key.b, b),
                x->key.pa, x->key.pb, x->key.proto, x->packets, x->bytes,
                (int64_t) (x->first_ps / VNS_SEC),
                (int64_t) (x->last_ps / VNS_SEC),
                x->action == VPC_ACCEPT ? "ACCEPT" : "REJECT");
        }
        for (guint e = 0; e < v->enis->len; e++) {
            if (seen[e] || (l->eni >= 0 && (int) e != l->eni))
                continue;
            g_string_append_printf(
                s, "2 %s %s - - - - - - - %" G_GINT64_FORMAT " %"
                G_GINT64_FORMAT " - NODATA\n", v->account, ENI(v, e)->name,
                (int64_t) (w * l->interval_ps / VNS_SEC),
                (int64_t) (MIN((w + 1) * l->interval_ps, end) / VNS_SEC));
        }
    }
    return s;
}

/* ------------------------------------------------------------------ */
/* Delivery to instances                                               */

/* Drops 'pkt' (taken) noting a REJECT at ENI 'eni' when the cause is a
 * filter's. */
static void
vpc_reject(Vpc *v, int eni, const VpcFlow *f, VnsPacket *pkt,
           VnsDropCause cause)
{
    if (eni >= 0 && (cause == VNS_DROP_SG_DENY || cause == VNS_DROP_NACL_DENY))
        vpc_log_note(v, eni, f, VPC_REJECT);
    vns_packet_drop(pkt, &v->base, cause);
}

static void vpc_ifep_in(Vpc *v, int eni, VnsPacket *pkt, const VpcFlow *f);

/* Hands the IP packet 'pkt' (taken; 'f' its flow) to ENI 'eni', coming
 * from subnet 'from' (-1: from outside the VPC): the destination subnet's
 * network ACL if it crosses a subnet boundary, the source/destination
 * check, the ENI's security groups. */
static void
vpc_deliver(Vpc *v, VnsPacket *pkt, const VpcFlow *f, int eni, int from)
{
    VpcEni *d = ENI(v, eni);
    VnsDropCause cause;

    if (from != d->subnet && !vpc_acl_pass(v, d->subnet, VPC_IN, f)) {
        d->nacl_deny[VPC_IN]++;
        vpc_reject(v, eni, f, pkt, VNS_DROP_NACL_DENY);
        return;
    }
    if (d->sdcheck && f->dst != d->addr) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_SRC_DST_CHECK);
        return;
    }
    cause = vpc_sg_pass(v, d, VPC_IN, f);
    if (cause != VNS_DROP_N_CAUSES) {
        vpc_reject(v, eni, f, pkt, cause);
        return;
    }
    vpc_log_note(v, eni, f, VPC_ACCEPT);
    d->pkts[VPC_IN]++;
    d->bytes[VPC_IN] += f->size;
    v->forwarded++;
    if (d->vpce != 0) {
        vpc_ifep_in(v, eni, pkt, f);
        return;
    }
    vpc_xmit(v, pkt, d->port->index, &SUBNET(v, d->subnet)->router_mac,
             &d->mac, VNS_ETHERTYPE_IPV4);
}

/* RFC 1812 section 4.3.2.3: an ICMP error is at most 576 bytes. */
#define VPC_ICMP_MAX 576

/* A packet (borrowed; IP header at data[0], addresses still private) too
 * big for the internet gateway's MTU 'mtu': when it has DF set, the
 * gateway answers its source with ICMP "fragmentation needed" carrying
 * the MTU (RFC 1191 section 4; Amazon VPC User Guide, "Path MTU
 * Discovery": a device on the path that drops a packet larger than its
 * MTU returns type 3 code 4), from the VPC router's address on the
 * source's subnet. The error enters the subnet from outside: its network
 * ACL and the ENI's security groups must allow ICMP, as AWS asks. Packets
 * without DF, which AWS would fragment, are dropped (not modelled). */
static void
vpc_frag_needed(Vpc *v, const VnsPacket *orig, uint32_t mtu)
{
    const uint8_t *ip = vns_packet_data(orig);
    uint32_t src = vns_wire_get32(ip + 12);
    uint32_t quote = MIN(vns_packet_size(orig),
                         VPC_ICMP_MAX - VNS_IPV4_HLEN - VNS_ICMP_HLEN);
    uint32_t stored = MIN(orig->len, quote);
    gpointer x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(src));
    VnsIcmpHdr ih = {
        .type = VNS_ICMP_DEST_UNREACH, .code = VNS_ICMP_FRAG_NEEDED,
        .mtu = (uint16_t) mtu,
    };
    VnsIpv4Hdr h;
    VpcEni *e;
    VnsPacket *p;
    VpcFlow f;

    if (!vns_ipv4_df(ip) || x == NULL || vns_ipv4_frag_offset(ip) != 0 ||
        (ip[9] == VNS_IPPROTO_ICMP && orig->len > VNS_IPV4_HLEN &&
         ip[(ip[0] & 0x0fu) * 4] != VNS_ICMP_ECHO_REQUEST &&
         ip[(ip[0] & 0x0fu) * 4] != VNS_ICMP_ECHO_REPLY))
        return;                 /* RFC 1122 3.2.2: never about an ICMP error */
    e = ENI(v, GPOINTER_TO_INT(x) - 1);
    memset(&h, 0, sizeof h);
    h.ttl = 64;
    h.proto = VNS_IPPROTO_ICMP;
    h.src = SUBNET(v, e->subnet)->net + 1;
    h.dst = src;
    p = vns_packet_new(vns_net_pool(v->base.net), quote - stored);
    memcpy(vns_packet_put(p, stored), ip, stored);
    p->t_created = vns_element_now(&v->base);
    vns_icmp_push(p, &ih);
    vns_ipv4_push(p, &h);
    if (!vpc_flow(p, &f)) {
        vns_packet_drop(p, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    vpc_deliver(v, p, &f, GPOINTER_TO_INT(x) - 1, -1);
}

/* ------------------------------------------------------------------ */
/* Internet gateway                                                    */

static void vpc_arp_timer(VnsSim *sim, void *ctx, void *arg);
static const VnsEventType vpc_arp_type = { "vpc-arp", vpc_arp_timer, NULL };

static void
vpc_igw_solicit(Vpc *v, VpcIgw *g)
{
    VnsPacket *p = vns_packet_new(vns_net_pool(v->base.net), 0);
    VnsArpHdr arp = {
        .op = VNS_ARP_OP_REQUEST, .sha = g->mac, .spa = g->addr.addr.v4,
        .tpa = g->gateway,
    };

    g->probes++;
    g->timer = vns_sim_schedule(v->base.sim, VPC_ARP_RETRANS, &vpc_arp_type,
                                v, g);
    p->t_created = vns_element_now(&v->base);
    vns_arp_push(p, &arp);
    vpc_xmit(v, p, g->port->index, &g->mac, &VNS_MAC_BROADCAST,
             VNS_ETHERTYPE_ARP);
}

static void
vpc_arp_timer(VnsSim *sim, void *ctx, void *arg)
{
    Vpc *v = ctx;
    VpcIgw *g = arg;

    g->timer = VNS_EVENT_NONE;
    if (g->resolved)
        return;
    if (g->probes < VPC_ARP_PROBES) {
        vpc_igw_solicit(v, g);
        return;
    }
    g->probes = 0;
    while (g->q_head != NULL) {
        VnsPacket *p = g->q_head;
        g->q_head = p->next;
        p->next = NULL;
        vns_packet_drop(p, &v->base, VNS_DROP_NO_NEIGHBOR);
    }
    g->q_tail = NULL;
    g->q_len = 0;
}

/* Sends the IP packet 'pkt' (taken; source already public) to the
 * internet through gateway 'g'. */
static void
vpc_igw_out(Vpc *v, VpcIgw *g, VnsPacket *pkt)
{
    uint32_t size = vns_packet_size(pkt);

    if (size > g->mtu) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    g->pkts[VPC_OUT]++;
    g->bytes[VPC_OUT] += size;
    if (g->resolved) {
        vpc_xmit(v, pkt, g->port->index, &g->mac, &g->gw_mac,
                 VNS_ETHERTYPE_IPV4);
        return;
    }
    if (g->q_len >= VPC_ARP_QUEUE) {
        VnsPacket *old = g->q_head;
        g->q_head = old->next;
        if (g->q_head == NULL)
            g->q_tail = NULL;
        g->q_len--;
        old->next = NULL;
        vns_packet_drop(old, &v->base, VNS_DROP_NO_NEIGHBOR);
    }
    pkt->next = NULL;
    if (g->q_tail != NULL)
        g->q_tail->next = pkt;
    else
        g->q_head = pkt;
    g->q_tail = pkt;
    g->q_len++;
    if (g->timer.seq == 0)
        vpc_igw_solicit(v, g);
}

/* The outside neighbour's MAC is known: waiting packets leave. */
static void
vpc_igw_resolved(Vpc *v, VpcIgw *g, const VnsMac *mac)
{
    g->gw_mac = *mac;
    g->resolved = true;
    if (g->timer.seq != 0) {
        vns_sim_cancel(v->base.sim, g->timer);
        g->timer = VNS_EVENT_NONE;
    }
    while (g->q_head != NULL) {
        VnsPacket *p = g->q_head;
        g->q_head = p->next;
        p->next = NULL;
        vpc_xmit(v, p, g->port->index, &g->mac, &g->gw_mac,
                 VNS_ETHERTYPE_IPV4);
    }
    g->q_tail = NULL;
    g->q_len = 0;
}

/* ------------------------------------------------------------------ */
/* NAT gateway                                                         */

/* A forward translation expires: its reverse entry goes, and its
 * destination's count drops. */
static void
vpc_nat_expired(VpcConnTable *t, uint32_t idx, void *data)
{
    VpcNat *n = data;
    VpcConn *c = vpc_conn_at(t, idx);
    uint32_t rev = (uint32_t) c->user[2];
    uint32_t dest = (uint32_t) c->user[3];

    vpc_conn_remove(&n->rev, rev);
    vpc_conn_at(&n->dest, dest)->user[0]--;
}

/* Token buckets of the bandwidth and packet-rate ceilings. */
static bool
vpc_nat_admit(VpcNat *n, VnsTime now, uint32_t size)
{
    double dt = vns_time_to_s(now - n->tok_time);
    double max_bits = (double) n->rate_bps * vns_time_to_s(n->burst_ps);
    double max_pkts = (double) n->pps * vns_time_to_s(n->burst_ps);

    n->tok_bits = MIN(max_bits, n->tok_bits + dt * (double) n->rate_bps);
    n->tok_pkts = MIN(MAX(max_pkts, 1.0), n->tok_pkts + dt * (double) n->pps);
    n->tok_time = now;
    if (n->tok_bits < 8.0 * size || n->tok_pkts < 1.0)
        return false;
    n->tok_bits -= 8.0 * size;
    n->tok_pkts -= 1.0;
    return true;
}

/* Finds or makes the translation of flow 'f'; false when no port is left
 * for its destination on any public address (ErrorPortAllocation). */
static bool
vpc_nat_map(VpcNat *n, const VpcFlow *f, VnsTime now, uint32_t *pub,
            uint16_t *port)
{
    VpcConnKey k = {
        .a = f->src, .b = f->dst, .pa = f->sport, .pb = f->dport,
        .proto = f->proto,
    };
    uint32_t idx = vpc_conn_lookup(&n->fwd, &k);
    uint32_t best = UINT32_MAX, best_dest = VPC_CONN_NONE, best_count = 0;

    if (idx != VPC_CONN_NONE) {
        VpcConn *c = vpc_conn_at(&n->fwd, idx);
        vpc_conn_touch(&n->fwd, idx, now);
        *pub = n->pub[c->user[0]];
        *port = (uint16_t) c->user[1];
        return true;
    }
    /* The public address with the fewest connections to this
     * destination (the first of equals) takes the new one. */
    /* A unique destination is (address, port, protocol); ICMP has no
     * port. */
    uint16_t dport = f->proto == VNS_IPPROTO_ICMP ? 0 : f->dport;

    for (uint32_t i = 0; i < n->n_pub; i++) {
        VpcConnKey dk = {
            .b = f->dst, .pb = dport, .proto = f->proto,
            .id = (uint16_t) i,
        };
        uint32_t d = vpc_conn_lookup(&n->dest, &dk);
        uint32_t count;
        if (d == VPC_CONN_NONE)
            d = vpc_conn_insert(&n->dest, &dk, 0, now);
        count = (uint32_t) vpc_conn_at(&n->dest, d)->user[0];
        if (count < n->limit && (best == UINT32_MAX || count < best_count)) {
            best = i;
            best_dest = d;
            best_count = count;
        }
    }
    if (best == UINT32_MAX)
        return false;
    {
        VpcConn *dc = vpc_conn_at(&n->dest, best_dest);
        uint32_t span = VPC_NAT_PORT_MAX - VPC_NAT_PORT_MIN + 1;
        uint32_t p = (uint32_t) dc->user[1];
        VpcConnKey rk = {
            .a = n->pub[best], .b = f->dst, .pb = dport, .proto = f->proto,
        };
        uint32_t rev, fwd;

        /* The next port after the last one given to this destination
         * that no live translation to it holds. */
        for (uint32_t tries = 0; tries < span; tries++, p++) {
            rk.pa = (uint16_t) (VPC_NAT_PORT_MIN + p % span);
            if (vpc_conn_lookup(&n->rev, &rk) == VPC_CONN_NONE)
                break;
        }
        dc->user[1] = (p + 1) % span;
        dc->user[0]++;
        fwd = vpc_conn_insert(&n->fwd, &k, 0, now);
        rev = vpc_conn_insert(&n->rev, &rk, 0, now);
        vpc_conn_at(&n->rev, rev)->user[0] = fwd;
        vpc_conn_at(&n->fwd, fwd)->user[0] = best;
        vpc_conn_at(&n->fwd, fwd)->user[1] = rk.pa;
        vpc_conn_at(&n->fwd, fwd)->user[2] = rev;
        vpc_conn_at(&n->fwd, fwd)->user[3] = best_dest;
        n->conn_established++;
        n->conn_peak = MAX(n->conn_peak, n->fwd.n);
        *pub = rk.a;
        *port = rk.pa;
    }
    return true;
}

static bool vpc_route(const Vpc *v, int rt, uint32_t dst, VpcRoute *out);
static void tgw_forward(VnsElement *tgw, Vpc *from, VnsPacket *pkt,
                        VpcFlow *f);

/* A packet from subnet 'from' routed to NAT gateway 'ni': the NAT
 * subnet's ACL inbound (when it crosses), the ceilings, the translation,
 * then the NAT subnet's route (to the internet gateway) and ACL outbound. */
static void
vpc_nat_out(Vpc *v, int ni, VnsPacket *pkt, VpcFlow *f, int from)
{
    VpcNat *n = NAT(v, ni);
    VnsTime now = vns_element_now(&v->base);
    VpcRoute r;
    uint32_t pub;
    uint16_t port;

    if (from != n->subnet && !vpc_acl_pass(v, n->subnet, VPC_IN, f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    if (f->proto != VNS_IPPROTO_TCP && f->proto != VNS_IPPROTO_UDP &&
        f->proto != VNS_IPPROTO_ICMP) {
        /* AWS: a NAT gateway supports TCP, UDP and ICMP. */
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (!vpc_nat_admit(n, now, f->size)) {
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_RATE_LIMIT);
        return;
    }
    if (!vpc_route(v, SUBNET(v, n->subnet)->rt, f->dst, &r) ||
        r.kind != VPC_TGT_IGW) {
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (f->size > IGW(v, r.index)->mtu) {
        vpc_frag_needed(v, pkt, IGW(v, r.index)->mtu);
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
        return;
    }
    vpc_conn_expire(&n->fwd, now, vpc_nat_expired, n);
    if (!vpc_nat_map(n, f, now, &pub, &port)) {
        n->error_port_allocation++;
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NAT_PORTS_EXHAUSTED);
        return;
    }
    vpc_rewrite(pkt, false, pub, port);
    f->src = pub;
    if (f->proto == VNS_IPPROTO_ICMP)
        f->dport = port;
    f->sport = port;
    if (!vpc_acl_pass(v, n->subnet, VPC_OUT, f)) {
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    n->pkts_out++;
    n->bytes_out += f->size;
    vpc_igw_out(v, IGW(v, r.index), pkt);
}

/* A packet from the internet to NAT gateway 'ni''s public address. */
static void
vpc_nat_in(Vpc *v, int ni, VnsPacket *pkt, VpcFlow *f)
{
    VpcNat *n = NAT(v, ni);
    VnsTime now = vns_element_now(&v->base);
    VpcConnKey rk = {
        .a = f->dst, .b = f->src, .pa = f->dport, .pb = f->sport,
        .proto = f->proto,
    };
    uint32_t rev, fwd;
    gpointer eni;
    VpcConn *c;

    if (f->proto == VNS_IPPROTO_ICMP)
        rk.pb = 0;
    if (!vpc_acl_pass(v, n->subnet, VPC_IN, f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    if (!vpc_nat_admit(n, now, f->size)) {
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_RATE_LIMIT);
        return;
    }
    vpc_conn_expire(&n->fwd, now, vpc_nat_expired, n);
    rev = vpc_conn_lookup(&n->rev, &rk);
    if (rev == VPC_CONN_NONE) {
        /* Unsolicited: nothing was sent to this peer from this port. */
        n->unmatched++;
        n->drop_count++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    fwd = (uint32_t) vpc_conn_at(&n->rev, rev)->user[0];
    vpc_conn_touch(&n->fwd, fwd, now);
    c = vpc_conn_at(&n->fwd, fwd);
    n->pkts_in++;
    n->bytes_in += f->size;
    vpc_rewrite(pkt, true, c->key.a, c->key.pa);
    f->dst = c->key.a;
    f->dport = c->key.pa;
    if (f->proto == VNS_IPPROTO_ICMP)
        f->sport = c->key.pa;
    eni = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f->dst));
    if (eni == NULL) {
        /* Not here: a connection from another VPC through a transit
         * gateway (centralized egress); the NAT subnet's routes take the
         * reply back. */
        VpcRoute r;
        if (!vpc_route(v, SUBNET(v, n->subnet)->rt, f->dst, &r) ||
            r.kind != VPC_TGT_TGW) {
            vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
            return;
        }
        if (!vpc_acl_pass(v, n->subnet, VPC_OUT, f)) {
            vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
            return;
        }
        tgw_forward(v->tgw_refs->pdata[r.index], v, pkt, f);
        return;
    }
    if (ENI(v, GPOINTER_TO_INT(eni) - 1)->subnet != n->subnet &&
        !vpc_acl_pass(v, n->subnet, VPC_OUT, f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    vpc_deliver(v, pkt, f, GPOINTER_TO_INT(eni) - 1, n->subnet);
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */

static bool
vpc_route(const Vpc *v, int rt, uint32_t dst, VpcRoute *out)
{
    const VpcRouteTable *t = TABLE(v, rt);
    uint32_t i;

    if (!vns_lpm_lookup_v4(t->lpm, dst, &i))
        return false;
    *out = g_array_index(t->routes, VpcRoute, i);
    return true;
}

/* A packet from a peered VPC (taken; 'f' its flow): only to this VPC's
 * own ENIs, through their subnet's ACL and their security groups. */
static void
vpc_from_peer(Vpc *v, VnsPacket *pkt, VpcFlow *f, const Vpc *from)
{
    gpointer x = NULL;

    for (guint i = 0; i < v->peers->len; i++) {
        VpcPeer *p = PEER(v, i);
        if (p->peer == from) {
            p->pkts[VPC_IN]++;
            p->bytes[VPC_IN] += f->size;
            break;
        }
    }
    if ((f->dst & v->mask) == v->net)
        x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f->dst));
    if (x == NULL) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    vpc_deliver(v, pkt, f, GPOINTER_TO_INT(x) - 1, -1);
}

/* A packet from a transit gateway (taken) enters by its attachment's
 * subnet 's': that subnet's ACL inbound, then its route table, as AWS
 * routes traffic from a transit gateway attachment. Local ENIs, a
 * middlebox ENI or a NAT gateway (centralized egress); nothing else, so
 * that no loop through gateways forms. */
static void
vpc_from_tgw(Vpc *v, int s, VnsPacket *pkt, VpcFlow *f)
{
    VpcRoute r;
    int d = -1;

    if (!vpc_acl_pass(v, s, VPC_IN, f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    if (!vpc_route(v, SUBNET(v, s)->rt, f->dst, &r)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (r.kind == VPC_TGT_LOCAL) {
        gpointer x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f->dst));
        d = x != NULL ? GPOINTER_TO_INT(x) - 1 : -1;
    } else if (r.kind == VPC_TGT_ENI) {
        d = r.index;
    } else if (r.kind == VPC_TGT_NAT) {
        if (NAT(v, r.index)->subnet != s && !vpc_acl_pass(v, s, VPC_OUT, f)) {
            vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
            return;
        }
        vpc_nat_out(v, r.index, pkt, f, s);
        return;
    }
    if (d < 0) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (ENI(v, d)->subnet != s && !vpc_acl_pass(v, s, VPC_OUT, f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NACL_DENY);
        return;
    }
    vpc_deliver(v, pkt, f, d, s);
}

/* ------------------------------------------------------------------ */
/* Endpoints                                                           */

/* Whether endpoint policy 'policy' (of VpcRule) lets source 'src' use the
 * endpoint: no statement is AWS's default policy (full access); else a
 * matching deny refuses, then a matching allow admits, then the implicit
 * deny, as IAM evaluates policies. */
static bool
vpc_policy_pass(const GArray *policy, uint32_t src)
{
    bool allowed = false;

    if (policy->len == 0)
        return true;
    for (guint i = 0; i < policy->len; i++) {
        const VpcRule *r = &g_array_index(policy, VpcRule, i);
        if ((src & r->mask) != r->net)
            continue;
        if (!r->allow)
            return false;
        allowed = true;
    }
    return allowed;
}

/* A packet (taken) that a route table sent to gateway endpoint 'ep': the
 * endpoint policy, then out to the service with its private source
 * address (AWS: instances need no public address; no internet or NAT
 * gateway is involved). */
static void
vpc_gwep_out(Vpc *v, VpcGwEp *ep, VnsPacket *pkt, const VpcFlow *f)
{
    if (!vpc_policy_pass(ep->policy, f->src)) {
        ep->policy_denied++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_POLICY_DENY);
        return;
    }
    vpc_igw_out(v, &ep->link, pkt);
}

/* A packet (taken) from the service behind gateway endpoint 'ep': from
 * an address of its prefix list to an ENI of the VPC, through the ENI's
 * subnet ACL and security groups (a reply passes as tracked). */
static void
vpc_from_gwep(Vpc *v, VpcGwEp *ep, VnsPacket *pkt)
{
    gpointer x;
    uint32_t unused;
    VpcFlow f;

    if (!vpc_flow(pkt, &f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    ep->link.pkts[VPC_IN]++;
    ep->link.bytes[VPC_IN] += f.size;
    if (!vns_lpm_lookup_v4(ep->lpm, f.src, &unused)) {
        /* Only the service's addresses come through its endpoint. */
        vns_packet_drop(pkt, &v->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f.dst));
    if (x == NULL || ENI(v, GPOINTER_TO_INT(x) - 1)->vpce != 0) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    vpc_deliver(v, pkt, &f, GPOINTER_TO_INT(x) - 1, -1);
}

/* A forward translation of an interface endpoint expires: its reverse
 * entry goes. */
static void
vpc_ifep_expired(VpcConnTable *t, uint32_t idx, void *data)
{
    VpcIfEp *ep = data;

    vpc_conn_remove(&ep->rev, (uint32_t) vpc_conn_at(t, idx)->user[0]);
}

/* A packet (taken; 'f' its flow) that passed the security groups of
 * interface endpoint ENI 'eni': TCP only (AWS: interface endpoints carry
 * IPv4 TCP); the source becomes the endpoint's link address and a port of
 * its own, the destination the service's address (destination port
 * kept), and it leaves by the link. */
static void
vpc_ifep_in(Vpc *v, int eni, VnsPacket *pkt, const VpcFlow *f)
{
    VpcIfEp *ep = IFEP(v, ENI(v, eni)->vpce - 1);
    VnsTime now = vns_element_now(&v->base);
    VpcConnKey k = {
        .a = f->src, .b = f->dst, .pa = f->sport, .pb = f->dport,
        .proto = f->proto,
    };
    uint32_t idx;
    uint16_t port;

    if (f->proto != VNS_IPPROTO_TCP) {
        ep->unsupported++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    vpc_conn_expire(&ep->fwd, now, vpc_ifep_expired, ep);
    idx = vpc_conn_lookup(&ep->fwd, &k);
    if (idx != VPC_CONN_NONE) {
        vpc_conn_touch(&ep->fwd, idx, now);
        port = (uint16_t) vpc_conn_at(&ep->fwd, idx)->user[1];
    } else {
        uint32_t span = VPC_NAT_PORT_MAX - VPC_NAT_PORT_MIN + 1;
        VpcConnKey rk = { .proto = f->proto };
        uint32_t tries, rev;

        for (tries = 0; tries < span; tries++, ep->cursor++) {
            rk.pa = (uint16_t) (VPC_NAT_PORT_MIN + ep->cursor % span);
            if (vpc_conn_lookup(&ep->rev, &rk) == VPC_CONN_NONE)
                break;
        }
        if (tries == span) {
            ep->ports_exhausted++;
            vns_packet_drop(pkt, &v->base, VNS_DROP_NAT_PORTS_EXHAUSTED);
            return;
        }
        ep->cursor++;
        port = rk.pa;
        idx = vpc_conn_insert(&ep->fwd, &k, 0, now);
        rev = vpc_conn_insert(&ep->rev, &rk, 0, now);
        vpc_conn_at(&ep->rev, rev)->user[0] = idx;
        vpc_conn_at(&ep->fwd, idx)->user[0] = rev;
        vpc_conn_at(&ep->fwd, idx)->user[1] = port;
    }
    vpc_rewrite(pkt, false, ep->link.addr.addr.v4, port);
    vpc_rewrite(pkt, true, ep->link.gateway, f->dport);
    vpc_igw_out(v, &ep->link, pkt);
}

static void vpc_from_eni(Vpc *v, int ei, VnsPacket *pkt);

/* A packet (taken) from the service behind interface endpoint 'ep': a
 * reply to a translated connection goes back to the client as if the
 * endpoint's ENI sent it (its security groups, its subnet's routes and
 * ACL); anything else is dropped (AWS: an endpoint only returns responses
 * to traffic initiated from the VPC). */
static void
vpc_from_ifep(Vpc *v, VpcIfEp *ep, VnsPacket *pkt)
{
    VnsTime now = vns_element_now(&v->base);
    VpcConnKey rk = { 0 };
    uint32_t rev, fwd;
    const VpcConn *c;
    gpointer x;
    VpcFlow f;

    if (!vpc_flow(pkt, &f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    ep->link.pkts[VPC_IN]++;
    ep->link.bytes[VPC_IN] += f.size;
    rk.pa = f.dport;
    rk.proto = f.proto;
    vpc_conn_expire(&ep->fwd, now, vpc_ifep_expired, ep);
    rev = f.src == ep->link.gateway && f.dst == ep->link.addr.addr.v4
          ? vpc_conn_lookup(&ep->rev, &rk) : VPC_CONN_NONE;
    if (rev == VPC_CONN_NONE) {
        ep->unmatched++;
        vns_packet_drop(pkt, &v->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    fwd = (uint32_t) vpc_conn_at(&ep->rev, rev)->user[0];
    vpc_conn_touch(&ep->fwd, fwd, now);
    c = vpc_conn_at(&ep->fwd, fwd);
    x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(c->key.b));
    g_assert(x != NULL);
    vpc_rewrite(pkt, false, c->key.b, c->key.pb);
    vpc_rewrite(pkt, true, c->key.a, c->key.pa);
    vpc_from_eni(v, GPOINTER_TO_INT(x) - 1, pkt);
}

/* The IP packet 'pkt' (taken) arrived from ENI 'ei'. */
static void
vpc_from_eni(Vpc *v, int ei, VnsPacket *pkt)
{
    VpcEni *e = ENI(v, ei);
    int s = e->subnet;
    VnsDropCause cause;
    VpcFlow f;
    VpcRoute r;
    int dst_eni = -1;

    if (!vpc_flow(pkt, &f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    if (e->sdcheck && f.src != e->addr) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_SRC_DST_CHECK);
        return;
    }
    cause = vpc_sg_pass(v, e, VPC_OUT, &f);
    if (cause != VNS_DROP_N_CAUSES) {
        vpc_reject(v, ei, &f, pkt, cause);
        return;
    }
    if (!vpc_route(v, SUBNET(v, s)->rt, f.dst, &r)) {
        vpc_log_note(v, ei, &f, VPC_ACCEPT);
        vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
        return;
    }
    if (r.kind == VPC_TGT_LOCAL) {
        gpointer x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f.dst));
        if (x == NULL) {
            /* No ENI holds the address (the VPC router's own addresses
             * and the NAT gateways' private ones are not modelled as
             * destinations). */
            vpc_log_note(v, ei, &f, VPC_ACCEPT);
            vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
            return;
        }
        dst_eni = GPOINTER_TO_INT(x) - 1;
    } else if (r.kind == VPC_TGT_ENI) {
        dst_eni = r.index;
    }
    if ((dst_eni < 0 || ENI(v, dst_eni)->subnet != s) &&
        !(r.kind == VPC_TGT_NAT && NAT(v, r.index)->subnet == s) &&
        !vpc_acl_pass(v, s, VPC_OUT, &f)) {
        e->nacl_deny[VPC_OUT]++;
        vpc_reject(v, ei, &f, pkt, VNS_DROP_NACL_DENY);
        return;
    }
    vpc_log_note(v, ei, &f, VPC_ACCEPT);
    e->pkts[VPC_OUT]++;
    e->bytes[VPC_OUT] += f.size;
    switch (r.kind) {
    case VPC_TGT_LOCAL:
    case VPC_TGT_ENI:
        vpc_deliver(v, pkt, &f, dst_eni, s);
        break;
    case VPC_TGT_NAT:
        vpc_nat_out(v, r.index, pkt, &f, s);
        break;
    case VPC_TGT_TGW:
        tgw_forward(v->tgw_refs->pdata[r.index], v, pkt, &f);
        break;
    case VPC_TGT_PEER: {
        VpcPeer *p = PEER(v, r.index);
        p->pkts[VPC_OUT]++;
        p->bytes[VPC_OUT] += f.size;
        vpc_from_peer(p->peer, pkt, &f, v);
        break;
    }
    case VPC_TGT_GWEP:
        vpc_gwep_out(v, GWEP(v, r.index), pkt, &f);
        break;
    case VPC_TGT_IGW: {
        gpointer x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(f.src));
        uint32_t pub = x != NULL ? ENI(v, GPOINTER_TO_INT(x) - 1)->public_ip : 0;
        if (pub == 0) {
            /* No public address: the internet gateway has nothing to
             * translate the source to, and AWS drops it. */
            vns_packet_drop(pkt, &v->base, VNS_DROP_NO_ROUTE);
            return;
        }
        if (f.size > IGW(v, r.index)->mtu) {
            vpc_frag_needed(v, pkt, IGW(v, r.index)->mtu);
            vns_packet_drop(pkt, &v->base, VNS_DROP_MTU_EXCEEDED);
            return;
        }
        vpc_rewrite(pkt, false, pub, f.sport);
        vpc_igw_out(v, IGW(v, r.index), pkt);
        break;
    }
    }
}

/* The IP packet 'pkt' (taken) arrived from the internet at gateway 'g'. */
static void
vpc_from_igw(Vpc *v, VpcIgw *g, VnsPacket *pkt)
{
    gpointer x;
    VpcFlow f;
    int id;

    if (!vpc_flow(pkt, &f)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    g->pkts[VPC_IN]++;
    g->bytes[VPC_IN] += f.size;
    x = g_hash_table_lookup(v->by_public, GUINT_TO_POINTER(f.dst));
    if (x == NULL) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_NOT_FOR_US);
        return;
    }
    id = GPOINTER_TO_INT(x);
    if (id < 0) {
        vpc_nat_in(v, -id - 1, pkt, &f);
        return;
    }
    vpc_rewrite(pkt, true, ENI(v, id - 1)->addr, f.dport);
    f.dst = ENI(v, id - 1)->addr;
    vpc_deliver(v, pkt, &f, id - 1, -1);
}

/* ------------------------------------------------------------------ */
/* Layer 2                                                             */

static void
vpc_arp_reply(Vpc *v, uint16_t port, const VnsArpHdr *req, const VnsMac *mac)
{
    VnsPacket *p = vns_packet_new(vns_net_pool(v->base.net), 0);
    VnsArpHdr r = {
        .op = VNS_ARP_OP_REPLY, .sha = *mac, .spa = req->tpa,
        .tha = req->sha, .tpa = req->spa,
    };

    p->t_created = vns_element_now(&v->base);
    vns_arp_push(p, &r);
    v->arp_replies++;
    vpc_xmit(v, p, port, mac, &req->sha, VNS_ETHERTYPE_ARP);
}

/* ARP from an instance: the VPC answers for its router address (+1) on
 * the instance's subnet and for the other ENIs' addresses in it (with
 * their MACs, as AWS's fabric does); everything else is ignored. */
static void
vpc_eni_arp(Vpc *v, int ei, VnsPacket *pkt)
{
    VpcEni *e = ENI(v, ei);
    const VpcSubnet *s = SUBNET(v, e->subnet);
    VnsArpHdr a;
    gpointer x;

    if (!vns_arp_parse(vns_packet_data(pkt), pkt->len, &a)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    if (a.op == VNS_ARP_OP_REQUEST) {
        x = g_hash_table_lookup(v->by_addr, GUINT_TO_POINTER(a.tpa));
        if (a.tpa == s->net + 1)
            vpc_arp_reply(v, e->port->index, &a, &s->router_mac);
        else if (x != NULL && ENI(v, GPOINTER_TO_INT(x) - 1)->subnet == e->subnet &&
                 GPOINTER_TO_INT(x) - 1 != ei)
            vpc_arp_reply(v, e->port->index, &a,
                          &ENI(v, GPOINTER_TO_INT(x) - 1)->mac);
    }
    vns_packet_free(pkt);       /* consumed */
}

/* ARP from outside: answers for the gateway's address and the public
 * addresses behind it; learns the next hop's MAC. */
static void
vpc_igw_arp(Vpc *v, VpcIgw *g, VnsPacket *pkt)
{
    VnsArpHdr a;

    if (!vns_arp_parse(vns_packet_data(pkt), pkt->len, &a)) {
        vns_packet_drop(pkt, &v->base, VNS_DROP_MALFORMED);
        return;
    }
    if (a.spa == g->gateway)
        vpc_igw_resolved(v, g, &a.sha);
    if (a.op == VNS_ARP_OP_REQUEST &&
        (a.tpa == g->addr.addr.v4 ||
         (g->is_igw &&
          g_hash_table_contains(v->by_public, GUINT_TO_POINTER(a.tpa)))))
        vpc_arp_reply(v, g->port->index, &a, &g->mac);
    vns_packet_free(pkt);       /* consumed */
}

/* The link of port kind 'kind' (< 0): an internet gateway, a gateway
 * endpoint (*gw set) or an interface endpoint (*ifep set). */
static VpcIgw *
vpc_port_link(Vpc *v, int kind, VpcGwEp **gw, VpcIfEp **ifep)
{
    guint i = (guint) (-kind - 1);

    *gw = NULL;
    *ifep = NULL;
    if (i < v->igws->len)
        return IGW(v, i);
    i -= v->igws->len;
    if (i < v->gweps->len) {
        *gw = GWEP(v, i);
        return &(*gw)->link;
    }
    *ifep = IFEP(v, i - v->gweps->len);
    return &(*ifep)->link;
}

static void
vpc_receive(VnsElement *self, VnsPacket *pkt, uint16_t port)
{
    Vpc *v = (Vpc *) self;
    int kind = v->port_kind[port];
    VpcGwEp *gw = NULL;
    VpcIfEp *ifep = NULL;
    VpcIgw *g = kind < 0 ? vpc_port_link(v, kind, &gw, &ifep) : NULL;
    VnsIpv4Hdr ip;
    VnsEthHdr eth;

    if (!vns_eth_parse(vns_packet_data(pkt), pkt->len, &eth)) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    if (g != NULL && !vns_mac_equal(&eth.dst, &g->mac) &&
        !vns_mac_equal(&eth.dst, &VNS_MAC_BROADCAST)) {
        vns_packet_drop(pkt, self, VNS_DROP_NOT_FOR_US);
        return;
    }
    vns_packet_pull(pkt, VNS_ETH_HLEN);
    switch (eth.ethertype) {
    case VNS_ETHERTYPE_ARP:
        if (g != NULL)
            vpc_igw_arp(v, g, pkt);
        else
            vpc_eni_arp(v, kind, pkt);
        return;
    case VNS_ETHERTYPE_IPV4:
        break;
    case VNS_ETHERTYPE_VLAN:
    case VNS_ETHERTYPE_QINQ:
        vns_packet_drop(pkt, self, VNS_DROP_VLAN_FILTER);
        return;
    default:
        /* IPv6 and others are not modelled. */
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    if (!vns_ipv4_parse(vns_packet_data(pkt), pkt->len, &ip) ||
        !vns_ipv4_checksum_ok(vns_packet_data(pkt), pkt->len) ||
        ip.total_len > vns_packet_size(pkt)) {
        vns_packet_drop(pkt, self, VNS_DROP_MALFORMED);
        return;
    }
    vns_packet_trim(pkt, ip.total_len);
    if (gw != NULL)
        vpc_from_gwep(v, gw, pkt);
    else if (ifep != NULL)
        vpc_from_ifep(v, ifep, pkt);
    else if (g != NULL)
        vpc_from_igw(v, g, pkt);
    else
        vpc_from_eni(v, kind, pkt);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* Reads 'proto' and 'ports' of a rule. */
static bool
vpc_cfg_l4(const VnsConfig *cfg, VpcRule *r, GError **error)
{
    g_autofree char *proto = NULL, *ports = NULL;

    if (!vns_config_string(cfg, "proto", &proto, error))
        return false;
    if (strcmp(proto, "all") == 0 || strcmp(proto, "-1") == 0) {
        r->proto = VPC_PROTO_ALL;
    } else if (strcmp(proto, "tcp") == 0) {
        r->proto = VNS_IPPROTO_TCP;
    } else if (strcmp(proto, "udp") == 0) {
        r->proto = VNS_IPPROTO_UDP;
    } else if (strcmp(proto, "icmp") == 0) {
        r->proto = VNS_IPPROTO_ICMP;
    } else {
        char *end = NULL;
        guint64 n = g_ascii_strtoull(proto, &end, 10);
        if (end == proto || *end != '\0' || n > 255) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<%s> 'proto' is '%s', expected tcp, udp, icmp, "
                             "all or a protocol number 0-255",
                             vns_config_element(cfg), proto);
            return false;
        }
        r->proto = (uint16_t) n;
    }
    r->port_lo = 0;
    r->port_hi = 65535;
    if (vns_config_has(cfg, "ports")) {
        guint64 lo, hi;
        char *end = NULL;
        if (!vns_config_string(cfg, "ports", &ports, error))
            return false;
        lo = g_ascii_strtoull(ports, &end, 10);
        hi = lo;
        if (end != ports && *end == '-') {
            const char *p2 = end + 1;
            hi = g_ascii_strtoull(p2, &end, 10);
            if (end == p2)
                end = (char *) p2 - 1;
        }
        if (end == ports || *end != '\0' || lo > hi || hi > 65535) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<%s> 'ports' is '%s', expected a port or a "
                             "range 'LOW-HIGH' within 0-65535",
                             vns_config_element(cfg), ports);
            return false;
        }
        if (r->proto != VNS_IPPROTO_TCP && r->proto != VNS_IPPROTO_UDP) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_CONFLICT,
                             "<%s> has 'ports' with proto '%s', expected "
                             "ports only with tcp or udp",
                             vns_config_element(cfg), proto);
            return false;
        }
        r->port_lo = (uint16_t) lo;
        r->port_hi = (uint16_t) hi;
    }
    return true;
}

static bool
vpc_cfg_cidr(const VnsConfig *cfg, const char *attr, VpcRule *r,
             bool *present, GError **error)
{
    VnsIpPrefix p;

    memset(&p, 0, sizeof p);
    if (!vns_config_prefix(cfg, attr, VNS_IP_PREFIX_STRICT, &p, present, error))
        return false;
    if (*present && p.addr.family != VNS_IP_V4) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is an IPv6 prefix, expected IPv4 (the VPC "
                         "model is IPv4 only)", vns_config_element(cfg), attr);
        return false;
    }
    r->mask = *present ? vpc_mask(p.len) : 0;
    r->net = *present ? p.addr.v4 & r->mask : 0;
    return true;
}

/* An IPv4 address attribute; 0 when absent. */
static bool
vpc_cfg_ip4(const VnsConfig *cfg, const char *attr, uint32_t *out,
            GError **error)
{
    VnsIpAddr a;
    bool present = false;

    memset(&a, 0, sizeof a);
    *out = 0;
    if (!vns_config_ip(cfg, attr, &a, &present, error))
        return false;
    if (present && a.family != VNS_IP_V4) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> '%s' is an IPv6 address, expected IPv4 (the "
                         "VPC model is IPv4 only)", vns_config_element(cfg),
                         attr);
        return false;
    }
    if (present)
        *out = a.v4;
    return true;
}

/* An IPv4 prefix within /16../28 (AWS's block sizes). */
static bool
vpc_cfg_block(const VnsConfig *cfg, VnsIpPrefix *out, GError **error)
{
    bool present;
    char buf[VNS_IP_PREFIX_STRLEN];

    memset(out, 0, sizeof *out);
    if (!vns_config_prefix(cfg, "cidr", VNS_IP_PREFIX_STRICT, out, &present,
                           error))
        return false;
    if (out->addr.family != VNS_IP_V4 || out->len < VPC_PREFIX_MIN ||
        out->len > VPC_PREFIX_MAX) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> 'cidr' is %s, expected an IPv4 block from /16 "
                         "to /28 (AWS's allowed sizes)", vns_config_element(cfg),
                         vns_ip_prefix_format(out, buf));
        return false;
    }
    return true;
}

/* Checks that 'name' is not already used by another named part of the VPC
 * (route targets and the like share one namespace). */
static bool
vpc_cfg_unique(GHashTable *names, const VnsConfig *cfg, const char *name,
               GError **error)
{
    gpointer line = g_hash_table_lookup(names, name);

    if (line != NULL) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                         "<%s> name '%s' is already used at line %d, expected "
                         "a name unique in the VPC", vns_config_element(cfg),
                         name, GPOINTER_TO_INT(line));
        return false;
    }
    g_hash_table_insert(names, (gpointer) name,
                        GINT_TO_POINTER(vns_config_line(cfg)));
    return true;
}

static bool
vpc_cfg_subnets(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        VpcSubnet s = { 0 };
        char a[VNS_IP_PREFIX_STRLEN], b[VNS_IP_PREFIX_STRLEN];

        s.line = vns_config_line(c);
        if (!vns_config_string(c, "name", &s.name, error) ||
            !vpc_cfg_unique(names, c, s.name, error) ||
            !vpc_cfg_block(c, &s.cidr, error)) {
            g_free(s.name);
            return false;
        }
        s.acl = -1;
        s.rt = -1;
        s.mask = vpc_mask(s.cidr.len);
        s.net = s.cidr.addr.v4 & s.mask;
        s.router_mac = vpc_derive_mac(v->base.name, s.name);
        g_array_append_val(v->subnets, s);
        if (s.cidr.len < v->cidr.len || (s.net & v->mask) != v->net) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                             "<subnet> '%s' cidr %s is outside its VPC's "
                             "block %s, expected a block inside it", s.name,
                             vns_ip_prefix_format(&s.cidr, a),
                             vns_ip_prefix_format(&v->cidr, b));
            return false;
        }
        for (guint j = 0; j + 1 < v->subnets->len; j++) {
            const VpcSubnet *o = SUBNET(v, j);
            if (vns_ip_prefix_overlap(&o->cidr, &s.cidr)) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                                 "<subnet> '%s' cidr %s overlaps subnet '%s' "
                                 "(%s, line %d), expected subnets that do not "
                                 "overlap", s.name,
                                 vns_ip_prefix_format(&s.cidr, a), o->name,
                                 vns_ip_prefix_format(&o->cidr, b), o->line);
                return false;
            }
        }
    }
    return true;
}

static void
vpc_group_clear(gpointer p)
{
    VpcGroup *g = p;

    g_free(g->name);
    for (int d = 0; d < 2; d++)
        if (g->rules[d] != NULL)
            g_array_free(g->rules[d], TRUE);
    if (g->members != NULL)
        g_array_free(g->members, TRUE);
}

static void
vpc_acl_clear(gpointer p)
{
    VpcAcl *a = p;

    g_free(a->name);
    for (int d = 0; d < 2; d++)
        if (a->rules[d] != NULL)
            g_array_free(a->rules[d], TRUE);
}

static int
vpc_rule_cmp(gconstpointer a, gconstpointer b)
{
    const VpcRule *x = a, *y = b;

    return x->number < y->number ? -1 : x->number > y->number;
}

static bool
vpc_cfg_acls(Vpc *v, GPtrArray *cfgs, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autoptr(GPtrArray) rules = vns_config_children(c, "rule");
        VpcAcl acl = { 0 };
        VpcAcl *ap;

        if (!vns_config_string(c, "name", &acl.name, error))
            return false;
        acl.line = vns_config_line(c);
        acl.rules[0] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        acl.rules[1] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        g_array_append_val(v->acls, acl);
        ap = ACL(v, v->acls->len - 1);
        if (VPC_FIND(v->acls, VpcAcl, acl.name) != (int) v->acls->len - 1) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<network-acl> name '%s' is already used, "
                             "expected a unique name", acl.name);
            return false;
        }
        for (guint j = 0; j < rules->len; j++) {
            const VnsConfig *rc = rules->pdata[j];
            VpcRule r = { 0 };
            uint64_t number;
            int action, dir;
            bool present;

            r.group = -1;
            if (!vns_config_uint(rc, "number", &number, error) ||
                !vns_config_enum(rc, "action", &action, error) ||
                !vns_config_enum(rc, "direction", &dir, error) ||
                !vpc_cfg_l4(rc, &r, error) ||
                !vpc_cfg_cidr(rc, "cidr", &r, &present, error))
                return false;
            r.number = (uint32_t) number;
            r.allow = action == 0;
            dir = dir == 0 ? VPC_IN : VPC_OUT;
            for (guint k = 0; k < ap->rules[dir]->len; k++) {
                if (g_array_index(ap->rules[dir], VpcRule, k).number == r.number) {
                    vns_config_error(error, rc, VNS_CONFIG_ERROR_DUPLICATE,
                                     "<rule> number %u is already used for "
                                     "%s in network ACL '%s', expected unique "
                                     "numbers per direction", r.number,
                                     dir == VPC_IN ? "ingress" : "egress",
                                     ap->name);
                    return false;
                }
            }
            g_array_append_val(ap->rules[dir], r);
        }
        g_array_sort(ap->rules[0], vpc_rule_cmp);
        g_array_sort(ap->rules[1], vpc_rule_cmp);
    }
    return true;
}

/* Security groups: first the names (rules may reference later groups),
 * then the rules. The default group exists unless one is named
 * 'default'. */
static bool
vpc_cfg_groups(Vpc *v, GPtrArray *cfgs, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        VpcGroup g = { 0 };

        if (!vns_config_string(cfgs->pdata[i], "name", &g.name, error))
            return false;
        g.line = vns_config_line(cfgs->pdata[i]);
        g.rules[0] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        g.rules[1] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        g.members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_append_val(v->groups, g);
        if (VPC_FIND(v->groups, VpcGroup, g.name) != (int) v->groups->len - 1) {
            vns_config_error(error, cfgs->pdata[i], VNS_CONFIG_ERROR_DUPLICATE,
                             "<security-group> name '%s' is already used, "
                             "expected a unique name", g.name);
            return false;
        }
    }
    v->default_sg = VPC_FIND(v->groups, VpcGroup, "default");
    if (v->default_sg < 0) {
        /* AWS's default security group: inbound from its own members,
         * outbound to anywhere (Amazon VPC User Guide, "Default security
         * groups for your VPCs"). */
        VpcGroup g = { 0 };
        VpcRule in = { .proto = VPC_PROTO_ALL, .port_hi = 65535, .group = 0 };
        VpcRule out = { .proto = VPC_PROTO_ALL, .port_hi = 65535, .group = -1 };

        g.name = g_strdup("default");
        g.rules[0] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        g.rules[1] = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        g.members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        v->default_sg = (int) v->groups->len;
        in.group = v->default_sg;
        g_array_append_val(g.rules[0], in);
        g_array_append_val(g.rules[1], out);
        g_array_append_val(v->groups, g);
    }
    for (guint i = 0; i < cfgs->len; i++) {
        g_autoptr(GPtrArray) kids = vns_config_children(cfgs->pdata[i], NULL);
        VpcGroup *g = GROUP(v, i);

        for (guint j = 0; j < kids->len; j++) {
            const VnsConfig *rc = kids->pdata[j];
            bool in = strcmp(vns_config_element(rc), "ingress") == 0;
            const char *gattr = in ? "source-group" : "destination-group";
            VpcRule r = { 0 };
            bool present = false;

            r.group = -1;
            if (!vpc_cfg_l4(rc, &r, error) ||
                !vpc_cfg_cidr(rc, "cidr", &r, &present, error))
                return false;
            if ((int) present + (int) vns_config_has(rc, gattr) +
                (int) vns_config_has(rc, "prefix-list") != 1) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_CONFLICT,
                                 "<%s> has %s, expected exactly one of 'cidr', "
                                 "'%s' and 'prefix-list'",
                                 vns_config_element(rc),
                                 present || vns_config_has(rc, gattr)
                                 ? "more than one" : "none", gattr);
                return false;
            }
            if (vns_config_has(rc, "prefix-list")) {
                g_autofree char *ref = NULL;
                int pi;
                if (!vns_config_string(rc, "prefix-list", &ref, error))
                    return false;
                pi = VPC_FIND(v->gweps, VpcGwEp, ref);
                if (pi < 0) {
                    vns_config_error(error, rc, VNS_CONFIG_ERROR_REFERENCE,
                                     "<%s> 'prefix-list' is '%s', which names "
                                     "no <gateway-endpoint> of the VPC",
                                     vns_config_element(rc), ref);
                    return false;
                }
                r.plist = (uint16_t) (pi + 1);
            } else if (!present) {
                g_autofree char *ref = NULL;
                if (!vns_config_string(rc, gattr, &ref, error))
                    return false;
                r.group = VPC_FIND(v->groups, VpcGroup, ref);
                if (r.group < 0) {
                    vns_config_error(error, rc, VNS_CONFIG_ERROR_REFERENCE,
                                     "<%s> '%s' is '%s', which names no "
                                     "<security-group> of the VPC",
                                     vns_config_element(rc), gattr, ref);
                    return false;
                }
            }
            g_array_append_val(g->rules[in ? VPC_IN : VPC_OUT], r);
        }
    }
    return true;
}

static void
vpc_eni_clear(gpointer p)
{
    VpcEni *e = p;

    g_free(e->name);
    g_free(e->instance);
    g_free(e->groups);
    vpc_conn_free(&e->ct);
    if (e->logs != NULL)
        g_array_free(e->logs, TRUE);
}

/* Whether 'a' is one of subnet 's''s five reserved addresses. */
static bool
vpc_reserved(const VpcSubnet *s, uint32_t a)
{
    return a - s->net < VPC_RESERVED_LOW || a == (s->net | ~s->mask);
}

/* Checks a private address for an ENI or NAT gateway in subnet 's'. */
static bool
vpc_check_private(Vpc *v, const VnsConfig *c, const VpcSubnet *s, uint32_t a,
                  GError **error)
{
    char buf[VNS_IP4_STRLEN], pb[VNS_IP_PREFIX_STRLEN];

    if ((a & s->mask) != s->net) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> address %s is outside subnet '%s' (%s), "
                         "expected an address inside it",
                         vns_config_element(c), vpc_ip4_str(a, buf), s->name,
                         vns_ip_prefix_format(&s->cidr, pb));
        return false;
    }
    if (vpc_reserved(s, a)) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<%s> address %s is reserved in subnet '%s' (AWS "
                         "reserves the first four addresses and the last), "
                         "expected an address from .%u to .%u of %s",
                         vns_config_element(c), vpc_ip4_str(a, buf), s->name,
                         (s->net + VPC_RESERVED_LOW) & 0xffu,
                         ((s->net | ~s->mask) - 1) & 0xffu,
                         vns_ip_prefix_format(&s->cidr, pb));
        return false;
    }
    if (g_hash_table_contains(v->by_addr, GUINT_TO_POINTER(a))) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                         "<%s> address %s is already used in the VPC, "
                         "expected a free address", vns_config_element(c),
                         vpc_ip4_str(a, buf));
        return false;
    }
    return true;
}

/* The first address of subnet 's' after the reserved ones that nothing
 * holds; 0 when it is full. */
static uint32_t
vpc_first_free(const Vpc *v, const VpcSubnet *s)
{
    for (uint32_t a = s->net + VPC_RESERVED_LOW; a < (s->net | ~s->mask); a++)
        if (!g_hash_table_contains(v->by_addr, GUINT_TO_POINTER(a)))
            return a;
    return 0;
}

static bool
vpc_cfg_public(Vpc *v, const VnsConfig *c, uint32_t a, int id, GError **error)
{
    char buf[VNS_IP4_STRLEN];

    if ((a & v->mask) == v->net ||
        g_hash_table_contains(v->by_public, GUINT_TO_POINTER(a))) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> public address %s is %s, expected a unique "
                         "address outside the VPC's block",
                         vns_config_element(c), vpc_ip4_str(a, buf),
                         (a & v->mask) == v->net ? "inside the VPC's block"
                                                 : "already used");
        return false;
    }
    g_hash_table_insert(v->by_public, GUINT_TO_POINTER(a), GINT_TO_POINTER(id));
    return true;
}

static bool
vpc_cfg_enis(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autofree char *subnet = NULL, *groups = NULL;
        g_auto(GStrv) parts = NULL;
        VnsTime t_tcp, t_udp, t_stream;
        VpcEni e = { 0 };
        VpcEni *ep;

        e.line = vns_config_line(c);
        e.logs = g_array_new(FALSE, FALSE, sizeof(int));
        vpc_conn_init(&e.ct, 16);
        if (!vns_config_string(c, "name", &e.name, error) ||
            !vns_config_string(c, "instance", &e.instance, error)) {
            vpc_eni_clear(&e);
            return false;
        }
        g_array_append_val(v->enis, e);
        ep = ENI(v, v->enis->len - 1);
        if (!vpc_cfg_unique(names, c, ep->name, error) ||
            !vns_config_string(c, "subnet", &subnet, error) ||
            !vns_config_string(c, "security-groups", &groups, error) ||
            !vns_config_bool(c, "source-dest-check", &ep->sdcheck, error) ||
            !vpc_cfg_ip4(c, "address", &ep->addr, error) ||
            !vpc_cfg_ip4(c, "public-ip", &ep->public_ip, error) ||
            !vns_config_time(c, "tcp-established-timeout", &t_tcp, error) ||
            !vns_config_time(c, "udp-timeout", &t_udp, error) ||
            !vns_config_time(c, "udp-stream-timeout", &t_stream, error) ||
            !vns_config_uint(c, "conntrack-max", &ep->conntrack_max, error))
            return false;
        ep->ct.timeout_ps[VPC_CT_TCP] = t_tcp;
        ep->ct.timeout_ps[VPC_CT_UDP] = t_udp;
        ep->ct.timeout_ps[VPC_CT_UDP_STREAM] = t_stream;
        ep->ct.timeout_ps[VPC_CT_OTHER] = t_udp;
        ep->subnet = VPC_FIND(v->subnets, VpcSubnet, subnet);
        if (ep->subnet < 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                             "<eni> 'subnet' is '%s', which names no <subnet> "
                             "of the VPC", subnet);
            return false;
        }
        parts = g_strsplit(groups, ",", -1);
        ep->groups = g_new0(int, g_strv_length(parts) + 1);
        for (size_t k = 0; parts[k] != NULL; k++) {
            const char *n = g_strstrip(parts[k]);
            int gi = VPC_FIND(v->groups, VpcGroup, n);
            if (gi < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<eni> 'security-groups' names '%s', which "
                                 "is no <security-group> of the VPC", n);
                return false;
            }
            ep->groups[ep->n_groups++] = gi;
        }
        if (ep->addr != 0) {
            if (!vpc_check_private(v, c, SUBNET(v, ep->subnet), ep->addr, error))
                return false;
            g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(ep->addr),
                                GINT_TO_POINTER((int) v->enis->len));
        }
        if (ep->public_ip != 0 &&
            !vpc_cfg_public(v, c, ep->public_ip, (int) v->enis->len, error))
            return false;
        ep->port = vns_element_add_port(&v->base, ep->name);
        ep->port->info.mtu = v->mtu;
        ep->port->info.mac = SUBNET(v, ep->subnet)->router_mac;
    }
    return true;
}

static bool
vpc_cfg_igws(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        VpcIgw g = { 0 };
        VpcIgw *gp;
        uint64_t mtu;
        bool present;

        if (i > 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<vpc> has a second <internet-gateway>, expected "
                             "at most one (AWS attaches one per VPC)");
            return false;
        }
        g.line = vns_config_line(c);
        g.timer = VNS_EVENT_NONE;
        if (!vns_config_string(c, "name", &g.name, error))
            return false;
        g_array_append_val(v->igws, g);
        gp = IGW(v, v->igws->len - 1);
        if (!vpc_cfg_unique(names, c, gp->name, error) ||
            !vns_config_prefix(c, "address", VNS_IP_PREFIX_ALLOW_HOST_BITS,
                               &gp->addr, &present, error) ||
            !vpc_cfg_ip4(c, "gateway", &gp->gateway, error) ||
            !vns_config_uint(c, "mtu", &mtu, error) ||
            !vns_config_mac(c, "mac", &gp->mac, &present, error))
            return false;
        if (!present)
            gp->mac = vpc_derive_mac(v->base.name, gp->name);
        gp->mtu = (uint32_t) mtu;
        if (gp->addr.addr.family != VNS_IP_V4 ||
            !vns_ip_prefix_contains(&gp->addr,
                                    &(VnsIpAddr) { .family = VNS_IP_V4,
                                                   .v4 = gp->gateway })) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                             "<internet-gateway> 'gateway' is not on the "
                             "subnet of 'address', expected an IPv4 next hop "
                             "on the outside link");
            return false;
        }
        gp->port = vns_element_add_port(&v->base, gp->name);
        gp->port->info.mtu = gp->mtu;
        gp->port->info.mac = gp->mac;
    }
    return true;
}

/* Reads an endpoint's link to its service: 'link-address' (its own
 * address/prefix) and attribute 'hop' (the service host's address, on
 * that link); adds the port 'name'. */
static bool
vpc_cfg_link(Vpc *v, const VnsConfig *c, VpcIgw *g, const char *name,
             const char *hop, GError **error)
{
    bool present;

    g->timer = VNS_EVENT_NONE;
    g->mtu = v->mtu;
    if (!vns_config_prefix(c, "link-address", VNS_IP_PREFIX_ALLOW_HOST_BITS,
                           &g->addr, &present, error) ||
        !vpc_cfg_ip4(c, hop, &g->gateway, error))
        return false;
    if (g->addr.addr.family != VNS_IP_V4 ||
        !vns_ip_prefix_contains(&g->addr,
                                &(VnsIpAddr) { .family = VNS_IP_V4,
                                               .v4 = g->gateway }) ||
        g->gateway == g->addr.addr.v4) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                         "<%s> '%s' is not another address on the subnet of "
                         "'link-address', expected the service host's IPv4 "
                         "address on that link", vns_config_element(c), hop);
        return false;
    }
    g->mac = vpc_derive_mac(v->base.name, name);
    g->port = vns_element_add_port(&v->base, name);
    g->port->info.mtu = g->mtu;
    g->port->info.mac = g->mac;
    return true;
}

static void
vpc_link_drain(VpcIgw *g)
{
    while (g->q_head != NULL) {
        VnsPacket *p = g->q_head;
        g->q_head = p->next;
        p->next = NULL;
        vns_packet_free(p);
    }
    g->q_tail = NULL;
    g->q_len = 0;
}

static void
vpc_gwep_clear(gpointer p)
{
    VpcGwEp *ep = p;

    g_free(ep->name);
    if (ep->prefixes != NULL)
        g_array_free(ep->prefixes, TRUE);
    if (ep->policy != NULL)
        g_array_free(ep->policy, TRUE);
    vns_lpm_free(ep->lpm);
    vpc_link_drain(&ep->link);
}

/* Gateway endpoints, before the security groups (whose rules may name
 * their prefix lists); their routes are added by vpc_cfg_gwep_routes(). */
static bool
vpc_cfg_gweps(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    char a[VNS_IP_PREFIX_STRLEN], b[VNS_IP_PREFIX_STRLEN];

    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autoptr(GPtrArray) stmts = vns_config_children(c, "statement");
        g_autofree char *prefixes = NULL;
        g_auto(GStrv) parts = NULL;
        VpcGwEp ep = { 0 };
        VpcGwEp *e;

        ep.line = vns_config_line(c);
        if (!vns_config_string(c, "name", &ep.name, error))
            return false;
        ep.prefixes = g_array_new(FALSE, TRUE, sizeof(VnsIpPrefix));
        ep.policy = g_array_new(FALSE, TRUE, sizeof(VpcRule));
        ep.lpm = vns_lpm_new(VNS_IP_V4);
        g_array_append_val(v->gweps, ep);
        e = GWEP(v, v->gweps->len - 1);
        if (!vpc_cfg_unique(names, c, e->name, error) ||
            !vns_config_enum(c, "service", &e->service, error) ||
            !vns_config_string(c, "prefixes", &prefixes, error) ||
            !vpc_cfg_link(v, c, &e->link, e->name, "next-hop", error))
            return false;
        parts = g_strsplit(prefixes, ",", -1);
        for (size_t k = 0; parts[k] != NULL; k++) {
            GError *local = NULL;
            VnsIpPrefix pf;
            uint32_t old;

            if (!vns_ip_prefix_parse(g_strstrip(parts[k]), VNS_IP_PREFIX_STRICT,
                                     &pf, &local) ||
                pf.addr.family != VNS_IP_V4) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<gateway-endpoint> 'prefixes': '%s' %s, "
                                 "expected IPv4 blocks such as 52.216.0.0/15",
                                 parts[k], local != NULL ? local->message
                                                         : "is IPv6");
                g_clear_error(&local);
                return false;
            }
            if (vns_ip_prefix_overlap(&pf, &v->cidr)) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                                 "<gateway-endpoint> prefix %s overlaps the "
                                 "VPC's block %s, expected the service's "
                                 "public blocks",
                                 vns_ip_prefix_format(&pf, a),
                                 vns_ip_prefix_format(&v->cidr, b));
                return false;
            }
            if (vns_lpm_lookup_exact(e->lpm, &pf, &old))
                continue;       /* listed twice */
            g_array_append_val(e->prefixes, pf);
            vns_lpm_insert(e->lpm, &pf, e->prefixes->len - 1);
        }
        if (e->prefixes->len == 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_MISSING,
                             "<gateway-endpoint> 'prefixes' is empty, "
                             "expected the service's prefix list");
            return false;
        }
        for (guint k = 0; k < stmts->len; k++) {
            VpcRule r = { 0 };
            bool present;
            int effect;

            if (!vns_config_enum(stmts->pdata[k], "effect", &effect, error) ||
                !vpc_cfg_cidr(stmts->pdata[k], "source", &r, &present, error))
                return false;
            r.allow = effect == 0;
            g_array_append_val(e->policy, r);
        }
    }
    return true;
}

/* Adds each gateway endpoint's prefixes to its route tables. AWS's route
 * priority: the longest prefix first; for the same prefix a static route
 * wins over a prefix-list route (Amazon VPC User Guide, "How route
 * priority works"), so a route the table already has for a prefix keeps
 * it. One endpoint per service per table (AWS allows one route per
 * service in a route table). */
static bool
vpc_cfg_gwep_routes(Vpc *v, GPtrArray *cfgs, GError **error)
{
    for (guint i = 0; i < v->gweps->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        VpcGwEp *e = GWEP(v, i);
        g_autofree char *tables = NULL;
        g_auto(GStrv) parts = NULL;

        if (!vns_config_string(c, "route-tables", &tables, error))
            return false;
        parts = g_strsplit(tables, ",", -1);
        for (size_t k = 0; parts[k] != NULL; k++) {
            const char *n = g_strstrip(parts[k]);
            VpcRouteTable *t;
            int ti;

            if (*n == '\0')
                continue;
            ti = VPC_FIND(v->tables, VpcRouteTable, n);
            if (ti < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<gateway-endpoint> 'route-tables' names "
                                 "'%s', which is no <route-table> of the VPC",
                                 n);
                return false;
            }
            t = TABLE(v, ti);
            for (guint j = 0; j < t->routes->len; j++) {
                const VpcRoute *r = &g_array_index(t->routes, VpcRoute, j);
                if (r->kind == VPC_TGT_GWEP &&
                    GWEP(v, r->index)->service == e->service) {
                    vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                                     "<gateway-endpoint> '%s': route table "
                                     "'%s' already routes this service to "
                                     "'%s', expected one endpoint per "
                                     "service per route table", e->name, n,
                                     GWEP(v, r->index)->name);
                    return false;
                }
            }
            for (guint j = 0; j < e->prefixes->len; j++) {
                VpcRoute r = {
                    .to = g_array_index(e->prefixes, VnsIpPrefix, j),
                    .kind = VPC_TGT_GWEP, .index = (int) i,
                };
                uint32_t old;
                if (vns_lpm_lookup_exact(t->lpm, &r.to, &old))
                    continue;   /* a static route for it wins */
                g_array_append_val(t->routes, r);
                vns_lpm_insert(t->lpm, &r.to, t->routes->len - 1);
            }
        }
    }
    return true;
}

static void
vpc_ifep_clear(gpointer p)
{
    VpcIfEp *ep = p;

    g_free(ep->name);
    g_free(ep->service);
    vpc_conn_free(&ep->fwd);
    vpc_conn_free(&ep->rev);
    vpc_link_drain(&ep->link);
}

/* Interface endpoints: each adds an ENI per subnet to Vpc.enis (after the
 * instances' ENIs), with the endpoint's security groups. Addresses given
 * are held now; the others are allocated in vpc_connect(). */
static bool
vpc_cfg_ifeps(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autofree char *subnets = NULL, *groups = NULL, *addrs = NULL;
        g_auto(GStrv) sn = NULL, gn = NULL, an = NULL;
        VpcIfEp ep = { 0 };
        VpcIfEp *e;

        ep.line = vns_config_line(c);
        if (!vns_config_string(c, "name", &ep.name, error))
            return false;
        vpc_conn_init(&ep.fwd, 16);
        vpc_conn_init(&ep.rev, 16);
        g_array_append_val(v->ifeps, ep);
        e = IFEP(v, v->ifeps->len - 1);
        if (!vpc_cfg_unique(names, c, e->name, error) ||
            !vns_config_string(c, "service", &e->service, error) ||
            !vns_config_string(c, "subnets", &subnets, error) ||
            !vns_config_string(c, "security-groups", &groups, error) ||
            !vns_config_string(c, "address", &addrs, error) ||
            !vns_config_time(c, "idle-timeout", &e->idle_ps, error) ||
            !vpc_cfg_link(v, c, &e->link, e->name, "service-address", error))
            return false;
        e->fwd.timeout_ps[0] = e->idle_ps;
        sn = g_strsplit(subnets, ",", -1);
        gn = g_strsplit(groups, ",", -1);
        an = addrs != NULL ? g_strsplit(addrs, ",", -1) : g_new0(char *, 1);
        if (g_strv_length(sn) == 0 ||
            (addrs != NULL && g_strv_length(an) != g_strv_length(sn))) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<interface-endpoint> has %u subnets and %u "
                             "addresses, expected at least one subnet and "
                             "one address per subnet when 'address' is "
                             "given", g_strv_length(sn), g_strv_length(an));
            return false;
        }
        e->first_eni = (int) v->enis->len;
        for (size_t k = 0; sn[k] != NULL; k++) {
            VpcEni x = { 0 };
            VpcEni *xp;
            const char *sname = g_strstrip(sn[k]);

            x.line = e->line;
            x.vpce = (int) i + 1;
            x.sdcheck = true;
            x.logs = g_array_new(FALSE, FALSE, sizeof(int));
            x.name = g_strdup_printf("%s-%s", e->name, sname);
            vpc_conn_init(&x.ct, 16);
            /* The <eni> defaults (EC2 API Reference,
             * ConnectionTrackingConfiguration). */
            x.ct.timeout_ps[VPC_CT_TCP] = 432000 * VNS_SEC;
            x.ct.timeout_ps[VPC_CT_UDP] = 30 * VNS_SEC;
            x.ct.timeout_ps[VPC_CT_UDP_STREAM] = 180 * VNS_SEC;
            x.ct.timeout_ps[VPC_CT_OTHER] = 30 * VNS_SEC;
            g_array_append_val(v->enis, x);
            xp = ENI(v, v->enis->len - 1);
            e->n_enis++;
            xp->subnet = VPC_FIND(v->subnets, VpcSubnet, sname);
            if (xp->subnet < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<interface-endpoint> 'subnets' names '%s', "
                                 "which is no <subnet> of the VPC", sname);
                return false;
            }
            for (int j = e->first_eni; j + 1 < (int) v->enis->len; j++) {
                if (ENI(v, j)->subnet == xp->subnet) {
                    vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                                     "<interface-endpoint> 'subnets' names "
                                     "'%s' twice, expected one ENI per "
                                     "subnet", sname);
                    return false;
                }
            }
            if (!vpc_cfg_unique(names, c, xp->name, error))
                return false;
            xp->mac = vpc_derive_mac(v->base.name, xp->name);
            xp->groups = g_new0(int, g_strv_length(gn) + 1);
            for (size_t j = 0; gn[j] != NULL; j++) {
                const char *gname = g_strstrip(gn[j]);
                int gi = VPC_FIND(v->groups, VpcGroup, gname);
                if (gi < 0) {
                    vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                     "<interface-endpoint> 'security-groups' "
                                     "names '%s', which is no "
                                     "<security-group> of the VPC", gname);
                    return false;
                }
                xp->groups[xp->n_groups++] = gi;
            }
            if (an[k] != NULL) {
                GError *local = NULL;
                if (!vns_ip4_parse(g_strstrip(an[k]), &xp->addr, &local)) {
                    vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                                     "<interface-endpoint> 'address': %s",
                                     local->message);
                    g_error_free(local);
                    return false;
                }
                if (!vpc_check_private(v, c, SUBNET(v, xp->subnet), xp->addr,
                                       error))
                    return false;
                g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(xp->addr),
                                    GINT_TO_POINTER((int) v->enis->len));
            }
        }
    }
    return true;
}

static void
vpc_nat_clear(gpointer p)
{
    VpcNat *n = p;

    g_free(n->name);
    g_free(n->pub);
    vpc_conn_free(&n->fwd);
    vpc_conn_free(&n->rev);
    vpc_conn_free(&n->dest);
}

static bool
vpc_cfg_nats(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autofree char *subnet = NULL, *pubs = NULL;
        g_auto(GStrv) parts = NULL;
        uint64_t limit;
        VpcNat n = { 0 };
        VpcNat *np;

        n.line = vns_config_line(c);
        if (!vns_config_string(c, "name", &n.name, error))
            return false;
        vpc_conn_init(&n.fwd, 16);
        vpc_conn_init(&n.rev, 16);
        vpc_conn_init(&n.dest, 16);
        g_array_append_val(v->nats, n);
        np = NAT(v, v->nats->len - 1);
        if (!vpc_cfg_unique(names, c, np->name, error) ||
            !vns_config_string(c, "subnet", &subnet, error) ||
            !vpc_cfg_ip4(c, "address", &np->addr, error) ||
            !vns_config_string(c, "public-ips", &pubs, error) ||
            !vns_config_uint(c, "connections-per-destination", &limit, error) ||
            !vns_config_time(c, "idle-timeout", &np->idle_ps, error) ||
            !vns_config_rate(c, "bandwidth", &np->rate_bps, error) ||
            !vns_config_uint(c, "packet-rate", &np->pps, error) ||
            !vns_config_time(c, "burst", &np->burst_ps, error))
            return false;
        np->limit = (uint32_t) limit;
        np->fwd.timeout_ps[0] = np->idle_ps;
        np->subnet = VPC_FIND(v->subnets, VpcSubnet, subnet);
        if (np->subnet < 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                             "<nat-gateway> 'subnet' is '%s', which names no "
                             "<subnet> of the VPC", subnet);
            return false;
        }
        /* An address given is held now, so no ENI takes it; one to
         * allocate is chosen after the ENIs' (vpc_connect). It maps to no
         * ENI (value NULL). */
        if (np->addr != 0) {
            if (!vpc_check_private(v, c, SUBNET(v, np->subnet), np->addr,
                                   error))
                return false;
            g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(np->addr), NULL);
        }
        parts = g_strsplit(pubs, ",", -1);
        np->pub = g_new0(uint32_t, g_strv_length(parts) + 1);
        for (size_t k = 0; parts[k] != NULL; k++) {
            GError *local = NULL;
            uint32_t a;
            if (!vns_ip4_parse(g_strstrip(parts[k]), &a, &local)) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<nat-gateway> 'public-ips': %s",
                                 local->message);
                g_error_free(local);
                return false;
            }
            if (!vpc_cfg_public(v, c, a, -(int) v->nats->len, error))
                return false;
            np->pub[np->n_pub++] = a;
        }
        np->tok_bits = (double) np->rate_bps * vns_time_to_s(np->burst_ps);
        np->tok_pkts = MAX((double) np->pps * vns_time_to_s(np->burst_ps), 1.0);
    }
    return true;
}

static void
vpc_peer_clear(gpointer p)
{
    VpcPeer *x = p;

    g_free(x->name);
    g_free(x->peer_name);
}

static bool
vpc_cfg_peers(Vpc *v, GPtrArray *cfgs, GHashTable *names, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        VpcPeer x = { 0 };
        VpcPeer *xp;

        x.line = vns_config_line(c);
        if (!vns_config_string(c, "name", &x.name, error))
            return false;
        g_array_append_val(v->peers, x);
        xp = PEER(v, v->peers->len - 1);
        if (!vpc_cfg_unique(names, c, xp->name, error) ||
            !vns_config_string(c, "peer", &xp->peer_name, error))
            return false;
    }
    return true;
}

static void
vpc_table_clear(gpointer p)
{
    VpcRouteTable *t = p;

    g_free(t->name);
    if (t->routes != NULL)
        g_array_free(t->routes, TRUE);
    vns_lpm_free(t->lpm);
}

/* Adds a route table holding the local route; returns its index. */
static int
vpc_table_add(Vpc *v, const char *name, int line)
{
    VpcRouteTable t = { 0 };
    VpcRoute local = { .to = v->cidr, .kind = VPC_TGT_LOCAL, .index = -1 };

    t.name = g_strdup(name);
    t.line = line;
    t.routes = g_array_new(FALSE, TRUE, sizeof(VpcRoute));
    t.lpm = vns_lpm_new(VNS_IP_V4);
    g_array_append_val(t.routes, local);
    vns_lpm_insert(t.lpm, &v->cidr, 0);
    g_array_append_val(v->tables, t);
    return (int) v->tables->len - 1;
}

static bool
vpc_cfg_tables(Vpc *v, GPtrArray *cfgs, GError **error)
{
    char a[VNS_IP_PREFIX_STRLEN], b[VNS_IP_PREFIX_STRLEN];

    v->main_rt = -1;
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autofree char *name = NULL;
        g_autoptr(GPtrArray) routes = vns_config_children(c, "route");
        bool is_main;
        VpcRouteTable *t;
        int ti;

        if (!vns_config_string(c, "name", &name, error) ||
            !vns_config_bool(c, "main", &is_main, error))
            return false;
        if (VPC_FIND(v->tables, VpcRouteTable, name) >= 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<route-table> name '%s' is already used, "
                             "expected a unique name", name);
            return false;
        }
        ti = vpc_table_add(v, name, vns_config_line(c));
        t = TABLE(v, ti);
        if (is_main) {
            if (v->main_rt >= 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<route-table> '%s' is main, and so is '%s' "
                                 "(line %d), expected one main route table",
                                 name, TABLE(v, v->main_rt)->name,
                                 TABLE(v, v->main_rt)->line);
                return false;
            }
            v->main_rt = ti;
        }
        for (guint j = 0; j < routes->len; j++) {
            const VnsConfig *rc = routes->pdata[j];
            g_autofree char *target = NULL;
            VpcRoute r = { 0 };
            bool present;
            uint32_t old;

            if (!vns_config_prefix(rc, "to", VNS_IP_PREFIX_STRICT, &r.to,
                                   &present, error) ||
                !vns_config_string(rc, "target", &target, error))
                return false;
            if (r.to.addr.family != VNS_IP_V4) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<route> 'to' is an IPv6 prefix, expected "
                                 "IPv4 (the VPC model is IPv4 only)");
                return false;
            }
            if (strcmp(target, "local") == 0) {
                r.kind = VPC_TGT_LOCAL;
            } else if ((r.index = VPC_FIND(v->igws, VpcIgw, target)) >= 0) {
                r.kind = VPC_TGT_IGW;
            } else if ((r.index = VPC_FIND(v->nats, VpcNat, target)) >= 0) {
                r.kind = VPC_TGT_NAT;
            } else if ((r.index = VPC_FIND(v->enis, VpcEni, target)) >= 0) {
                r.kind = VPC_TGT_ENI;
            } else if ((r.index = VPC_FIND(v->peers, VpcPeer, target)) >= 0) {
                r.kind = VPC_TGT_PEER;
            } else {
                /* A <transit-gateway> is another element: checked in
                 * vpc_connect(), when every element exists. */
                r.kind = VPC_TGT_TGW;
                r.index = (int) v->tgw_names->len;
                g_ptr_array_add(v->tgw_names, g_strdup(target));
            }
            if (r.to.len >= v->cidr.len &&
                vns_ip_prefix_contains(&v->cidr, &r.to.addr)) {
                /* AWS: the local route cannot be overridden by a less
                 * specific route; a more specific one must be a whole
                 * subnet's block ("Route priority", Amazon VPC User
                 * Guide). */
                bool subnet = false;
                for (guint k = 0; k < v->subnets->len; k++)
                    if (SUBNET(v, k)->cidr.len == r.to.len &&
                        SUBNET(v, k)->net == r.to.addr.v4)
                        subnet = true;
                if (!subnet || r.to.len == v->cidr.len) {
                    vns_config_error(error, rc, VNS_CONFIG_ERROR_CONFLICT,
                                     "<route> 'to' %s is inside the VPC's "
                                     "block %s, expected a prefix outside it "
                                     "or exactly a subnet's block",
                                     vns_ip_prefix_format(&r.to, a),
                                     vns_ip_prefix_format(&v->cidr, b));
                    return false;
                }
            }
            if (vns_lpm_lookup_exact(t->lpm, &r.to, &old)) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<route> to %s is already in route table "
                                 "'%s', expected one route per prefix",
                                 vns_ip_prefix_format(&r.to, a), t->name);
                return false;
            }
            g_array_append_val(t->routes, r);
            vns_lpm_insert(t->lpm, &r.to, t->routes->len - 1);
        }
    }
    if (v->main_rt < 0)
        v->main_rt = vpc_table_add(v, "main", 0);
    return true;
}

/* Associations of subnets with route tables and network ACLs. */
static bool
vpc_cfg_associate(Vpc *v, GPtrArray *cfgs, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        VpcSubnet *s = SUBNET(v, i);
        g_autofree char *rt = NULL, *acl = NULL;

        s->rt = v->main_rt;
        if (vns_config_has(c, "route-table")) {
            if (!vns_config_string(c, "route-table", &rt, error))
                return false;
            s->rt = VPC_FIND(v->tables, VpcRouteTable, rt);
            if (s->rt < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<subnet> 'route-table' is '%s', which names "
                                 "no <route-table> of the VPC", rt);
                return false;
            }
        }
        if (vns_config_has(c, "network-acl")) {
            if (!vns_config_string(c, "network-acl", &acl, error))
                return false;
            s->acl = VPC_FIND(v->acls, VpcAcl, acl);
            if (s->acl < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<subnet> 'network-acl' is '%s', which names "
                                 "no <network-acl> of the VPC", acl);
                return false;
            }
        }
    }
    return true;
}

static void
vpc_log_clear(gpointer p)
{
    VpcLog *l = p;

    g_free(l->file);
    vpc_conn_free(&l->agg);
    if (l->recs != NULL)
        g_array_free(l->recs, TRUE);
}

static bool
vpc_cfg_logs(Vpc *v, GPtrArray *cfgs, GError **error)
{
    for (guint i = 0; i < cfgs->len; i++) {
        const VnsConfig *c = cfgs->pdata[i];
        g_autofree char *eni = NULL;
        VpcLog l = { 0 };
        VpcLog *lp;
        int agg;

        l.line = vns_config_line(c);
        l.eni = -1;
        l.window = -1;
        if (!vns_config_string(c, "file", &l.file, error))
            return false;
        vpc_conn_init(&l.agg, 16);
        l.recs = g_array_new(FALSE, TRUE, sizeof(VpcLogRec));
        g_array_append_val(v->logs, l);
        lp = LOG(v, v->logs->len - 1);
        if (!vns_config_enum(c, "aggregation", &agg, error))
            return false;
        lp->interval_ps = (agg == 0 ? 600 : 60) * VNS_SEC;
        if (lp->file[0] == '\0' || strchr(lp->file, '/') != NULL ||
            strcmp(lp->file, ".") == 0 || strcmp(lp->file, "..") == 0 ||
            g_str_has_prefix(lp->file, "summary.")) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_BAD_VALUE,
                             "<flow-log> 'file' is '%s', expected a plain file "
                             "name without '/', not summary.* (it is written "
                             "into the run's output directory)", lp->file);
            return false;
        }
        if (vns_config_has(c, "eni")) {
            if (!vns_config_string(c, "eni", &eni, error))
                return false;
            lp->eni = VPC_FIND(v->enis, VpcEni, eni);
            if (lp->eni < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<flow-log> 'eni' is '%s', which names no "
                                 "<eni> of the VPC", eni);
                return false;
            }
        }
        for (guint e = 0; e < v->enis->len; e++) {
            int li = (int) v->logs->len - 1;
            if (lp->eni < 0 || lp->eni == (int) e)
                g_array_append_val(ENI(v, e)->logs, li);
        }
    }
    return true;
}

static bool
vpc_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Vpc *v = (Vpc *) self;
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) subnets = NULL, tables = NULL, igws = NULL;
    g_autoptr(GPtrArray) nats = NULL, groups = NULL, acls = NULL;
    g_autoptr(GPtrArray) enis = NULL, logs = NULL, peers = NULL;
    g_autoptr(GPtrArray) gweps = NULL, ifeps = NULL;
    uint64_t mtu;

    v->subnets = g_array_new(FALSE, TRUE, sizeof(VpcSubnet));
    v->tables = g_array_new(FALSE, TRUE, sizeof(VpcRouteTable));
    g_array_set_clear_func(v->tables, vpc_table_clear);
    v->groups = g_array_new(FALSE, TRUE, sizeof(VpcGroup));
    g_array_set_clear_func(v->groups, vpc_group_clear);
    v->acls = g_array_new(FALSE, TRUE, sizeof(VpcAcl));
    g_array_set_clear_func(v->acls, vpc_acl_clear);
    v->enis = g_array_new(FALSE, TRUE, sizeof(VpcEni));
    g_array_set_clear_func(v->enis, vpc_eni_clear);
    v->igws = g_array_new(FALSE, TRUE, sizeof(VpcIgw));
    v->nats = g_array_new(FALSE, TRUE, sizeof(VpcNat));
    g_array_set_clear_func(v->nats, vpc_nat_clear);
    v->logs = g_array_new(FALSE, TRUE, sizeof(VpcLog));
    g_array_set_clear_func(v->logs, vpc_log_clear);
    v->peers = g_array_new(FALSE, TRUE, sizeof(VpcPeer));
    g_array_set_clear_func(v->peers, vpc_peer_clear);
    v->tgw_names = g_ptr_array_new_with_free_func(g_free);
    v->tgw_refs = g_ptr_array_new();
    v->gweps = g_array_new(FALSE, TRUE, sizeof(VpcGwEp));
    g_array_set_clear_func(v->gweps, vpc_gwep_clear);
    v->ifeps = g_array_new(FALSE, TRUE, sizeof(VpcIfEp));
    g_array_set_clear_func(v->ifeps, vpc_ifep_clear);
    v->by_addr = g_hash_table_new(g_direct_hash, g_direct_equal);
    v->by_public = g_hash_table_new(g_direct_hash, g_direct_equal);
    v->out_event = VNS_EVENT_NONE;
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "vpc '%s' has no configuration, expected a <vpc> element",
                    self->name);
        return false;
    }
    if (!vpc_cfg_block(cfg, &v->cidr, error) ||
        !vns_config_uint(cfg, "mtu", &mtu, error) ||
        !vns_config_time(cfg, "latency", &v->latency_ps, error) ||
        !vns_config_string(cfg, "account-id", &v->account, error))
        return false;
    v->mtu = (uint32_t) mtu;
    v->mask = vpc_mask(v->cidr.len);
    v->net = v->cidr.addr.v4 & v->mask;
    subnets = vns_config_children(cfg, "subnet");
    tables = vns_config_children(cfg, "route-table");
    igws = vns_config_children(cfg, "internet-gateway");
    nats = vns_config_children(cfg, "nat-gateway");
    groups = vns_config_children(cfg, "security-group");
    acls = vns_config_children(cfg, "network-acl");
    enis = vns_config_children(cfg, "eni");
    logs = vns_config_children(cfg, "flow-log");
    peers = vns_config_children(cfg, "peering");
    gweps = vns_config_children(cfg, "gateway-endpoint");
    ifeps = vns_config_children(cfg, "interface-endpoint");
    if (!vpc_cfg_subnets(v, subnets, names, error) ||
        !vpc_cfg_acls(v, acls, error) ||
        !vpc_cfg_gweps(v, gweps, names, error) ||
        !vpc_cfg_groups(v, groups, error) ||
        !vpc_cfg_enis(v, enis, names, error) ||
        !vpc_cfg_ifeps(v, ifeps, names, error) ||
        !vpc_cfg_igws(v, igws, names, error) ||
        !vpc_cfg_nats(v, nats, names, error) ||
        !vpc_cfg_peers(v, peers, names, error) ||
        !vpc_cfg_tables(v, tables, error) ||
        !vpc_cfg_gwep_routes(v, gweps, error) ||
        !vpc_cfg_associate(v, subnets, error) ||
        !vpc_cfg_logs(v, logs, error))
        return false;
    v->port_kind = g_new0(int, self->ports->len + 1);
    for (guint i = 0; i < v->enis->len; i++)
        if (ENI(v, i)->port != NULL)
            v->port_kind[ENI(v, i)->port->index] = (int) i;
    for (guint i = 0; i < v->igws->len; i++) {
        IGW(v, i)->is_igw = true;
        v->port_kind[IGW(v, i)->port->index] = -(int) i - 1;
    }
    for (guint i = 0; i < v->gweps->len; i++)
        v->port_kind[GWEP(v, i)->link.port->index] =
            -(int) (v->igws->len + i) - 1;
    for (guint i = 0; i < v->ifeps->len; i++)
        v->port_kind[IFEP(v, i)->link.port->index] =
            -(int) (v->igws->len + v->gweps->len + i) - 1;
    return true;
}

static bool tgw_attaches(const VnsElement *tgw, const char *vpc);

/* Resolves route targets that name no part of the VPC: each must be a
 * <transit-gateway> with an <attachment> for this VPC. Routes are visited
 * in the order vpc_cfg_tables() stored the pending names. */
static bool
vpc_connect_tgws(Vpc *v, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) tables = vns_config_children(cfg, "route-table");
    guint next = 0;

    for (guint i = 0; i < tables->len; i++) {
        g_autoptr(GPtrArray) routes = vns_config_children(tables->pdata[i],
                                                          "route");
        for (guint j = 0; j < routes->len; j++) {
            g_autofree char *target = NULL;
            VnsElement *e;

            if (next >= v->tgw_names->len)
                return true;
            if (!vns_config_string(routes->pdata[j], "target", &target, error))
                return false;
            if (strcmp(target, v->tgw_names->pdata[next]) != 0)
                continue;
            e = vns_net_find(v->base.net, target);
            if (e == NULL || !tgw_attaches(e, NULL)) {
                vns_config_error(error, routes->pdata[j],
                                 VNS_CONFIG_ERROR_REFERENCE,
                                 "<route> 'target' is '%s', expected 'local', "
                                 "the name of an <internet-gateway>, "
                                 "<nat-gateway>, <eni> or <peering> of the "
                                 "VPC, or of a <transit-gateway>", target);
                return false;
            }
            if (!tgw_attaches(e, v->base.name)) {
                vns_config_error(error, routes->pdata[j],
                                 VNS_CONFIG_ERROR_REFERENCE,
                                 "<route> 'target' is transit gateway '%s', "
                                 "which has no <attachment vpc=\"%s\">, "
                                 "expected the VPC attached to it", target,
                                 v->base.name);
                return false;
            }
            g_ptr_array_add(v->tgw_refs, e);
            next++;
        }
    }
    return true;
}

/* Resolves the peering connections: the peer is a <vpc>, its block does
 * not overlap this one's, and it declares a peering back. */
static bool
vpc_connect_peers(Vpc *v, const VnsConfig *cfg, GError **error)
{
    g_autoptr(GPtrArray) cfgs = vns_config_children(cfg, "peering");
    char a[VNS_IP_PREFIX_STRLEN], b[VNS_IP_PREFIX_STRLEN];

    for (guint i = 0; i < v->peers->len; i++) {
        VpcPeer *p = PEER(v, i);
        VnsElement *e = vns_net_find(v->base.net, p->peer_name);
        bool back = false;
        Vpc *o;

        if (e == NULL || e->ops != &vns_vpc_ops || e == &v->base) {
            vns_config_error(error, cfgs->pdata[i], VNS_CONFIG_ERROR_REFERENCE,
                             "<peering> 'peer' is '%s', expected the name of "
                             "another <vpc>", p->peer_name);
            return false;
        }
        o = (Vpc *) e;
        if (vns_ip_prefix_overlap(&v->cidr, &o->cidr)) {
            vns_config_error(error, cfgs->pdata[i], VNS_CONFIG_ERROR_CONFLICT,
                             "<peering> '%s': the blocks %s and %s of '%s' "
                             "overlap, expected VPCs whose blocks do not "
                             "overlap (AWS refuses such a peering)", p->name,
                             vns_ip_prefix_format(&v->cidr, a),
                             vns_ip_prefix_format(&o->cidr, b), o->base.name);
            return false;
        }
        /* The peer's own <peering> children were read in its create. */
        for (guint k = 0; o->peers != NULL && k < o->peers->len; k++)
            if (strcmp(PEER(o, k)->peer_name, v->base.name) == 0)
                back = true;
        if (!back) {
            vns_config_error(error, cfgs->pdata[i], VNS_CONFIG_ERROR_REFERENCE,
                             "<peering> '%s': <vpc> '%s' has no <peering> with "
                             "peer=\"%s\", expected both sides to declare the "
                             "connection (the peer accepts it)", p->name,
                             o->base.name, v->base.name);
            return false;
        }
        p->peer = o;
    }
    return true;
}

/* Leases ENI 'e' its address (the one given, else the subnet's first
 * free one) on the instance's interface 'peer', which has none, with a
 * default route via the subnet's router (+1), as the VPC's DHCP server
 * does for an instance (AWS "DHCP option sets"; the router address: "Subnet
 * CIDR blocks", reserved addresses). */
static bool
vpc_lease(Vpc *v, VpcEni *e, const VpcSubnet *s, VnsPort *peer,
          const VnsConfig *c, GError **error)
{
    g_autoptr(GError) local = NULL;
    uint32_t addr = e->addr != 0 ? e->addr : vpc_first_free(v, s);
    VnsIpPrefix p = { .addr = vns_ip_addr_v4(addr), .len = s->cidr.len };
    VnsIpAddr gw = vns_ip_addr_v4(s->net + 1);

    if (addr == 0) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                         "<eni> subnet '%s' has no free address, expected "
                         "room for instance '%s'", s->name, e->instance);
        return false;
    }
    if (!vns_host_is_host(peer->owner)) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_MISSING,
                         "<eni> instance '%s' has no IPv4 address and is not "
                         "a host the VPC can lease one to, expected an "
                         "address on its interface", e->instance);
        return false;
    }
    if (!vns_host_assign_ipv4(peer->owner, peer, &p, &gw, &local)) {
        vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT, "<eni>: %s",
                         local->message);
        return false;
    }
    e->addr = addr;
    return true;
}

/* Joins each ENI to its instance's interface, takes the address and MAC
 * the interface advertises (or leases one), and fills the security
 * groups' members. */
static bool
vpc_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Vpc *v = (Vpc *) self;
    g_autoptr(GPtrArray) enis = vns_config_children(cfg, "eni");
    char a[VNS_IP4_STRLEN], b[VNS_IP4_STRLEN], pb[VNS_IP_PREFIX_STRLEN];

    g_autoptr(GArray) pending = g_array_new(FALSE, FALSE, sizeof(guint));

    for (guint i = 0; i < enis->len; i++) {
        VpcEni *e = ENI(v, i);
        const VnsConfig *c = enis->pdata[i];
        const VpcSubnet *s = SUBNET(v, e->subnet);
        GError *local = NULL;
        VnsPort *peer = vns_net_find_port(self->net, e->instance, &local);
        const VnsPortInfo *pi;

        if (peer == NULL || !vns_port_connect(e->port, peer, &local)) {
            vns_config_error(error, c, local->code, "<eni> 'instance': %s",
                             local->message);
            g_error_free(local);
            return false;
        }
        pi = &peer->info;
        e->mac = pi->mac;
        if (pi->addr4.family != VNS_IP_V4) {
            /* No address on the instance: the VPC's DHCP leases one, after
             * every instance that has one is known. */
            if (e->addr != 0 && !vpc_lease(v, e, s, peer, c, error))
                return false;
            if (e->addr == 0) {
                g_array_append_val(pending, i);
                continue;
            }
        }
        if (e->addr != 0 && e->addr != pi->addr4.v4) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                             "<eni> 'address' is %s but instance '%s' has "
                             "%s, expected the same address",
                             vpc_ip4_str(e->addr, a), e->instance,
                             vpc_ip4_str(pi->addr4.v4, b));
            return false;
        }
        if (pi->prefix4 != s->cidr.len) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_CONFLICT,
                             "<eni> instance '%s' has prefix length /%u, "
                             "expected /%u, that of subnet '%s' (%s)",
                             e->instance, pi->prefix4, s->cidr.len, s->name,
                             vns_ip_prefix_format(&s->cidr, pb));
            return false;
        }
        if (e->addr == 0) {
            e->addr = pi->addr4.v4;
            if (!vpc_check_private(v, c, s, e->addr, error))
                return false;
            g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(e->addr),
                                GINT_TO_POINTER((int) i + 1));
        }
        for (int k = 0; k < e->n_groups; k++)
            g_array_append_val(GROUP(v, e->groups[k])->members, e->addr);
    }
    for (guint j = 0; j < pending->len; j++) {
        guint i = g_array_index(pending, guint, j);
        VpcEni *e = ENI(v, i);
        const VpcSubnet *s = SUBNET(v, e->subnet);

        if (!vpc_lease(v, e, s, e->port->peer, enis->pdata[i], error))
            return false;
        g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(e->addr),
                            GINT_TO_POINTER((int) i + 1));
        for (int k = 0; k < e->n_groups; k++)
            g_array_append_val(GROUP(v, e->groups[k])->members, e->addr);
    }
    if (!vpc_connect_peers(v, cfg, error) || !vpc_connect_tgws(v, cfg, error))
        return false;
    for (guint i = 0; i < v->nats->len; i++) {
        VpcNat *n = NAT(v, i);
        if (n->addr != 0)
            continue;
        n->addr = vpc_first_free(v, SUBNET(v, n->subnet));
        if (n->addr == 0) {
            g_autoptr(GPtrArray) nats = vns_config_children(cfg, "nat-gateway");
            vns_config_error(error, nats->pdata[i], VNS_CONFIG_ERROR_CONFLICT,
                             "<nat-gateway> subnet '%s' has no free address, "
                             "expected room for the gateway's",
                             SUBNET(v, n->subnet)->name);
            return false;
        }
        g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(n->addr), NULL);
    }
    /* Interface endpoints' ENIs: the first free address of their subnet
     * unless given, and membership of their security groups. */
    for (guint i = enis->len; i < v->enis->len; i++) {
        VpcEni *e = ENI(v, i);
        if (e->addr == 0) {
            e->addr = vpc_first_free(v, SUBNET(v, e->subnet));
            if (e->addr == 0) {
                g_autoptr(GPtrArray) eps =
                    vns_config_children(cfg, "interface-endpoint");
                vns_config_error(error, eps->pdata[e->vpce - 1],
                                 VNS_CONFIG_ERROR_CONFLICT,
                                 "<interface-endpoint> subnet '%s' has no free "
                                 "address, expected room for the endpoint's "
                                 "ENI", SUBNET(v, e->subnet)->name);
                return false;
            }
            g_hash_table_insert(v->by_addr, GUINT_TO_POINTER(e->addr),
                                GINT_TO_POINTER((int) i + 1));
        }
        for (int k = 0; k < e->n_groups; k++)
            g_array_append_val(GROUP(v, e->groups[k])->members, e->addr);
    }
    return true;
}

static bool
vpc_start(VnsElement *self, GError **error)
{
    Vpc *v = (Vpc *) self;

    /* The internet gateway resolves its next hop at once, as a router
     * would when its route is installed, so that the first packets need
     * not wait. */
    for (guint i = 0; i < v->igws->len; i++)
        if (IGW(v, i)->port->peer != NULL)
            vpc_igw_solicit(v, IGW(v, i));
    for (guint i = 0; i < v->gweps->len; i++)
        if (GWEP(v, i)->link.port->peer != NULL)
            vpc_igw_solicit(v, &GWEP(v, i)->link);
    for (guint i = 0; i < v->ifeps->len; i++)
        if (IFEP(v, i)->link.port->peer != NULL)
            vpc_igw_solicit(v, &IFEP(v, i)->link);
    return true;
}

static void
vpc_drop_list(Vpc *v, VnsPacket **head, VnsPacket **tail)
{
    while (*head != NULL) {
        VnsPacket *p = *head;
        *head = p->next;
        p->next = NULL;
        vns_packet_drop(p, &v->base, VNS_DROP_END_OF_RUN);
    }
    *tail = NULL;
}

static void
vpc_stop(VnsElement *self)
{
    Vpc *v = (Vpc *) self;

    vns_sim_cancel(self->sim, v->out_event);
    v->out_event = VNS_EVENT_NONE;
    vpc_drop_list(v, &v->out_head, &v->out_tail);
    for (guint i = 0; i < v->igws->len; i++) {
        VpcIgw *g = IGW(v, i);
        vns_sim_cancel(self->sim, g->timer);
        g->timer = VNS_EVENT_NONE;
        vpc_drop_list(v, &g->q_head, &g->q_tail);
        g->q_len = 0;
    }
    for (guint i = 0; i < v->gweps->len + v->ifeps->len; i++) {
        VpcIgw *g = i < v->gweps->len ? &GWEP(v, i)->link
                                      : &IFEP(v, i - v->gweps->len)->link;
        vns_sim_cancel(self->sim, g->timer);
        g->timer = VNS_EVENT_NONE;
        vpc_drop_list(v, &g->q_head, &g->q_tail);
        g->q_len = 0;
    }
}

/* The end of the warm-up: counters restart; state (tracked connections,
 * translations, learnt neighbours) stays, and flow logs keep every
 * record, like captures. */
static void
vpc_reset(VnsElement *self)
{
    Vpc *v = (Vpc *) self;

    v->forwarded = v->arp_replies = 0;
    for (guint i = 0; i < v->enis->len; i++) {
        VpcEni *e = ENI(v, i);
        memset(e->pkts, 0, sizeof e->pkts);
        memset(e->bytes, 0, sizeof e->bytes);
        memset(e->sg_deny, 0, sizeof e->sg_deny);
        memset(e->nacl_deny, 0, sizeof e->nacl_deny);
        e->ct_peak = e->ct.n;
        e->ct_created = 0;
    }
    for (guint i = 0; i < v->nats->len; i++) {
        VpcNat *n = NAT(v, i);
        n->error_port_allocation = n->conn_established = 0;
        n->conn_peak = n->fwd.n;
        n->pkts_out = n->bytes_out = n->pkts_in = n->bytes_in = 0;
        n->drop_count = n->unmatched = 0;
    }
    for (guint i = 0; i < v->igws->len; i++) {
        memset(IGW(v, i)->pkts, 0, sizeof IGW(v, i)->pkts);
        memset(IGW(v, i)->bytes, 0, sizeof IGW(v, i)->bytes);
    }
    for (guint i = 0; i < v->peers->len; i++) {
        memset(PEER(v, i)->pkts, 0, sizeof PEER(v, i)->pkts);
        memset(PEER(v, i)->bytes, 0, sizeof PEER(v, i)->bytes);
    }
    for (guint i = 0; i < v->gweps->len; i++) {
        VpcGwEp *e = GWEP(v, i);
        memset(e->link.pkts, 0, sizeof e->link.pkts);
        memset(e->link.bytes, 0, sizeof e->link.bytes);
        e->policy_denied = 0;
    }
    for (guint i = 0; i < v->ifeps->len; i++) {
        VpcIfEp *e = IFEP(v, i);
        memset(e->link.pkts, 0, sizeof e->link.pkts);
        memset(e->link.bytes, 0, sizeof e->link.bytes);
        e->unsupported = e->ports_exhausted = e->unmatched = 0;
    }
}

static void
vpc_stats(VnsElement *self, VnsReport *report)
{
    Vpc *v = (Vpc *) self;
    VnsTime now = vns_element_now(self);

    vns_report_row(report, "vpcs", self->name);
    vns_report_int(report, "forwarded", (int64_t) v->forwarded);
    vns_report_int(report, "arp_replies", (int64_t) v->arp_replies);
    for (int c = 0; c < VNS_DROP_N_CAUSES; c++) {
        g_autofree char *key = NULL;
        if (self->drops[c] == 0)
            continue;
        key = g_strdup_printf("drops_%s", vns_drop_cause_name((VnsDropCause) c));
        vns_report_int(report, key, (int64_t) self->drops[c]);
    }
    for (guint i = 0; i < v->enis->len; i++) {
        const VpcEni *e = ENI(v, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, e->name);
        char a[VNS_IP4_STRLEN];

        vns_report_row(report, "enis", row);
        vns_report_str(report, "address", vpc_ip4_str(e->addr, a));
        vns_report_str(report, "subnet", SUBNET(v, e->subnet)->name);
        vns_report_int(report, "packets_out", (int64_t) e->pkts[VPC_OUT]);
        vns_report_int(report, "bytes_out", (int64_t) e->bytes[VPC_OUT]);
        vns_report_int(report, "packets_in", (int64_t) e->pkts[VPC_IN]);
        vns_report_int(report, "bytes_in", (int64_t) e->bytes[VPC_IN]);
        vns_report_int(report, "sg_denied_out", (int64_t) e->sg_deny[VPC_OUT]);
        vns_report_int(report, "sg_denied_in", (int64_t) e->sg_deny[VPC_IN]);
        vns_report_int(report, "nacl_denied_out", (int64_t) e->nacl_deny[VPC_OUT]);
        vns_report_int(report, "nacl_denied_in", (int64_t) e->nacl_deny[VPC_IN]);
        vns_report_int(report, "tracked_connections", (int64_t) e->ct.n);
        vns_report_int(report, "tracked_connections_peak", (int64_t) e->ct_peak);
        vns_report_int(report, "tracked_connections_created",
                       (int64_t) e->ct_created);
    }
    for (guint i = 0; i < v->nats->len; i++) {
        const VpcNat *n = NAT(v, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, n->name);

        vns_report_row(report, "nat_gateways", row);
        vns_report_int(report, "public_ips", n->n_pub);
        vns_report_int(report, "active_connection_count", (int64_t) n->fwd.n);
        vns_report_int(report, "peak_connection_count", (int64_t) n->conn_peak);
        vns_report_int(report, "connection_established_count",
                       (int64_t) n->conn_established);
        vns_report_int(report, "error_port_allocation",
                       (int64_t) n->error_port_allocation);
        vns_report_int(report, "packets_out_to_destination", (int64_t) n->pkts_out);
        vns_report_int(report, "bytes_out_to_destination", (int64_t) n->bytes_out);
        vns_report_int(report, "packets_in_from_destination", (int64_t) n->pkts_in);
        vns_report_int(report, "bytes_in_from_destination", (int64_t) n->bytes_in);
        vns_report_int(report, "packets_drop_count", (int64_t) n->drop_count);
        vns_report_int(report, "unmatched_inbound", (int64_t) n->unmatched);
    }
    for (guint i = 0; i < v->igws->len; i++) {
        const VpcIgw *g = IGW(v, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, g->name);

        vns_report_row(report, "internet_gateways", row);
        vns_report_int(report, "packets_out", (int64_t) g->pkts[VPC_OUT]);
        vns_report_int(report, "bytes_out", (int64_t) g->bytes[VPC_OUT]);
        vns_report_int(report, "packets_in", (int64_t) g->pkts[VPC_IN]);
        vns_report_int(report, "bytes_in", (int64_t) g->bytes[VPC_IN]);
    }
    for (guint i = 0; i < v->peers->len; i++) {
        const VpcPeer *p = PEER(v, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, p->name);

        vns_report_row(report, "vpc_peerings", row);
        vns_report_str(report, "peer", p->peer_name);
        vns_report_int(report, "packets_out", (int64_t) p->pkts[VPC_OUT]);
        vns_report_int(report, "bytes_out", (int64_t) p->bytes[VPC_OUT]);
        vns_report_int(report, "packets_in", (int64_t) p->pkts[VPC_IN]);
        vns_report_int(report, "bytes_in", (int64_t) p->bytes[VPC_IN]);
    }
    for (guint i = 0; i < v->gweps->len + v->ifeps->len; i++) {
        bool gw = i < v->gweps->len;
        const VpcGwEp *ge = gw ? GWEP(v, i) : NULL;
        const VpcIfEp *ie = gw ? NULL : IFEP(v, i - v->gweps->len);
        const VpcIgw *l = gw ? &ge->link : &ie->link;
        g_autofree char *row = g_strdup_printf("%s:%s", self->name,
                                               gw ? ge->name : ie->name);

        vns_report_row(report, "vpc_endpoints", row);
        vns_report_str(report, "type", gw ? "gateway" : "interface");
        vns_report_str(report, "service",
                       gw ? (ge->service == 0 ? "s3" : "dynamodb")
                          : ie->service);
        vns_report_int(report, "packets_to_service", (int64_t) l->pkts[VPC_OUT]);
        vns_report_int(report, "bytes_to_service", (int64_t) l->bytes[VPC_OUT]);
        vns_report_int(report, "packets_from_service", (int64_t) l->pkts[VPC_IN]);
        vns_report_int(report, "bytes_from_service", (int64_t) l->bytes[VPC_IN]);
        vns_report_int(report, "policy_denied",
                       gw ? (int64_t) ge->policy_denied : 0);
        vns_report_int(report, "active_connections",
                       gw ? 0 : (int64_t) ie->fwd.n);
        vns_report_int(report, "unsupported_protocol",
                       gw ? 0 : (int64_t) ie->unsupported);
        vns_report_int(report, "unmatched_from_service",
                       gw ? 0 : (int64_t) ie->unmatched);
    }
    for (guint i = 0; i < v->logs->len; i++) {
        const VpcLog *l = LOG(v, i);

        vns_report_row(report, "flow_logs", l->file);
        vns_report_str(report, "vpc", self->name);
        vns_report_int(report, "records", (int64_t) l->recs->len);
        vns_report_file(report, l->file, vpc_log_text(v, l, now));
    }
}

static void
vpc_free(VnsElement *self)
{
    Vpc *v = (Vpc *) self;

    while (v->out_head != NULL) {
        VnsPacket *p = v->out_head;
        v->out_head = p->next;
        p->next = NULL;
        vns_packet_free(p);
    }
    if (v->subnets != NULL) {
        for (guint i = 0; i < v->subnets->len; i++)
            g_free(SUBNET(v, i)->name);
        g_array_free(v->subnets, TRUE);
    }
    if (v->igws != NULL) {
        for (guint i = 0; i < v->igws->len; i++) {
            vpc_link_drain(IGW(v, i));
            g_free(IGW(v, i)->name);
        }
        g_array_free(v->igws, TRUE);
    }
    if (v->tables != NULL)
        g_array_free(v->tables, TRUE);
    if (v->groups != NULL)
        g_array_free(v->groups, TRUE);
    if (v->acls != NULL)
        g_array_free(v->acls, TRUE);
    if (v->enis != NULL)
        g_array_free(v->enis, TRUE);
    if (v->nats != NULL)
        g_array_free(v->nats, TRUE);
    if (v->logs != NULL)
        g_array_free(v->logs, TRUE);
    if (v->peers != NULL)
        g_array_free(v->peers, TRUE);
    if (v->tgw_names != NULL)
        g_ptr_array_free(v->tgw_names, TRUE);
    if (v->tgw_refs != NULL)
        g_ptr_array_free(v->tgw_refs, TRUE);
    if (v->gweps != NULL)
        g_array_free(v->gweps, TRUE);
    if (v->ifeps != NULL)
        g_array_free(v->ifeps, TRUE);
    if (v->by_addr != NULL)
        g_hash_table_destroy(v->by_addr);
    if (v->by_public != NULL)
        g_hash_table_destroy(v->by_public);
    g_free(v->port_kind);
    g_free(v->account);
}

const VnsElementOps vns_vpc_ops = {
    .type = "vpc",
    .spec = &vpc_spec,
    .instance_size = sizeof(Vpc),
    .create = vpc_create,
    .connect = vpc_connect,
    .start = vpc_start,
    .receive = vpc_receive,
    .reset = vpc_reset,
    .stop = vpc_stop,
    .stats = vpc_stats,
    .free = vpc_free,
};

/* ------------------------------------------------------------------ */
/* Transit gateway                                                     */

/* An attachment of a VPC, in one of its subnets. */
typedef struct {
    char *vpc_name;
    char *subnet_name;
    char *rt_name;              /* associated route table; NULL = default */
    char *propagate;            /* route tables its block propagates to */
    Vpc *vpc;                   /* resolved in connect */
    int subnet;
    int rt;
    uint64_t pkts[2], bytes[2]; /* [VPC_IN] into the gateway, [VPC_OUT] out */
    int line;
} TgwAttach;

/* A transit gateway route: to an attachment, or a blackhole. */
typedef struct {
    VnsIpPrefix to;
    int attach;                 /* -1 = blackhole */
    bool propagated;
} TgwRoute;

typedef struct {
    char *name;
    GArray *routes;             /* of TgwRoute */
    VnsLpm *lpm;                /* prefix -> index in routes */
    int line;
} TgwTable;

typedef struct {
    VnsElement base;            /* must stay first */
    GArray *attach;             /* of TgwAttach */
    GArray *tables;             /* of TgwTable */
    int default_rt;
    uint64_t forwarded, blackholed, no_route;
} Tgw;

#define TGW_ATT(t, i) (&g_array_index((t)->attach, TgwAttach, (i)))
#define TGW_RT(t, i) (&g_array_index((t)->tables, TgwTable, (i)))

static const VnsAttrSpec tgw_route_attrs[] = {
    { "to", VNS_ATTR_PREFIX, true, NULL, NULL,
      "Destination prefix." },
    { "target", VNS_ATTR_NAME, true, NULL, NULL,
      "The <vpc> of an attachment, or 'blackhole' (matching packets are "
      "dropped, no_route)." },
    { NULL }
};

static const VnsSpec tgw_route_spec = {
    "route", "A static route; for the same prefix it wins over a "
    "propagated one (AWS: static routes take priority).",
    tgw_route_attrs, NULL, false,
};

static const VnsSpec *const tgw_table_children[] = { &tgw_route_spec, NULL };

static const VnsAttrSpec tgw_table_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The route table's name, unique in the transit gateway." },
    { NULL }
};

static const VnsSpec tgw_table_spec = {
    "route-table", "A transit gateway route table: static routes and the "
    "blocks that attachments propagate to it, looked up by longest prefix "
    "match.", tgw_table_attrs, tgw_table_children, false,
};

static const VnsAttrSpec tgw_attach_attrs[] = {
    { "vpc", VNS_ATTR_NAME, true, NULL, NULL,
      "The attached <vpc>; one attachment per VPC." },
    { "subnet", VNS_ATTR_NAME, true, NULL, NULL,
      "The VPC's subnet the attachment is in: packets from the gateway "
      "enter the VPC there (its network ACL, then its route table)." },
    { "route-table", VNS_ATTR_NAME, false, NULL, NULL,
      "The route table associated with the attachment, which routes the "
      "packets that come from it. Default: the first <route-table> (the "
      "default association route table)." },
    { "propagate", VNS_ATTR_STRING, false, NULL, NULL,
      "Comma-separated route tables the VPC's block is propagated to; '' "
      "for none. Default: the associated table (AWS's default route table "
      "propagation)." },
    { NULL }
};

static const VnsSpec tgw_attach_spec = {
    "attachment", "A VPC attachment.", tgw_attach_attrs, NULL, false,
};

static const VnsSpec *const tgw_children[] = {
    &tgw_attach_spec, &tgw_table_spec, NULL,
};

static const VnsAttrSpec tgw_attrs[] = {
    { "name", VNS_ATTR_NAME, true, NULL, NULL,
      "The transit gateway's name: VPC route tables name it as a target." },
    { NULL }
};

static const VnsSpec tgw_spec = {
    "transit-gateway", "An AWS-style transit gateway: a regional router "
    "between attached VPCs, with its own route tables (association and "
    "propagation). No ports: VPC route tables send packets to it by name.",
    tgw_attrs, tgw_children, false,
};

/* Whether 'tgw' is a transit gateway and, when 'vpc' is given, has an
 * attachment for it. */
static bool
tgw_attaches(const VnsElement *tgw, const char *vpc)
{
    const Tgw *t = (const Tgw *) tgw;

    if (tgw->ops != &vns_transit_gateway_ops)
        return false;
    if (vpc == NULL)
        return true;
    for (guint i = 0; i < t->attach->len; i++)
        if (strcmp(TGW_ATT(t, i)->vpc_name, vpc) == 0)
            return true;
    return false;
}

/* A packet (taken) from VPC 'from' routed to the gateway. */
static void
tgw_forward(VnsElement *self, Vpc *from, VnsPacket *pkt, VpcFlow *f)
{
    Tgw *t = (Tgw *) self;
    TgwAttach *in = NULL, *out;
    const TgwTable *rt;
    const TgwRoute *r;
    uint32_t i;

    for (guint k = 0; k < t->attach->len; k++)
        if (TGW_ATT(t, k)->vpc == from)
            in = TGW_ATT(t, k);
    g_assert(in != NULL);       /* vpc_connect_tgws() checked it */
    in->pkts[VPC_IN]++;
    in->bytes[VPC_IN] += f->size;
    rt = TGW_RT(t, in->rt);
    if (!vns_lpm_lookup_v4(rt->lpm, f->dst, &i)) {
        t->no_route++;
        vns_packet_drop(pkt, self, VNS_DROP_NO_ROUTE);
        return;
    }
    r = &g_array_index(rt->routes, TgwRoute, i);
    if (r->attach < 0) {
        t->blackholed++;
        vns_packet_drop(pkt, self, VNS_DROP_NO_ROUTE);
        return;
    }
    out = TGW_ATT(t, r->attach);
    out->pkts[VPC_OUT]++;
    out->bytes[VPC_OUT] += f->size;
    t->forwarded++;
    vpc_from_tgw(out->vpc, out->subnet, pkt, f);
}

static void
tgw_attach_clear(gpointer p)
{
    TgwAttach *a = p;

    g_free(a->vpc_name);
    g_free(a->subnet_name);
    g_free(a->rt_name);
    g_free(a->propagate);
}

static void
tgw_table_clear(gpointer p)
{
    TgwTable *x = p;

    g_free(x->name);
    if (x->routes != NULL)
        g_array_free(x->routes, TRUE);
    vns_lpm_free(x->lpm);
}

static int
tgw_find_attach(const Tgw *t, const char *vpc)
{
    for (guint i = 0; i < t->attach->len; i++)
        if (strcmp(TGW_ATT(t, i)->vpc_name, vpc) == 0)
            return (int) i;
    return -1;
}

static bool
tgw_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Tgw *t = (Tgw *) self;
    g_autoptr(GPtrArray) atts = NULL, tables = NULL;
    char a[VNS_IP_PREFIX_STRLEN];

    t->attach = g_array_new(FALSE, TRUE, sizeof(TgwAttach));
    g_array_set_clear_func(t->attach, tgw_attach_clear);
    t->tables = g_array_new(FALSE, TRUE, sizeof(TgwTable));
    g_array_set_clear_func(t->tables, tgw_table_clear);
    if (cfg == NULL) {
        g_set_error(error, VNS_CONFIG_ERROR, VNS_CONFIG_ERROR_MISSING,
                    "transit gateway '%s' has no configuration", self->name);
        return false;
    }
    atts = vns_config_children(cfg, "attachment");
    tables = vns_config_children(cfg, "route-table");
    for (guint i = 0; i < atts->len; i++) {
        const VnsConfig *c = atts->pdata[i];
        TgwAttach x = { 0 };

        x.line = vns_config_line(c);
        x.rt = -1;
        g_array_append_val(t->attach, x);
        TgwAttach *xp = TGW_ATT(t, t->attach->len - 1);
        if (!vns_config_string(c, "vpc", &xp->vpc_name, error) ||
            !vns_config_string(c, "subnet", &xp->subnet_name, error))
            return false;
        if ((vns_config_has(c, "route-table") &&
             !vns_config_string(c, "route-table", &xp->rt_name, error)) ||
            (vns_config_has(c, "propagate") &&
             !vns_config_string(c, "propagate", &xp->propagate, error)))
            return false;
        if (tgw_find_attach(t, xp->vpc_name) != (int) i) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                             "<attachment> vpc '%s' is already attached, "
                             "expected one attachment per VPC", xp->vpc_name);
            return false;
        }
    }
    if (tables->len == 0) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_MISSING,
                         "<transit-gateway> '%s' has no <route-table>, "
                         "expected at least one", self->name);
        return false;
    }
    for (guint i = 0; i < tables->len; i++) {
        const VnsConfig *c = tables->pdata[i];
        g_autoptr(GPtrArray) routes = vns_config_children(c, "route");
        TgwTable x = { 0 };
        TgwTable *xp;

        x.line = vns_config_line(c);
        x.routes = g_array_new(FALSE, TRUE, sizeof(TgwRoute));
        x.lpm = vns_lpm_new(VNS_IP_V4);
        g_array_append_val(t->tables, x);
        xp = TGW_RT(t, t->tables->len - 1);
        if (!vns_config_string(c, "name", &xp->name, error))
            return false;
        for (guint k = 0; k + 1 < t->tables->len; k++) {
            if (strcmp(TGW_RT(t, k)->name, xp->name) == 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<route-table> name '%s' is already used, "
                                 "expected a unique name", xp->name);
                return false;
            }
        }
        for (guint j = 0; j < routes->len; j++) {
            const VnsConfig *rc = routes->pdata[j];
            g_autofree char *target = NULL;
            TgwRoute r = { 0 };
            bool present;
            uint32_t old;

            if (!vns_config_prefix(rc, "to", VNS_IP_PREFIX_STRICT, &r.to,
                                   &present, error) ||
                !vns_config_string(rc, "target", &target, error))
                return false;
            if (r.to.addr.family != VNS_IP_V4) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_BAD_VALUE,
                                 "<route> 'to' is an IPv6 prefix, expected "
                                 "IPv4 (the VPC model is IPv4 only)");
                return false;
            }
            r.attach = strcmp(target, "blackhole") == 0
                           ? -1 : tgw_find_attach(t, target);
            if (r.attach < 0 && strcmp(target, "blackhole") != 0) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_REFERENCE,
                                 "<route> 'target' is '%s', expected "
                                 "'blackhole' or the <vpc> of an "
                                 "<attachment>", target);
                return false;
            }
            if (vns_lpm_lookup_exact(xp->lpm, &r.to, &old)) {
                vns_config_error(error, rc, VNS_CONFIG_ERROR_DUPLICATE,
                                 "<route> to %s is already in route table "
                                 "'%s', expected one route per prefix",
                                 vns_ip_prefix_format(&r.to, a), xp->name);
                return false;
            }
            g_array_append_val(xp->routes, r);
            vns_lpm_insert(xp->lpm, &r.to, xp->routes->len - 1);
        }
    }
    return true;
}

static int
tgw_find_table(const Tgw *t, const char *name)
{
    for (guint i = 0; i < t->tables->len; i++)
        if (strcmp(TGW_RT(t, i)->name, name) == 0)
            return (int) i;
    return -1;
}

/* Resolves the attached VPCs and their subnets and tables, and adds the
 * propagated routes (a static route to the same prefix stays). */
static bool
tgw_connect(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Tgw *t = (Tgw *) self;
    g_autoptr(GPtrArray) atts = vns_config_children(cfg, "attachment");

    for (guint i = 0; i < t->attach->len; i++) {
        TgwAttach *x = TGW_ATT(t, i);
        const VnsConfig *c = atts->pdata[i];
        VnsElement *e = vns_net_find(self->net, x->vpc_name);
        g_auto(GStrv) props = NULL;

        if (e == NULL || e->ops != &vns_vpc_ops) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                             "<attachment> 'vpc' is '%s', expected the name "
                             "of a <vpc>", x->vpc_name);
            return false;
        }
        x->vpc = (Vpc *) e;
        x->subnet = VPC_FIND(x->vpc->subnets, VpcSubnet, x->subnet_name);
        if (x->subnet < 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                             "<attachment> 'subnet' is '%s', which names no "
                             "<subnet> of <vpc> '%s'", x->subnet_name,
                             x->vpc_name);
            return false;
        }
        x->rt = x->rt_name != NULL ? tgw_find_table(t, x->rt_name) : 0;
        if (x->rt < 0) {
            vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                             "<attachment> 'route-table' is '%s', which names "
                             "no <route-table> of the transit gateway",
                             x->rt_name);
            return false;
        }
        props = x->propagate != NULL ? g_strsplit(x->propagate, ",", -1)
                                     : g_strsplit(TGW_RT(t, x->rt)->name, ",", -1);
        for (size_t k = 0; props[k] != NULL; k++) {
            const char *n = g_strstrip(props[k]);
            TgwRoute r = { .to = x->vpc->cidr, .attach = (int) i,
                           .propagated = true };
            int ti;
            TgwTable *tt;
            uint32_t old;

            if (n[0] == '\0')
                continue;
            ti = tgw_find_table(t, n);
            if (ti < 0) {
                vns_config_error(error, c, VNS_CONFIG_ERROR_REFERENCE,
                                 "<attachment> 'propagate' names '%s', which "
                                 "is no <route-table> of the transit gateway",
                                 n);
                return false;
            }
            tt = TGW_RT(t, ti);
            if (vns_lpm_lookup_exact(tt->lpm, &r.to, &old))
                continue;
            g_array_append_val(tt->routes, r);
            vns_lpm_insert(tt->lpm, &r.to, tt->routes->len - 1);
        }
    }
    return true;
}

static void
tgw_stats(VnsElement *self, VnsReport *report)
{
    Tgw *t = (Tgw *) self;

    vns_report_row(report, "transit_gateways", self->name);
    vns_report_int(report, "forwarded", (int64_t) t->forwarded);
    vns_report_int(report, "blackholed", (int64_t) t->blackholed);
    vns_report_int(report, "no_route", (int64_t) t->no_route);
    for (guint i = 0; i < t->attach->len; i++) {
        const TgwAttach *x = TGW_ATT(t, i);
        g_autofree char *row = g_strdup_printf("%s:%s", self->name, x->vpc_name);

        vns_report_row(report, "transit_gateway_attachments", row);
        vns_report_int(report, "packets_in", (int64_t) x->pkts[VPC_IN]);
        vns_report_int(report, "bytes_in", (int64_t) x->bytes[VPC_IN]);
        vns_report_int(report, "packets_out", (int64_t) x->pkts[VPC_OUT]);
        vns_report_int(report, "bytes_out", (int64_t) x->bytes[VPC_OUT]);
    }
}

static void
tgw_reset(VnsElement *self)
{
    Tgw *t = (Tgw *) self;

    t->forwarded = t->blackholed = t->no_route = 0;
    for (guint i = 0; i < t->attach->len; i++) {
        memset(TGW_ATT(t, i)->pkts, 0, sizeof TGW_ATT(t, i)->pkts);
        memset(TGW_ATT(t, i)->bytes, 0, sizeof TGW_ATT(t, i)->bytes);
    }
}

static void
tgw_free(VnsElement *self)
{
    Tgw *t = (Tgw *) self;

    if (t->attach != NULL)
        g_array_free(t->attach, TRUE);
    if (t->tables != NULL)
        g_array_free(t->tables, TRUE);
}

const VnsElementOps vns_transit_gateway_ops = {
    .type = "transit-gateway",
    .spec = &tgw_spec,
    .instance_size = sizeof(Tgw),
    .create = tgw_create,
    .connect = tgw_connect,
    .reset = tgw_reset,
    .stats = tgw_stats,
    .free = tgw_free,
};
