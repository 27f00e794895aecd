/* Tests of packet captures: the pcap writer (src/out/pcap.c) byte for byte
 * against the format's definition, and the <capture> builder
 * (models/capture) end to end, with Wireshark's tshark as the judge of the
 * files: every frame must decode without a malformed-packet mark, an
 * error or warning, or a bad IP or UDP checksum, and every length and
 * timestamp must be the one the simulated network implies.
 *
 * tshark is required: a test fails, not skips, when it is missing. */
#include <config.h>
#include <string.h>
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include "exp/experiment.h"
#include "models/capture/capture.h"
#include "models/models.h"
#include "net/element.h"
#include "out/pcap.h"
#include "out/resultdir.h"
#include "tests/common/tshark.h"
#include "tests/models/models_test.h"


/* The scenario of ok-capture-topo.xml / ok-capture-run.xml. */
#define CAPTURE_RATE1 1000000000        /* h1 - r1, bit/s */
#define CAPTURE_DELAY1 (10 * VNS_US)
#define CAPTURE_RATE2 100000000         /* r1 - h2, bit/s */
#define CAPTURE_DELAY2 (20 * VNS_US)
/* An ARP frame: 14-byte Ethernet header (IEEE 802.3 / RFC 894) + 28-byte
 * ARP packet for Ethernet and IPv4 (RFC 826: 8 + 2 x 6 + 2 x 4). */
#define CAPTURE_ARP_FRAME (14 + 28)
/* A datagram: 1000 bytes of payload + 8 UDP (RFC 768) + 20 IPv4 (RFC 791);
 * its frame adds the 14-byte Ethernet header. */
#define CAPTURE_PAYLOAD 1000
#define CAPTURE_IP_PACKET (20 + 8 + CAPTURE_PAYLOAD)
#define CAPTURE_UDP_FRAME (14 + CAPTURE_IP_PACKET)
#define CAPTURE_ETH_ARP 0x0806
#define CAPTURE_ETH_IPV4 0x0800

/* One frame as tshark decoded it. */
typedef struct {
    uint32_t len;               /* frame.len */
    uint32_t cap_len;           /* frame.cap_len */
    int64_t time_ns;            /* frame.time_epoch, in nanoseconds */
    uint32_t eth_type;          /* eth.type; 0 = none */
    uint32_t ip_len;            /* ip.len; 0 = none */
    uint32_t udp_len;           /* udp.length; 0 = none */
    uint32_t worst_expert;      /* highest _ws.expert.severity; 0 = none */
    char *experts;              /* their messages, for failure reports */
    bool malformed;             /* _ws.malformed present */
    uint32_t direction;         /* frame.packet_flags_direction; 0 = none */
    uint32_t arp_op;            /* arp.opcode; 0 = none */
    int ip_check;               /* ip.checksum.status: 0 bad, 1 good,
                                 * 2 unverified; -1 = no IPv4 header */
    int udp_check;              /* udp.checksum.status, the same way */
} Decoded;

/* One frame as the test expects it. */
typedef struct {
    VnsTime t;                  /* when it crosses the port, ps */
    uint32_t len;               /* frame bytes, no FCS */
    uint32_t eth_type;          /* 0 for raw IP */
    uint32_t arp_op;            /* 1 request, 2 reply (RFC 826); 0 = not ARP */
    uint32_t direction;         /* pcapng: 1 inbound, 2 outbound; 0 = none */
} Expected;

static void
decoded_clear(gpointer p)
{
    g_free(((Decoded *) p)->experts);
}

/* Parses a decimal "S.FFFFFFFFF" into nanoseconds; digits past the ninth
 * must be zero. */
static int64_t
capture_parse_ns(const char *text)
{
    const char *dot = strchr(text, '.');
    int64_t ns, scale = 100000000;

    cr_assert_not_null(dot, "time '%s'", text);
    ns = (int64_t) g_ascii_strtoll(text, NULL, 10) * 1000000000;
    for (const char *p = dot + 1; *p != '\0'; p++) {
        cr_assert(g_ascii_isdigit(*p), "time '%s'", text);
        if (scale > 0)
            ns += (*p - '0') * scale;
        else
            cr_assert_eq(*p, '0', "time '%s' is finer than 1 ns", text);
        scale /= 10;
    }
    return ns;
}

