/* Elements, ports and the network that holds them.
 *
 * The simulated network is a graph of elements (links, hosts, routers,
 * switches, tunnels, applications...) joined port to port. An element type
 * is a const VnsElementOps table; an instance embeds VnsElement first.
 * Ownership of packets moves with them: vns_port_send() and ops->receive()
 * take the packet, and the receiver must forward, queue or drop it. */
#ifndef VNS_ELEMENT_H
#define VNS_ELEMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "sim/sim.h"
#include "net/addr.h"
#include "net/config.h"
#include "net/drop.h"
#include "net/packet.h"
#include "out/report.h"

typedef struct VnsNet VnsNet;
typedef struct VnsElement VnsElement;
typedef struct VnsElementOps VnsElementOps;
typedef struct VnsNode VnsNode;

/* What an element advertises on a port to the element across it (read by
 * the peer after connection, e.g. a host learns its link's MTU). */
typedef struct {
    uint32_t mtu;           /* largest L3 packet, bytes; 0 = unknown */
    uint64_t rate_bps;      /* line rate, 0 = unknown */
    uint8_t l4_proto;       /* an application's bound protocol (17 UDP) */
    uint16_t l4_port;       /* and its bound port, host order; 0 = none */
    VnsMac mac;             /* an interface's MAC; zero = none */
    VnsIpAddr addr4;        /* an interface's first IPv4 address, or NONE */
    VnsIpAddr addr6;        /* an interface's first IPv6 address, or NONE */
    uint8_t prefix4, prefix6;   /* their prefix lengths */
    uint32_t gso_max_size;  /* largest TCP packet (IP header included) the
                             * port takes and segments itself (TSO/GSO),
                             * bytes; 0 = no offload: the MTU rule holds.
                             * Linux: GSO_MAX_SIZE 65536 (netdevice.h) */
} VnsPortInfo;

/* A tap sees every packet that crosses a port, in either direction, before
 * the receiver gets it (captures, flow logs). It must not keep or change
 * the packet. 'outgoing' is true for packets sent by the port's owner. */
typedef struct VnsPortTap VnsPortTap;
typedef struct VnsPort VnsPort;
struct VnsPortTap {
    void (*seen)(VnsPortTap *tap, const VnsPort *port,
                 const VnsPacket *pkt, bool outgoing);
    VnsPortTap *next;       /* further taps on the same port */
};

struct VnsPort {
    VnsElement *owner;
    VnsPort *peer;   /* the connected port, NULL when unconnected */
    char *name;             /* unique within the owner, e.g. "eth0" */
    uint16_t index;         /* position in owner->ports */
    VnsPortInfo info;
    uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes;
    VnsPortTap *taps;       /* borrowed; NULL when none (the common case) */
};

struct VnsElement {
    const VnsElementOps *ops;
    VnsNet *net;            /* borrowed */
    VnsSim *sim;            /* borrowed, = the network's */
    char *name;             /* unique in the network */
    VnsNode *node;          /* the node whose CPU it uses; may be NULL */
    GPtrArray *ports;       /* of VnsPort*, owned */
    gsl_rng *rng;           /* the element's stream, named after it */
    uint64_t drops[VNS_DROP_N_CAUSES];
};

struct VnsElementOps {
    const char *type;               /* XML element name */
    const VnsSpec *spec;            /* its XML element and attributes */
    size_t instance_size;           /* >= sizeof(VnsElement) */
    /* The name to use when the XML gives none (e.g. a link "h1-r1");
     * returns an owned string. NULL: the 'name' attribute is required. */
    char *(*default_name)(const VnsConfig *cfg);
    /* Reads the configuration and adds ports. Runs in document order, so
     * it may not look at other elements. Required. */
    bool (*create)(VnsElement *self, const VnsConfig *cfg, GError **error);
    /* Runs after every element exists: resolve references, connect ports.
     * May be NULL. */
    bool (*connect)(VnsElement *self, const VnsConfig *cfg, GError **error);
    /* Called when the run starts (time 0), after every connect. Schedules
     * the element's first events. May be NULL. */
    bool (*start)(VnsElement *self, GError **error);
    /* Takes 'pkt' arriving on port 'port'. Required for elements with
     * ports. */
    void (*receive)(VnsElement *self, VnsPacket *pkt, uint16_t port);
    /* Called at the end of warm-up: reset measurements. May be NULL. */
    void (*reset)(VnsElement *self);
    /* Called when the run ends: stop sources, release queued packets
     * (drop them with VNS_DROP_END_OF_RUN). May be NULL. */
    void (*stop)(VnsElement *self);
    /* Adds the element's results to 'report'. May be NULL. */
    void (*stats)(VnsElement *self, VnsReport *report);
    /* Releases what create/start allocated (not the instance). May be NULL. */
    void (*free)(VnsElement *self);
};

