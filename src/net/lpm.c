/* Longest-prefix match (see lpm.h): a path-compressed multibit trie of
 * stride 8, with each prefix expanded over the slots of one node.
 *
 * Addresses are handled as 128-bit integers, most significant bit first
 * (IPv4 in the top 32 bits), so one trie serves both families. A node at
 * bit position 'pos' (0, 8, ..., 120) has 256 slots, one per value of the
 * address byte at 'pos'. A prefix of length L (1 <= L <= bits) lives in
 * the one node with pos < L <= pos + 8 on its path, expanded over the
 * 2^(pos + 8 - L) slots it covers (controlled prefix expansion, Srinivasan
 * and Varghese, ACM TOCS 17(1), 1999); where several of the node's prefixes
 * cover a slot, the longest wins. The default route /0 is kept in the
 * root.
 *
 * A slot holds a value, nothing, or a reference to a deeper node or leaf.
 * Values are pushed down (leaf pushing, as in DPDK's rte_lpm, after Gupta,
 * Lin and McKeown, "Routing Lookups in Hardware at Memory Access Speeds",
 * INFOCOM 1998): a node's 'inherit' is the longest match of its path above
 * it, and its slots that none of its own prefixes cover hold that value,
 * so the first slot that is not a reference ends a lookup with the answer,
 * and a lookup reads one slot per node and no node header. The default
 * route is the exception: it stays in the root and stands for "nothing" at
 * the end, so that changing it costs nothing. An insert or a removal
 * rewrites the at most 128 slots of one node that the prefix covers, and
 * the subtrees below them whose inherited value changes (for a short
 * prefix in a large table, all of them; for a /24 among BGP routes, none).
 *
 * Sparse parts of the address space are compressed in two ways, as Linux's
 * fib_trie compresses its LC-trie (Nilsson and Karlsson, "IP-Address
 * Lookup Using LC-Tries", IEEE JSAC 17(6), 1999): a node is made only where
 * prefixes live or paths branch, and a child may sit several bytes below
 * its parent, with the skipped bits checked against the child's key on
 * arrival (path compression); and a subtree that holds a single prefix is
 * a 32-byte leaf instead of a node. Every node other than the root then
 * holds at least two prefixes or children between them, so there are
 * fewer nodes than prefixes.
 *
 * Each node also keeps its own prefixes as rules sorted by (first slot,
 * length), for exact lookups, for listing the table, and to recompute the
 * slots a prefix covered when it comes or goes. Lookups never read them.
 *
 * A slot is 32 bits. A reference to a node carries the node's bit position
 * beside its id, so a lookup finds the next slot without reading the
 * node's header: in a table too large for the caches, one miss per level
 * instead of two. Nodes and leaves live in two arrays indexed by 26-bit
 * ids, grown when full and reused through free lists. Growing moves the
 * array: code that allocates a node fetches its node pointers again
 * afterwards. */
#include <config.h>
#include "net/lpm.h"

#include <string.h>
#include "net/wire.h"

/* Slots per node: the stride is one address byte. */
#define LPM_SLOTS 256

/* A slot or 'inherit' word: a value (0 to VNS_LPM_VALUE_MAX), LPM_NONE, or
 * LPM_REF with the id of a node and its bit position / 8, or with
 * LPM_REF_LEAF and the id of a leaf (position bits zero, so that no leaf
 * reference is LPM_NONE). */
#define LPM_REF 0x80000000u
#define LPM_REF_LEAF 0x40000000u
#define LPM_REF_POS_SHIFT 26
#define LPM_REF_ID 0x03FFFFFFu
#define LPM_NONE 0xFFFFFFFFu        /* no value; also ends the free lists */
#define LPM_ID_MAX LPM_REF_ID

/* Nodes on a path: one per address byte. */
#define LPM_MAX_DEPTH 16

/* An address or prefix as a 128-bit integer, most significant bit first:
 * IPv4 in bits 127-96 (the top of 'hi'), IPv6 in network order. */
typedef struct {
    uint64_t hi;
    uint64_t lo;
} LpmKey;

/* One prefix stored in a node. */
typedef struct {
    uint32_t value;
    uint8_t start;              /* first slot it covers */
    uint8_t len;                /* prefix length, bits from the address start */
} LpmRule;

typedef struct {
    LpmKey key;                 /* the first 'pos' bits of addresses below; rest 0 */
    LpmKey mask;                /* 'pos' leading one bits */
    /* The longest match of the node's path above it, as the parent slot
     * that refers to the node would hold it, or LPM_NONE. The root: the
     * /0 route, which is not pushed down. A free node: the id of the next
     * free node. */
    uint32_t inherit;
    uint8_t pos;                /* bit position of the slot byte: 0, 8, ..., 120 */
    uint16_t nchildren;         /* slots that refer to a node or leaf */
    uint16_t nrules;            /* prefixes stored here, at most 510 */
    uint16_t rules_cap;
    LpmRule *rules;             /* sorted by (start, len); owned */
    uint32_t slots[LPM_SLOTS];  /* what a lookup reads */
} LpmNode;

/* A subtree holding a single prefix. */
typedef struct {
    LpmKey key;                 /* the prefix; bits after 'len' zero */
    uint32_t value;
    uint32_t inherit;           /* as for a node; a free leaf: next free leaf */
    uint8_t len;
} LpmLeaf;

