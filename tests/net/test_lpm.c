/* Tests of the longest-prefix-match table and the equal-cost multipath
 * choice (src/net/lpm.c).
 *
 * The table is checked against a reference written for plainness, not
 * speed: a hash set of (prefix, length) pairs probed from the longest
 * length down, so a lookup is at most 33 or 129 probes. The reference is
 * itself checked against the plainest possible one, a scan of every prefix
 * for the longest match, on a sample of addresses (a full scan for every
 * lookup would take 1e5 x 6e5 comparisons per table). Prefixes are random
 * with lengths drawn like real BGP tables, and uniformly 0-32 or 0-128;
 * lookups are random addresses, an address inside each prefix, and the
 * first and last address of each prefix and their neighbours outside it.
 * Seeds are fixed (gsl_rng_mt19937). */
#include <config.h>
#include <criterion/criterion.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "net/lpm.h"
#include "net/proto.h"

/* Prefixes per randomized table, and random lookups per table. */
#define LT_PREFIXES 100000
#define LT_LOOKUPS 100000
/* Addresses whose reference answer is checked by a full scan. */
#define LT_SCANS 400

/* An address or prefix as a 128-bit integer, most significant bit first
 * (IPv4 in the top 32 bits of hi), as the reference stores it. */
typedef struct {
    uint64_t hi;
    uint64_t lo;
} LtKey;

typedef struct {
    LtKey key;
    uint32_t value;
    uint8_t len;
    bool used;
} LtSlot;

/* The reference: an open-addressing hash set of prefixes (linear probing,
 * deletion by backward shift, Knuth TAOCP vol. 3, 6.4 Algorithm R), with a
 * one-hash Bloom filter per length in front so that a lookup probes the
 * set only at lengths where its prefix may be (bits are never cleared: a
 * stale bit costs a probe, never a wrong answer). */
#define LT_FILTER_BITS 16
typedef struct {
    unsigned bits;              /* 32 or 128 */
    LtSlot *slots;
    size_t mask;                /* capacity - 1, a power of two minus one */
    size_t n;
    size_t per_len[129];        /* prefixes of each length */
    uint64_t *filter;           /* 129 filters of 2^LT_FILTER_BITS bits */
} LtRef;

/* Sets of random prefixes: lengths like a BGP table, or uniform. */
typedef enum {
    LT_LEN_REAL,
    LT_LEN_UNIFORM,
} LtLenKind;

/* Approximate shares in percent of each prefix length in the IPv4 BGP
 * table (bgp.potaroo.net; RIPE Labs, "Visibility of prefix lengths in IPv4
 * and IPv6", 2019: /24 about 60 %), with 1 % of /25-/32 added so that the
 * deepest levels are exercised too. */
static const double lt_v4_share[33] = {
    [8] = 0.0016, [9] = 0.0013, [10] = 0.004, [11] = 0.012, [12] = 0.03,
    [13] = 0.06, [14] = 0.12, [15] = 0.2, [16] = 1.4, [17] = 0.8, [18] = 1.3,
    [19] = 2.5, [20] = 4.0, [21] = 4.5, [22] = 12.0, [23] = 10.0, [24] = 60.0,
    [25] = 0.2, [26] = 0.1, [27] = 0.1, [28] = 0.1, [29] = 0.1, [30] = 0.1,
    [31] = 0.1, [32] = 0.2,
};

/* The same for IPv6 (/48 about 46 %, /32 about 14 %; mean length 42.7,
 * against 42.8-42.9 for the IPv6 FIB of AS131072 at bgp.potaroo.net in
 * 2024-2025), with /56, /64 and /128 added. */
static const double lt_v6_share[129] = {
    [20] = 0.05, [24] = 0.3, [28] = 0.8, [29] = 2.5, [30] = 0.3, [31] = 0.3,
    [32] = 14.0, [33] = 1.0, [34] = 1.0, [35] = 0.7, [36] = 3.5, [37] = 0.5,
    [38] = 0.8, [39] = 0.6, [40] = 6.5, [41] = 0.7, [42] = 1.8, [43] = 0.6,
    [44] = 8.0, [45] = 1.8, [46] = 3.5, [47] = 3.2, [48] = 46.0, [56] = 0.1,
    [64] = 0.2, [128] = 0.2,
};

static LtKey
lt_mask(unsigned len)
{
    LtKey m = { 0, 0 };

    if (len > 0)
        m.hi = len >= 64 ? ~UINT64_C(0) : ~UINT64_C(0) << (64 - len);
    if (len > 64)
        m.lo = len >= 128 ? ~UINT64_C(0) : ~UINT64_C(0) << (128 - len);
    return m;
}

static LtKey
lt_and(LtKey a, LtKey m)
{
    LtKey r = { a.hi & m.hi, a.lo & m.lo };
    return r;
}

