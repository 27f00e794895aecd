/* The calendar queue: an O(1) pending-event set for large event counts.
 *
 * This is R. Brown's calendar queue ("Calendar queues: a fast O(1) priority
 * queue implementation for the simulation event set problem", CACM 31(10),
 * 1988). Time is cut into days of equal width; day d lives in bucket
 * d mod nb, so the nb buckets form a year that wraps around like a desk
 * calendar. The queue serves one day at a time, moving through the buckets
 * in order. It resizes as Brown does: the number of buckets doubles or
 * halves when the number of events per bucket leaves a band, and every
 * resize re-estimates the day width from the separations of the first
 * events, sampled by dequeueing them, ignoring separations above twice the
 * first average.
 *
 * Departures from the paper, each for a reason:
 *
 * - Brown's buckets are sorted linked lists of about three events per day.
 *   With a million events every list node is a cache miss, and both enqueue
 *   (walking to the insertion point) and dequeue chase them. Here a day
 *   holds about CALENDAR_DAY_EVENTS events and a bucket is an unsorted chain
 *   of blocks of CALENDAR_BLOCK entries: an enqueue appends to its bucket's
 *   last block (there is one per 8 to 32 pending events, so it is far more
 *   often in cache than a node per event would be), and a day is read block
 *   by block, sequentially, the next block prefetched.
 * - When service reaches a day, its events move out of the bucket into a
 *   sorted array, the "bottom" (as in the ladder queue of Tang, Goh and
 *   Thng, ACM TOMACS 15(3), 2005), and dequeues take from its front. Sorting
 *   by (time, seq) gives the exact order, FIFO among equal times; an event
 *   scheduled into the day being served is inserted into the bottom, moving
 *   only the entries on the shorter side of its place (none for the latest
 *   time of the day, few for a zero-delay event near the front).
 * - Day widths are powers of two (2^shift ps), so a day number is a shift,
 *   not a division; the estimate is rounded to the nearest power of two.
 * - Brown resizes only when the event count crosses a threshold, so a
 *   steady-size queue whose time distribution changes keeps a bad width. The
 *   queue also counts its work (entries read while loading days, empty
 *   buckets scanned, entries shifted in the bottom, oversized days, direct
 *   searches) and re-estimates the width when a window of operations
 *   averages more than CALENDAR_WORK_LIMIT units each, or as soon as the
 *   window's work passes that budget; a re-estimate that leaves the width
 *   unchanged doubles the window, so a distribution that no width suits
 *   (all events at one instant, say) cannot make it resize over and over.
 *
 * Blocks come from one array with a free list, so once it has grown to the
 * run's peak an enqueue never allocates; it grows by a thirty-second to
 * keep spare capacity, and reported memory, small. Every time is valid,
 * negative ones included, and an entry earlier than the day being served
 * rewinds the calendar, so the queue is exact for any order of pushes, not
 * only for the non-decreasing times a simulator makes. */
#include <config.h>
#include "sim/event_queue.h"

#include <math.h>
#include <string.h>
#include <glib.h>

#define CALENDAR_NONE UINT32_MAX
/* Entries per block: six 20-byte entries and a link fill 128 bytes. */
#define CALENDAR_BLOCK 6u
/* Events a day should hold: the width is this many mean separations. */
#define CALENDAR_DAY_EVENTS 32.0
/* Buckets double above this many events each and halve below the next. */
#define CALENDAR_GROW_RATIO 32u
#define CALENDAR_SHRINK_RATIO 8u
#define CALENDAR_MIN_BUCKETS 16u
/* The first day width, 2^20 ps (about 1 us), until a resize measures one. */
#define CALENDAR_INITIAL_SHIFT 20u
/* Brown samples at most 25 events to estimate the day width. */
#define CALENDAR_SAMPLE_MAX 25
/* Average work units per operation above which the width is re-estimated. */
#define CALENDAR_WORK_LIMIT 6u
/* Fewest operations over which the work is averaged. */
#define CALENDAR_MIN_WINDOW 4096u
/* The window never grows beyond this many times its base length. */
#define CALENDAR_MAX_BACKOFF 64u