/* Runs tshark on 'file' and returns its frames (an owned array of
 * Decoded). IP and UDP checksum validation is on: a wrong checksum is an
 * expert error. */
static GArray *
capture_tshark(const char *file)
{
    static const char *const fields[] = {
        "frame.len", "frame.cap_len", "frame.time_epoch", "eth.type", "ip.len",
        "udp.length", "_ws.expert.severity", "_ws.malformed",
        "frame.packet_flags_direction", "arp.opcode", "_ws.expert.message",
        "ip.checksum.status", "udp.checksum.status",
    };
    g_autoptr(GPtrArray) rows = test_tshark(file, fields, G_N_ELEMENTS(fields), 0);
    GArray *frames = g_array_new(FALSE, TRUE, sizeof(Decoded));

    g_array_set_clear_func(frames, decoded_clear);
    for (guint i = 0; i < rows->len; i++) {
        char **f = rows->pdata[i];
        Decoded d = { 0 };

        d.len = test_tshark_uint(f[0]);
        d.cap_len = test_tshark_uint(f[1]);
        d.time_ns = capture_parse_ns(f[2]);
        d.eth_type = test_tshark_uint(f[3]);
        d.ip_len = test_tshark_uint(f[4]);
        d.udp_len = test_tshark_uint(f[5]);
        d.worst_expert = test_tshark_worst(f[6]);
        d.malformed = f[7][0] != '\0';
        d.direction = test_tshark_uint(f[8]);
        d.arp_op = test_tshark_uint(f[9]);
        d.experts = g_strdup(f[10]);
        d.ip_check = f[11][0] != '\0' ? (int) test_tshark_uint(f[11]) : -1;
        d.udp_check = f[12][0] != '\0' ? (int) test_tshark_uint(f[12]) : -1;
        g_array_append_val(frames, d);
    }
    return frames;
}

/* Checks the frames of 'file' against 'want': every frame decodes cleanly
 * and has the expected length, captured length (the full frame up to
 * 'snaplen'), timestamp (the simulated time truncated to nanoseconds),
 * protocols and, for pcapng, direction. */
static void
capture_check_file(const char *dir, const char *file, const Expected *want,
                   size_t n, uint32_t snaplen)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GArray) frames = capture_tshark(path);

    cr_assert_eq(frames->len, n, "%s: %u frames, expected %zu", file,
                 frames->len, n);
    for (size_t i = 0; i < n; i++) {
        const Decoded *d = &g_array_index(frames, Decoded, i);
        const Expected *w = &want[i];
        uint32_t ip = w->eth_type == 0 ? w->len : w->len - 14;

        cr_assert_not(d->malformed, "%s frame %zu is malformed", file, i + 1);
        cr_assert(d->worst_expert < TEST_TSHARK_PI_WARN,
                  "%s frame %zu: expert info 0x%x: %s", file, i + 1,
                  d->worst_expert, d->experts);
        cr_assert_eq(d->len, w->len, "%s frame %zu: len %u, expected %u", file,
                     i + 1, d->len, w->len);
        cr_assert_eq(d->cap_len, MIN(w->len, snaplen),
                     "%s frame %zu: cap_len %u", file, i + 1, d->cap_len);
        cr_assert_eq(d->time_ns, w->t / VNS_NS,
                     "%s frame %zu: time %" G_GINT64_FORMAT " ns, expected %"
                     G_GINT64_FORMAT " ns", file, i + 1, d->time_ns,
                     w->t / VNS_NS);
        cr_assert_eq(d->eth_type, w->eth_type, "%s frame %zu: eth.type 0x%x",
                     file, i + 1, d->eth_type);
        cr_assert_eq(d->arp_op, w->arp_op, "%s frame %zu: arp.opcode %u", file,
                     i + 1, d->arp_op);
        cr_assert_eq(d->direction, w->direction, "%s frame %zu: direction %u",
                     file, i + 1, d->direction);
        /* IPv4/UDP datagrams: the lengths in their headers, when the
         * headers were captured (20 IPv4 + 8 UDP bytes after the Ethernet
         * header, if any). */
        if (w->arp_op == 0 && d->cap_len >= w->len - ip + 20) {
            cr_assert_eq(d->ip_len, ip, "%s frame %zu: ip.len %u", file, i + 1,
                         d->ip_len);
            cr_assert_eq(d->ip_check, 1, "%s frame %zu: IPv4 checksum status %d",
                         file, i + 1, d->ip_check);
        }
        if (w->arp_op == 0 && d->cap_len >= w->len - ip + 28) {
            cr_assert_eq(d->udp_len, ip - 20, "%s frame %zu: udp.length %u",
                         file, i + 1, d->udp_len);
            /* The UDP checksum covers the payload: verifiable (and good)
             * only when the whole datagram was captured. */
            cr_assert_eq(d->udp_check, d->cap_len == d->len ? 1 : 2,
                         "%s frame %zu: UDP checksum status %d", file, i + 1,
                         d->udp_check);
        }
    }
}

