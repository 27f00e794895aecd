/* Tests of the request/response application <tcp-rr>
 * (models/apps/tcp_rr.c) against closed forms: the completion time of one
 * request on an idle two-host link (handshake, request, service,
 * response, each from serialization and propagation), the closed loop on
 * a persistent connection, and the server's queue against the
 * Pollaczek-Khinchine mean waiting time of an M/D/1 queue, the operational
 * laws in a closed loop, path MTU from the server, a connection that never
 * opens, and the builder's input checks. */
#include <config.h>
#include <math.h>
#include <criterion/criterion.h>
#include "models/link/p2p.h"
#include "net/config.h"
#include "sim/time.h"
#include "tests/models/models_test.h"

#define RR_TABLE "flows"

static double
rr_num(const VnsReport *r, const char *key)
{
    return models_test_num(r, RR_TABLE, "rr", key);
}

/* Line time of a frame carrying an IP packet of 'ip' bytes on 'rate_bps'
 * (IEEE 802.3: + 14 header + 4 FCS, at least 64, + 8 preamble/SFD + 12
 * inter-frame gap), in seconds. */
static double
rr_tx(uint32_t ip, uint64_t rate_bps)
{
    return vns_time_to_s(vns_time_tx(vns_p2p_wire_size(ip + 14), rate_bps));
}

