/* Packet-capture files: classic pcap with nanosecond timestamps and pcapng
 * (see pcap.h for the formats and their sources). */
#include <config.h>
#include "out/pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "out/resultdir.h"

/* The stdio buffer: large enough that one write(2) moves a few hundred
 * full-size frames. */
#define PCAP_BUFFER_SIZE (256 * 1024)

/* Classic pcap (draft-ietf-opsawg-pcap section 4): the magic of the
 * nanosecond-resolution variant and version 2.4. */
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

/* pcapng (draft-ietf-opsawg-pcapng section 4): block types, the byte-order
 * magic and the option codes used here. */
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4du
#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_NAME 2
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_OPT_EPB_FLAGS 2
/* epb_flags bits 0-1 (section 4.3.1): 01 inbound, 10 outbound. */
#define PCAPNG_FLAG_INBOUND 1u
#define PCAPNG_FLAG_OUTBOUND 2u
/* if_tsresol = 9: timestamps count units of 10^-9 s. */
#define PCAPNG_TSRESOL_NS 9

struct VnsPcap {
    char *path;                 /* the final name */
    char *temp;                 /* the name written until close; NULL once
                                 * renamed */
    FILE *fp;                   /* owned; NULL once closed */
    char *buf;                  /* fp's buffer, owned */
    VnsPcapFormat format;
    uint32_t snaplen;           /* bytes kept of each packet */
    int err;                    /* errno of the first failed write; 0 = none */
    uint64_t packets;           /* records written */
};

/* Zeros for payload bytes and padding; const, so shared safely. */
static const uint8_t pcap_zeros[4096];

static void
pcap_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}

static void
pcap_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}

/* Appends 'n' bytes; remembers the first failure and writes nothing after
 * it. */
static void
pcap_put(VnsPcap *pcap, const void *data, size_t n)
{
    if (pcap->err != 0 || n == 0)
        return;
    errno = 0;
    if (fwrite(data, 1, n, pcap->fp) != n)
        pcap->err = errno != 0 ? errno : EIO;
}

static void
pcap_put_zeros(VnsPcap *pcap, size_t n)
{
    while (n > 0) {
        size_t k = MIN(n, sizeof pcap_zeros);
        pcap_put(pcap, pcap_zeros, k);
        n -= k;
    }
}

/* Padding that brings 'n' to a multiple of 4 (pcapng aligns to 32 bits). */
static size_t
pcap_pad4(size_t n)
{
    return (4 - n % 4) % 4;
}

/* The bytes of a pcapng option with a 'len'-byte value, padded. */
static size_t
pcap_option_size(size_t len)
{
    return 4 + len + pcap_pad4(len);
}

static void
pcap_put_option(VnsPcap *pcap, uint16_t code, const void *value, uint16_t len)
{
    uint8_t h[4];

    pcap_le16(h, code);
    pcap_le16(h + 2, len);
    pcap_put(pcap, h, sizeof h);
    pcap_put(pcap, value, len);
    pcap_put_zeros(pcap, pcap_pad4(len));
}

static void
pcap_put_u32(VnsPcap *pcap, uint32_t v)
{
    uint8_t b[4];

    pcap_le32(b, v);
    pcap_put(pcap, b, sizeof b);
}

/* The 24-byte classic file header (draft-ietf-opsawg-pcap section 4). */
static void
pcap_write_file_header(VnsPcap *pcap, uint32_t linktype)
{
    uint8_t h[24] = { 0 };

    pcap_le32(h, PCAP_MAGIC_NS);
    pcap_le16(h + 4, PCAP_VERSION_MAJOR);
    pcap_le16(h + 6, PCAP_VERSION_MINOR);
    /* Bytes 8-15: reserved (formerly thiszone and sigfigs), zero. */
    pcap_le32(h + 16, pcap->snaplen);
    pcap_le32(h + 20, linktype);
    pcap_put(pcap, h, sizeof h);
}

/* The Section Header Block and the one Interface Description Block
 * (draft-ietf-opsawg-pcapng sections 4.1 and 4.2). */
