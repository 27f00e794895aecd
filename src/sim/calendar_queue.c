/* The calendar queue: an O(1) pending-event set for large event counts.
 *
 * This is R. Brown's calendar queue ("Calendar queues: a fast O(1) priority
 * queue implementation for the simulation event set problem", CACM 31(10),
 * 1988). Time is cut into days of equal width; day d lives in bucket
 * d mod nb, so the nb buckets form a year that wraps around like a desk
 * calendar. The queue serves one day at a time, moving through the buckets
 * in order, and resizes as Brown does: the number of buckets doubles when
 * the queue holds more than two events per bucket and halves below one
 * event per two buckets, and every resize re-estimates the day width as
 * three times the average separation of the first events, sampled by
 * dequeueing them and ignoring separations above twice the first average.
 *
 * Three departures from the paper, each for a reason:
 *
 * - Buckets are unsorted singly linked lists and an enqueue prepends, so an
 *   enqueue touches one bucket head and never walks a list. When service
 *   reaches a day, that day's events are moved out of their bucket into a
 *   small sorted array, the "bottom" (as in the ladder queue of Tang, Goh and
 *   Thng, ACM TOMACS 15(3), 2005), and dequeues take from its front. Sorting
 *   by (time, seq) there gives exact order, FIFO among equal times, and a
 *   flood of events at one instant costs O(1) each instead of a list walk.
 * - Day widths are powers of two (2^shift ps), so a day number is a shift,
 *   not a division. The estimate is rounded to the nearest power of two.
 * - Brown resizes only when the event count crosses a threshold, so a
 *   steady-size queue whose time distribution changes keeps a bad width. The
 *   queue also counts the work it does (buckets scanned, nodes walked,
 *   entries shifted) and re-estimates the width when a window of operations
 *   averages more than CALENDAR_WORK_LIMIT units each; a re-estimate that
 *   does not change the width doubles the window, so a distribution no width
 *   suits cannot make the queue resize over and over.
 *
 * Nodes are index-linked records in one array with a free list, so once the
 * array has grown to the run's peak an enqueue never allocates. The array
 * grows by a sixteenth to keep spare capacity (and reported memory) small.
 * All times are valid, negative ones included, and an entry earlier than the
 * day being served rewinds the calendar, so the queue is exact for any order
 * of pushes, not only for the non-decreasing times a simulator makes. */
#include <config.h>
#include "sim/event_queue.h"

#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <glib.h>

#define CALENDAR_NONE UINT32_MAX
#define CALENDAR_MIN_BUCKETS 16u
/* The first day width, 2^20 ps (about 1 us), until a resize measures one. */
#define CALENDAR_INITIAL_SHIFT 20u
/* Brown samples at most 25 events to estimate the day width. */
#define CALENDAR_SAMPLE_MAX 25
/* Bottom arrays up to this size are sorted by insertion. */
#define CALENDAR_INSERTION_SORT_MAX 24u
/* Average work units per operation above which the width is re-estimated. */
#define CALENDAR_WORK_LIMIT 8u
/* Fewest operations over which the work is averaged. */
#define CALENDAR_MIN_WINDOW 1024u
/* The window never grows beyond this many times its base length. */
#define CALENDAR_MAX_BACKOFF 64u

typedef struct {
    VnsTime time;       /* when the event runs, ps */
    uint64_t seq;       /* insertion sequence */
    uint32_t slot;      /* the simulator's event-pool index */
    uint32_t next;      /* next node in its bucket or the free list */
} CalendarNode;