struct VnsLpm {
    LpmNode *nodes;             /* node 0 is the root, at pos 0 */
    LpmLeaf *leaves;
    uint32_t nodes_cap;         /* nodes allocated */
    uint32_t nodes_top;         /* ids handed out so far */
    uint32_t nodes_free;        /* head of the free list, or LPM_NONE */
    uint32_t nodes_live;
    uint32_t leaves_cap;
    uint32_t leaves_top;
    uint32_t leaves_free;
    uint32_t leaves_live;
    size_t count;               /* prefixes, /0 included */
    size_t rules_live;          /* rules in use, all nodes */
    size_t rules_cap;           /* rules allocated, all nodes */
    uint8_t family;             /* VnsIpFamily */
    uint8_t bits;               /* 32 or 128 */
};

/* The first 'bits' (0-64) bits of a 64-bit word set. */
static inline uint64_t
lpm_mask64(unsigned bits)
{
    return bits == 0 ? 0 : ~UINT64_C(0) << (64 - bits);
}

/* The first 'len' (0-128) bits of a key set. */
static inline LpmKey
lpm_mask(unsigned len)
{
    LpmKey m = { lpm_mask64(MIN(len, 64u)), lpm_mask64(len > 64 ? len - 64 : 0) };
    return m;
}

/* The address byte at bit position 'pos' (a multiple of 8 below 128). */
static inline unsigned
lpm_byte(uint64_t hi, uint64_t lo, unsigned pos)
{
    return (unsigned) ((pos < 64 ? hi << pos : lo << (pos - 64)) >> 56);
}

static inline bool
lpm_key_equal(const LpmKey *a, const LpmKey *b)
{
    return a->hi == b->hi && a->lo == b->lo;
}

/* How many leading bits two keys share, 0 to 128. */
static unsigned
lpm_key_common(const LpmKey *a, const LpmKey *b)
{
    uint64_t x = a->hi ^ b->hi;

    if (x != 0)
        return (unsigned) __builtin_clzll(x);
    x = a->lo ^ b->lo;
    return x != 0 ? 64 + (unsigned) __builtin_clzll(x) : 128;
}

/* The key of an IPv6 address (network byte order in, host order out). */
static LpmKey
lpm_key_from_ip6(const VnsIp6 *a)
{
    LpmKey k = {
        (uint64_t) vns_wire_get32(a->b) << 32 | vns_wire_get32(a->b + 4),
        (uint64_t) vns_wire_get32(a->b + 8) << 32 | vns_wire_get32(a->b + 12),
    };
    return k;
}

/* The key of an address of the table's family; bits after 'len' cleared. */
static LpmKey
lpm_key_from_addr(const VnsIpAddr *addr, unsigned len)
{
    LpmKey k = { 0, 0 };
    LpmKey m = lpm_mask(len);

    if (addr->family == VNS_IP_V4)
        k.hi = (uint64_t) addr->v4 << 32;
    else
        k = lpm_key_from_ip6(&addr->v6);
    k.hi &= m.hi;
    k.lo &= m.lo;
    return k;
}

/* The prefix of the table's family with key 'k' and length 'len'. */
static VnsIpPrefix
lpm_key_to_prefix(const VnsLpm *lpm, const LpmKey *k, unsigned len)
{
    VnsIpPrefix p;

    memset(&p, 0, sizeof p);
    if (lpm->family == VNS_IP_V4) {
        p.addr = vns_ip_addr_v4((uint32_t) (k->hi >> 32));
    } else {
        VnsIp6 a;
        vns_wire_put32(a.b, (uint32_t) (k->hi >> 32));
        vns_wire_put32(a.b + 4, (uint32_t) k->hi);
        vns_wire_put32(a.b + 8, (uint32_t) (k->lo >> 32));
        vns_wire_put32(a.b + 12, (uint32_t) k->lo);
        p.addr = vns_ip_addr_v6(&a);
    }
    p.len = (uint8_t) len;
    return p;
}

/* Whether the first bits of 'k' are those of node or leaf key 'key' under
 * mask 'm'. */
static inline bool
lpm_key_matches(uint64_t hi, uint64_t lo, const LpmKey *key, const LpmKey *m)
{
    return (((hi ^ key->hi) & m->hi) | ((lo ^ key->lo) & m->lo)) == 0;
}

/* Whether slot word 'e' refers to a node or leaf (one comparison: values
 * wrap to the top half, and LPM_NONE maps to the bound itself). */
static inline bool
lpm_is_ref(uint32_t e)
{
    return e - LPM_REF < LPM_NONE - LPM_REF;
}

/* A slot word that refers to node 'id' at bit position 'pos'. */
static inline uint32_t
lpm_ref_node(uint32_t id, unsigned pos)
{
    return LPM_REF | (uint32_t) (pos / 8) << LPM_REF_POS_SHIFT | id;
}

/* A slot word that refers to leaf 'id'. */
static inline uint32_t
lpm_ref_leaf(uint32_t id)
{
    return LPM_REF | LPM_REF_LEAF | id;
}

/* The 'inherit' word of the node or leaf that reference 'e' names. */
static uint32_t *
lpm_inherit(VnsLpm *lpm, uint32_t e)
{
    if (e & LPM_REF_LEAF)
        return &lpm->leaves[e & LPM_REF_ID].inherit;
    return &lpm->nodes[e & LPM_REF_ID].inherit;
}