/* ---- the writer ---- */

/* A temporary directory (owned path). */
#define capture_tmpdir() test_tmpdir("vns-capture-XXXXXX")

static int
capture_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names in 'dir', sorted and joined by ' ' (owned). */
static char *
capture_listing(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    cr_assert_not_null(d);
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, capture_name_cmp);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **) names->pdata);
}

static void
capture_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t) (v >> (8 * i));
}

Test(capture, pcap_file_is_byte_exact)
{
    /* draft-ietf-opsawg-pcap sections 4 and 5: magic 0xa1b23c4d
     * (nanosecond timestamps), version 2.4, two reserved words, snaplen,
     * link type 1; then per packet seconds, nanoseconds, captured and
     * original length, and the bytes. Written little-endian. Packet 1: 14
     * header bytes + 6 payload bytes (zeros) at 1.28 ns (stored as 1 ns:
     * truncated). Packet 2: 14 + 100 bytes at 3 s + 999999999999 ps (stored
     * as 3 s 999999999 ns), cut to the 32-byte snaplen. */
    g_autofree char *dir = capture_tmpdir();
    g_autofree char *path = g_build_filename(dir, "t.pcap", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *data = NULL;
    g_autofree char *listing = NULL;
    uint8_t hdr[14], want[24 + 16 + 20 + 16 + 32] = { 0 };
    gsize len = 0;
    VnsPcap *pcap;

    for (int i = 0; i < 14; i++)
        hdr[i] = (uint8_t) (0xa0 + i);
    pcap = vns_pcap_open(path, 32, &error);
    cr_assert_not_null(pcap, "%s", error ? error->message : "");
    /* Written under a temporary name until closed. */
    cr_assert_not(g_file_test(path, G_FILE_TEST_EXISTS));
    cr_assert(vns_pcap_write(pcap, 1280, hdr, 14, 6));
    cr_assert(vns_pcap_write(pcap, 4 * VNS_SEC - 1, hdr, 14, 100));
    cr_assert_eq(vns_pcap_packets(pcap), 2);
    cr_assert(vns_pcap_close(pcap, &error), "%s", error->message);
    listing = capture_listing(dir);
    cr_assert_str_eq(listing, "t.pcap");

    capture_le32(want, 0xa1b23c4d);
    want[4] = 2;
    want[6] = 4;
    capture_le32(want + 16, 32);
    capture_le32(want + 20, 1);
    capture_le32(want + 24, 0);
    capture_le32(want + 28, 1);
    capture_le32(want + 32, 20);
    capture_le32(want + 36, 20);
    memcpy(want + 40, hdr, 14);
    capture_le32(want + 60, 3);
    capture_le32(want + 64, 999999999);
    capture_le32(want + 68, 32);
    capture_le32(want + 72, 114);
    memcpy(want + 76, hdr, 14);
    cr_assert(g_file_get_contents(path, &data, &len, &error));
    cr_assert_eq(len, sizeof want, "%zu bytes, expected %zu", (size_t) len,
                 sizeof want);
    cr_assert_arr_eq(data, want, sizeof want);

    g_unlink(path);
    g_rmdir(dir);
}

Test(capture, tshark_reads_the_writers_timestamps)
{
    /* The same timestamps read back by tshark in both formats: 1.28 ns is
     * 0.000000001 s, 4 s - 1 ps is 3.999999999 s; lengths as written. The
     * frames are zeros after a broadcast Ethernet header with an unknown
     * EtherType (0x88b5, IEEE 802 local experimental), which tshark shows
     * as data. */
    static const VnsPcapFormat formats[] = {
        VNS_PCAP_FORMAT_PCAP, VNS_PCAP_FORMAT_PCAPNG,
    };
    g_autofree char *dir = capture_tmpdir();
    uint8_t hdr[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };

    for (size_t f = 0; f < G_N_ELEMENTS(formats); f++) {
        g_autofree char *path = g_build_filename(dir, f ? "t.pcapng" : "t.pcap",
                                                 NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) frames = NULL;
        VnsPcap *pcap = vns_pcap_open_full(path, formats[f],
                                           VNS_PCAP_LINKTYPE_ETHERNET, 64,
                                           "h1:eth0", &error);
        const Decoded *d;

        cr_assert_not_null(pcap, "%s", error ? error->message : "");
        cr_assert(vns_pcap_write_dir(pcap, 1280, hdr, 14, 46, VNS_PCAP_DIR_OUT));
        cr_assert(vns_pcap_write_dir(pcap, 4 * VNS_SEC - 1, hdr, 14, 1000,
                                     VNS_PCAP_DIR_IN));
        cr_assert(vns_pcap_close(pcap, &error), "%s", error->message);
        frames = capture_tshark(path);
        cr_assert_eq(frames->len, 2);
        d = &g_array_index(frames, Decoded, 0);
        cr_assert_eq(d->time_ns, 1);
        cr_assert_eq(d->len, 60);
        cr_assert_eq(d->cap_len, 60);
        cr_assert_eq(d->eth_type, 0x88b5);
        cr_assert_eq(d->direction, f ? 2u : 0u);
        d = &g_array_index(frames, Decoded, 1);
        cr_assert_eq(d->time_ns, 3999999999);
        cr_assert_eq(d->len, 1014);
        cr_assert_eq(d->cap_len, 64);
        cr_assert_eq(d->direction, f ? 1u : 0u);
        cr_assert_not(d->malformed);
        g_unlink(path);
    }
    g_rmdir(dir);
}

Test(capture, pcap_free_leaves_no_file)
{
    /* A writer discarded without vns_pcap_close() (a run that failed)
     * leaves nothing behind. */
    g_autofree char *dir = capture_tmpdir();
    g_autofree char *path = g_build_filename(dir, "t.pcap", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = NULL;
    uint8_t hdr[14] = { 0 };
    VnsPcap *pcap = vns_pcap_open(path, 65535, &error);

    cr_assert_not_null(pcap);
    cr_assert(vns_pcap_write(pcap, 0, hdr, 14, 0));
    vns_pcap_free(pcap);
    listing = capture_listing(dir);
    cr_assert_str_eq(listing, "");
    g_rmdir(dir);
}

Test(capture, pcap_open_reports_the_path)
{
    g_autoptr(GError) error = NULL;
    VnsPcap *pcap = vns_pcap_open("/nonexistent-vns-dir/t.pcap", 100, &error);

    cr_assert_null(pcap);
    cr_assert(g_error_matches(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO));
    cr_assert_str_eq(error->message, "cannot create '/nonexistent-vns-dir/t.pcap': "
                     "No such file or directory");
}

Test(capture, tshark_check_catches_bad_frames)
{
    /* A control for capture_tshark(): frames that are wrong must be
     * noticed. An IPv4/UDP frame with wrong IP and UDP checksums (expert
     * errors "Bad checksum"), and an EtherType 0x0800 frame whose IP header
     * is zeros (version 0: "Bogus IPv4 version"). */
    static const uint8_t eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0x02, 0, 0, 0, 0, 1, 0x08, 0x00 };
    static const uint8_t ip_udp[28] = {
        0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 17, 0x12, 0x34, 10, 0, 0, 1,
        10, 0, 0, 2, 0, 1, 0, 2, 0, 20, 0xde, 0xad,
    };
    g_autofree char *dir = capture_tmpdir();
    g_autofree char *path = g_build_filename(dir, "bad.pcap", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) frames = NULL;
    uint8_t frame[14 + 28];
    VnsPcap *pcap = vns_pcap_open(path, 1000, &error);

    cr_assert_not_null(pcap);
    memcpy(frame, eth, 14);
    memcpy(frame + 14, ip_udp, 28);
    cr_assert(vns_pcap_write(pcap, 0, frame, sizeof frame, 12));
    cr_assert(vns_pcap_write(pcap, 0, eth, 14, 20));
    cr_assert(vns_pcap_close(pcap, &error));
    frames = capture_tshark(path);
    cr_assert_eq(frames->len, 2);
    cr_assert_geq(g_array_index(frames, Decoded, 0).worst_expert, TEST_TSHARK_PI_WARN);
    cr_assert_eq(g_array_index(frames, Decoded, 0).ip_check, 0);
    cr_assert_eq(g_array_index(frames, Decoded, 0).udp_check, 0);
    cr_assert_geq(g_array_index(frames, Decoded, 1).worst_expert, TEST_TSHARK_PI_WARN);
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- <capture> in an experiment ---- */

/* Bytes of line time of a frame of 'frame' bytes (no FCS): + 4 FCS, at
 * least the 64-byte minimum frame (IEEE 802.3 clause 3.1.1), + 8 preamble
 * and SFD + 12 inter-frame gap (clause 4.4.2), as models/link/p2p.h. */
static uint64_t
capture_wire(uint32_t frame)
{
    return MAX((uint64_t) frame + 4, 64) + 8 + 12;
}

/* One hop of a frame over link 1 or 2: serialization of its wire bytes at
 * the line rate, then the propagation delay (an idle link: nothing else
 * is queued in this scenario). */
static VnsTime
capture_hop1(uint32_t frame)
{
    return vns_time_tx(capture_wire(frame), CAPTURE_RATE1) + CAPTURE_DELAY1;
}

static VnsTime
capture_hop2(uint32_t frame)
{
    return vns_time_tx(capture_wire(frame), CAPTURE_RATE2) + CAPTURE_DELAY2;
}

static VnsExperiment *
capture_load(const VnsRegistry *reg, const char *file)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, file, NULL);
    VnsExperiment *exp = vns_experiment_load(reg, path, NULL, &error);

    cr_assert_not_null(exp, "%s", error ? error->message : "");
    return exp;
}

