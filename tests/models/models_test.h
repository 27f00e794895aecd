/* Shared helpers of the model tests: load an experiment of tests/data,
 * build it, run it the way the runner does (warm-up, reset, run, stop,
 * stats) and read numbers from its report. New model tests use these
 * instead of their own copies. */
#ifndef VNS_MODELS_TEST_H
#define VNS_MODELS_TEST_H

#include "exp/experiment.h"
#include "net/element.h"
#include "out/report.h"
#include "topo/registry.h"

/* Loads tests/data/'file' with the "--set" strings 'sets' (NULL-ended, or
 * NULL) and builds it into a new network seeded for replication 'rep'.
 * The caller frees the experiment and registry after the network. */
VnsNet *models_test_build(const char *file, const char *const *sets,
                          uint32_t rep, VnsExperiment **exp_out,
                          VnsRegistry **reg_out);
/* Builds and runs tests/data/'file' to its end and returns the report
 * (owned). Checks that every packet went back to the pool. */
VnsReport *models_test_run(const char *file, const char *const *sets,
                           uint32_t rep);
/* Loads tests/data/'file' and runs its replication 0 writing its output
 * files into 'dir' (vns_experiment_run_into()); returns the report
 * (owned). */
VnsReport *models_test_run_into(const char *file, const char *dir);
/* The number 'key' of row 'row' in table 'table'; fails the test when
 * there is none. */
double models_test_num(const VnsReport *report, const char *table,
                       const char *row, const char *key);
/* Loading tests/data/'file' as an experiment works but building it fails
 * with config error 'code' and a message that starts with
 * "<path>:<line>: " and contains 'part'. Returns the message (owned). */
char *models_test_bad_build(const char *file, int line, int code,
                            const char *part);

/* ---- A raw test element --------------------------------------------------
 * An element with ports joined straight to the element under test: it
 * sends prebuilt frames or packets at given times and records what it
 * receives, with times and bytes. */

/* What a test end saw of one packet. */
typedef struct {
    VnsTime at;             /* arrival time */
    VnsTime latency;        /* at - t_created */
    uint16_t port;          /* index of the end's port it arrived on */
    uint32_t size;          /* vns_packet_size() */
    uint32_t payload_len;   /* unstored payload bytes */
    uint32_t len;           /* bytes stored (copied to hdr) */
    uint64_t tun_id;        /* tunnel metadata */
    bool tun_valid;
    uint32_t flow_id;       /* flow metadata */
    uint64_t flow_seq;
    uint8_t hdr[256];       /* the first stored bytes */
} TestRx;

typedef struct TestEnd TestEnd;
/* Called with each received packet after it is recorded and before it is
 * freed (e.g. to parse or answer it). */
typedef void (*TestEndHook)(TestEnd *end, VnsPacket *pkt, const TestRx *r,
                            void *data);

struct TestEnd {
    VnsElement base;
    VnsPort *port;          /* its first port */
    GArray *rx;             /* of TestRx */
    TestEndHook hook;       /* NULL: none */
    void *hook_data;
    GDestroyNotify hook_free;   /* frees hook_data with the element */
};

/* A new test end named 'name' in 'net' with one port 'port' (NULL: none),
 * joined to 'peer' unless NULL. */
TestEnd *test_end_new(VnsNet *net, const char *name, const char *port,
                      VnsPort *peer);
/* Adds a port named 'port' to 'e', joined to 'peer'. */
VnsPort *test_end_add_port(TestEnd *e, const char *port, VnsPort *peer);
/* Attaches a test end named 'name' to host 'host' as a traffic builder
 * does: a port "app:<name>" on the host joined to the end's "ip" port,
 * which advertises (proto, l4port). */
TestEnd *test_end_attach(VnsNet *net, const char *host, const char *name,
                         uint8_t proto, uint16_t l4port);
/* Has 'e' send 'pkt' (taken) from its port 'port' (NULL: its first) at
 * time 'at'; the packet's t_created is set to the sending time. */
void test_end_send_at(TestEnd *e, VnsPort *port, VnsTime at, VnsPacket *pkt);
/* The i-th packet received (checked to exist). */
const TestRx *test_end_rx(const TestEnd *e, guint i);
/* Writes what 'e' received (stored bytes, then the unstored payload as
 * zeros) to a new classic pcap file 'path', Ethernet link type. */
void test_end_write_pcap(const TestEnd *e, const char *path);
/* Packets received on the port with index 'port' and the k-th of them. */
guint test_end_count_on(const TestEnd *e, uint16_t port);
const TestRx *test_end_rx_on(const TestEnd *e, uint16_t port, guint k);

/* Writes 'text' to a new file in the temporary directory named after
 * 'tmpl' (with "XXXXXX" in it) and returns its path (owned). */
char *test_tmp_file(const char *tmpl, const char *text);

/* ---- A topology of tests/data, built by hand ----------------------------- */

typedef struct {
    VnsSim *sim;
    VnsNet *net;
    VnsRegistry *reg;
    TestEnd *end[8];        /* test ends a test joins, by its own numbering */
} TestBench;

/* Loads tests/data/'file' (or 'file' itself when it is an absolute path)
 * with parameters 'set' ("name", "value", ...,
 * NULL) through the real loader into a new network (seed 1, replication
 * 0). Returns false with 'error' set on failure; 'b' must still be
 * finished. */
bool test_bench_load(TestBench *b, const char *file, const char *const *set,
                     GError **error);
/* The same, failing the test on error. */
void test_bench_open(TestBench *b, const char *file, const char *const *set);
void test_bench_start(TestBench *b);
/* Ends the run, frees the simulator, checks that no packet is left out of
 * the pool, then frees the rest. */
void test_bench_finish(TestBench *b);
/* The element 'name' (checked to exist). */
VnsElement *test_bench_find(TestBench *b, const char *name);
/* A number of the network's results, from a fresh report: the field
 * (checked to be a number), an integer field as int64 (checked to be one),
 * any number as a double. */
VnsField test_bench_field(TestBench *b, const char *table, const char *row,
                          const char *key);
int64_t test_bench_int(TestBench *b, const char *table, const char *row,
                       const char *key);
double test_bench_num(TestBench *b, const char *table, const char *row,
                      const char *key);
/* The drops of 'element' with 'cause'. */
uint64_t test_bench_drops(TestBench *b, const char *element, VnsDropCause cause);
/* Loading and starting tests/data/'file' fails with config error 'code'
 * (any code when 'code' < 0) and a message that starts with
 * "<path>:<line>: " and contains 'part'. */
void test_bench_check_bad(const char *file, int line, int code, const char *part);
/* The same with parameters 'set' (as test_bench_load()). */
void test_bench_check_bad_set(const char *file, const char *const *set, int line,
                              int code, const char *part);

#endif