/* The simulated network: elements by name, the packet pool, flows. */
VnsNet *vns_net_new(VnsSim *sim);
void vns_net_free(VnsNet *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsNet, vns_net_free)

VnsSim *vns_net_sim(const VnsNet *net);
VnsPacketPool *vns_net_pool(const VnsNet *net);

/* Creates an element of type 'ops' named 'name' from 'cfg' (may be NULL for
 * elements made by code). Returns the element (borrowed: the net owns it). */
VnsElement *vns_net_add(VnsNet *net, const VnsElementOps *ops, const char *name,
                        const VnsConfig *cfg, GError **error);
VnsElement *vns_net_find(const VnsNet *net, const char *name);
/* Looks up "element:port"; with no ":port", the element's only port. */
VnsPort *vns_net_find_port(const VnsNet *net, const char *ref, GError **error);
/* The port a reference attribute ("element:port") of 'cfg' names, and
 * joining 'port' to it; errors carry file:line and the attribute. */
VnsPort *vns_config_port(const VnsConfig *cfg, const VnsNet *net,
                         const char *attr, GError **error);
bool vns_config_connect(const VnsConfig *cfg, VnsPort *port, const char *attr,
                        GError **error);
/* The CPU of the element named 'name' (host, router, hypervisor...). */
VnsNode *vns_net_find_node(const VnsNet *net, const char *name, GError **error);
/* From ops->connect: the optional attribute 'attr' (conventionally "node")
 * names the element whose CPU this element is charged to. */
bool vns_element_use_node(VnsElement *self, const VnsConfig *cfg,
                          const char *attr, GError **error);
guint vns_net_n_elements(const VnsNet *net);
VnsElement *vns_net_element(const VnsNet *net, guint i);

bool vns_net_start(VnsNet *net, GError **error);
void vns_net_reset(VnsNet *net);
void vns_net_stop(VnsNet *net);
void vns_net_stats(VnsNet *net, VnsReport *report);

/* Where elements write files during a run (captures); NULL: nowhere,
 * e.g. while validating. The string is copied. */
void vns_net_set_output_dir(VnsNet *net, const char *dir);
const char *vns_net_output_dir(const VnsNet *net);

/* Registers a flow name; returns its id (1, 2, ...). */
uint32_t vns_net_flow_register(VnsNet *net, const char *name);
const char *vns_net_flow_name(const VnsNet *net, uint32_t flow_id);
uint32_t vns_net_n_flows(const VnsNet *net);

void vns_net_add_node(VnsNet *net, VnsNode *node);

/* Adds a port to 'self' and returns it (borrowed). */
VnsPort *vns_element_add_port(VnsElement *self, const char *name);
VnsPort *vns_element_port(const VnsElement *self, uint16_t index);
VnsPort *vns_element_find_port(const VnsElement *self, const char *name);
static inline VnsTime
vns_element_now(const VnsElement *self)
{
    return vns_sim_now(self->sim);
}
gsl_rng *vns_element_rng(const VnsElement *self);

bool vns_port_connect(VnsPort *a, VnsPort *b, GError **error);
void vns_port_add_tap(VnsPort *port, VnsPortTap *tap);
void vns_port_send(VnsPort *port, VnsPacket *pkt);
void vns_packet_drop(VnsPacket *pkt, VnsElement *where, VnsDropCause cause);

#endif