static bool
lt_eq(LtKey a, LtKey b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

/* a + d (d = +1 or -1), modulo 2^128. */
static LtKey
lt_step(LtKey a, int d)
{
    LtKey r = a;

    if (d > 0) {
        r.lo++;
        if (r.lo == 0)
            r.hi++;
    } else {
        if (r.lo == 0)
            r.hi--;
        r.lo--;
    }
    return r;
}

static VnsIpAddr
lt_addr(unsigned bits, LtKey k)
{
    VnsIp6 a;

    if (bits == 32)
        return vns_ip_addr_v4((uint32_t) (k.hi >> 32));
    for (int i = 0; i < 8; i++) {
        a.b[i] = (uint8_t) (k.hi >> (56 - 8 * i));
        a.b[8 + i] = (uint8_t) (k.lo >> (56 - 8 * i));
    }
    return vns_ip_addr_v6(&a);
}

static VnsIpPrefix
lt_prefix(unsigned bits, LtKey k, unsigned len)
{
    VnsIpPrefix p;

    memset(&p, 0, sizeof p);
    p.addr = lt_addr(bits, k);
    p.len = (uint8_t) len;
    return p;
}

static LtKey
lt_key_of(const VnsIpAddr *a)
{
    LtKey k = { 0, 0 };

    if (a->family == VNS_IP_V4) {
        k.hi = (uint64_t) a->v4 << 32;
        return k;
    }
    for (int i = 0; i < 8; i++) {
        k.hi = k.hi << 8 | a->v6.b[i];
        k.lo = k.lo << 8 | a->v6.b[8 + i];
    }
    return k;
}

/* An IPv4 address "a.b.c.d" or IPv6 address as a key, for readable tests. */
static VnsIpPrefix
lt_parse(const char *text)
{
    VnsIpPrefix p;
    GError *err = NULL;

    cr_assert(vns_ip_prefix_parse(text, VNS_IP_PREFIX_ALLOW_NO_LENGTH, &p, &err),
              "%s: %s", text, err != NULL ? err->message : "");
    return p;
}

static VnsIpAddr
lt_parse_addr(const char *text)
{
    VnsIpAddr a;

    cr_assert(vns_ip_addr_parse(text, &a, NULL), "%s", text);
    return a;
}

static uint64_t
lt_hash(LtKey k, unsigned len)
{
    /* The splitmix64 finalizer (Steele, Lea and Flood, OOPSLA 2014). */
    uint64_t z = k.hi * 0x9E3779B97F4A7C15u ^ (k.lo + len) * 0xC2B2AE3D27D4EB4Fu;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void
lt_ref_init(LtRef *ref, unsigned bits, size_t capacity_log2)
{
    memset(ref, 0, sizeof *ref);
    ref->bits = bits;
    ref->mask = ((size_t) 1 << capacity_log2) - 1;
    ref->slots = g_new0(LtSlot, ref->mask + 1);
    ref->filter = g_new0(uint64_t, 129u << (LT_FILTER_BITS - 6));
}

/* The filter word and bit of a prefix with hash h. */
static uint64_t *
lt_filter_word(const LtRef *ref, unsigned len, uint64_t h, uint64_t *bit)
{
    uint64_t i = h >> (64 - LT_FILTER_BITS);

    *bit = UINT64_C(1) << (i & 63);
    return &ref->filter[((size_t) len << (LT_FILTER_BITS - 6)) + (i >> 6)];
}

static void
lt_ref_clear(LtRef *ref)
{
    g_free(ref->slots);
    g_free(ref->filter);
}

/* The slot of (k, len), or the empty slot where it would go. */
static size_t
lt_ref_find(const LtRef *ref, LtKey k, unsigned len)
{
    size_t i = lt_hash(k, len) & ref->mask;

    while (ref->slots[i].used &&
           !(ref->slots[i].len == len && lt_eq(ref->slots[i].key, k)))
        i = (i + 1) & ref->mask;
    return i;
}

/* Inserts or replaces; returns whether it replaced. */
static bool
lt_ref_insert(LtRef *ref, LtKey k, unsigned len, uint32_t value)
{
    size_t i = lt_ref_find(ref, k, len);
    bool replaced = ref->slots[i].used;
    uint64_t bit;

    cr_assert(ref->n < ref->mask / 2, "reference table too small");
    *lt_filter_word(ref, len, lt_hash(k, len), &bit) |= bit;
    ref->slots[i].key = k;
    ref->slots[i].len = (uint8_t) len;
    ref->slots[i].value = value;
    if (!replaced) {
        ref->slots[i].used = true;
        ref->n++;
        ref->per_len[len]++;
    }
    return replaced;
}

static bool
lt_ref_remove(LtRef *ref, LtKey k, unsigned len, uint32_t *old)
{
    size_t i = lt_ref_find(ref, k, len);
    size_t j = i;

    if (!ref->slots[i].used)
        return false;
    *old = ref->slots[i].value;
    ref->n--;
    ref->per_len[len]--;
    for (;;) {
        size_t home;

        j = (j + 1) & ref->mask;
        if (!ref->slots[j].used)
            break;
        home = lt_hash(ref->slots[j].key, ref->slots[j].len) & ref->mask;
        /* Leave slot j where it is if its home lies cyclically in (i, j]. */
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        ref->slots[i] = ref->slots[j];
        i = j;
    }
    ref->slots[i].used = false;
    return true;
}

static bool
lt_ref_exact(const LtRef *ref, LtKey k, unsigned len, uint32_t *value)
{
    size_t i = lt_ref_find(ref, k, len);

    if (!ref->slots[i].used)
        return false;
    *value = ref->slots[i].value;
    return true;
}

/* The reference lookup: the longest length at which the address's prefix
 * is in the set. */
static bool
lt_ref_lookup(const LtRef *ref, LtKey a, uint32_t *value)
{
    for (int len = (int) ref->bits; len >= 0; len--) {
        LtKey k = lt_and(a, lt_mask((unsigned) len));
        uint64_t bit;

        if (ref->per_len[len] > 0 &&
            (*lt_filter_word(ref, (unsigned) len, lt_hash(k, (unsigned) len), &bit) & bit) &&
            lt_ref_exact(ref, k, (unsigned) len, value))
            return true;
    }
    return false;
}

/* The plainest lookup: every prefix is tried. */
static bool
lt_ref_scan(const LtRef *ref, LtKey a, uint32_t *value)
{
    int best = -1;

    for (size_t i = 0; i <= ref->mask; i++) {
        const LtSlot *s = &ref->slots[i];
        if (s->used && s->len > best && lt_eq(lt_and(a, lt_mask(s->len)), s->key)) {
            best = s->len;
            *value = s->value;
        }
    }
    return best >= 0;
}

/* Counts disagreements between the table and the reference, keeping the
 * first for the failure message (one assertion per batch keeps Criterion
 * fast). */
typedef struct {
    size_t checked;
    size_t bad;
    char first[160];
} LtTally;

static void
lt_check_lookup(const VnsLpm *lpm, const LtRef *ref, LtKey a, LtTally *t)
{
    VnsIpAddr addr = lt_addr(ref->bits, a);
    uint32_t got = 0, want = 0;
    bool got_ok = vns_lpm_lookup(lpm, &addr, &got);
    bool want_ok = lt_ref_lookup(ref, a, &want);

    t->checked++;
    if (got_ok != want_ok || (got_ok && got != want)) {
        if (t->bad++ == 0) {
            char buf[VNS_IP_STRLEN];
            snprintf(t->first, sizeof t->first, "%s: table %s %u, reference %s %u",
                     vns_ip_addr_format(&addr, buf), got_ok ? "found" : "none",
                     got, want_ok ? "found" : "none", want);
        }
    }
}

static LtKey
lt_random_key(gsl_rng *rng, unsigned bits, bool global_unicast)
{
    LtKey k;

    k.hi = (uint64_t) gsl_rng_get(rng) << 32 | gsl_rng_get(rng);
    k.lo = (uint64_t) gsl_rng_get(rng) << 32 | gsl_rng_get(rng);
    if (bits == 32) {
        k.hi &= ~UINT64_C(0) << 32;
        k.lo = 0;
    } else if (global_unicast) {
        /* 2000::/3, the global unicast space (RFC 4291 section 2.4). */
        k.hi = (k.hi >> 3) | UINT64_C(1) << 61;
    }
    return k;
}

/* A random address inside prefix (k, len). */
static LtKey
lt_random_inside(gsl_rng *rng, unsigned bits, LtKey k, unsigned len)
{
    LtKey r = lt_random_key(rng, bits, false);
    LtKey m = lt_mask(len);

    r.hi = (k.hi & m.hi) | (r.hi & ~m.hi);
    r.lo = (k.lo & m.lo) | (r.lo & ~m.lo);
    if (bits == 32)
        r.hi &= ~UINT64_C(0) << 32;
    return r;
}

/* The last address of prefix (k, len). */
static LtKey
lt_last(unsigned bits, LtKey k, unsigned len)
{
    LtKey m = lt_mask(len);
    LtKey all = lt_mask(bits);
    LtKey r = { k.hi | (~m.hi & all.hi), k.lo | (~m.lo & all.lo) };

    return r;
}

/* Steps an address by d inside the family's space (IPv4 wraps at 2^32). */
static LtKey
lt_neighbour(unsigned bits, LtKey a, int d)
{
    if (bits == 32) {
        uint32_t v = (uint32_t) (a.hi >> 32) + (uint32_t) d;
        LtKey r = { (uint64_t) v << 32, 0 };
        return r;
    }
    return lt_step(a, d);
}

/* Checks the table against the reference at an address inside every
 * 'stride'th of the given prefixes, at their first and last address and at
 * the addresses just outside, and at n_random random addresses. */
static void
lt_check_all(const VnsLpm *lpm, const LtRef *ref, gsl_rng *rng, const LtKey *keys,
             const uint8_t *lens, size_t n, size_t stride, size_t n_random,
             bool global_unicast)
{
    LtTally t = { 0, 0, "" };
    unsigned bits = ref->bits;

    for (size_t i = 0; i < n_random; i++)
        lt_check_lookup(lpm, ref, lt_random_key(rng, bits, global_unicast), &t);
    for (size_t i = 0; i < n; i += stride) {
        LtKey first = keys[i];
        LtKey last = lt_last(bits, keys[i], lens[i]);

        lt_check_lookup(lpm, ref, lt_random_inside(rng, bits, keys[i], lens[i]), &t);
        lt_check_lookup(lpm, ref, first, &t);
        lt_check_lookup(lpm, ref, last, &t);
        lt_check_lookup(lpm, ref, lt_neighbour(bits, first, -1), &t);
        lt_check_lookup(lpm, ref, lt_neighbour(bits, last, +1), &t);
    }
    cr_assert_eq(t.bad, 0, "%zu of %zu lookups disagree; first: %s", t.bad,
                 t.checked, t.first);
}

/* Checks the reference against a full scan at random addresses and at
 * addresses inside the given prefixes. */
static void
lt_check_reference(const LtRef *ref, gsl_rng *rng, const LtKey *keys,
                   const uint8_t *lens, size_t n, bool global_unicast)
{
    size_t bad = 0, found = 0;

    for (size_t i = 0; i < LT_SCANS; i++) {
        LtKey a = i % 2 == 0 ? lt_random_key(rng, ref->bits, global_unicast)
                             : lt_random_inside(rng, ref->bits, keys[i % n], lens[i % n]);
        uint32_t v1 = 0, v2 = 0;
        bool ok1 = lt_ref_lookup(ref, a, &v1);
        bool ok2 = lt_ref_scan(ref, a, &v2);

        found += ok2;
        bad += ok1 != ok2 || v1 != v2;
    }
    cr_assert_eq(bad, 0, "the hash reference and the scan disagree %zu times", bad);
    cr_assert_gt(found, LT_SCANS / 4, "too few matches (%zu) to mean much", found);
}

typedef struct {
    const LtRef *ref;
    size_t n;
    size_t bad;
    bool ordered;
    LtKey prev;
    unsigned prev_len;
} LtWalk;

static bool
lt_walk_cb(const VnsIpPrefix *p, uint32_t value, void *data)
{
    LtWalk *w = data;
    LtKey k = lt_key_of(&p->addr);
    uint32_t want;

    if (w->n > 0 && (k.hi < w->prev.hi || (k.hi == w->prev.hi && k.lo < w->prev.lo) ||
                     (lt_eq(k, w->prev) && p->len <= w->prev_len)))
        w->ordered = false;
    if (!lt_ref_exact(w->ref, k, p->len, &want) || want != value ||
        !lt_eq(k, lt_and(k, lt_mask(p->len))))
        w->bad++;
    w->prev = k;
    w->prev_len = p->len;
    w->n++;
    return true;
}

/* Checks that vns_lpm_foreach() lists exactly the reference's prefixes, in
 * order, and that counts agree. */
static void
lt_check_listing(const VnsLpm *lpm, const LtRef *ref)
{
    LtWalk w = { ref, 0, 0, true, { 0, 0 }, 0 };

    cr_assert_eq(vns_lpm_count(lpm), ref->n);
    cr_assert(vns_lpm_foreach(lpm, lt_walk_cb, &w));
    cr_assert_eq(w.n, ref->n, "listed %zu, expected %zu", w.n, ref->n);
    cr_assert_eq(w.bad, 0, "%zu listed prefixes are wrong", w.bad);
    cr_assert(w.ordered, "the listing is not in (address, length) order");
}

/* The randomized comparison: inserts LT_PREFIXES random prefixes, checks
 * lookups, removes half, checks again (lookups that fall back to shorter
 * prefixes), replaces values, checks exact lookups and the listing, then
 * removes everything and checks that the table shrank back to its root. */
static void
lt_randomized(VnsIpFamily family, LtLenKind kind, unsigned long seed)
{
    unsigned bits = family == VNS_IP_V4 ? 32 : 128;
    bool global = family == VNS_IP_V6 && kind == LT_LEN_REAL;
    g_autoptr(VnsLpm) lpm = vns_lpm_new(family);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_ran_discrete_t *dist = NULL;
    LtKey *keys = g_new(LtKey, LT_PREFIXES);
    uint8_t *lens = g_new(uint8_t, LT_PREFIXES);
    uint32_t *values = g_new(uint32_t, LT_PREFIXES);
    VnsLpmStats empty, st;
    LtRef ref;
    size_t mismatched = 0;

    gsl_rng_set(rng, seed);
    lt_ref_init(&ref, bits, 18);
    vns_lpm_stats(lpm, &empty);
    if (kind == LT_LEN_REAL)
        dist = gsl_ran_discrete_preproc(bits + 1, bits == 32 ? lt_v4_share : lt_v6_share);

    /* Insert; the table and the reference must agree on "replaced". */
    for (size_t i = 0; i < LT_PREFIXES; i++) {
        unsigned len = kind == LT_LEN_REAL ? (unsigned) gsl_ran_discrete(rng, dist)
                                           : (unsigned) gsl_rng_uniform_int(rng, bits + 1);
        LtKey k = lt_and(lt_random_key(rng, bits, global), lt_mask(len));
        uint32_t v = (uint32_t) gsl_rng_uniform_int(rng, VNS_LPM_VALUE_MAX + 1ul);
        VnsIpPrefix p = lt_prefix(bits, k, len);

        keys[i] = k;
        lens[i] = (uint8_t) len;
        values[i] = v;
        mismatched += vns_lpm_insert(lpm, &p, v) != lt_ref_insert(&ref, k, len, v);
    }
    cr_assert_eq(mismatched, 0, "insert's 'replaced' disagrees %zu times", mismatched);
    cr_assert_eq(vns_lpm_count(lpm), ref.n);
    lt_check_reference(&ref, rng, keys, lens, LT_PREFIXES, global);
    lt_check_all(lpm, &ref, rng, keys, lens, LT_PREFIXES, 1, LT_LOOKUPS, global);
    lt_check_listing(lpm, &ref);

    /* Remove every other prefix (some twice, as the random set holds
     * duplicates); the removed ones' addresses now fall back, and are
     * checked. */
    for (size_t i = 0; i < LT_PREFIXES; i += 2) {
        VnsIpPrefix p = lt_prefix(bits, keys[i], lens[i]);
        uint32_t got = 0, want = 0;
        bool got_ok = vns_lpm_remove(lpm, &p, &got);
        bool want_ok = lt_ref_remove(&ref, keys[i], lens[i], &want);

        mismatched += got_ok != want_ok || (got_ok && got != want);
    }
    cr_assert_eq(mismatched, 0, "remove disagrees %zu times", mismatched);
    cr_assert_eq(vns_lpm_count(lpm), ref.n);
    lt_check_all(lpm, &ref, rng, keys, lens, LT_PREFIXES, 2, LT_LOOKUPS / 4, global);

    /* Replace the values of a third of the prefixes, re-adding removed ones. */
    for (size_t i = 0; i < LT_PREFIXES; i += 3) {
        VnsIpPrefix p = lt_prefix(bits, keys[i], lens[i]);
        uint32_t v = values[i] ^ 0x5A5A5Au;

        mismatched += vns_lpm_insert(lpm, &p, v) != lt_ref_insert(&ref, keys[i], lens[i], v);
    }
    cr_assert_eq(mismatched, 0, "replace disagrees %zu times", mismatched);
    lt_check_all(lpm, &ref, rng, keys, lens, LT_PREFIXES, 3, LT_LOOKUPS / 4, global);

    /* Exact lookups of present and removed prefixes, and of prefixes one
     * bit longer or shorter. */
    for (size_t i = 0; i < LT_PREFIXES; i++) {
        for (int d = -1; d <= 1; d++) {
            int len = lens[i] + d;
            if (len < 0 || len > (int) bits)
                continue;
            LtKey k = lt_and(keys[i], lt_mask((unsigned) len));
            VnsIpPrefix p = lt_prefix(bits, k, (unsigned) len);
            uint32_t got = 0, want = 0;
            bool got_ok = vns_lpm_lookup_exact(lpm, &p, &got);
            bool want_ok = lt_ref_exact(&ref, k, (unsigned) len, &want);

            mismatched += got_ok != want_ok || (got_ok && got != want);
        }
    }
    cr_assert_eq(mismatched, 0, "exact lookup disagrees %zu times", mismatched);
    lt_check_listing(lpm, &ref);
    vns_lpm_stats(lpm, &st);
    cr_assert_lt(st.nodes, st.prefixes, "%zu nodes for %zu prefixes", st.nodes,
                 st.prefixes);
    cr_assert_eq(st.bytes, vns_lpm_memory(lpm));
    cr_assert_leq(st.bytes_used, st.bytes);

    /* Remove everything: no prefix, and only the root left. */
    for (size_t i = 0; i < LT_PREFIXES; i++) {
        VnsIpPrefix p = lt_prefix(bits, keys[i], lens[i]);
        uint32_t got = 0, want = 0;
        bool got_ok = vns_lpm_remove(lpm, &p, &got);
        bool want_ok = lt_ref_remove(&ref, keys[i], lens[i], &want);

        mismatched += got_ok != want_ok || (got_ok && got != want);
    }
    cr_assert_eq(mismatched, 0, "final removal disagrees %zu times", mismatched);
    cr_assert_eq(vns_lpm_count(lpm), 0);
    vns_lpm_stats(lpm, &st);
    cr_assert_eq(st.nodes, 1);
    cr_assert_eq(st.leaves, 0);
    cr_assert_eq(st.bytes_used, empty.bytes_used);
    lt_check_all(lpm, &ref, rng, keys, lens, 1000, 1, 1000, global);

    if (dist != NULL)
        gsl_ran_discrete_free(dist);
    lt_ref_clear(&ref);
    g_free(keys);
    g_free(lens);
    g_free(values);
    gsl_rng_free(rng);
}

Test(lpm, random_v4_bgp_lengths)
{
    lt_randomized(VNS_IP_V4, LT_LEN_REAL, 1);
}

Test(lpm, random_v4_uniform_lengths)
{
    lt_randomized(VNS_IP_V4, LT_LEN_UNIFORM, 2);
}

Test(lpm, random_v6_bgp_lengths)
{
    lt_randomized(VNS_IP_V6, LT_LEN_REAL, 3);
}

Test(lpm, random_v6_uniform_lengths)
{
    lt_randomized(VNS_IP_V6, LT_LEN_UNIFORM, 4);
}

/* Looks 'addr' up and checks the value, or that nothing matches (-1). */
static void
lt_expect(const VnsLpm *lpm, const char *addr, long want)
{
    VnsIpAddr a = lt_parse_addr(addr);
    uint32_t v = 0;
    bool ok = vns_lpm_lookup(lpm, &a, &v);

    if (want < 0)
        cr_assert_not(ok, "%s: found %u, expected no match", addr, v);
    else
        cr_assert(ok && v == (uint32_t) want, "%s: %s %u, expected %ld", addr,
                  ok ? "found" : "no match", v, want);
}

static void
lt_add(VnsLpm *lpm, const char *prefix, uint32_t value)
{
    VnsIpPrefix p = lt_parse(prefix);

    cr_assert_not(vns_lpm_insert(lpm, &p, value), "%s already there", prefix);
}

static void
lt_del(VnsLpm *lpm, const char *prefix, uint32_t expected_old)
{
    VnsIpPrefix p = lt_parse(prefix);
    uint32_t old = 0;

    cr_assert(vns_lpm_remove(lpm, &p, &old), "%s not there", prefix);
    cr_assert_eq(old, expected_old, "%s had %u", prefix, old);
}

Test(lpm, empty_table_matches_nothing)
{
    g_autoptr(VnsLpm) v4 = vns_lpm_new(VNS_IP_V4);
    g_autoptr(VnsLpm) v6 = vns_lpm_new(VNS_IP_V6);
    VnsIpPrefix p = lt_parse("10.0.0.0/8");

    lt_expect(v4, "10.0.0.1", -1);
    lt_expect(v6, "2001:db8::1", -1);
    cr_assert_eq(vns_lpm_count(v4), 0);
    cr_assert_not(vns_lpm_remove(v4, &p, NULL));
    cr_assert_not(vns_lpm_lookup_exact(v4, &p, NULL));
    cr_assert_eq(vns_lpm_family(v6), VNS_IP_V6);
    /* An empty table costs a few kilobytes: one per simulated host is fine. */
    cr_assert_lt(vns_lpm_memory(v4), 2048);
}

Test(lpm, default_route_and_host_routes_v4)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V4);
    uint32_t v4;

    lt_add(t, "0.0.0.0/0", 1);
    lt_add(t, "10.0.0.0/8", 2);
    lt_add(t, "10.1.2.3/32", 3);
    lt_add(t, "255.255.255.255/32", 4);
    lt_add(t, "0.0.0.0/32", 5);
    lt_expect(t, "192.0.2.1", 1);
    lt_expect(t, "10.1.2.2", 2);
    lt_expect(t, "10.1.2.3", 3);
    lt_expect(t, "10.1.2.4", 2);
    lt_expect(t, "255.255.255.255", 4);
    lt_expect(t, "255.255.255.254", 1);
    lt_expect(t, "0.0.0.0", 5);
    lt_expect(t, "0.0.0.1", 1);
    cr_assert(vns_lpm_lookup_v4(t, 0x0A010203u, &v4));
    cr_assert_eq(v4, 3);
    cr_assert_eq(vns_lpm_count(t), 5);
    lt_del(t, "0.0.0.0/0", 1);
    lt_expect(t, "192.0.2.1", -1);
    lt_expect(t, "10.200.0.1", 2);
    lt_del(t, "10.1.2.3/32", 3);
    lt_expect(t, "10.1.2.3", 2);
}

