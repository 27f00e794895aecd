/* Packet captures (the <capture> builder and its element, see capture.h).
 *
 * What is captured, and when: the element puts a tap (VnsPortTap) on the
 * port 'at'. vns_port_send() shows the tap every packet that crosses that
 * port, in either direction, at the simulated instant it crosses, before
 * the receiving element sees it. So for a host interface "h1:eth0" joined
 * to a link:
 *
 * - outgoing frames are stamped when the host hands them to the link,
 *   before they wait in the link's queue and are serialized (a frame the
 *   link then drops for a full queue or the MTU is still in the capture,
 *   as with tcpdump on a Linux sender);
 * - incoming frames are stamped when the link delivers them, which is when
 *   their last bit has arrived (serialization plus propagation delay after
 *   their first bit left the other end).
 *
 * Frames are written as the packet holds them: the Ethernet header and
 * tags, no FCS, no padding to 60 bytes (a 42-byte ARP frame is 42 bytes,
 * as a capture on the sending Linux host shows it), payload as zeros.
 *
 * The capture runs for the whole run, warm-up included: the file and the
 * counts in the "captures" table cover the same packets. Nothing is
 * written when the network has no output directory (validation, or runs
 * without one): the packets are still counted. */
#include <config.h>
#include "models/capture/capture.h"

#include <stddef.h>
#include <string.h>
#include "out/pcap.h"
#include "out/resultdir.h"

/* The 'direction' choices, in the spec's order. */
typedef enum {
    CAPTURE_BOTH,
    CAPTURE_IN,
    CAPTURE_OUT,
} CaptureDirection;

static const char *const capture_direction_names[] = { "both", "in", "out" };
static const char *const capture_format_names[] = { "pcap", "pcapng" };
/* The 'linktype' choices and their LINKTYPE_ values. */
static const uint32_t capture_linktypes[] = {
    VNS_PCAP_LINKTYPE_ETHERNET, VNS_PCAP_LINKTYPE_RAW,
};

typedef struct {
    VnsElement base;            /* must stay first */
    VnsPortTap tap;             /* on 'port' */
    VnsPort *port;              /* the watched port, borrowed */
    char *at;                   /* the 'at' reference as written */
    char *file;                 /* a plain file name */
    char *path;                 /* the experiment file and ... */
    int line;                   /* ... line of the <capture>, for messages */
    uint32_t snaplen;           /* bytes kept per packet */
    CaptureDirection direction;
    VnsPcapFormat format;
    uint32_t linktype;          /* LINKTYPE_ value */
    VnsPcap *pcap;              /* owned; NULL when not writing */
    bool stopped;               /* the run has ended: ignore packets */
    uint64_t packets;           /* packets captured */
    uint64_t bytes;             /* their full sizes (headers + payload) */
    uint64_t truncated;         /* packets longer than snaplen */
    char *error;                /* why the file could not be written; NULL */
} Capture;

static const VnsAttrSpec capture_attrs[] = {
    { "at", VNS_ATTR_REF, true, NULL, NULL,
      "The port to watch, 'element:port' (e.g. 'h1:eth0', 'h1-r1:a'), or "
      "'element' when it has one port; required." },
    { "file", VNS_ATTR_STRING, true, NULL, NULL,
      "The file to write in the run's output directory: a plain file name "
      "ending in .pcap or .pcapng, no '/'; each <capture> needs its own "
      "file; required." },
    { "snaplen", VNS_ATTR_UINT, false, VNS_CAPTURE_DEFAULT_SNAPLEN, "bytes",
      "Bytes kept of each packet (the rest is counted in the original "
      "length only). Default 262144, tcpdump's default snaplen (tcpdump(8), "
      "-s); at most 262144, libpcap's MAXIMUM_SNAPLEN.",
      NULL, 1, VNS_PCAP_MAX_SNAPLEN },
    { "direction", VNS_ATTR_ENUM, false, "both", NULL,
      "Which packets: 'in' (received by the port's element), 'out' (sent "
      "by it) or 'both'. Default both, as tcpdump.", "both|in|out" },
    { "format", VNS_ATTR_ENUM, false, "pcap", NULL,
      "File format: 'pcap' (libpcap with nanosecond timestamps, magic "
      "0xa1b23c4d) or 'pcapng' (also records each packet's direction). "
      "Default pcap, which every tool reads.", "pcap|pcapng" },
    { "linktype", VNS_ATTR_ENUM, false, "ethernet", NULL,
      "What the port carries: 'ethernet' frames (LINKTYPE_ETHERNET, 1: "
      "interfaces and links) or 'raw' IP packets (LINKTYPE_RAW, 101: a "
      "host's application ports). Default ethernet.", "ethernet|raw" },
    { NULL }
};