static void
rr_check_new_connection(const char *family, uint32_t ip_hdr)
{
    /* ok-tcp-rr.xml: 100 Mbit/s, d = 1 ms, a request every 100 ms
     * (fixed), each on a new connection: 100-byte request, 1000-byte
     * response, 5 ms of service, one worker. Requests never overlap, so
     * with S = the SYN's IP size (IP header + 20 + 12 option bytes, as in
     * tcp/handshake_and_teardown_are_exact_ipv4), A = a bare ACK (IP +
     * 20), Q = the request segment (A + 100), P = the response segment
     * (A + 1000, its FIN on it) and T(x) its line time:
     *   t0                     the request arrives; the client sends SYN
     *   t1 = t0 + 2 (T(S) + d)   SYN-ACK in (it is as large as the SYN):
     *                          set-up time = t1 - t0; the client sends
     *                          the ACK and, behind it, the request
     *   t2 = t1 + T(A) + T(Q) + d   the request is at the server, whose
     *                          one worker is free: it serves for 5 ms
     *   t3 = t2 + 5 ms + T(P) + d   the response is at the client.
     * completion = t3 - t0 (IPv4: 9.1216 ms). The server closes first
     * (FIN on the response), so TIME-WAIT stays on the server, and the
     * client's next SYN from the same port (one connection slot) recycles
     * it. */
    g_autofree char *fam = g_strdup_printf("family=%s", family);
    const char *sets[] = { "connections=new", "reqrate=10", "arrival=fixed",
                           "duration=1.95s", fam, NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr.xml", sets, 0);
    const uint64_t rate = 100000000;
    const double d = 1e-3, svc = 5e-3;
    double setup = 2 * (rr_tx(ip_hdr + 32, rate) + d);
    double completion = setup + rr_tx(ip_hdr + 20, rate) + rr_tx(ip_hdr + 120, rate) + d +
                        svc + rr_tx(ip_hdr + 1020, rate) + d;

    /* Arrivals at 0, 0.1, ..., 1.9 s: 20 requests in 1.95 s. */
    cr_assert_eq(rr_num(r, "requests_issued"), 20, "%s", family);
    cr_assert_eq(rr_num(r, "requests_done"), 20);
    cr_assert_eq(rr_num(r, "requests_failed"), 0);
    cr_assert_eq(rr_num(r, "connects"), 20);
    cr_assert_eq(rr_num(r, "retransmissions"), 0);
    /* The mean is exact (the histogram keeps the sum in picoseconds);
     * every request takes the same time, so the max is within the
     * histogram's relative error (2^-8) of it. */
    cr_assert_float_eq(rr_num(r, "completion_mean_s"), completion, 1e-12,
                       "%s: completion %.9f s, expected %.9f", family,
                       rr_num(r, "completion_mean_s"), completion);
    cr_assert_float_eq(rr_num(r, "setup_mean_s"), setup, 1e-12);
    cr_assert(fabs(rr_num(r, "completion_max_s") - completion) <= completion / 256);
    cr_assert_float_eq(rr_num(r, "server_wait_mean_s"), 0, 1e-15);
}

Test(tcp_rr, new_connection_completion_is_handshake_transfers_and_service)
{
    rr_check_new_connection("ipv4", 20);
    rr_check_new_connection("ipv6", 40);
}

Test(tcp_rr, closed_loop_on_a_persistent_connection)
{
    /* ok-tcp-rr-closed.xml: one persistent connection, the next request as
     * soon as the previous response is in (netperf TCP_RR). After the
     * handshake each request takes T(Q) + d (request) + 5 ms (service) +
     * T(P) + d (response), the ACKs riding on the data of the other
     * direction: no delayed-ACK timer is ever due. The request rate is
     * its inverse, over the 2 s after a 100 ms warm-up (to within the
     * one request in progress at each end of the window). */
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr-closed.xml", NULL, 0);
    const uint64_t rate = 100000000;
    double each = rr_tx(140, rate) + 1e-3 + 5e-3 + rr_tx(1040, rate) + 1e-3;
    double n = rr_num(r, "requests_done");

    cr_assert_float_eq(rr_num(r, "completion_mean_s"), each, 1e-12,
                       "completion %.9f s, expected %.9f", rr_num(r, "completion_mean_s"), each);
    cr_assert(fabs(n - 2.0 / each) <= 1.0, "%g requests, expected %g", n, 2.0 / each);
    cr_assert_eq(rr_num(r, "requests_failed"), 0);
    cr_assert_eq(rr_num(r, "retransmissions"), 0);
    cr_assert_eq(rr_num(r, "connects"), 0);    /* opened before the warm-up ended */
}

Test(tcp_rr, server_queue_matches_pollaczek_khinchine_md1)
{
    /* Poisson arrivals at lambda = 500/s, a deterministic service of
     * D = 1 ms and one worker: rho = 0.5. Pollaczek-Khinchine (Kleinrock,
     * Queueing Systems vol. 1, 1975, eq. 5.105): the mean wait in queue
     * is W = lambda E[S^2] / (2 (1 - rho)) = lambda D^2 / (2 (1 - rho)) =
     * 0.5 ms. The requests cross a 1 Gbit/s link (a 140-byte segment
     * takes 1.5 us), which barely changes the Poisson arrival process, on
     * 64 persistent connections (one is almost always free).
     *
     * Run length: 5 replications of 60 s, about 30 000 requests each. The
     * waits of an M/D/1 queue at rho = 0.5 have a standard deviation of
     * sqrt(E[W^2] - W^2) = 0.76 ms (E[W^2] = 2 W^2 + lambda E[S^3] / (3
     * (1 - rho)), Kleinrock eq. 5.114), and successive waits are
     * correlated: the replications' own spread measures the error of
     * their mean. Required: the grand mean within 4 standard errors of
     * W, and within 5% of it. The completion time adds D, the transfers
     * and 2 d to the wait. */
    const double lambda = 500, svc = 1e-3, rho = lambda * svc;
    const double w = lambda * svc * svc / (2 * (1 - rho));
    const int reps = 5;
    const char *sets[] = { "connections=persistent", "conns=64", "reqrate=500",
                           "arrival=poisson", "service=1ms", "rate=1Gbps",
                           "duration=60s", "warmup=1s", NULL };
    double x[5], sum = 0, ss = 0, mean, se, net = 0;

    for (int i = 0; i < reps; i++) {
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr.xml", sets, (uint32_t) i);
        x[i] = rr_num(r, "server_wait_mean_s");
        sum += x[i];
        cr_assert_eq(rr_num(r, "requests_failed"), 0);
        cr_assert(rr_num(r, "requests_done") > 0.98 * lambda * 60);
        net = rr_num(r, "completion_mean_s") - x[i] - svc;
    }
    mean = sum / reps;
    for (int i = 0; i < reps; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    se = sqrt(ss / (reps - 1) / reps);
    cr_log_info("M/D/1: mean wait %.6f ms (se %.6f ms), Pollaczek-Khinchine %.6f ms",
                mean * 1e3, se * 1e3, w * 1e3);
    cr_assert(fabs(mean - w) <= 4 * se + 1e-9 && fabs(mean - w) <= 0.05 * w,
              "mean wait %.6f ms (se %.6f ms), Pollaczek-Khinchine %.6f ms",
              mean * 1e3, se * 1e3, w * 1e3);
    /* The rest of the completion time: two 1 ms propagation delays and
     * the two transfers (a few microseconds, plus the rare wait for a
     * free connection). */
    cr_assert(net >= 2e-3 && net <= 2.05e-3, "network part %.6f s", net);
}

Test(tcp_rr, closed_loop_throughput_is_workers_over_service_time)
{
    /* ok-tcp-rr-closed.xml with 8 connections in a closed loop and a
     * 10 ms service: the server is the bottleneck (the network adds about
     * 2.1 ms per request, far less than the 8 x 10 ms of work the
     * connections keep queued), so its workers are never idle. By the
     * operational laws (Denning and Buzen, "The operational analysis of
     * queueing network models", Computing Surveys 10(3), 1978): throughput
     * X = c / S = 100 c requests/s for c workers, and Little's law gives
     * the completion time R = N / X = 8 / (100 c) s. Measured over 2 s:
     * within one request of 2 X, and R within 1%. */
    for (int c = 1; c <= 2; c++) {
        g_autofree char *w = g_strdup_printf("workers=%d", c);
        const char *sets[] = { "conns=8", "service=10ms", w, NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr-closed.xml", sets, 0);
        double x = 100.0 * c, n = rr_num(r, "requests_done");
        double resp = rr_num(r, "completion_mean_s");

        cr_assert(fabs(n - 2 * x) <= 1, "%d workers: %g requests in 2 s, expected %g",
                  c, n, 2 * x);
        cr_assert(fabs(resp - 8 / x) <= 0.01 * 8 / x, "%d workers: R %.6f s, expected %.6f",
                  c, resp, 8 / x);
        cr_assert_eq(rr_num(r, "requests_failed"), 0);
    }
}


Test(tcp_rr, a_connection_that_never_opens_fails_its_request)
{
    /* Every frame lost (link loss 1): the one request (rate 1/200 s, the
     * next arrival is after the 150 s run) sends SYNs at 0, 1, 3, 7, 15,
     * 31 and 63 s (initial RTO 1 s doubling, RFC 6298 sections 2.1 and
     * 5.5); after tcp_syn_retries = 6 the client gives up at 127 s (Linux:
     * ETIMEDOUT), so the request fails and no completion is recorded. */
    const char *sets[] = { "connections=new", "reqrate=0.005", "arrival=fixed",
                           "loss=1", "duration=150s", NULL };
    g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr.xml", sets, 0);

    cr_assert_eq(rr_num(r, "requests_issued"), 1);
    cr_assert_eq(rr_num(r, "requests_done"), 0);
    cr_assert_eq(rr_num(r, "requests_failed"), 1);
    cr_assert_eq(rr_num(r, "connects_failed"), 1);
    cr_assert_eq(rr_num(r, "connects"), 0);
    cr_assert_eq(rr_num(r, "timeouts"), 7);
    cr_assert_eq(rr_num(r, "timed_out"), 1);
    cr_assert(isnan(rr_num(r, "completion_mean_s")));
}

Test(tcp_rr, the_server_learns_the_path_mtu_once)
{
    /* ok-tcp-rr-pmtu.xml: the server on h1 sends 100 kB responses through
     * r1, whose next link carries 1400 bytes, to a client on h2; a new
     * connection every 50 ms for 5 s (100 requests). The first response's
     * initial window (10 segments of 1460 / 1440 bytes) draws 10 ICMP
     * errors (RFC 1191, RFC 8201) and is resent in 11 smaller segments;
     * h1 caches the path MTU (Linux: 600 s, net.ipv4.route.mtu_expires),
     * so every later connection starts with MSS 1360 / 1340 and nothing is
     * resent again. */
    static const char *const families[] = { "family=ipv4", "family=ipv6" };

    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        const char *sets[] = { families[i], NULL };
        g_autoptr(VnsReport) r = models_test_run("ok-tcp-rr-pmtu.xml", sets, 0);

        cr_assert_eq(rr_num(r, "requests_done"), 100, "%s", families[i]);
        cr_assert_eq(rr_num(r, "requests_failed"), 0);
        cr_assert_eq(rr_num(r, "server_retransmissions"), 11, "%s", families[i]);
        cr_assert_eq(rr_num(r, "server_timeouts"), 0);
        cr_assert_eq(models_test_num(r, "hosts", "r1", "icmp_errors_sent"), 10);
        cr_assert_eq(models_test_num(r, "hosts", "h1", "pmtu_updates"), 1);
    }
}

Test(tcp_rr, bad_applications_are_refused_with_file_and_line)
{
    static const struct {
        const char *file;
        int code;
        const char *says;       /* part of the message */
    } bad[] = {
        { "bad-tcp-rr-no-rate.xml", VNS_CONFIG_ERROR_MISSING, "lacks 'rate'" },
        { "bad-tcp-rr-size.xml", VNS_CONFIG_ERROR_BAD_VALUE, "'request' is '0'" },
        { "bad-tcp-rr-rate.xml", VNS_CONFIG_ERROR_BAD_VALUE, "'rate' is -5" },
    };

    /* Every error is on the <tcp-rr> element's line, 5. */
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_free(models_test_bad_build(bad[i].file, 5, bad[i].code, bad[i].says));
}