Test(lpm, default_route_and_host_routes_v6)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V6);
    VnsIp6 a;
    uint32_t v;

    lt_add(t, "::/0", 1);
    lt_add(t, "2001:db8::/32", 2);
    lt_add(t, "2001:db8::1/128", 3);
    lt_add(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 4);
    lt_add(t, "::/128", 5);
    lt_expect(t, "2001:db9::1", 1);
    lt_expect(t, "2001:db8::2", 2);
    lt_expect(t, "2001:db8::1", 3);
    lt_expect(t, "2001:db8::", 2);
    lt_expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 4);
    lt_expect(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 1);
    lt_expect(t, "::", 5);
    lt_expect(t, "::1", 1);
    cr_assert(vns_ip6_parse("2001:db8::1", &a, NULL));
    cr_assert(vns_lpm_lookup_v6(t, &a, &v));
    cr_assert_eq(v, 3);
    lt_del(t, "::/0", 1);
    lt_expect(t, "::1", -1);
    lt_del(t, "2001:db8::1/128", 3);
    lt_expect(t, "2001:db8::1", 2);
}

/* Nested prefixes at every length of one path: each address matches the
 * longest, and each removal falls back to the next shorter one. */
Test(lpm, nested_prefixes_fall_back_on_removal)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V4);
    VnsIpAddr a = lt_parse_addr("10.20.30.40");
    uint32_t v;

    for (unsigned len = 0; len <= 32; len++) {
        VnsIpPrefix p = { a, (uint8_t) len };
        cr_assert_not(vns_lpm_insert(t, &p, len + 100));
    }
    for (unsigned len = 32;; len--) {
        cr_assert(vns_lpm_lookup(t, &a, &v));
        cr_assert_eq(v, len + 100);
        /* The address whose bit 'len' differs matches length len at most. */
        if (len < 32) {
            VnsIpAddr b = vns_ip_addr_v4(a.v4 ^ (0x80000000u >> len));
            cr_assert(vns_lpm_lookup(t, &b, &v));
            cr_assert_eq(v, len + 100, "len %u: %u", len, v);
        }
        VnsIpPrefix p = { a, (uint8_t) len };
        cr_assert(vns_lpm_remove(t, &p, &v));
        cr_assert_eq(v, len + 100);
        if (len == 0)
            break;
    }
    cr_assert_not(vns_lpm_lookup(t, &a, &v));
    cr_assert_eq(vns_lpm_count(t), 0);
}