static const VnsSpec capture_spec = {
    "capture", "A packet capture: writes the packets that cross one port "
    "into a pcap or pcapng file of the run's output directory, stamped with "
    "the simulated time (doc/models/capture.md).",
    capture_attrs, NULL, false,
};

static Capture *
capture_from_tap(VnsPortTap *tap)
{
    return (Capture *) (void *) ((char *) tap - offsetof(Capture, tap));
}

/* The tap: counts the packet and writes it when it goes the chosen way. */
static void
capture_seen(VnsPortTap *tap, const VnsPort *port, const VnsPacket *pkt,
             bool outgoing)
{
    Capture *c = capture_from_tap(tap);
    uint32_t size = vns_packet_size(pkt);

    if (c->stopped || (c->direction == CAPTURE_IN && outgoing) ||
        (c->direction == CAPTURE_OUT && !outgoing))
        return;
    c->packets++;
    c->bytes += size;
    if (size > c->snaplen)
        c->truncated++;
    if (c->pcap != NULL)
        vns_pcap_write_dir(c->pcap, vns_element_now(&c->base),
                           vns_packet_data(pkt), pkt->len, pkt->payload_len,
                           outgoing ? VNS_PCAP_DIR_OUT : VNS_PCAP_DIR_IN);
}

/* Reads the attributes the builder has not checked. */
static bool
capture_create(VnsElement *self, const VnsConfig *cfg, GError **error)
{
    Capture *c = (Capture *) self;
    uint64_t snaplen;
    int direction = 0, format = 0, linktype = 0;

    /* Made by the <capture> builder only, with its config. */
    g_assert(cfg != NULL);
    c->path = g_strdup(vns_config_path(cfg));
    c->line = vns_config_line(cfg);
    c->tap.seen = capture_seen;
    if (!vns_config_string(cfg, "at", &c->at, error) ||
        !vns_config_string(cfg, "file", &c->file, error) ||
        !vns_config_uint(cfg, "snaplen", &snaplen, error) ||
        !vns_config_enum(cfg, "direction", &direction, error) ||
        !vns_config_enum(cfg, "format", &format, error) ||
        !vns_config_enum(cfg, "linktype", &linktype, error))
        return false;
    c->snaplen = (uint32_t) snaplen;
    c->direction = (CaptureDirection) direction;
    c->format = format == 0 ? VNS_PCAP_FORMAT_PCAP : VNS_PCAP_FORMAT_PCAPNG;
    c->linktype = capture_linktypes[linktype];
    return true;
}