struct VnsEventQueue {
    CalendarNode *node;     /* node array; free nodes chained from free_head */
    uint32_t node_cap;
    uint32_t free_head;     /* CALENDAR_NONE when no node is free */
    uint32_t *bucket;       /* nb list heads, CALENDAR_NONE when empty */
    uint32_t nb;            /* number of buckets, a power of two */
    uint32_t mask;          /* nb - 1 */
    unsigned shift;         /* day width is 2^shift ps */
    int64_t cur_day;        /* the day being served (time >> shift) */
    VnsQueueEntry *bot;     /* the sorted entries of cur_day, [start, end) */
    uint32_t bot_start;
    uint32_t bot_end;
    uint32_t bot_cap;
    size_t n;               /* entries held, in buckets and bottom */
    size_t grow_at;         /* double nb when n exceeds this */
    size_t shrink_at;       /* halve nb when n falls below this */
    uint64_t work;          /* work units in the current window */
    uint64_t ops;           /* operations in the current window */
    uint64_t window;        /* operations per window */
    unsigned backoff;       /* window multiplier after useless re-estimates */
    uint64_t resizes;       /* resizes done, for tests and tuning */
};

static void calendar_resize(VnsEventQueue *q, uint32_t nb);

/* The day a time falls in. Right shift of a negative int64 is arithmetic
 * in GCC and Clang, which makes this floor(time / 2^shift) for all times. */
static inline int64_t
calendar_day(const VnsEventQueue *q, VnsTime time)
{
    return time >> q->shift;
}

/* Takes a free node, growing the node array by a sixteenth when none is
 * left. */
static inline uint32_t
calendar_node_take(VnsEventQueue *q)
{
    uint32_t i;

    if (G_UNLIKELY(q->free_head == CALENDAR_NONE)) {
        uint32_t old = q->node_cap;
        uint64_t cap = (uint64_t) old + old / 16 + 64;

        if (cap >= CALENDAR_NONE)
            cap = CALENDAR_NONE - 1;
        g_assert(cap > old);
        q->node = g_renew(CalendarNode, q->node, cap);
        /* Chain the new nodes lowest index first. */
        for (uint32_t k = old; k < cap; k++)
            q->node[k].next = k + 1 < cap ? k + 1 : CALENDAR_NONE;
        q->free_head = old;
        q->node_cap = (uint32_t) cap;
    }
    i = q->free_head;
    q->free_head = q->node[i].next;
    return i;
}

static inline void
calendar_node_put(VnsEventQueue *q, uint32_t i)
{
    q->node[i].next = q->free_head;
    q->free_head = i;
}