/* Removing a shorter prefix leaves the longer ones it covered, and removing
 * a longer one in the middle of a range restores the shorter one there
 * only. */
Test(lpm, overlapping_prefixes)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V4);

    lt_add(t, "10.0.0.0/8", 1);
    lt_add(t, "10.0.0.0/12", 2);
    lt_add(t, "10.8.0.0/13", 3);
    lt_add(t, "10.8.0.0/16", 4);
    lt_add(t, "10.9.128.0/17", 5);
    lt_add(t, "10.9.128.0/25", 6);
    lt_expect(t, "10.7.255.255", 2);
    lt_expect(t, "10.8.1.1", 4);
    lt_expect(t, "10.9.0.1", 3);
    lt_expect(t, "10.9.128.1", 6);
    lt_expect(t, "10.9.128.200", 5);
    lt_expect(t, "10.16.0.0", 1);
    lt_del(t, "10.8.0.0/13", 3);
    lt_expect(t, "10.9.0.1", 2);
    lt_expect(t, "10.8.1.1", 4);
    lt_expect(t, "10.9.128.200", 5);
    lt_del(t, "10.0.0.0/12", 2);
    lt_expect(t, "10.9.0.1", 1);
    lt_expect(t, "10.9.128.1", 6);
    lt_del(t, "10.9.128.0/17", 5);
    lt_expect(t, "10.9.128.200", 1);
    lt_expect(t, "10.9.128.1", 6);
    lt_del(t, "10.0.0.0/8", 1);
    lt_expect(t, "10.9.128.200", -1);
    lt_expect(t, "10.8.255.255", 4);
    lt_expect(t, "10.9.128.127", 6);
    cr_assert_eq(vns_lpm_count(t), 2);
}