static void
pcapng_write_header(VnsPcap *pcap, uint32_t linktype, const char *if_name)
{
    static const char userappl[] = PACKAGE_STRING;
    const uint16_t appl_len = (uint16_t) strlen(userappl);
    const uint16_t name_len = if_name != NULL ? (uint16_t) strlen(if_name) : 0;
    const uint8_t tsresol = PCAPNG_TSRESOL_NS;
    uint8_t h[16];
    uint32_t len;

    /* SHB: type, length, byte-order magic, version 1.0, section length
     * -1 (not given), options, length again. */
    len = (uint32_t) (28 + pcap_option_size(appl_len) + 4);
    pcap_le32(h, PCAPNG_SHB);
    pcap_le32(h + 4, len);
    pcap_le32(h + 8, PCAPNG_BYTE_ORDER_MAGIC);
    pcap_le16(h + 12, 1);
    pcap_le16(h + 14, 0);
    pcap_put(pcap, h, 16);
    memset(h, 0xff, 8);
    pcap_put(pcap, h, 8);
    pcap_put_option(pcap, PCAPNG_OPT_SHB_USERAPPL, userappl, appl_len);
    pcap_put_option(pcap, PCAPNG_OPT_ENDOFOPT, NULL, 0);
    pcap_put_u32(pcap, len);

    /* IDB: type, length, link type, reserved, snaplen, options, length. */
    len = (uint32_t) (20 + (name_len > 0 ? pcap_option_size(name_len) : 0) +
                      pcap_option_size(1) + 4);
    pcap_le32(h, PCAPNG_IDB);
    pcap_le32(h + 4, len);
    pcap_le16(h + 8, (uint16_t) linktype);
    pcap_le16(h + 10, 0);
    pcap_le32(h + 12, pcap->snaplen);
    pcap_put(pcap, h, 16);
    if (name_len > 0)
        pcap_put_option(pcap, PCAPNG_OPT_IF_NAME, if_name, name_len);
    pcap_put_option(pcap, PCAPNG_OPT_IF_TSRESOL, &tsresol, 1);
    pcap_put_option(pcap, PCAPNG_OPT_ENDOFOPT, NULL, 0);
    pcap_put_u32(pcap, len);
}

/*
 * vns_pcap_open:
 * Starts the classic pcap file 'path' of Ethernet frames, keeping at most
 * 'snaplen' bytes of each (1 to VNS_PCAP_MAX_SNAPLEN). Same as
 * vns_pcap_open_full() with VNS_PCAP_FORMAT_PCAP, VNS_PCAP_LINKTYPE_ETHERNET
 * and no interface name.
 */
VnsPcap *
vns_pcap_open(const char *path, uint32_t snaplen, GError **error)
{
    return vns_pcap_open_full(path, VNS_PCAP_FORMAT_PCAP,
                              VNS_PCAP_LINKTYPE_ETHERNET, snaplen, NULL, error);
}

/*
 * vns_pcap_open_full:
 * Starts a capture file that will be named 'path' when closed: format
 * 'format', link type 'linktype' (below 65536 for pcapng), at most
 * 'snaplen' bytes kept per packet (1 to VNS_PCAP_MAX_SNAPLEN). 'if_name'
 * (borrowed, may be NULL; pcapng only) names the interface.
 * Writes the file header to a temporary file in the same directory.
 * Returns an owned writer, to be finished with vns_pcap_close() or
 * discarded with vns_pcap_free(), or NULL with VNS_OUT_ERROR_IO set.
 */
VnsPcap *
vns_pcap_open_full(const char *path, VnsPcapFormat format, uint32_t linktype,
                   uint32_t snaplen, const char *if_name, GError **error)
{
    g_autofree char *dir = NULL, *base = NULL;
    VnsPcap *pcap;
    int fd;

    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(snaplen >= 1 && snaplen <= VNS_PCAP_MAX_SNAPLEN, NULL);
    g_return_val_if_fail(format == VNS_PCAP_FORMAT_PCAP || linktype <= UINT16_MAX,
                         NULL);
    /* A pcapng option's value length is 16 bits, padding included. */
    g_return_val_if_fail(if_name == NULL || strlen(if_name) <= UINT16_MAX - 3,
                         NULL);
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    pcap = g_new0(VnsPcap, 1);
    pcap->path = g_strdup(path);
    pcap->temp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
    pcap->format = format;
    pcap->snaplen = snaplen;
    /* Mode 0666 less the umask, like fopen(); mkstemp's default is 0600. */
    fd = g_mkstemp_full(pcap->temp, O_WRONLY, 0666);
    if (fd < 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot create '%s': %s", path, g_strerror(errno));
        g_free(pcap->path);
        g_free(pcap->temp);
        g_free(pcap);
        return NULL;
    }
    pcap->fp = fdopen(fd, "wb");
    if (pcap->fp == NULL) {
        int e = errno;
        close(fd);
        g_unlink(pcap->temp);
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot write '%s': %s", path, g_strerror(e));
        g_free(pcap->path);
        g_free(pcap->temp);
        g_free(pcap);
        return NULL;
    }
    pcap->buf = g_malloc(PCAP_BUFFER_SIZE);
    setvbuf(pcap->fp, pcap->buf, _IOFBF, PCAP_BUFFER_SIZE);
    if (format == VNS_PCAP_FORMAT_PCAP)
        pcap_write_file_header(pcap, linktype);
    else
        pcapng_write_header(pcap, linktype, if_name);
    if (pcap->err != 0) {
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot write '%s': %s", path, g_strerror(pcap->err));
        vns_pcap_free(pcap);
        return NULL;
    }
    return pcap;
}

/*
 * vns_pcap_write:
 * Same as vns_pcap_write_dir() with VNS_PCAP_DIR_UNKNOWN.
 */
bool
vns_pcap_write(VnsPcap *pcap, VnsTime t, const uint8_t *headers,
               uint32_t header_len, uint32_t payload_len)
{
    return vns_pcap_write_dir(pcap, t, headers, header_len, payload_len,
                              VNS_PCAP_DIR_UNKNOWN);
}

