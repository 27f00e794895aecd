/* Applications on hosts, as traffic builders attach them: finding a host
 * and its address through the addresses its ports advertise, the ports
 * applications have bound, Linux's ephemeral port choice, and joining an
 * application element to a new "app:NAME" port of its host. Shared by
 * every traffic builder (UDP flows, TCP flows); messages name the
 * builder's XML element. */
#ifndef VNS_APP_H
#define VNS_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <gsl/gsl_rng.h>
#include "net/element.h"

/* Linux's default ephemeral range, /proc/sys/net/ipv4/ip_local_port_range
 * = "32768 60999". */
#define VNS_EPHEMERAL_MIN 32768
#define VNS_EPHEMERAL_MAX 60999

const VnsIpAddr *vns_app_port_addr(const VnsPort *port, VnsIpFamily family);
bool vns_app_resolve_host(VnsNet *net, const VnsConfig *cfg, const char *attr,
                          const char *ref, VnsIpFamily family, VnsElement **host,
                          VnsIpAddr *addr, GError **error);
VnsElement *vns_app_find_owner(VnsNet *net, const VnsIpAddr *addr);
bool vns_app_port_bound(const VnsElement *host, uint8_t proto, uint16_t port);
bool vns_app_read_port(const VnsConfig *cfg, const char *attr, uint16_t *out,
                       GError **error);
uint16_t vns_app_ephemeral_port(const VnsElement *host, uint8_t proto,
                                uint16_t avoid, gsl_rng *rng);
VnsElement *vns_app_add(VnsNet *net, const VnsConfig *cfg,
                        const VnsElementOps *ops, const char *name,
                        GError **error);
/* Whether 'port' is an application's port or its host's side of one. */
bool vns_app_port_is_app(const VnsPort *port);
/* The same with the host's port named "app:NAME" after 'name'. */
bool vns_app_attach_named(const VnsConfig *cfg, VnsElement *host, VnsPort *app,
                          const char *name, GError **error);
bool vns_app_attach(const VnsConfig *cfg, VnsElement *host, VnsPort *app,
                    GError **error);

bool vns_app_check_window(const VnsConfig *cfg, VnsTime start, VnsTime stop,
                          GError **error);
bool vns_app_flow_family(const VnsConfig *cfg, const char *to,
                         VnsIpFamily *family, VnsIpAddr *literal,
                         GError **error);

#endif