Test(lpm, replace_returns_true_and_keeps_count)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V6);
    VnsIpPrefix p = lt_parse("2001:db8:1::/48");
    VnsIpPrefix host_bits = lt_parse("2001:db8:1::");
    uint32_t v;

    host_bits.len = 48;         /* the same prefix, written with host bits */
    host_bits.addr.v6.b[15] = 7;
    cr_assert_not(vns_lpm_insert(t, &p, 1));
    cr_assert(vns_lpm_insert(t, &p, 2));
    cr_assert(vns_lpm_insert(t, &host_bits, 3));
    cr_assert_eq(vns_lpm_count(t), 1);
    cr_assert(vns_lpm_lookup_exact(t, &p, &v));
    cr_assert_eq(v, 3);
    cr_assert(vns_lpm_insert(t, &p, VNS_LPM_VALUE_MAX));
    lt_expect(t, "2001:db8:1:ffff::1", VNS_LPM_VALUE_MAX);
    cr_assert(vns_lpm_remove(t, &host_bits, &v));
    cr_assert_eq(v, VNS_LPM_VALUE_MAX);
    cr_assert_not(vns_lpm_remove(t, &p, &v));
}

/* Prefixes that share long runs of bits exercise path compression: a
 * prefix that ends inside a skipped run, one that leaves it, and removals
 * that splice the trie back together. */
