/* The <tcp-flow> traffic construct: one bulk TCP transfer from a client
 * application on one host to a server application on another, expanded
 * into endpoints "<name>.client" on the sending host and "<name>.server"
 * on the receiving host (tcp_endpoint.h). doc/models/tcp.md documents the
 * XML and the metrics. */
#ifndef VNS_TCP_FLOW_H
#define VNS_TCP_FLOW_H

#include <stdbool.h>
#include "models/transport/tcp_endpoint.h"
#include "topo/registry.h"

/* The attributes every TCP application construct shares (<tcp-flow>,
 * <tcp-rr>): put this in the construct's VnsAttrSpec table. */
#define VNS_TCP_COMMON_ATTRS \
    { "cc", VNS_ATTR_ENUM, false, "cubic", NULL, \
      "Congestion control of the senders (a <tcp-flow>'s client, both ends " \
      "of a <tcp-rr>): cubic (RFC 9438; Linux's default, " \
      "net.ipv4.tcp_congestion_control) or newreno (RFC 5681, RFC 6582).", \
      "cubic|newreno" }, \
    { "mtu", VNS_ATTR_UINT, false, "1500", "bytes", \
      "The largest MTU the endpoints derive their MSS option from (MTU - 40 " \
      "over IPv4, - 60 over IPv6, RFC 9293 section 3.7.1 and RFC 8200); " \
      "the MTU used is the smaller of this and the host's path MTU to the " \
      "peer (the route's interface MTU, lowered by ICMP), as Linux takes " \
      "the MSS from the route. Default 1500, Ethernet's (RFC 894).", \
      NULL, 88, 65535 }, \
    { "rcvbuf", VNS_ATTR_UINT, false, "131072", "bytes", \
      "Receive buffer of both endpoints, the largest window they advertise. " \
      "Default 131072, Linux's net.ipv4.tcp_rmem default " \
      "(Documentation/networking/ip-sysctl.rst); autotuning is not " \
      "modelled. At least 4096, tcp_rmem's minimum; at most 2^30, the " \
      "largest window scaling reaches (RFC 7323 section 2.3).", \
      NULL, 4096, 1073725440 }, \
    { "wscale", VNS_ATTR_BOOL, false, "true", NULL, \
      "Offer window scaling (RFC 7323); Linux's net.ipv4.tcp_window_scaling " \
      "default 1." }, \
    { "sack", VNS_ATTR_BOOL, false, "true", NULL, \
      "Offer selective acknowledgments (RFC 2018) and recover from loss " \
      "by them (RFC 6675); Linux's net.ipv4.tcp_sack default 1. false: " \
      "NewReno recovery (RFC 6582) from cumulative ACKs only." }, \
    { "mtu-probing", VNS_ATTR_BOOL, false, "false", NULL, \
      "Packetization-layer path MTU discovery (RFC 4821) after a suspected " \
      "black hole: Linux's net.ipv4.tcp_mtu_probing = 1 (default 0, off). " \
      "After tcp_retries1 = 3 timeouts without progress the MSS falls to " \
      "tcp_base_mss = 1024, then halves on each further timeout." },

bool vns_tcp_app_read(VnsNet *net, const VnsConfig *cfg, VnsTcpConf *conf,
                      VnsElement **src_host, VnsElement **dst_host,
                      GError **error);

extern const VnsBuilder vns_tcp_flow_builder;

#endif