/* The new capacity of an array of 'cap' entries that is full: doubling
 * while small, then growing by a quarter, so that a large table wastes
 * little (glibc moves large blocks by remapping pages, not copying). */
static uint32_t
lpm_grow(uint32_t cap)
{
    uint64_t n = cap < 1024 ? (uint64_t) cap * 2 + 1 : (uint64_t) cap + cap / 4;

    g_assert(cap <= LPM_ID_MAX);
    return (uint32_t) MIN(n, (uint64_t) LPM_ID_MAX + 1);
}

/* Makes a node without prefixes at bit position 'pos' on the path of 'key',
 * all of whose slots hold 'inherit', and returns its id. Moves the node
 * array: pointers to nodes are stale. */
static uint32_t
lpm_node_alloc(VnsLpm *lpm, unsigned pos, const LpmKey *key, uint32_t inherit)
{
    uint32_t id;
    LpmNode *n;

    if (lpm->nodes_free != LPM_NONE) {
        id = lpm->nodes_free;
        lpm->nodes_free = lpm->nodes[id].inherit;
    } else {
        if (lpm->nodes_top == lpm->nodes_cap) {
            lpm->nodes_cap = lpm_grow(lpm->nodes_cap);
            lpm->nodes = g_renew(LpmNode, lpm->nodes, lpm->nodes_cap);
        }
        id = lpm->nodes_top++;
    }
    n = &lpm->nodes[id];
    n->mask = lpm_mask(pos);
    n->key.hi = key->hi & n->mask.hi;
    n->key.lo = key->lo & n->mask.lo;
    n->inherit = inherit;
    n->pos = (uint8_t) pos;
    n->nchildren = 0;
    n->nrules = 0;
    n->rules_cap = 0;
    n->rules = NULL;
    for (unsigned s = 0; s < LPM_SLOTS; s++)
        n->slots[s] = inherit;
    lpm->nodes_live++;
    return id;
}

/* Frees the rules of node 'id' and puts the node on the free list. */
static void
lpm_node_release(VnsLpm *lpm, uint32_t id)
{
    LpmNode *n = &lpm->nodes[id];

    lpm->rules_live -= n->nrules;
    lpm->rules_cap -= n->rules_cap;
    g_free(n->rules);
    n->rules = NULL;
    n->inherit = lpm->nodes_free;
    lpm->nodes_free = id;
    lpm->nodes_live--;
}

/* Returns the id of an unused leaf. Moves the leaf array only. */
static uint32_t
lpm_leaf_alloc(VnsLpm *lpm)
{
    uint32_t id;

    if (lpm->leaves_free != LPM_NONE) {
        id = lpm->leaves_free;
        lpm->leaves_free = lpm->leaves[id].inherit;
    } else {
        if (lpm->leaves_top == lpm->leaves_cap) {
            lpm->leaves_cap = lpm_grow(lpm->leaves_cap);
            lpm->leaves = g_renew(LpmLeaf, lpm->leaves, lpm->leaves_cap);
        }
        id = lpm->leaves_top++;
    }
    lpm->leaves_live++;
    return id;
}

/* Puts leaf 'id' on the free list. */
static void
lpm_leaf_release(VnsLpm *lpm, uint32_t id)
{
    lpm->leaves[id].inherit = lpm->leaves_free;
    lpm->leaves_free = id;
    lpm->leaves_live--;
}

/* Finds the rule (start, len) of node 'n'. Returns whether it is there;
 * '*at' is its index, or where it would go. */