static int64_t
capture_report_int(const VnsReport *r, const char *file, const char *key)
{
    const VnsField *f = vns_report_find(r, "captures", file, key);

    cr_assert_not_null(f, "no captures/%s/%s", file, key);
    cr_assert_eq(f->kind, VNS_FIELD_INT);
    return f->i;
}

Test(capture, tshark_decodes_every_frame_at_the_simulated_time)
{
    /* ok-capture-run.xml on ok-capture-topo.xml: h1 sends 1000-byte
     * datagrams to h2 through r1 at 0, 1, 2 and 3 ms. Nobody knows a MAC
     * at first, so:
     *
     * - at 0, h1 broadcasts an ARP request for r1 (captured when h1 hands
     *   it to the link, at 0); r1 receives it one hop later and answers at
     *   once (no CPU cost is configured); h1 receives the reply after a
     *   second hop and sends the waiting datagram at that instant;
     * - r1 receives the datagram one hop later, asks for h2 the same way
     *   on link 2, and forwards it when h2's reply arrives;
     * - datagrams 1 to 3 find every neighbour known: they leave h1 at k ms
     *   and reach h2 one hop per link later.
     *
     * A hop is vns_time_tx(wire bytes, rate) + delay (capture_hop1/2);
     * outgoing frames are stamped when handed to the link, incoming ones
     * when the link delivers them. */
    const VnsTime arp1 = capture_hop1(CAPTURE_ARP_FRAME);
    const VnsTime arp2 = capture_hop2(CAPTURE_ARP_FRAME);
    const VnsTime udp1 = capture_hop1(CAPTURE_UDP_FRAME);
    const VnsTime udp2 = capture_hop2(CAPTURE_UDP_FRAME);
    const VnsTime h1_sends0 = 2 * arp1;             /* ARP round trip */
    const VnsTime r1_gets0 = h1_sends0 + udp1;
    const VnsTime h2_arp = r1_gets0 + arp2;
    const VnsTime h2_gets0 = r1_gets0 + 2 * arp2 + udp2;
    const uint32_t A = CAPTURE_ARP_FRAME, U = CAPTURE_UDP_FRAME;
    const uint32_t ARP = CAPTURE_ETH_ARP, IP = CAPTURE_ETH_IPV4;
    const Expected h1[] = {
        { 0, A, ARP, 1, 0 },
        { h1_sends0, A, ARP, 2, 0 },
        { h1_sends0, U, IP, 0, 0 },
        { 1 * VNS_MS, U, IP, 0, 0 },
        { 2 * VNS_MS, U, IP, 0, 0 },
        { 3 * VNS_MS, U, IP, 0, 0 },
    };
    /* pcapng: 1 = inbound, 2 = outbound (epb_flags). */
    const Expected h2[] = {
        { h2_arp, A, ARP, 1, 1 },
        { h2_arp, A, ARP, 2, 2 },
        { h2_gets0, U, IP, 0, 1 },
        { 1 * VNS_MS + udp1 + udp2, U, IP, 0, 1 },
        { 2 * VNS_MS + udp1 + udp2, U, IP, 0, 1 },
        { 3 * VNS_MS + udp1 + udp2, U, IP, 0, 1 },
    };
    /* direction="in" at r1:eth0: what r1 receives from h1 (not its ARP
     * reply). */
    const Expected r1_in[] = {
        { arp1, A, ARP, 1, 0 },
        { r1_gets0, U, IP, 0, 0 },
        { 1 * VNS_MS + udp1, U, IP, 0, 0 },
        { 2 * VNS_MS + udp1, U, IP, 0, 0 },
        { 3 * VNS_MS + udp1, U, IP, 0, 0 },
    };
    /* h1's application port carries the bare IP packets, as the source
     * sends them. */
    const Expected app[] = {
        { 0, CAPTURE_IP_PACKET, 0, 0, 0 },
        { 1 * VNS_MS, CAPTURE_IP_PACKET, 0, 0, 0 },
        { 2 * VNS_MS, CAPTURE_IP_PACKET, 0, 0, 0 },
        { 3 * VNS_MS, CAPTURE_IP_PACKET, 0, 0, 0 },
    };
    g_autofree char *dir = capture_tmpdir();
    g_autoptr(VnsReport) r = models_test_run_into("ok-capture-run.xml", dir);
    g_autofree char *listing = NULL;

    /* The files, and no temporary ones. */
    listing = capture_listing(dir);
    cr_assert_str_eq(listing, "h1-app.pcap h1-eth0-64.pcap h1-eth0.pcap "
                     "h2-eth0.pcapng r1-eth0-in.pcap");

    capture_check_file(dir, "h1-eth0.pcap", h1, G_N_ELEMENTS(h1),
                       VNS_PCAP_MAX_SNAPLEN);
    capture_check_file(dir, "h1-eth0-64.pcap", h1, G_N_ELEMENTS(h1), 64);
    capture_check_file(dir, "h2-eth0.pcapng", h2, G_N_ELEMENTS(h2),
                       VNS_PCAP_MAX_SNAPLEN);
    capture_check_file(dir, "r1-eth0-in.pcap", r1_in, G_N_ELEMENTS(r1_in),
                       VNS_PCAP_MAX_SNAPLEN);
    capture_check_file(dir, "h1-app.pcap", app, G_N_ELEMENTS(app),
                       VNS_PCAP_MAX_SNAPLEN);

    /* The "captures" table counts what the files hold: 2 ARP + 4 UDP
     * frames at h1 (four of them longer than 64 bytes), the same at h2,
     * 1 + 4 at r1, 4 packets at the application port. */
    cr_assert_eq(capture_report_int(r, "h1-eth0.pcap", "packets"), 6);
    cr_assert_eq(capture_report_int(r, "h1-eth0.pcap", "bytes"), 2 * A + 4 * U);
    cr_assert_eq(capture_report_int(r, "h1-eth0.pcap", "truncated"), 0);
    cr_assert_eq(capture_report_int(r, "h1-eth0-64.pcap", "truncated"), 4);
    cr_assert_eq(capture_report_int(r, "h1-eth0-64.pcap", "snaplen"), 64);
    cr_assert_eq(capture_report_int(r, "h2-eth0.pcapng", "packets"), 6);
    cr_assert_eq(capture_report_int(r, "r1-eth0-in.pcap", "packets"), 5);
    cr_assert_eq(capture_report_int(r, "h1-app.pcap", "packets"), 4);
    cr_assert_eq(capture_report_int(r, "h1-app.pcap", "bytes"),
                 4 * CAPTURE_IP_PACKET);

    test_tmpdir_remove(dir);
}