Test(lpm, path_compression_splits_and_merges)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V6);
    VnsLpmStats st;

    lt_add(t, "2001:db8:aaaa:bbbb:cccc::/80", 1);
    lt_add(t, "2001:db8:aaaa:bbbb:cccc:dddd::/96", 2);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:dddd::5", 2);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:ddde::5", 1);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccd::", -1);
    lt_add(t, "2001:db8:aaa0::/44", 3);           /* ends in the skipped run */
    lt_add(t, "2001:db8:aaaa:bbbb:c000::/66", 4);
    lt_add(t, "2001:db8:aaab::/48", 5);           /* leaves the run early */
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:dddd::5", 2);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:ddde::5", 1);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccd::", 4);
    lt_expect(t, "2001:db8:aaaa:bbbb:8000::", 3);
    lt_expect(t, "2001:db8:aaaf::", 3);
    lt_expect(t, "2001:db8:aaab:1::", 5);
    lt_expect(t, "2001:db8:aab0::", -1);
    lt_del(t, "2001:db8:aaaa:bbbb:cccc::/80", 1);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:ddde::5", 4);
    lt_del(t, "2001:db8:aaa0::/44", 3);
    lt_del(t, "2001:db8:aaaa:bbbb:c000::/66", 4);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:dddd::5", 2);
    lt_expect(t, "2001:db8:aaaa:bbbb:cccc:ddde::5", -1);
    lt_del(t, "2001:db8:aaab::/48", 5);
    vns_lpm_stats(t, &st);
    cr_assert_eq(st.prefixes, 1);
    cr_assert_eq(st.nodes, 1, "%zu nodes left for one prefix", st.nodes);
    cr_assert_eq(st.leaves, 1);
}