/* Prepends an entry to the bucket of its day. */
static inline void
calendar_bucket_add(VnsEventQueue *q, const VnsQueueEntry *e, int64_t day)
{
    uint32_t i = calendar_node_take(q);
    uint32_t b = (uint32_t) ((uint64_t) day & q->mask);
    CalendarNode *nd = &q->node[i];

    nd->time = e->time;
    nd->seq = e->seq;
    nd->slot = e->slot;
    nd->next = q->bucket[b];
    q->bucket[b] = i;
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
calendar_bottom_append(VnsEventQueue *q, const VnsQueueEntry *e)
{
    calendar_bottom_reserve(q);
    q->bot[q->bot_end++] = *e;
}

/* Inserts into the sorted bottom array. A new entry usually goes last (a
 * zero-delay event, or a tie, carries the largest seq), which is O(1);
 * otherwise the smaller side of the array shifts by one. */
static void
calendar_bottom_insert(VnsEventQueue *q, const VnsQueueEntry *e)
{
    uint32_t lo, hi;

    if (q->bot_start == q->bot_end ||
        !vns_queue_entry_before(e, &q->bot[q->bot_end - 1])) {
        calendar_bottom_append(q, e);
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

static int
calendar_entry_cmp(const void *a, const void *b)
{
    if (vns_queue_entry_before(a, b))
        return -1;
    return vns_queue_entry_before(b, a) ? 1 : 0;
}

/* Sorts the bottom array by (time, seq). */
static void
calendar_bottom_sort(VnsEventQueue *q)
{
    VnsQueueEntry *a = q->bot + q->bot_start;
    uint32_t m = q->bot_end - q->bot_start;

    if (m > CALENDAR_INSERTION_SORT_MAX) {
        qsort(a, m, sizeof(VnsQueueEntry), calendar_entry_cmp);
        return;
    }
    for (uint32_t i = 1; i < m; i++) {
        VnsQueueEntry x = a[i];
        uint32_t j = i;
        while (j > 0 && vns_queue_entry_before(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Moves the entries of cur_day out of their bucket into the bottom array
 * (unsorted). */
static void
calendar_load_day(VnsEventQueue *q)
{
    uint32_t *link = &q->bucket[(uint64_t) q->cur_day & q->mask];
    uint32_t walked = 0;

    while (*link != CALENDAR_NONE) {
        uint32_t i = *link;
        CalendarNode *nd = &q->node[i];

        if (nd->next != CALENDAR_NONE)
            __builtin_prefetch(&q->node[nd->next]);
        walked++;
        if (calendar_day(q, nd->time) == q->cur_day) {
            VnsQueueEntry e = { nd->time, nd->seq, nd->slot };
            *link = nd->next;
            calendar_node_put(q, i);
            calendar_bottom_append(q, &e);
        } else {
            link = &nd->next;
        }
    }
    q->work += walked;
}

/* Finds the earliest non-empty day by looking at every node: the fallback
 * when a whole year of buckets holds nothing for the current year. */
static void
calendar_direct_search(VnsEventQueue *q)
{
    int64_t best = INT64_MAX;

    for (uint32_t b = 0; b < q->nb; b++)
        for (uint32_t i = q->bucket[b]; i != CALENDAR_NONE; i = q->node[i].next) {
            int64_t day = calendar_day(q, q->node[i].time);
            if (day < best)
                best = day;
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
        if (q->bucket[(uint64_t) q->cur_day & q->mask] != CALENDAR_NONE) {
            calendar_load_day(q);
            if (q->bot_start != q->bot_end) {
                uint32_t h;
                q->work += k;
                /* Start fetching the next two days' first nodes now: by
                 * the time this day is served they are in cache. */
                for (uint64_t d = 1; d <= 2; d++) {
                    h = q->bucket[((uint64_t) q->cur_day + d) & q->mask];
                    if (h != CALENDAR_NONE)
                        __builtin_prefetch(&q->node[h]);
                }
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
        calendar_bucket_add(q, e, day);
    } else if (day == q->cur_day) {
        calendar_bottom_insert(q, e);
    } else {
        for (uint32_t i = q->bot_start; i < q->bot_end; i++)
            calendar_bucket_add(q, &q->bot[i], q->cur_day);
        q->bot_start = q->bot_end = 0;
        q->cur_day = day;
        calendar_bottom_append(q, e);
    }
}

/* Removes the first entry; the caller checked that the queue is not
 * empty. */
static inline void
calendar_take(VnsEventQueue *q, VnsQueueEntry *out)
{
    if (q->bot_start == q->bot_end)
        calendar_advance(q);
    *out = q->bot[q->bot_start++];
    if (q->bot_start == q->bot_end)
        q->bot_start = q->bot_end = 0;
    q->n--;
}

/* Brown's width estimate from entries sampled in order: three times the
 * mean separation, ignoring separations above twice the first mean. Returns
 * the shift of the nearest power of two. */
static unsigned
calendar_estimate_shift(const VnsQueueEntry *s, int m, unsigned fallback)
{
    double sum = 0.0, mean, kept = 0.0;
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
    if (3.0 * mean < 1.5)
        return 0;
    /* log2 rounded to nearest; at most 62 so that a day fits any time. */
    return (unsigned) MIN(62.0, floor(log2(3.0 * mean) + 0.5));
}

/* Rebuilds the calendar with nb buckets and a re-estimated day width. */
static void
calendar_resize(VnsEventQueue *q, uint32_t nb)
{
    VnsQueueEntry sample[CALENDAR_SAMPLE_MAX];
    int m = 0;
    size_t want = q->n <= 5 ? q->n : MIN(5 + q->n / 10, CALENDAR_SAMPLE_MAX);
    uint32_t *old = q->bucket;
    uint32_t old_nb = q->nb, w;

    /* Sample by dequeueing: the first entries, in order. */
    while ((size_t) m < want) {
        calendar_take(q, &sample[m]);
        m++;
    }
    q->shift = calendar_estimate_shift(sample, m, q->shift);
    q->nb = nb;
    q->mask = nb - 1;
    q->bucket = g_new(uint32_t, nb);
    memset(q->bucket, 0xff, nb * sizeof(uint32_t));
    if (m > 0)
        q->cur_day = calendar_day(q, sample[0].time);
    else if (q->bot_start != q->bot_end)
        q->cur_day = calendar_day(q, q->bot[q->bot_start].time);
    /* Otherwise the queue is empty and cur_day is set by the next push. */

    /* The bottom's entries: keep those of the new day, re-file the rest. */
    w = 0;
    for (uint32_t i = q->bot_start; i < q->bot_end; i++) {
        int64_t day = calendar_day(q, q->bot[i].time);
        if (day == q->cur_day)
            q->bot[w++] = q->bot[i];
        else
            calendar_bucket_add(q, &q->bot[i], day);
    }
    q->bot_start = 0;
    q->bot_end = w;
    /* Every node of the old buckets. */
    for (uint32_t b = 0; b < old_nb; b++) {
        uint32_t i = old[b];
        while (i != CALENDAR_NONE) {
            CalendarNode *nd = &q->node[i];
            uint32_t next = nd->next;
            int64_t day = calendar_day(q, nd->time);
            if (day == q->cur_day) {
                VnsQueueEntry e = { nd->time, nd->seq, nd->slot };
                calendar_node_put(q, i);
                calendar_bottom_append(q, &e);
            } else {
                uint32_t nbk = (uint32_t) ((uint64_t) day & q->mask);
                nd->next = q->bucket[nbk];
                q->bucket[nbk] = i;
            }
            i = next;
        }
    }
    g_free(old);
    for (int i = 0; i < m; i++) {
        int64_t day = calendar_day(q, sample[i].time);
        if (day == q->cur_day)
            calendar_bottom_append(q, &sample[i]);
        else
            calendar_bucket_add(q, &sample[i], day);
    }
    q->n += (size_t) m;
    calendar_bottom_sort(q);
    q->grow_at = 2 * (size_t) nb;
    q->shrink_at = nb > CALENDAR_MIN_BUCKETS ? nb / 2 : 0;
    q->work = 0;
    q->ops = 0;
    q->resizes++;
}

/* Ends a work-accounting window: re-estimates the width when operations
 * have cost too much on average, and backs off when that did not help. */
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
    q->work = 0;
    q->ops = 0;
}

static VnsEventQueue *
calendar_queue_create(void)
{
    VnsEventQueue *q = g_new0(VnsEventQueue, 1);

    q->free_head = CALENDAR_NONE;
    q->nb = CALENDAR_MIN_BUCKETS;
    q->mask = q->nb - 1;
    q->bucket = g_new(uint32_t, q->nb);
    memset(q->bucket, 0xff, q->nb * sizeof(uint32_t));
    q->shift = CALENDAR_INITIAL_SHIFT;
    q->grow_at = 2 * (size_t) q->nb;
    q->shrink_at = 0;
    q->backoff = 1;
    q->window = CALENDAR_MIN_WINDOW;
    return q;
}

static void
calendar_queue_destroy(VnsEventQueue *q)
{
    if (q == NULL)
        return;
    g_free(q->node);
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
    else if (G_UNLIKELY(++q->ops >= q->window))
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
    return sizeof(*q) + (size_t) q->node_cap * sizeof(CalendarNode) +
           (size_t) q->nb * sizeof(uint32_t) +
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