static bool
lpm_rule_find(const LpmNode *n, unsigned start, unsigned len, size_t *at)
{
    unsigned want = start << 8 | len;
    size_t lo = 0, hi = n->nrules;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        unsigned have = (unsigned) n->rules[mid].start << 8 | n->rules[mid].len;
        if (have < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < n->nrules &&
           n->rules[lo].start == start && n->rules[lo].len == len;
}

/* Inserts rule (start, len, value) at index 'at' of node 'n'. */
static void
lpm_rule_insert(VnsLpm *lpm, LpmNode *n, size_t at, unsigned start,
                unsigned len, uint32_t value)
{
    if (n->nrules == n->rules_cap) {
        uint16_t cap = n->rules_cap == 0 ? 2 : (uint16_t) (n->rules_cap * 2);
        n->rules = g_renew(LpmRule, n->rules, cap);
        lpm->rules_cap += cap - n->rules_cap;
        n->rules_cap = cap;
    }
    memmove(n->rules + at + 1, n->rules + at, (n->nrules - at) * sizeof *n->rules);
    n->rules[at].value = value;
    n->rules[at].start = (uint8_t) start;
    n->rules[at].len = (uint8_t) len;
    n->nrules++;
    lpm->rules_live++;
}

/* Deletes the rule at index 'at' of node 'n'. */
static void
lpm_rule_delete(VnsLpm *lpm, LpmNode *n, size_t at)
{
    n->nrules--;
    memmove(n->rules + at, n->rules + at + 1, (n->nrules - at) * sizeof *n->rules);
    lpm->rules_live--;
}

/* Recomputes the slots of node 'n' that prefix (start, len) covers, after
 * the prefix came, went or changed value, or all of them when len is
 * n->pos: each gets the value of the longest of the node's rules covering
 * it, or else the node's 'inherit' (LPM_NONE in the root, whose 'inherit'
 * is the default route). A slot that refers to a child passes its value to
 * the child's 'inherit' instead, and a child node whose 'inherit' changes
 * is recomputed in turn. Rules sorted by (start, len) list nested prefixes
 * after the prefixes that contain them, so painting them in order leaves
 * the longest on top. */
static void
lpm_node_repaint(VnsLpm *lpm, LpmNode *n, unsigned start, unsigned len)
{
    unsigned span = 1u << (n->pos + 8 - len);
    uint32_t paint[LPM_SLOTS];
    uint32_t cover = n == lpm->nodes ? LPM_NONE : n->inherit;
    size_t at;

    /* The longest shorter rule covering the whole block. */
    for (unsigned l = len - 1; l > n->pos; l--) {
        unsigned s = start & ~((1u << (n->pos + 8 - l)) - 1);
        if (lpm_rule_find(n, s, l, &at)) {
            cover = n->rules[at].value;
            break;
        }
    }
    for (unsigned i = 0; i < span; i++)
        paint[i] = cover;
    /* The rules inside the block, the prefix itself included. */
    lpm_rule_find(n, start, 0, &at);
    for (; at < n->nrules && n->rules[at].start < start + span; at++) {
        const LpmRule *r = &n->rules[at];
        unsigned from = r->start - start;
        unsigned to = from + (1u << (n->pos + 8 - r->len));

        if (r->len < len)
            continue;           /* covers the whole block: found above */
        for (unsigned i = from; i < to; i++)
            paint[i] = r->value;
    }
    for (unsigned i = 0; i < span; i++) {
        uint32_t e = n->slots[start + i];

        if (!lpm_is_ref(e)) {
            n->slots[start + i] = paint[i];
        } else if (*lpm_inherit(lpm, e) != paint[i]) {
            *lpm_inherit(lpm, e) = paint[i];
            if (!(e & LPM_REF_LEAF)) {
                LpmNode *c = &lpm->nodes[e & LPM_REF_ID];
                lpm_node_repaint(lpm, c, 0, c->pos);
            }
        }
    }
}

/* Stores prefix (key, len) with 'value' in node 'n', where
 * n->pos < len <= n->pos + 8. Returns whether it replaced the prefix's
 * value. */
static bool
lpm_node_add(VnsLpm *lpm, LpmNode *n, const LpmKey *key, unsigned len,
             uint32_t value)
{
    unsigned start = lpm_byte(key->hi, key->lo, n->pos);
    bool replaced;
    size_t at;

    replaced = lpm_rule_find(n, start, len, &at);
    if (replaced)
        n->rules[at].value = value;
    else
        lpm_rule_insert(lpm, n, at, start, len, value);
    lpm_node_repaint(lpm, n, start, len);
    return replaced;
}

/* Removes prefix (key, len) from node 'n', where n->pos < len <=
 * n->pos + 8: its slots fall back to the longest shorter prefix of the
 * node that covers them, or to nothing. Returns whether it was there. */
static bool
lpm_node_remove(VnsLpm *lpm, LpmNode *n, const LpmKey *key, unsigned len,
                uint32_t *old_value)
{
    unsigned start = lpm_byte(key->hi, key->lo, n->pos);
    size_t at;

    if (!lpm_rule_find(n, start, len, &at))
        return false;
    if (old_value != NULL)
        *old_value = n->rules[at].value;
    lpm_rule_delete(lpm, n, at);
    lpm_node_repaint(lpm, n, start, len);
    return true;
}

/* Puts a new node between node 'pid' and the leaf its slot 's' refers to,
 * at the deepest byte position from which both the leaf's prefix and the
 * prefix (key, len) being inserted can be reached, and returns its id. A
 * leaf prefix that ends within the new node's byte becomes a rule of it. */
static uint32_t
lpm_split_leaf(VnsLpm *lpm, uint32_t pid, unsigned s, const LpmKey *key,
               unsigned len)
{
    uint32_t lid = lpm->nodes[pid].slots[s] & LPM_REF_ID;
    LpmLeaf *leaf = &lpm->leaves[lid];
    unsigned common = lpm_key_common(key, &leaf->key);
    unsigned pos = MIN(MIN(common, len - 1), leaf->len - 1u) & ~7u;
    uint32_t mid = lpm_node_alloc(lpm, pos, key, leaf->inherit);
    LpmNode *m = &lpm->nodes[mid];

    g_assert(pos >= lpm->nodes[pid].pos + 8u);
    lpm->nodes[pid].slots[s] = lpm_ref_node(mid, pos);
    if (leaf->len <= pos + 8) {
        lpm_node_add(lpm, m, &leaf->key, leaf->len, leaf->value);
        lpm_leaf_release(lpm, lid);
    } else {
        /* The leaf inherits the new node's slot value: unchanged. */
        m->slots[lpm_byte(leaf->key.hi, leaf->key.lo, pos)] = lpm_ref_leaf(lid);
        m->nchildren = 1;
    }
    return mid;
}

/* Like lpm_split_leaf() when slot 's' of node 'pid' refers to a node whose
 * skipped bits the prefix (key, len) does not match, or whose byte lies
 * beyond the prefix's end. */
static uint32_t
lpm_split_node(VnsLpm *lpm, uint32_t pid, unsigned s, const LpmKey *key,
               unsigned len)
{
    uint32_t cid = lpm->nodes[pid].slots[s] & LPM_REF_ID;
    unsigned cpos = lpm->nodes[cid].pos;
    unsigned common = MIN(lpm_key_common(key, &lpm->nodes[cid].key), cpos);
    unsigned pos = MIN(MIN(common, len - 1), cpos - 1) & ~7u;
    uint32_t mid = lpm_node_alloc(lpm, pos, key, lpm->nodes[cid].inherit);
    LpmNode *m = &lpm->nodes[mid];
    const LpmNode *c = &lpm->nodes[cid];

    g_assert(pos >= lpm->nodes[pid].pos + 8u && pos < cpos);
    lpm->nodes[pid].slots[s] = lpm_ref_node(mid, pos);
    m->slots[lpm_byte(c->key.hi, c->key.lo, pos)] = lpm_ref_node(cid, cpos);
    m->nchildren = 1;
    return mid;
}

/* After node 'id' lost a rule or a child, restores the shape invariant
 * (every node but the root holds at least two rules and children between
 * them): a node left with nothing goes, and its parent may follow; a node
 * left with one child is replaced by the child; a node left with one rule
 * becomes a leaf. path[0 .. depth) are the ancestors of 'id' and slot[i]
 * the slot of path[i] that leads down. */
static void
lpm_tidy(VnsLpm *lpm, uint32_t id, const uint32_t *path, const unsigned *slot,
         unsigned depth)
{
    while (depth > 0) {
        LpmNode *n = &lpm->nodes[id];
        LpmNode *p = &lpm->nodes[path[depth - 1]];
        unsigned s = slot[depth - 1];

        if (n->nrules == 0 && n->nchildren == 0) {
            p->slots[s] = n->inherit;
            p->nchildren--;
            lpm_node_release(lpm, id);
            id = path[--depth];
            continue;
        }
        if (n->nrules == 0 && n->nchildren == 1) {
            unsigned j = 0;

            while (!lpm_is_ref(n->slots[j]))
                j++;
            /* Without rules, the node passed its 'inherit' on unchanged. */
            g_assert(*lpm_inherit(lpm, n->slots[j]) == n->inherit);
            p->slots[s] = n->slots[j];
            lpm_node_release(lpm, id);
        } else if (n->nrules == 1 && n->nchildren == 0) {
            uint32_t lid = lpm_leaf_alloc(lpm);
            LpmLeaf *leaf = &lpm->leaves[lid];
            const LpmRule *r = &n->rules[0];

            leaf->key = n->key;
            if (n->pos < 64)
                leaf->key.hi |= (uint64_t) r->start << (56 - n->pos);
            else
                leaf->key.lo |= (uint64_t) r->start << (120 - n->pos);
            leaf->len = r->len;
            leaf->value = r->value;
            leaf->inherit = n->inherit;
            p->slots[s] = lpm_ref_leaf(lid);
            lpm_node_release(lpm, id);
        }
        return;
    }
}

/*
 * vns_lpm_new:
 * Makes an empty table for prefixes of 'family' (VNS_IP_V4 or VNS_IP_V6).
 * Returns an owned table (a few kilobytes until prefixes are added).
 */
VnsLpm *
vns_lpm_new(VnsIpFamily family)
{
    VnsLpm *lpm;
    LpmKey zero = { 0, 0 };

    g_return_val_if_fail(family == VNS_IP_V4 || family == VNS_IP_V6, NULL);
    lpm = g_new0(VnsLpm, 1);
    lpm->family = (uint8_t) family;
    lpm->bits = family == VNS_IP_V4 ? 32 : 128;
    lpm->nodes_free = LPM_NONE;
    lpm->leaves_free = LPM_NONE;
    lpm_node_alloc(lpm, 0, &zero, LPM_NONE);
    return lpm;
}

/*
 * vns_lpm_free:
 * Frees the table 'lpm'; NULL does nothing.
 */
void
vns_lpm_free(VnsLpm *lpm)
{
    if (lpm == NULL)
        return;
    for (uint32_t i = 0; i < lpm->nodes_top; i++)
        g_free(lpm->nodes[i].rules);        /* NULL for free nodes */
    g_free(lpm->nodes);
    g_free(lpm->leaves);
    g_free(lpm);
}

/*
 * vns_lpm_family:
 * Returns the address family of the table's prefixes.
 */
VnsIpFamily
vns_lpm_family(const VnsLpm *lpm)
{
    return (VnsIpFamily) lpm->family;
}

/* Checks a prefix given to the table: the family matches and the length
 * fits. */
static bool
lpm_prefix_ok(const VnsLpm *lpm, const VnsIpPrefix *prefix)
{
    return prefix->addr.family == lpm->family && prefix->len <= lpm->bits;
}

/*
 * vns_lpm_insert:
 * Maps 'prefix' to 'value' (at most VNS_LPM_VALUE_MAX), replacing the
 * value it had if it was already there. Address bits after the prefix
 * length are ignored ("10.1.2.3/8" is 10.0.0.0/8). The prefix must be of
 * the table's family. Returns true when the prefix was already there (its
 * value was replaced), false when it was added.
 */
bool
vns_lpm_insert(VnsLpm *lpm, const VnsIpPrefix *prefix, uint32_t value)
{
    g_return_val_if_fail(lpm != NULL && prefix != NULL, false);
    g_return_val_if_fail(lpm_prefix_ok(lpm, prefix), false);
    g_return_val_if_fail(value <= VNS_LPM_VALUE_MAX, false);

    unsigned len = prefix->len;
    LpmKey key = lpm_key_from_addr(&prefix->addr, len);
    uint32_t id = 0;

    if (len == 0) {
        bool replaced = lpm->nodes[0].inherit != LPM_NONE;
        lpm->nodes[0].inherit = value;
        lpm->count += !replaced;
        return replaced;
    }
    for (;;) {
        LpmNode *n = &lpm->nodes[id];
        unsigned s;
        uint32_t e;

        if (len <= n->pos + 8u) {
            bool replaced = lpm_node_add(lpm, n, &key, len, value);
            lpm->count += !replaced;
            return replaced;
        }
        s = lpm_byte(key.hi, key.lo, n->pos);
        e = n->slots[s];
        if (!lpm_is_ref(e)) {
            uint32_t lid = lpm_leaf_alloc(lpm);     /* moves leaves only */
            LpmLeaf *leaf = &lpm->leaves[lid];

            leaf->key = key;
            leaf->len = (uint8_t) len;
            leaf->value = value;
            leaf->inherit = e;
            n->slots[s] = lpm_ref_leaf(lid);
            n->nchildren++;
            lpm->count++;
            return false;
        }
        if (e & LPM_REF_LEAF) {
            LpmLeaf *leaf = &lpm->leaves[e & LPM_REF_ID];
            if (leaf->len == len && lpm_key_equal(&leaf->key, &key)) {
                leaf->value = value;
                return true;
            }
            id = lpm_split_leaf(lpm, id, s, &key, len);
        } else {
            const LpmNode *c = &lpm->nodes[e & LPM_REF_ID];
            if (len > c->pos && lpm_key_matches(key.hi, key.lo, &c->key, &c->mask))
                id = e & LPM_REF_ID;
            else
                id = lpm_split_node(lpm, id, s, &key, len);
        }
    }
}

/*
 * vns_lpm_remove:
 * Removes 'prefix' (bits after its length ignored) from the table;
 * addresses it covered fall back to the longest shorter prefix that covers
 * them. If 'old_value' is not NULL, it receives the value the prefix had.
 * Returns whether the prefix was there.
 */
bool
vns_lpm_remove(VnsLpm *lpm, const VnsIpPrefix *prefix, uint32_t *old_value)
{
    g_return_val_if_fail(lpm != NULL && prefix != NULL, false);
    g_return_val_if_fail(lpm_prefix_ok(lpm, prefix), false);

    unsigned len = prefix->len;
    LpmKey key = lpm_key_from_addr(&prefix->addr, len);
    uint32_t path[LPM_MAX_DEPTH];
    unsigned slot[LPM_MAX_DEPTH];
    unsigned depth = 0;
    uint32_t id = 0;

    if (len == 0) {
        if (lpm->nodes[0].inherit == LPM_NONE)
            return false;
        if (old_value != NULL)
            *old_value = lpm->nodes[0].inherit;
        lpm->nodes[0].inherit = LPM_NONE;
        lpm->count--;
        return true;
    }
    for (;;) {
        LpmNode *n = &lpm->nodes[id];
        unsigned s;
        uint32_t e;

        if (len <= n->pos + 8u) {
            if (!lpm_node_remove(lpm, n, &key, len, old_value))
                return false;
            break;
        }
        s = lpm_byte(key.hi, key.lo, n->pos);
        e = n->slots[s];
        if (!lpm_is_ref(e))
            return false;
        if (e & LPM_REF_LEAF) {
            LpmLeaf *leaf = &lpm->leaves[e & LPM_REF_ID];
            if (leaf->len != len || !lpm_key_equal(&leaf->key, &key))
                return false;
            if (old_value != NULL)
                *old_value = leaf->value;
            n->slots[s] = leaf->inherit;
            n->nchildren--;
            lpm_leaf_release(lpm, e & LPM_REF_ID);
            break;
        }
        const LpmNode *c = &lpm->nodes[e & LPM_REF_ID];
        if (len <= c->pos || !lpm_key_matches(key.hi, key.lo, &c->key, &c->mask))
            return false;
        g_assert(depth < LPM_MAX_DEPTH);
        path[depth] = id;
        slot[depth] = s;
        depth++;
        id = e & LPM_REF_ID;
    }
    lpm->count--;
    lpm_tidy(lpm, id, path, slot, depth);
    return true;
}

/* The longest match for the address (hi, lo), or LPM_NONE; 'v4' (a
 * constant at each call) says the table is IPv4, whose nodes all sit in
 * 'hi'. A lookup reads one slot per node, at most one per address byte,
 * with the node's position taken from the reference to it; it reads a
 * node's header only when the node sits more than a byte below its parent
 * (path compression), to check the skipped bits. */
G_ALWAYS_INLINE static inline uint32_t
lpm_find(const VnsLpm *lpm, uint64_t hi, uint64_t lo, bool v4)
{
    const LpmNode *n = lpm->nodes;
    unsigned pos = 0;
    uint32_t e, none;

    for (;;) {
        unsigned cpos;
        const LpmNode *c;

        e = n->slots[v4 ? (unsigned) ((hi << pos) >> 56) : lpm_byte(hi, lo, pos)];
        if (!lpm_is_ref(e))
            break;
        if (e & LPM_REF_LEAF) {
            const LpmLeaf *leaf = &lpm->leaves[e & LPM_REF_ID];
            LpmKey m = lpm_mask(leaf->len);

            e = lpm_key_matches(hi, lo, &leaf->key, &m) ? leaf->value : leaf->inherit;
            break;
        }
        cpos = (e >> LPM_REF_POS_SHIFT & 0xF) * 8;
        c = &lpm->nodes[e & LPM_REF_ID];
        if (cpos != pos + 8 &&
            (v4 ? ((hi ^ c->key.hi) & c->mask.hi) != 0
                : !lpm_key_matches(hi, lo, &c->key, &c->mask))) {
            e = c->inherit;     /* the skipped bits differ */
            break;
        }
        n = c;
        pos = cpos;
    }
    /* Nothing longer matched: the default route, if any. Masks, not a
     * branch: whether a random address matches is unpredictable, and a
     * mispredicted branch would discard the memory reads of the lookups
     * the processor has started after this one. */
    none = (uint32_t) -(int32_t) (e == LPM_NONE);
    return (lpm->nodes[0].inherit & none) | (e & ~none);
}

/* Hands a lookup's result to the caller without a branch on whether it
 * matched (see lpm_find()): on a miss '*value' is rewritten with what it
 * held. */
G_ALWAYS_INLINE static inline bool
lpm_result(uint32_t v, uint32_t *value)
{
    uint32_t none = (uint32_t) -(int32_t) (v == LPM_NONE);

    if (value != NULL)
        *value = (v & ~none) | (*value & none);
    return v != LPM_NONE;
}

/*
 * vns_lpm_lookup:
 * Finds the longest prefix of the table that contains 'addr' (of the
 * table's family). Returns whether there is one; if so and 'value' is not
 * NULL, '*value' receives its value. Allocates nothing.
 */
bool
vns_lpm_lookup(const VnsLpm *lpm, const VnsIpAddr *addr, uint32_t *value)
{
    g_return_val_if_fail(addr->family == lpm->family, false);

    LpmKey k = lpm_key_from_addr(addr, lpm->bits);
    uint32_t v = lpm->family == VNS_IP_V4 ? lpm_find(lpm, k.hi, 0, true)
                                          : lpm_find(lpm, k.hi, k.lo, false);

    return lpm_result(v, value);
}

/*
 * vns_lpm_lookup_v4:
 * vns_lpm_lookup() for an IPv4 table and an address in host byte order.
 */
bool
vns_lpm_lookup_v4(const VnsLpm *lpm, uint32_t addr, uint32_t *value)
{
    g_return_val_if_fail(lpm->family == VNS_IP_V4, false);

    uint32_t v = lpm_find(lpm, (uint64_t) addr << 32, 0, true);

    return lpm_result(v, value);
}

/*
 * vns_lpm_lookup_v6:
 * vns_lpm_lookup() for an IPv6 table.
 */
bool
vns_lpm_lookup_v6(const VnsLpm *lpm, const VnsIp6 *addr, uint32_t *value)
{
    g_return_val_if_fail(lpm->family == VNS_IP_V6, false);

    LpmKey k = lpm_key_from_ip6(addr);
    uint32_t v = lpm_find(lpm, k.hi, k.lo, false);

    return lpm_result(v, value);
}

/*
 * vns_lpm_lookup_exact:
 * Finds 'prefix' itself (bits after its length ignored), not a covering
 * one. Returns whether it is in the table; if so and 'value' is not NULL,
 * '*value' receives its value.
 */
bool
vns_lpm_lookup_exact(const VnsLpm *lpm, const VnsIpPrefix *prefix,
                     uint32_t *value)
{
    g_return_val_if_fail(lpm != NULL && prefix != NULL, false);
    g_return_val_if_fail(lpm_prefix_ok(lpm, prefix), false);

    unsigned len = prefix->len;
    LpmKey key = lpm_key_from_addr(&prefix->addr, len);
    const LpmNode *n = lpm->nodes;
    uint32_t v = LPM_NONE;

    if (len == 0) {
        v = n->inherit;
    } else {
        for (;;) {
            uint32_t e;
            size_t at;

            if (len <= n->pos + 8u) {
                if (lpm_rule_find(n, lpm_byte(key.hi, key.lo, n->pos), len, &at))
                    v = n->rules[at].value;
                break;
            }
            e = n->slots[lpm_byte(key.hi, key.lo, n->pos)];
            if (!lpm_is_ref(e))
                break;
            if (e & LPM_REF_LEAF) {
                const LpmLeaf *leaf = &lpm->leaves[e & LPM_REF_ID];
                if (leaf->len == len && lpm_key_equal(&leaf->key, &key))
                    v = leaf->value;
                break;
            }
            n = &lpm->nodes[e & LPM_REF_ID];
            if (len <= n->pos || !lpm_key_matches(key.hi, key.lo, &n->key, &n->mask))
                break;
        }
    }
    return lpm_result(v, value);
}

/*
 * vns_lpm_count:
 * Returns the number of prefixes in the table, /0 included.
 */
size_t
vns_lpm_count(const VnsLpm *lpm)
{
    return lpm->count;
}

/*
 * vns_lpm_stats:
 * Fills 'out' with the table's sizes: prefixes, nodes and leaves in use,
 * and bytes in use and allocated (the arrays grow by half when full and
 * keep their size when prefixes go).
 */
void
vns_lpm_stats(const VnsLpm *lpm, VnsLpmStats *out)
{
    out->prefixes = lpm->count;
    out->nodes = lpm->nodes_live;
    out->leaves = lpm->leaves_live;
    out->bytes_used = sizeof *lpm + lpm->nodes_live * sizeof(LpmNode) +
                      lpm->leaves_live * sizeof(LpmLeaf) +
                      lpm->rules_live * sizeof(LpmRule);
    out->bytes = sizeof *lpm + lpm->nodes_cap * sizeof(LpmNode) +
                 lpm->leaves_cap * sizeof(LpmLeaf) +
                 lpm->rules_cap * sizeof(LpmRule);
}

/*
 * vns_lpm_memory:
 * Returns the bytes the table has allocated: the table, its node and leaf
 * arrays and the rule arrays of its nodes (not the allocator's own
 * overhead).
 */
size_t
vns_lpm_memory(const VnsLpm *lpm)
{
    VnsLpmStats st;

    vns_lpm_stats(lpm, &st);
    return st.bytes;
}

/* Calls 'fn' for the prefixes of node 'id' and below, in address order. */
static bool
lpm_foreach_node(const VnsLpm *lpm, uint32_t id, VnsLpmForeachFn fn,
                 void *data)
{
    const LpmNode *n = &lpm->nodes[id];
    size_t r = 0;

    for (unsigned s = 0; s < LPM_SLOTS; s++) {
        uint32_t e = n->slots[s];

        for (; r < n->nrules && n->rules[r].start == s; r++) {
            LpmKey k = n->key;
            VnsIpPrefix p;

            if (n->pos < 64)
                k.hi |= (uint64_t) s << (56 - n->pos);
            else
                k.lo |= (uint64_t) s << (120 - n->pos);
            p = lpm_key_to_prefix(lpm, &k, n->rules[r].len);
            if (!fn(&p, n->rules[r].value, data))
                return false;
        }
        if (!lpm_is_ref(e))
            continue;
        if (e & LPM_REF_LEAF) {
            const LpmLeaf *leaf = &lpm->leaves[e & LPM_REF_ID];
            VnsIpPrefix p = lpm_key_to_prefix(lpm, &leaf->key, leaf->len);
            if (!fn(&p, leaf->value, data))
                return false;
        } else if (!lpm_foreach_node(lpm, e & LPM_REF_ID, fn, data)) {
            return false;
        }
    }
    return true;
}

/*
 * vns_lpm_foreach:
 * Calls 'fn' with each prefix and its value, ordered by address and then
 * by length (as "ip route show" lists them), until 'fn' returns false.
 * 'fn' must not change the table. Returns false when 'fn' stopped the
 * walk, true otherwise.
 */
bool
vns_lpm_foreach(const VnsLpm *lpm, VnsLpmForeachFn fn, void *data)
{
    g_return_val_if_fail(lpm != NULL && fn != NULL, false);

    if (lpm->nodes[0].inherit != LPM_NONE) {
        LpmKey zero = { 0, 0 };
        VnsIpPrefix p = lpm_key_to_prefix(lpm, &zero, 0);
        if (!fn(&p, lpm->nodes[0].inherit, data))
            return false;
    }
    return lpm_foreach_node(lpm, 0, fn, data);
}

/*
 * vns_lpm_multipath_index:
 * Maps a flow hash to one of 'n_paths' (> 0) equal-cost paths by
 * hash-threshold (RFC 2992 section 2.2): the 32-bit hash space is cut into
 * 'n_paths' equal regions and the region the hash falls in is the path.
 * Linux chooses among the next hops of a multipath route the same way
 * (fib_select_multipath() compares the hash with each next hop's upper
 * bound, since Linux 4.4). Unlike hash mod N, adding or removing a path
 * moves only the flows of the regions whose bounds change (RFC 2992
 * section 3). Returns the path index, 0 to n_paths - 1.
 */
unsigned
vns_lpm_multipath_index(uint32_t hash, unsigned n_paths)
{
    g_return_val_if_fail(n_paths > 0, 0);

    return (unsigned) (((uint64_t) hash * n_paths) >> 32);
}

/*
 * vns_lpm_multipath_select:
 * Chooses one of 'n_paths' (> 0) equal-cost paths for the flow of 'key':
 * vns_flow_key_hash() under 'policy', seeded with the router's own 'seed'
 * (the same seed everywhere would make every router choose alike, and
 * some paths would stay idle), then vns_lpm_multipath_index(). All packets
 * of a flow take one path: only the fields 'policy' names count. Returns
 * the path index, 0 to n_paths - 1.
 */
unsigned
vns_lpm_multipath_select(const VnsFlowKey *key, uint32_t seed,
                         VnsLpmMultipathPolicy policy, unsigned n_paths)
{
    VnsFlowHashFlags flags = policy == VNS_LPM_MULTIPATH_L3 ? VNS_FLOW_HASH_L3
                                                            : VNS_FLOW_HASH_DEFAULT;

    return vns_lpm_multipath_index(vns_flow_key_hash(key, seed, flags), n_paths);
}