static bool
lt_collect_cb(const VnsIpPrefix *p, uint32_t value, void *data)
{
    char buf[VNS_IP_PREFIX_STRLEN];

    g_ptr_array_add(data, g_strdup(vns_ip_prefix_format(p, buf)));
    return true;
}

static bool
lt_stop_cb(const VnsIpPrefix *p, uint32_t value, void *data)
{
    return --*(int *) data > 0;
}

Test(lpm, listing_in_order)
{
    g_autoptr(VnsLpm) t = vns_lpm_new(VNS_IP_V4);
    const char *sorted[] = {
        "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/24", "10.0.0.0/32", "10.0.0.128/25",
        "10.1.0.0/16", "192.168.0.0/16", "192.168.1.0/24",
    };
    GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = G_N_ELEMENTS(sorted); i-- > 0;)
        lt_add(t, sorted[i], (uint32_t) i);
    cr_assert(vns_lpm_foreach(t, lt_collect_cb, seen));
    cr_assert_eq(seen->len, G_N_ELEMENTS(sorted));
    for (size_t i = 0; i < G_N_ELEMENTS(sorted); i++)
        cr_assert_str_eq(g_ptr_array_index(seen, i), sorted[i]);
    g_ptr_array_unref(seen);
    int left = 3;
    cr_assert_not(vns_lpm_foreach(t, lt_stop_cb, &left));
    cr_assert_eq(left, 0);
}

/* A random TCP or UDP flow between random IPv4 or IPv6 endpoints. */
static VnsFlowKey
lt_random_flow(gsl_rng *rng)
{
    VnsFlowKey k;

    vns_flow_key_init(&k);
    k.proto = gsl_rng_uniform(rng) < 0.5 ? VNS_IPPROTO_TCP : VNS_IPPROTO_UDP;
    if (gsl_rng_uniform(rng) < 0.5) {
        k.family = VNS_IP_V4;
        k.src = vns_ip_addr_v4((uint32_t) gsl_rng_get(rng));
        k.dst = vns_ip_addr_v4((uint32_t) gsl_rng_get(rng));
    } else {
        LtKey a = lt_random_key(rng, 128, true), b = lt_random_key(rng, 128, true);
        k.family = VNS_IP_V6;
        k.src = lt_addr(128, a);
        k.dst = lt_addr(128, b);
    }
    k.sport = (uint16_t) gsl_rng_get(rng);
    k.dport = (uint16_t) gsl_rng_get(rng);
    return k;
}