/* Opens the file, when the network has an output directory. */
static bool
capture_start(VnsElement *self, GError **error)
{
    Capture *c = (Capture *) self;
    const char *dir = vns_net_output_dir(self->net);
    g_autofree char *file = NULL;
    GError *local = NULL;

    if (dir == NULL)
        return true;
    file = g_build_filename(dir, c->file, NULL);
    c->pcap = vns_pcap_open_full(file, c->format, c->linktype, c->snaplen,
                                 c->at, &local);
    if (c->pcap == NULL) {
        g_set_error(error, local->domain, local->code, "%s:%d: <capture> %s",
                    c->path, c->line, local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

/* Flushes and closes the file; later packets are ignored. A write error
 * cannot be returned from here: it goes into the report and the log. */
static void
capture_stop(VnsElement *self)
{
    Capture *c = (Capture *) self;
    GError *local = NULL;

    c->stopped = true;
    if (c->pcap != NULL && !vns_pcap_close(g_steal_pointer(&c->pcap), &local)) {
        c->error = g_strdup(local->message);
        g_warning("%s:%d: <capture> %s", c->path, c->line, local->message);
        g_error_free(local);
    }
}

static void
capture_stats(VnsElement *self, VnsReport *report)
{
    Capture *c = (Capture *) self;

    vns_report_row(report, "captures", c->file);
    vns_report_str(report, "at", c->at);
    vns_report_str(report, "direction", capture_direction_names[c->direction]);
    vns_report_str(report, "format",
                   capture_format_names[c->format == VNS_PCAP_FORMAT_PCAPNG]);
    vns_report_int(report, "snaplen", c->snaplen);
    vns_report_int(report, "packets", (int64_t) c->packets);
    vns_report_int(report, "bytes", (int64_t) c->bytes);
    vns_report_int(report, "truncated", (int64_t) c->truncated);
    if (c->error != NULL)
        vns_report_str(report, "error", c->error);
}

static void
capture_free(VnsElement *self)
{
    Capture *c = (Capture *) self;

    /* A run that did not reach its end leaves no partial file. */
    vns_pcap_free(c->pcap);
    g_free(c->at);
    g_free(c->file);
    g_free(c->path);
    g_free(c->error);
}

const VnsElementOps vns_capture_ops = {
    .type = "capture",
    .spec = &capture_spec,
    .instance_size = sizeof(Capture),
    .create = capture_create,
    .start = capture_start,
    .stop = capture_stop,
    .stats = capture_stats,
    .free = capture_free,
};

/* Checks that 'file' is a plain file name with a capture extension: it is
 * written into the output directory, beside the run's own result files
 * (summary.json, *.dat...), which another name could overwrite. */
static bool
capture_check_file(const VnsConfig *cfg, const char *file, GError **error)
{
    const char *ext = strrchr(file, '.');
    bool plain = strchr(file, '/') == NULL && ext != NULL && ext != file &&
                 (strcmp(ext, ".pcap") == 0 || strcmp(ext, ".pcapng") == 0);

    if (!plain) {
        vns_config_error(error, cfg, VNS_CONFIG_ERROR_BAD_VALUE,
                         "<capture> 'file' is '%s', expected a plain file name "
                         "ending in .pcap or .pcapng, without '/' (it is "
                         "written into the run's output directory)", file);
        return false;
    }
    return true;
}

/* Expands one <capture>: checks the file name, resolves the port, adds the
 * element "capture:FILE" and puts its tap on the port. */
static bool
capture_build(VnsNet *net, const VnsConfig *cfg, GError **error)
{
    g_autofree char *file = NULL, *name = NULL;
    VnsElement *e;
    VnsPort *port;
    Capture *c;

    if (!vns_config_string(cfg, "file", &file, error) ||
        !capture_check_file(cfg, file, error))
        return false;
    for (guint i = 0; i < vns_net_n_elements(net); i++) {
        const Capture *o = (const Capture *) vns_net_element(net, i);
        if (o->base.ops == &vns_capture_ops && strcmp(o->file, file) == 0) {
            vns_config_error(error, cfg, VNS_CONFIG_ERROR_DUPLICATE,
                             "<capture> 'file' is '%s', which the <capture> at "
                             "line %d already writes, expected one file per "
                             "<capture>", file, o->line);
            return false;
        }
    }
    port = vns_config_port(cfg, net, "at", error);
    if (port == NULL)
        return false;
    /* Topology names cannot hold ':', so this one is free. */
    name = g_strdup_printf("capture:%s", file);
    e = vns_net_add(net, &vns_capture_ops, name, cfg, error);
    if (e == NULL)
        return false;
    c = (Capture *) e;
    c->port = port;
    vns_port_add_tap(port, &c->tap);
    return true;
}

const VnsBuilder vns_capture_builder = {
    "capture", &capture_spec, capture_build,
};