/* An entry as stored in a block: packed to 20 bytes, since blocks hold
 * nearly every pending entry and their size is most of the queue's memory. */
typedef struct {
    VnsTime time;       /* ps */
    uint64_t seq;
    uint32_t slot;
} __attribute__((packed)) CalendarEntry;

typedef struct {
    CalendarEntry e[CALENDAR_BLOCK];
    uint32_t next;      /* next block in its bucket or the free list */
    uint32_t unused;
} CalendarBlock;

G_STATIC_ASSERT(sizeof(CalendarEntry) == 20);
G_STATIC_ASSERT(sizeof(CalendarBlock) == 128);

typedef struct {
    uint32_t head;      /* first block, CALENDAR_NONE when empty */
    uint32_t tail;      /* last block; all blocks before it are full */
    uint32_t fill;      /* entries in the tail block, 1..CALENDAR_BLOCK */
} CalendarBucket;

struct VnsEventQueue {
    CalendarBlock *blk;     /* block array */
    uint32_t blk_cap;
    uint32_t blk_free;      /* free-list head, CALENDAR_NONE when empty */
    CalendarBucket *bucket; /* nb buckets */
    uint32_t nb;            /* a power of two */
    uint32_t mask;          /* nb - 1 */
    unsigned shift;         /* day width is 2^shift ps */
    int64_t cur_day;        /* the day being served (time >> shift) */
    VnsQueueEntry *bot;     /* sorted entries of cur_day, [start, end) */
    uint32_t bot_start;
    uint32_t bot_end;
    uint32_t bot_cap;
    size_t n;               /* entries held, in buckets and bottom */
    size_t grow_at;         /* double nb when n exceeds this */
    size_t shrink_at;       /* halve nb when n falls below this */
    uint64_t work;          /* work units in the current window */
    uint64_t ops;           /* dequeues in the current window */
    uint64_t window;        /* dequeues per window */
    uint64_t budget;        /* work that ends a window early */
    unsigned backoff;       /* window multiplier after useless re-estimates */
};

/* The day a time falls in. Right shift of a negative int64 is arithmetic
 * in GCC and Clang, which makes this floor(time / 2^shift) for all times. */
static inline int64_t
calendar_day(const VnsEventQueue *q, VnsTime time)
{
    return time >> q->shift;
}

static inline uint32_t
calendar_bucket_of(const VnsEventQueue *q, int64_t day)
{
    return (uint32_t) ((uint64_t) day & q->mask);
}

/* Prefetches block b: 128 bytes, over two or three cache lines since the
 * block array need not be 64-byte aligned. */
static inline void
calendar_prefetch_block(const VnsEventQueue *q, uint32_t b)
{
    const char *p = (const char *) &q->blk[b];

    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + sizeof(CalendarBlock) - 1);
}

/* Grows the block array by a thirty-second (at least 4 blocks). */
static G_GNUC_NO_INLINE void
calendar_block_grow(VnsEventQueue *q)
{
    uint32_t old = q->blk_cap;
    uint64_t cap = (uint64_t) old + MAX(old / 32, 4u);

    if (cap >= CALENDAR_NONE)
        cap = CALENDAR_NONE - 1;
    g_assert(cap > old);
    q->blk = g_renew(CalendarBlock, q->blk, cap);
    /* Chain the new blocks lowest index first. */
    for (uint32_t k = old; k < cap; k++)
        q->blk[k].next = k + 1 < cap ? k + 1 : q->blk_free;
    q->blk_free = old;
    q->blk_cap = (uint32_t) cap;
}

