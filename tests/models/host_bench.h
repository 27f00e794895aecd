/* Shared by the host, ECMP and bridge tests (tests/models/test_host.c,
 * test_ecmp.c, test_bridge.c): short names for the shared test end and
 * bench of models_test.h, and IP packet builders. */
#ifndef VNS_TEST_HOST_BENCH_H
#define VNS_TEST_HOST_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "net/element.h"
#include "net/proto.h"
#include "topo/loader.h"
#include "tests/models/models_test.h"

/* The test application is the shared test end (models_test.h). */
typedef TestEnd TestApp;
typedef TestBench Bench;

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
