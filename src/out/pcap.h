/* A streaming packet-capture writer: classic libpcap files with nanosecond
 * timestamps, or pcapng, that Wireshark and tshark read.
 *
 * Formats (IETF drafts that describe what libpcap and Wireshark do):
 *
 * - pcap: draft-ietf-opsawg-pcap, sections 4 and 5: a 24-byte file header
 *   with magic 0xa1b23c4d (the nanosecond-resolution variant), version 2.4,
 *   the snapshot length and the link type, then per packet a 16-byte record
 *   header (seconds, nanoseconds, captured length, original length) and
 *   the captured bytes.
 * - pcapng: draft-ietf-opsawg-pcapng, section 4: one Section Header Block,
 *   one Interface Description Block with if_tsresol = 9 (nanoseconds) and
 *   the interface name, and an Enhanced Packet Block per packet, carrying
 *   the direction in epb_flags when it is known.
 *
 * Every number is written little-endian, whatever the machine (the magic
 * numbers tell readers the byte order), so a run gives the same bytes
 * everywhere.
 *
 * Timestamps are the simulated time since time 0, which readers show as
 * 1970-01-01 00:00:00 UTC plus the simulated time. Simulated time counts
 * picoseconds; both formats store nanoseconds, so the sub-nanosecond part
 * is truncated (1.28 ns is written as 1 ns).
 *
 * A packet's headers are real bytes and its payload a length
 * (src/net/packet.h): the writer writes the payload as zeros. Writes go
 * through one stdio buffer allocated at open: nothing is allocated per
 * packet. The file is written under a temporary name in the same directory
 * and renamed into place by vns_pcap_close(), so it exists whole or not at
 * all (DESIGN.md, "Files in, results out"). */
#ifndef VNS_PCAP_H
#define VNS_PCAP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "sim/time.h"

/* Link types (https://www.tcpdump.org/linktypes.html). */
#define VNS_PCAP_LINKTYPE_ETHERNET 1    /* IEEE 802.3 frames, no FCS */
#define VNS_PCAP_LINKTYPE_RAW 101       /* a bare IPv4 or IPv6 packet */

/* The largest snapshot length: libpcap's MAXIMUM_SNAPLEN (pcap-int.h),
 * which is also tcpdump's default snaplen (tcpdump(8), option -s); readers
 * such as Wireshark refuse records longer than this for most link types. */
#define VNS_PCAP_MAX_SNAPLEN 262144

typedef enum {
    VNS_PCAP_FORMAT_PCAP,       /* classic libpcap, nanosecond timestamps */
    VNS_PCAP_FORMAT_PCAPNG,     /* pcapng with if_tsresol = 9 */
} VnsPcapFormat;

/* Which way a packet crossed the captured interface (pcapng's epb_flags;
 * the classic format has no place for it). */
typedef enum {
    VNS_PCAP_DIR_UNKNOWN,
    VNS_PCAP_DIR_IN,            /* received by the interface's owner */
    VNS_PCAP_DIR_OUT,           /* sent by the interface's owner */
} VnsPcapDir;

typedef struct VnsPcap VnsPcap;

VnsPcap *vns_pcap_open(const char *path, uint32_t snaplen, GError **error);
VnsPcap *vns_pcap_open_full(const char *path, VnsPcapFormat format,
                            uint32_t linktype, uint32_t snaplen,
                            const char *if_name, GError **error);
bool vns_pcap_write(VnsPcap *pcap, VnsTime t, const uint8_t *headers,
                    uint32_t header_len, uint32_t payload_len);
bool vns_pcap_write_dir(VnsPcap *pcap, VnsTime t, const uint8_t *headers,
                        uint32_t header_len, uint32_t payload_len,
                        VnsPcapDir dir);
uint64_t vns_pcap_packets(const VnsPcap *pcap);
bool vns_pcap_close(VnsPcap *pcap, GError **error);
void vns_pcap_free(VnsPcap *pcap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VnsPcap, vns_pcap_free)

#endif