Test(capture, without_output_directory_counts_and_writes_nothing)
{
    /* Built and run with no output directory (as when validating): the
     * captures count the same packets and open no file; every packet is
     * back in the pool at the end. */
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    g_autoptr(VnsReport) r = vns_report_new();
    VnsSim *sim;
    VnsNet *net;

    cr_assert(vns_models_register(reg, &error));
    exp = capture_load(reg, "ok-capture-run.xml");
    sim = vns_sim_new(exp->queue);
    vns_sim_set_seed(sim, exp->seed, 0);
    net = vns_net_new(sim);
    cr_assert(vns_experiment_build(exp, net, &error), "%s", error->message);
    cr_assert_null(vns_net_output_dir(net));
    cr_assert(vns_net_start(net, &error), "%s", error->message);
    vns_sim_run_until(sim, exp->warmup + exp->duration);
    vns_net_stop(net);
    vns_net_stats(net, r);
    vns_sim_free(sim);
    cr_assert_eq(vns_packet_pool_outstanding(vns_net_pool(net)), 0);
    vns_net_free(net);
    cr_assert_eq(capture_report_int(r, "h1-eth0.pcap", "packets"), 6);
    cr_assert_eq(capture_report_int(r, "h2-eth0.pcapng", "packets"), 6);
    cr_assert_eq(capture_report_int(r, "r1-eth0-in.pcap", "packets"), 5);
    cr_assert_eq(capture_report_int(r, "h1-app.pcap", "packets"), 4);
}