static inline uint32_t
calendar_block_take(VnsEventQueue *q)
{
    uint32_t x;

    if (G_UNLIKELY(q->blk_free == CALENDAR_NONE))
        calendar_block_grow(q);
    x = q->blk_free;
    q->blk_free = q->blk[x].next;
    q->blk[x].next = CALENDAR_NONE;
    return x;
}

static inline void
calendar_block_put(VnsEventQueue *q, uint32_t x)
{
    q->blk[x].next = q->blk_free;
    q->blk_free = x;
}

/* Appends an entry to bucket b. */
static inline void
calendar_bucket_append(VnsEventQueue *q, uint32_t b, const VnsQueueEntry *e)
{
    CalendarBucket *bk = &q->bucket[b];
    CalendarEntry *to;

    if (bk->head == CALENDAR_NONE) {
        uint32_t x = calendar_block_take(q);
        bk->head = bk->tail = x;
        bk->fill = 0;
    } else if (bk->fill == CALENDAR_BLOCK) {
        uint32_t x = calendar_block_take(q);
        q->blk[bk->tail].next = x;
        bk->tail = x;
        bk->fill = 0;
    }
    to = &q->blk[bk->tail].e[bk->fill++];
    to->time = e->time;
    to->seq = e->seq;
    to->slot = e->slot;
}

/* Makes room for one more entry at the end of the bottom array. */
static void
calendar_bottom_reserve(VnsEventQueue *q)
{
    if (q->bot_end < q->bot_cap)
        return;
    if (q->bot_start > 0) {
        /* Slide the live entries back to the front. */
        uint32_t m = q->bot_end - q->bot_start;
        memmove(q->bot, q->bot + q->bot_start, m * sizeof(VnsQueueEntry));
        q->bot_start = 0;
        q->bot_end = m;
        if (m < q->bot_cap)
            return;
    }
    g_assert(q->bot_cap < UINT32_MAX / 2);
    q->bot_cap = q->bot_cap + q->bot_cap / 2 + 16;
    q->bot = g_renew(VnsQueueEntry, q->bot, q->bot_cap);
}

/* Appends without keeping order; a sort follows. */
static inline void
calendar_bottom_append(VnsEventQueue *q, VnsTime time, uint64_t seq,
                       uint32_t slot)
{
    VnsQueueEntry *to;

    if (G_UNLIKELY(q->bot_end == q->bot_cap))
        calendar_bottom_reserve(q);
    to = &q->bot[q->bot_end++];
    to->time = time;
    to->seq = seq;
    to->slot = slot;
}

/* Inserts into the sorted bottom array: in O(1) at the end when it is not
 * before the last entry (a new entry has the largest seq, so this includes
 * a tie with it); otherwise after a binary search, shifting the smaller side
 * by one. A zero-delay event lands near the front, so only the entries due
 * at that same instant, before it, move. */
static void
calendar_bottom_insert(VnsEventQueue *q, const VnsQueueEntry *e)
{
    uint32_t lo, hi;

    if (q->bot_start == q->bot_end ||
        !vns_queue_entry_before(e, &q->bot[q->bot_end - 1])) {
        calendar_bottom_append(q, e->time, e->seq, e->slot);
        return;
    }
    /* Binary search for the first entry that e runs before. */
    lo = q->bot_start;
    hi = q->bot_end - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vns_queue_entry_before(e, &q->bot[mid]))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (q->bot_start > 0 && lo - q->bot_start < q->bot_end - lo) {
        memmove(&q->bot[q->bot_start - 1], &q->bot[q->bot_start],
                (lo - q->bot_start) * sizeof(VnsQueueEntry));
        q->bot_start--;
        q->bot[lo - 1] = *e;
        q->work += (lo - q->bot_start) / 8;
        return;
    }
    if (q->bot_end == q->bot_cap) {
        uint32_t before = q->bot_start;
        calendar_bottom_reserve(q);
        lo -= before - q->bot_start;
    }
    memmove(&q->bot[lo + 1], &q->bot[lo],
            (q->bot_end - lo) * sizeof(VnsQueueEntry));
    q->bot[lo] = *e;
    q->bot_end++;
    q->work += (q->bot_end - lo) / 8;
}