/*
 * vns_pcap_write_dir:
 * Writes one packet seen at simulated time 't' (>= 0; the sub-nanosecond
 * part is truncated): 'header_len' bytes at 'headers' (borrowed) followed
 * by 'payload_len' zero bytes. The record keeps the first
 * min(snaplen, header_len + payload_len) of them and gives
 * header_len + payload_len (below 2^32) as the original length. 'dir' goes
 * into pcapng's epb_flags; the classic format has no place for it.
 * Returns false once a write has failed (vns_pcap_close() reports why);
 * later packets are then not written.
 */
bool
vns_pcap_write_dir(VnsPcap *pcap, VnsTime t, const uint8_t *headers,
                   uint32_t header_len, uint32_t payload_len, VnsPcapDir dir)
{
    uint64_t orig = (uint64_t) header_len + payload_len;
    uint32_t caplen, hcap;
    uint8_t h[28];

    g_return_val_if_fail(pcap != NULL && pcap->fp != NULL, false);
    g_return_val_if_fail(t >= 0 && orig <= UINT32_MAX, false);
    g_return_val_if_fail(headers != NULL || header_len == 0, false);
    if (pcap->err != 0)
        return false;
    caplen = (uint32_t) MIN(orig, pcap->snaplen);
    hcap = MIN(header_len, caplen);
    if (pcap->format == VNS_PCAP_FORMAT_PCAP) {
        /* Record header: seconds, nanoseconds, captured, original. */
        pcap_le32(h, (uint32_t) (t / VNS_SEC));
        pcap_le32(h + 4, (uint32_t) (t % VNS_SEC / VNS_NS));
        pcap_le32(h + 8, caplen);
        pcap_le32(h + 12, (uint32_t) orig);
        pcap_put(pcap, h, 16);
        pcap_put(pcap, headers, hcap);
        pcap_put_zeros(pcap, caplen - hcap);
    } else {
        /* EPB: type, length, interface 0, timestamp (high, low) in units
         * of if_tsresol, captured, original, data padded, options,
         * length again. */
        uint64_t ns = (uint64_t) (t / VNS_NS);
        size_t opts = dir != VNS_PCAP_DIR_UNKNOWN ? pcap_option_size(4) + 4 : 0;
        uint32_t len = (uint32_t) (32 + caplen + pcap_pad4(caplen) + opts);

        pcap_le32(h, PCAPNG_EPB);
        pcap_le32(h + 4, len);
        pcap_le32(h + 8, 0);
        pcap_le32(h + 12, (uint32_t) (ns >> 32));
        pcap_le32(h + 16, (uint32_t) ns);
        pcap_le32(h + 20, caplen);
        pcap_le32(h + 24, (uint32_t) orig);
        pcap_put(pcap, h, 28);
        pcap_put(pcap, headers, hcap);
        pcap_put_zeros(pcap, caplen - hcap + pcap_pad4(caplen));
        if (dir != VNS_PCAP_DIR_UNKNOWN) {
            uint8_t flags[4];
            pcap_le32(flags, dir == VNS_PCAP_DIR_IN ? PCAPNG_FLAG_INBOUND
                                                    : PCAPNG_FLAG_OUTBOUND);
            pcap_put_option(pcap, PCAPNG_OPT_EPB_FLAGS, flags, 4);
            pcap_put_option(pcap, PCAPNG_OPT_ENDOFOPT, NULL, 0);
        }
        pcap_put_u32(pcap, len);
    }
    if (pcap->err != 0)
        return false;
    pcap->packets++;
    return true;
}

/*
 * vns_pcap_packets:
 * The packets written so far.
 */
uint64_t
vns_pcap_packets(const VnsPcap *pcap)
{
    return pcap->packets;
}

/*
 * vns_pcap_close:
 * Flushes the file and renames it to its final name. Takes 'pcap' (freed
 * in every case). On a failed write, now or before, the temporary file is
 * removed and VNS_OUT_ERROR_IO says why.
 */
bool
vns_pcap_close(VnsPcap *pcap, GError **error)
{
    bool ok;

    if (pcap == NULL)
        return true;
    if (fclose(pcap->fp) != 0 && pcap->err == 0)
        pcap->err = errno != 0 ? errno : EIO;
    pcap->fp = NULL;
    if (pcap->err == 0) {
        if (g_rename(pcap->temp, pcap->path) != 0)
            pcap->err = errno;
        else
            g_clear_pointer(&pcap->temp, g_free);
    }
    ok = pcap->err == 0;
    if (!ok)
        g_set_error(error, VNS_OUT_ERROR, VNS_OUT_ERROR_IO,
                    "cannot write '%s': %s", pcap->path, g_strerror(pcap->err));
    vns_pcap_free(pcap);
    return ok;
}

/*
 * vns_pcap_free:
 * Discards a writer: a file not yet closed with vns_pcap_close() is
 * removed. NULL does nothing.
 */
void
vns_pcap_free(VnsPcap *pcap)
{
    if (pcap == NULL)
        return;
    if (pcap->fp != NULL)
        fclose(pcap->fp);
    if (pcap->temp != NULL)
        g_unlink(pcap->temp);
    g_free(pcap->buf);
    g_free(pcap->path);
    g_free(pcap->temp);
    g_free(pcap);
}