Test(capture, unwritable_directory_fails_the_run_with_file_and_line)
{
    /* The first <capture> (line 14) cannot create its file: the run fails
     * at start with the experiment's file and line. */
    g_autoptr(VnsRegistry) reg = vns_registry_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VnsExperiment) exp = NULL;
    g_autoptr(VnsReport) r = NULL;
    g_autofree char *want = NULL;

    cr_assert(vns_models_register(reg, &error));
    exp = capture_load(reg, "ok-capture-run.xml");
    r = vns_experiment_run_into(exp, 0, "/nonexistent-vns-dir", NULL, NULL, &error);
    cr_assert_null(r);
    cr_assert(g_error_matches(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO));
    want = g_strdup_printf("%s/ok-capture-run.xml:14: <capture> cannot create "
                           "'/nonexistent-vns-dir/h1-eth0.pcap': No such file "
                           "or directory", VNS_TEST_DATADIR);
    cr_assert_str_eq(error->message, want);
}

Test(capture, bad_captures_are_refused_with_file_and_line)
{
    static const struct {
        const char *file;
        int code;
        int line;
        const char *message;    /* after "path:line: " */
    } bad[] = {
        { "bad-capture-port.xml", VNS_CONFIG_ERROR_REFERENCE, 5,
          "<capture> 'at': 'h1:eth9': element 'h1' has no port 'eth9', "
          "expected one of: eth0" },
        { "bad-capture-element.xml", VNS_CONFIG_ERROR_REFERENCE, 5,
          "<capture> 'at': 'h9:eth0' names no element, expected the name of "
          "an element defined in the topology" },
        { "bad-capture-file.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5,
          "<capture> 'file' is '../x.pcap', expected a plain file name ending "
          "in .pcap or .pcapng, without '/' (it is written into the run's "
          "output directory)" },
        { "bad-capture-extension.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5,
          "<capture> 'file' is 'summary.json', expected a plain file name "
          "ending in .pcap or .pcapng, without '/' (it is written into the "
          "run's output directory)" },
        { "bad-capture-duplicate.xml", VNS_CONFIG_ERROR_DUPLICATE, 6,
          "<capture> 'file' is 'x.pcap', which the <capture> at line 5 "
          "already writes, expected one file per <capture>" },
        { "bad-capture-snaplen.xml", VNS_CONFIG_ERROR_BAD_VALUE, 5,
          "<capture> 'snaplen' is 0, expected 1 to 262144 bytes" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *path = g_build_filename(VNS_TEST_DATADIR, bad[i].file, NULL);
        g_autofree char *want = g_strdup_printf("%s:%d: %s", path, bad[i].line,
                                                bad[i].message);
        g_autofree char *got = models_test_bad_build(bad[i].file, bad[i].line,
                                                     bad[i].code, bad[i].message);

        cr_assert_str_eq(got, want, "%s", bad[i].file);
    }
}