static inline void
calendar_swap(VnsQueueEntry *a, VnsQueueEntry *b)
{
    VnsQueueEntry t = *a;
    *a = *b;
    *b = t;
}

/* Sifts a[i] down in the max-heap a[0..m). */
static void
calendar_heap_sift(VnsQueueEntry *a, size_t i, size_t m)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m)
            return;
        if (c + 1 < m && vns_queue_entry_before(&a[c], &a[c + 1]))
            c++;
        if (!vns_queue_entry_before(&a[i], &a[c]))
            return;
        calendar_swap(&a[i], &a[c]);
        i = c;
    }
}

/* Sorts by (time, seq): quicksort with a median-of-three pivot, insertion
 * sort for short runs, and heapsort when the recursion gets too deep, so
 * O(m log m) whatever the input. */
static void
calendar_sort(VnsQueueEntry *a, size_t m, unsigned depth)
{
    while (m > 16) {
        size_t i, j;
        VnsQueueEntry pivot;

        if (depth-- == 0) {
            for (size_t k = m / 2; k-- > 0;)
                calendar_heap_sift(a, k, m);
            for (size_t k = m - 1; k > 0; k--) {
                calendar_swap(&a[0], &a[k]);
                calendar_heap_sift(a, 0, k);
            }
            return;
        }
        /* Order a[0], a[m/2], a[m-1]; the middle one is the pivot. */
        if (vns_queue_entry_before(&a[m / 2], &a[0]))
            calendar_swap(&a[m / 2], &a[0]);
        if (vns_queue_entry_before(&a[m - 1], &a[m / 2])) {
            calendar_swap(&a[m - 1], &a[m / 2]);
            if (vns_queue_entry_before(&a[m / 2], &a[0]))
                calendar_swap(&a[m / 2], &a[0]);
        }
        pivot = a[m / 2];
        i = 0;
        j = m - 1;
        for (;;) {
            while (vns_queue_entry_before(&a[++i], &pivot))
                ;
            while (vns_queue_entry_before(&pivot, &a[--j]))
                ;
            if (i >= j)
                break;
            calendar_swap(&a[i], &a[j]);
        }
        /* a[0..i) <= pivot <= a[i..m); recurse into the smaller side. */
        if (i < m - i) {
            calendar_sort(a, i, depth);
            a += i;
            m -= i;
        } else {
            calendar_sort(a + i, m - i, depth);
            m = i;
        }
    }
    for (size_t k = 1; k < m; k++) {
        VnsQueueEntry x = a[k];
        size_t j = k;
        while (j > 0 && vns_queue_entry_before(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Insertion sort that gives up after 'budget' moves; returns false then,
 * leaving a[] a permutation of its input. */
static bool
calendar_insertion_sort(VnsQueueEntry *a, size_t m, size_t budget)
{
    for (size_t k = 1; k < m; k++) {
        VnsQueueEntry x = a[k];
        size_t j = k;
        while (j > 0 && vns_queue_entry_before(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
        if (k - j > budget)
            return false;
        budget -= k - j;
    }
    return true;
}

/* Sorts the bottom array, which holds one day. The entries are first
 * distributed by the high bits of their offset within the day into about
 * as many slots as there are entries (a counting sort, into the upper half
 * of the array), which leaves them nearly sorted, and an insertion pass
 * finishes the job. That is O(m) for a day of spread-out times, about four
 * times faster than quicksort on a 30-entry day. Ties share a slot and
 * arrive in seq order from their bucket, so they cost little too; if the
 * insertion pass still meets disorder, quicksort takes over. */
static void
calendar_bottom_sort(VnsEventQueue *q)
{
    uint32_t m = q->bot_end - q->bot_start;
    uint32_t counts[513];
    unsigned bits, drop;
    uint64_t low;
    VnsQueueEntry *src, *dst;

    if (m <= 16 || m > 256) {
        if (m > 16)
            calendar_sort(q->bot + q->bot_start, m, 2 * (unsigned) g_bit_storage(m));
        else
            calendar_insertion_sort(q->bot + q->bot_start, m, SIZE_MAX);
        /* A day far above its intended size means a bad width: count it. */
        if (m > 4 * CALENDAR_DAY_EVENTS)
            q->work += m;
        return;
    }
    /* Make room for the scattered copy after the live entries. */
    while (q->bot_cap - q->bot_end < m) {
        g_assert(q->bot_cap < UINT32_MAX / 2);
        q->bot_cap = q->bot_cap + q->bot_cap / 2 + 16;
        q->bot = g_renew(VnsQueueEntry, q->bot, q->bot_cap);
    }
    src = q->bot + q->bot_start;
    dst = q->bot + q->bot_end;
    bits = g_bit_storage(m);            /* 2^bits slots, m <= 2^bits < 2m */
    drop = q->shift > bits ? q->shift - bits : 0;
    low = q->shift >= 64 ? UINT64_MAX : (UINT64_C(1) << q->shift) - 1;
    memset(counts, 0, ((size_t) (1u << bits) + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < m; i++)
        counts[(((uint64_t) src[i].time & low) >> drop) + 1]++;
    for (uint32_t s = 1; s <= (1u << bits); s++)
        counts[s] += counts[s - 1];
    for (uint32_t i = 0; i < m; i++)
        dst[counts[((uint64_t) src[i].time & low) >> drop]++] = src[i];
    q->bot_start = q->bot_end;
    q->bot_end += m;
    if (!calendar_insertion_sort(dst, m, 4 * (size_t) m))
        calendar_sort(dst, m, 2 * (unsigned) g_bit_storage(m));
}

/* Moves the entries of cur_day out of their bucket into the bottom array
 * (unsorted). The entries of later years stay, compacted to the front of
 * the bucket's chain; blocks left empty go back to the free list. */
static void
calendar_load_day(VnsEventQueue *q)
{
    CalendarBucket *bk = &q->bucket[calendar_bucket_of(q, q->cur_day)];
    uint32_t rb = bk->head, wb = bk->head, wpos = 0, tail = bk->tail;
    uint64_t walked = 0;

    if (rb == CALENDAR_NONE)
        return;
    for (;;) {
        uint32_t cnt = rb == tail ? bk->fill : CALENDAR_BLOCK;
        uint32_t next = q->blk[rb].next;
        const CalendarEntry *src = q->blk[rb].e;

        if (rb != tail)
            calendar_prefetch_block(q, next);
        for (uint32_t i = 0; i < cnt; i++) {
            VnsTime t = src[i].time;
            if (calendar_day(q, t) == q->cur_day) {
                calendar_bottom_append(q, t, src[i].seq, src[i].slot);
            } else {
                /* The write position never passes the read position. */
                if (wpos == CALENDAR_BLOCK) {
                    wb = q->blk[wb].next;
                    wpos = 0;
                }
                q->blk[wb].e[wpos++] = src[i];
            }
        }
        walked += cnt;
        if (rb == tail)
            break;
        rb = next;
    }
    q->work += walked;
    if (wpos == 0) {
        /* Nothing kept: the whole chain is free. */
        for (uint32_t x = bk->head;;) {
            uint32_t next = q->blk[x].next;
            calendar_block_put(q, x);
            if (x == tail)
                break;
            x = next;
        }
        bk->head = CALENDAR_NONE;
        return;
    }
    if (wb != tail) {
        for (uint32_t x = q->blk[wb].next;;) {
            uint32_t next = q->blk[x].next;
            calendar_block_put(q, x);
            if (x == tail)
                break;
            x = next;
        }
        q->blk[wb].next = CALENDAR_NONE;
        bk->tail = wb;
    }
    bk->fill = wpos;
}

/* Finds the earliest non-empty day by reading every entry: the fallback
 * when a whole year of buckets holds nothing for the current year. */
static void
calendar_direct_search(VnsEventQueue *q)
{
    int64_t best = INT64_MAX;

    for (uint32_t b = 0; b < q->nb; b++) {
        const CalendarBucket *bk = &q->bucket[b];
        if (bk->head == CALENDAR_NONE)
            continue;
        for (uint32_t x = bk->head;; x = q->blk[x].next) {
            uint32_t cnt = x == bk->tail ? bk->fill : CALENDAR_BLOCK;
            for (uint32_t i = 0; i < cnt; i++) {
                int64_t day = calendar_day(q, q->blk[x].e[i].time);
                if (day < best)
                    best = day;
            }
            if (x == bk->tail)
                break;
        }
    }
    q->work += q->nb + q->n;
    q->cur_day = best;
    calendar_load_day(q);
}

/* Advances service to the next day that holds entries and loads it into the
 * bottom array. Called with the bottom empty and n > 0; every entry then
 * lies after cur_day, so cur_day + 1 cannot overflow. */
static void
calendar_advance(VnsEventQueue *q)
{
    for (uint32_t k = 0; k < q->nb; k++) {
        q->cur_day++;
        if (q->bucket[calendar_bucket_of(q, q->cur_day)].head != CALENDAR_NONE) {
            calendar_load_day(q);
            if (q->bot_start != q->bot_end) {
                /* Start reading the next bucket while this day is served. */
                uint32_t h = q->bucket[calendar_bucket_of(
                    q, (int64_t) ((uint64_t) q->cur_day + 1))].head;
                if (h != CALENDAR_NONE)
                    calendar_prefetch_block(q, h);
                q->work += k;
                calendar_bottom_sort(q);
                return;
            }
        }
    }
    q->work += q->nb;
    calendar_direct_search(q);
    calendar_bottom_sort(q);
}

/* Puts an entry where it belongs: in the bottom array if it falls on the day
 * being served (kept sorted), in its bucket if later. An entry before the
 * served day rewinds the calendar: the bottom's entries go back to their
 * bucket and the new day starts with this entry alone. */
static inline void
calendar_place(VnsEventQueue *q, const VnsQueueEntry *e)
{
    int64_t day = calendar_day(q, e->time);

    if (G_LIKELY(day > q->cur_day)) {
        calendar_bucket_append(q, calendar_bucket_of(q, day), e);
    } else if (day == q->cur_day) {
        calendar_bottom_insert(q, e);
    } else {
        uint32_t b = calendar_bucket_of(q, q->cur_day);
        for (uint32_t i = q->bot_start; i < q->bot_end; i++)
            calendar_bucket_append(q, b, &q->bot[i]);
        q->bot_start = q->bot_end = 0;
        q->cur_day = day;
        calendar_bottom_append(q, e->time, e->seq, e->slot);
    }
}

/* Removes the first entry; the caller checked that the queue is not
 * empty. */
static inline void
calendar_take(VnsEventQueue *q, VnsQueueEntry *out)
{
    if (G_UNLIKELY(q->bot_start == q->bot_end))
        calendar_advance(q);
    *out = q->bot[q->bot_start++];
    if (q->bot_start == q->bot_end)
        q->bot_start = q->bot_end = 0;
    q->n--;
}

/* Brown's width estimate from entries sampled in order: the mean separation,
 * ignoring separations above twice the first mean, times the events a day
 * should hold. Returns the shift of the nearest power of two. */
static unsigned
calendar_estimate_shift(const VnsQueueEntry *s, int m, unsigned fallback)
{
    double sum = 0.0, mean, kept = 0.0, width;
    int nkept = 0;

    if (m < 2)
        return fallback;
    for (int i = 1; i < m; i++)
        sum += (double) s[i].time - (double) s[i - 1].time;
    mean = sum / (m - 1);
    for (int i = 1; i < m; i++) {
        double sep = (double) s[i].time - (double) s[i - 1].time;
        if (sep <= 2.0 * mean) {
            kept += sep;
            nkept++;
        }
    }
    if (nkept > 0)
        mean = kept / nkept;
    width = CALENDAR_DAY_EVENTS * mean;
    if (width < 1.5)
        return 0;
    /* log2 rounded to nearest; at most 62 so that a day fits any time. */
    return (unsigned) MIN(62.0, floor(log2(width) + 0.5));
}

/* Files an entry during a rebuild: the bottom takes the served day's
 * entries unsorted, a sort follows. */
static inline void
calendar_refile(VnsEventQueue *q, VnsTime time, uint64_t seq, uint32_t slot)
{
    int64_t day = calendar_day(q, time);

    if (day == q->cur_day) {
        calendar_bottom_append(q, time, seq, slot);
    } else {
        VnsQueueEntry e = { time, seq, slot };
        calendar_bucket_append(q, calendar_bucket_of(q, day), &e);
    }
}

/* Rebuilds the calendar with nb buckets and a re-estimated day width. */
static void
calendar_resize(VnsEventQueue *q, uint32_t nb)
{
    VnsQueueEntry sample[CALENDAR_SAMPLE_MAX];
    int m = 0;
    size_t want = q->n <= 5 ? q->n : MIN(5 + q->n / 10, CALENDAR_SAMPLE_MAX);
    CalendarBucket *old = q->bucket;
    uint32_t old_nb = q->nb, w;

    /* Sample by dequeueing: the first entries, in order. */
    while ((size_t) m < want) {
        calendar_take(q, &sample[m]);
        m++;
    }
    q->shift = calendar_estimate_shift(sample, m, q->shift);
    q->nb = nb;
    q->mask = nb - 1;
    q->bucket = g_new(CalendarBucket, nb);
    for (uint32_t b = 0; b < nb; b++)
        q->bucket[b].head = CALENDAR_NONE;
    /* Every remaining entry comes after sample[0]; with no sample the queue
     * is empty and the next push sets cur_day. */
    if (m > 0)
        q->cur_day = calendar_day(q, sample[0].time);

    /* The bottom's entries: keep those of the new day, re-file the rest. */
    w = 0;
    for (uint32_t i = q->bot_start; i < q->bot_end; i++) {
        int64_t day = calendar_day(q, q->bot[i].time);
        if (day == q->cur_day)
            q->bot[w++] = q->bot[i];
        else
            calendar_bucket_append(q, calendar_bucket_of(q, day), &q->bot[i]);
    }
    q->bot_start = 0;
    q->bot_end = w;
    /* Every entry of the old buckets. Each block is copied out and freed
     * before its entries are re-filed, so the rebuild needs no more blocks
     * than the queue already has. */
    for (uint32_t b = 0; b < old_nb; b++) {
        if (old[b].head == CALENDAR_NONE)
            continue;
        for (uint32_t x = old[b].head;;) {
            CalendarBlock copy = q->blk[x];
            uint32_t cnt = x == old[b].tail ? old[b].fill : CALENDAR_BLOCK;
            uint32_t next = q->blk[x].next;
            bool last = x == old[b].tail;

            calendar_block_put(q, x);
            for (uint32_t i = 0; i < cnt; i++)
                calendar_refile(q, copy.e[i].time, copy.e[i].seq, copy.e[i].slot);
            if (last)
                break;
            x = next;
        }
    }
    g_free(old);
    for (int i = 0; i < m; i++)
        calendar_refile(q, sample[i].time, sample[i].seq, sample[i].slot);
    q->n += (size_t) m;
    calendar_bottom_sort(q);
    q->grow_at = (size_t) CALENDAR_GROW_RATIO * nb;
    q->shrink_at = nb > CALENDAR_MIN_BUCKETS ? (size_t) CALENDAR_SHRINK_RATIO * nb : 0;
    q->work = 0;
    q->ops = 0;
}

/* Ends a work-accounting window, at its last dequeue or as soon as its
 * work exceeds what the whole window may cost (a width far too small can
 * make every dequeue search all entries; this bounds the waste): the width
 * is re-estimated when operations have cost too much on average, and the
 * window doubles when that did not change it. */
static void
calendar_check_work(VnsEventQueue *q)
{
    if (q->work > (uint64_t) CALENDAR_WORK_LIMIT * q->ops) {
        unsigned before = q->shift;
        calendar_resize(q, q->nb);
        if (q->shift == before) {
            if (q->backoff < CALENDAR_MAX_BACKOFF)
                q->backoff *= 2;
        } else {
            q->backoff = 1;
        }
    }
    q->window = (uint64_t) MAX(q->nb, CALENDAR_MIN_WINDOW) * q->backoff;
    q->budget = CALENDAR_WORK_LIMIT * q->window;
    q->work = 0;
    q->ops = 0;
}

static VnsEventQueue *
calendar_queue_create(void)
{
    VnsEventQueue *q = g_new0(VnsEventQueue, 1);

    q->blk_free = CALENDAR_NONE;
    q->nb = CALENDAR_MIN_BUCKETS;
    q->mask = q->nb - 1;
    q->bucket = g_new(CalendarBucket, q->nb);
    for (uint32_t b = 0; b < q->nb; b++)
        q->bucket[b].head = CALENDAR_NONE;
    q->shift = CALENDAR_INITIAL_SHIFT;
    q->grow_at = (size_t) CALENDAR_GROW_RATIO * q->nb;
    q->shrink_at = 0;
    q->backoff = 1;
    q->window = CALENDAR_MIN_WINDOW;
    q->budget = CALENDAR_WORK_LIMIT * q->window;
    return q;
}

static void
calendar_queue_destroy(VnsEventQueue *q)
{
    if (q == NULL)
        return;
    g_free(q->blk);
    g_free(q->bucket);
    g_free(q->bot);
    g_free(q);
}

static void
calendar_queue_push(VnsEventQueue *q, const VnsQueueEntry *e)
{
    if (G_UNLIKELY(q->n == 0)) {
        /* An empty calendar may serve any day: start at this entry's. */
        q->cur_day = calendar_day(q, e->time);
    }
    calendar_place(q, e);
    q->n++;
    if (G_UNLIKELY(q->n > q->grow_at) && q->nb <= UINT32_MAX / 4)
        calendar_resize(q, q->nb * 2);
}

static bool
calendar_queue_pop(VnsEventQueue *q, VnsQueueEntry *out)
{
    if (G_UNLIKELY(q->n == 0))
        return false;
    calendar_take(q, out);
    if (G_UNLIKELY(q->n < q->shrink_at))
        calendar_resize(q, q->nb / 2);
    else if (G_UNLIKELY(++q->ops >= q->window || q->work > q->budget))
        calendar_check_work(q);
    return true;
}

static size_t
calendar_queue_size(const VnsEventQueue *q)
{
    return q->n;
}

static size_t
calendar_queue_memory(const VnsEventQueue *q)
{
    return sizeof(*q) +
           (size_t) q->blk_cap * sizeof(CalendarBlock) +
           (size_t) q->nb * sizeof(CalendarBucket) +
           (size_t) q->bot_cap * sizeof(VnsQueueEntry);
}

const VnsEventQueueOps vns_calendar_queue_ops = {
    .name = "calendar",
    .description = "Brown's calendar queue with resizing, O(1) for large sets",
    .create = calendar_queue_create,
    .destroy = calendar_queue_destroy,
    .push = calendar_queue_push,
    .pop = calendar_queue_pop,
    .size = calendar_queue_size,
    .memory = calendar_queue_memory,
};