/* 1e5 random flows over 8 next hops: each path's share is within 2
 * percentage points of 1/8. The binomial standard deviation of a share is
 * sqrt(p (1 - p) / n) = sqrt(0.125 * 0.875 / 1e5) = 0.105 points, so the
 * bound is about 19 standard deviations and never fails by chance; the
 * chi-square test of uniformity (7 degrees of freedom) is the sharp check. */
Test(lpm, multipath_spreads_flows_evenly)
{
    enum { FLOWS = 100000, PATHS = 8 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(rng, 8);
    for (int policy = VNS_LPM_MULTIPATH_L3; policy <= VNS_LPM_MULTIPATH_L4; policy++) {
        size_t count[PATHS] = { 0 };
        double chi2 = 0;

        for (int i = 0; i < FLOWS; i++) {
            VnsFlowKey k = lt_random_flow(rng);
            unsigned path = vns_lpm_multipath_select(&k, 0x1234u,
                                                     (VnsLpmMultipathPolicy) policy, PATHS);
            cr_assert_lt(path, PATHS);
            count[path]++;
        }
        for (int p = 0; p < PATHS; p++) {
            double share = (double) count[p] / FLOWS;
            double expected = (double) FLOWS / PATHS;
            cr_assert_lt(fabs(share - 1.0 / PATHS), 0.02, "policy %d path %d: share %.4f",
                         policy, p, share);
            chi2 += (count[p] - expected) * (count[p] - expected) / expected;
        }
        cr_assert_gt(gsl_cdf_chisq_Q(chi2, PATHS - 1), 1e-4, "policy %d: chi2 %.1f",
                     policy, chi2);
    }
    gsl_rng_free(rng);
}

/* All packets of a flow take one path: fields that differ between packets
 * (TTL, TCP flags, DSCP) never move it; under the L3 policy ports do not
 * either, under L4 they do; and another router's seed chooses differently. */
Test(lpm, multipath_keeps_a_flow_on_one_path)
{
    enum { FLOWS = 20000, PATHS = 8 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t moved_by_ports = 0, moved_by_seed = 0, bad = 0;

    gsl_rng_set(rng, 9);
    for (int i = 0; i < FLOWS; i++) {
        VnsFlowKey k = lt_random_flow(rng);
        VnsFlowKey pkt = k;
        unsigned l4 = vns_lpm_multipath_select(&k, 7, VNS_LPM_MULTIPATH_L4, PATHS);
        unsigned l3 = vns_lpm_multipath_select(&k, 7, VNS_LPM_MULTIPATH_L3, PATHS);

        for (int j = 0; j < 4; j++) {
            pkt.ttl = (uint8_t) gsl_rng_get(rng);
            pkt.tcp_flags = (uint8_t) gsl_rng_get(rng);
            pkt.dscp = (uint8_t) (gsl_rng_get(rng) & 63);
            bad += vns_lpm_multipath_select(&pkt, 7, VNS_LPM_MULTIPATH_L4, PATHS) != l4;
            bad += vns_lpm_multipath_select(&pkt, 7, VNS_LPM_MULTIPATH_L3, PATHS) != l3;
        }
        pkt.sport ^= 1;
        bad += vns_lpm_multipath_select(&pkt, 7, VNS_LPM_MULTIPATH_L3, PATHS) != l3;
        moved_by_ports += vns_lpm_multipath_select(&pkt, 7, VNS_LPM_MULTIPATH_L4, PATHS) != l4;
        moved_by_seed += vns_lpm_multipath_select(&k, 8, VNS_LPM_MULTIPATH_L4, PATHS) != l4;
    }
    cr_assert_eq(bad, 0, "%zu packets left their flow's path", bad);
    /* Independent choices differ with probability 7/8. */
    cr_assert_gt(moved_by_ports, FLOWS * 0.85);
    cr_assert_gt(moved_by_seed, FLOWS * 0.85);
    gsl_rng_free(rng);
}

/* Hash-threshold (RFC 2992): the hash space is cut into equal regions in
 * order, so the smallest hashes take path 0 and the largest the last. */
Test(lpm, multipath_index_is_hash_threshold)
{
    cr_assert_eq(vns_lpm_multipath_index(0, 8), 0);
    cr_assert_eq(vns_lpm_multipath_index(0x1FFFFFFFu, 8), 0);
    cr_assert_eq(vns_lpm_multipath_index(0x20000000u, 8), 1);
    cr_assert_eq(vns_lpm_multipath_index(0xFFFFFFFFu, 8), 7);
    cr_assert_eq(vns_lpm_multipath_index(0xFFFFFFFFu, 1), 0);
    cr_assert_eq(vns_lpm_multipath_index(0x80000000u, 3), 1);
    for (unsigned n = 1; n <= 64; n++) {
        unsigned prev = 0;
        for (uint64_t h = 0; h <= 0xFFFFFFFFu; h += 0x00FFFFFFu) {
            unsigned i = vns_lpm_multipath_index((uint32_t) h, n);
            cr_assert(i < n && i >= prev, "n %u hash %#x: %u", n, (unsigned) h, i);
            prev = i;
        }
    }
}
