/* Shared by the host and ECMP tests (tests/models/test_host.c,
 * test_ecmp.c): a test application that records what it receives and
 * sends packets at given times, attached to a host the way traffic
 * builders do ("app:<name>" ports); packet builders; and a bench that
 * loads a topology from tests/data through the real loader. */
#ifndef VNS_TEST_HOST_BENCH_H
#define VNS_TEST_HOST_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "net/element.h"
#include "net/proto.h"
#include "topo/loader.h"

/* What the application saw of one packet. */
typedef struct {
    VnsTime at;             /* arrival time */
    VnsTime latency;        /* at - t_created */
    uint32_t size;          /* vns_packet_size() */
    uint32_t len;           /* header bytes stored (copied to hdr) */
    uint8_t hdr[256];       /* the first stored bytes, IP header first */
} TestRx;

typedef struct {
    VnsElement base;
    VnsPort *port;          /* its one port, joined to the host */
    GArray *rx;             /* of TestRx */
} TestApp;

typedef struct {
    VnsSim *sim;
    VnsNet *net;
    VnsRegistry *reg;
} Bench;

TestApp *app_attach(VnsNet *net, const char *host, const char *name,
                    uint8_t proto, uint16_t port);
void app_send_at(TestApp *app, VnsTime at, VnsPacket *pkt);
uint32_t ip4(const char *text);
VnsIp6 ip6(const char *text);
VnsPacket *udp4(VnsNet *net, const char *src, const char *dst, uint16_t sport,
                uint16_t dport, uint32_t payload, uint8_t ttl, bool df);
VnsPacket *udp6(VnsNet *net, const char *src, const char *dst, uint16_t sport,
                uint16_t dport, uint32_t payload, uint8_t hops);
VnsPacket *echo4(VnsNet *net, const char *src, const char *dst, uint16_t id);
bool bench_load(Bench *b, const char *file, const char *const *set,
                GError **error);
void bench_open(Bench *b, const char *file, const char *const *set);
void bench_start(Bench *b);
void bench_finish(Bench *b);
int64_t host_stat(Bench *b, const char *host, const char *key);
uint64_t drops(Bench *b, const char *element, VnsDropCause cause);
const TestRx *rx(const TestApp *app, guint i);

#endif
