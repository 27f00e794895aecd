/* Tests of packet buffers and the pool: headroom, push/pull/put, clones,
 * reuse without allocation, teardown with packets outstanding. */
#include <config.h>
#include <criterion/criterion.h>
#ifdef HAVE_MALLINFO2
#include <malloc.h>
#endif
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include "net_test.h"

Test(packet, new_packet_is_empty_with_headroom)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 1000);

    cr_assert_eq(p->len, 0);
    cr_assert_eq(p->payload_len, 1000);
    cr_assert_eq(vns_packet_size(p), 1000);
    cr_assert_eq(vns_packet_headroom(p), VNS_PACKET_HEADROOM);
    cr_assert_not(p->key_valid);
    cr_assert_eq(p->l3_off, VNS_OFF_NONE);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 1);
    vns_packet_free(p);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
    vns_packet_free(NULL);
}

Test(packet, ids_are_unique_in_creation_order)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *a = vns_packet_new(pool, 0);
    VnsPacket *b = vns_packet_new(pool, 0);
    VnsPacket *c;

    cr_assert_lt(a->id, b->id);
    vns_packet_free(a);
    c = vns_packet_new(pool, 0);        /* reuses a's storage, not its id */
    cr_assert_gt(c->id, b->id);
    a = vns_packet_clone(c);
    cr_assert_gt(a->id, c->id);
    vns_packet_free(a);
    vns_packet_free(b);
    vns_packet_free(c);
}

Test(packet, push_pull_put)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 0);
    uint8_t *d;

    d = vns_packet_put(p, 4);
    memcpy(d, "TAIL", 4);
    d = vns_packet_push(p, 4);
    memcpy(d, "HEAD", 4);
    cr_assert_eq(p->len, 8);
    cr_assert_arr_eq(vns_packet_data(p), "HEADTAIL", 8);
    cr_assert_eq(vns_packet_headroom(p), VNS_PACKET_HEADROOM - 4);
    d = vns_packet_pull(p, 4);
    cr_assert_arr_eq(d, "TAIL", 4);
    cr_assert_eq(p->len, 4);
    /* Pushed bytes come zeroed, even where an old header was. */
    d = vns_packet_push(p, 4);
    cr_assert_arr_eq(d, ((uint8_t[4]) { 0 }), 4);
    vns_packet_free(p);
}

Test(packet, push_past_headroom_reallocates_and_keeps_bytes)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = vns_packet_new(pool, 100);
    uint8_t want[300];
    uint8_t *d;

    /* 300 bytes of headers in 3 pushes of 100: more than the 192 of
     * headroom, so the second push moves the packet. */
    for (int i = 0; i < 3; i++) {
        d = vns_packet_push(p, 100);
        memset(d, 'a' + i, 100);
        memset(want + 200 - 100 * i, 'a' + i, 100);
    }
    cr_assert_eq(p->len, 300);
    cr_assert_arr_eq(vns_packet_data(p), want, 300);
    cr_assert_geq(vns_packet_headroom(p), VNS_PACKET_HEADROOM - 100);
    cr_assert(p->buf_heap);
    /* A push larger than the whole default buffer works too. */
    d = vns_packet_push(p, 1000);
    memset(d, 'z', 1000);
    cr_assert_arr_eq(vns_packet_data(p) + 1000, want, 300);
    cr_assert_eq(vns_packet_size(p), 1400);
    /* So does put past the end. */
    d = vns_packet_put(p, 2000);
    cr_assert_arr_eq(vns_packet_data(p) + 1000, want, 300);
    cr_assert_eq(p->len, 3300);
    vns_packet_free(p);
    /* The grown buffer stays with the packet on reuse; the pool frees it. */
    p = vns_packet_new(pool, 0);
    cr_assert_eq(vns_packet_headroom(p), VNS_PACKET_HEADROOM);
    vns_packet_free(p);
}

Test(packet, clone_is_independent)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *a = net_test_udp4(pool, 500);
    VnsPacket *b;

    a->flow_id = 7;
    a->flow_seq = 99;
    a->t_created = 12345;
    a->mark = 0xbeef;
    vns_packet_flow_key(a);
    b = vns_packet_clone(a);
    cr_assert_neq(b->id, a->id);
    cr_assert_eq(b->len, a->len);
    cr_assert_eq(b->payload_len, 500);
    cr_assert_arr_eq(vns_packet_data(b), vns_packet_data(a), a->len);
    cr_assert_eq(b->flow_id, 7);
    cr_assert_eq(b->flow_seq, 99);
    cr_assert_eq(b->t_created, 12345);
    cr_assert_eq(b->mark, 0xbeef);
    cr_assert(b->key_valid);
    cr_assert_eq(b->l4_off, 34);
    cr_assert(vns_flow_key_equal(&b->key, &a->key));
    cr_assert_neq(b->buf, a->buf);

    /* Changing one leaves the other alone. */
    vns_packet_data(b)[0] = 0xff;
    vns_packet_pull(a, 14);
    cr_assert_eq(vns_packet_data(b)[0], 0xff);
    cr_assert_eq(b->len, 42);
    cr_assert(b->key_valid);
    cr_assert_not(a->key_valid);
    vns_packet_free(a);
    cr_assert_eq(vns_packet_data(b)[0], 0xff);
    vns_packet_free(b);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

Test(packet, clone_of_grown_packet)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *a = vns_packet_new(pool, 0);
    VnsPacket *b;

    memset(vns_packet_push(a, 700), 0x5a, 700);
    b = vns_packet_clone(a);
    cr_assert_eq(b->len, 700);
    cr_assert_arr_eq(vns_packet_data(b), vns_packet_data(a), 700);
    vns_packet_free(a);
    vns_packet_free(b);
}

Test(packet, trim)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *p = net_test_udp4(pool, 1000);     /* 42 header bytes */

    vns_packet_flow_key(p);
    vns_packet_trim(p, 2000);
    cr_assert_eq(vns_packet_size(p), 1042);
    vns_packet_trim(p, 576);
    cr_assert_eq(p->len, 42);
    cr_assert_eq(p->payload_len, 534);
    cr_assert(p->key_valid);            /* headers untouched */
    vns_packet_trim(p, 30);
    cr_assert_eq(p->len, 30);
    cr_assert_eq(p->payload_len, 0);
    cr_assert_not(p->key_valid);
    vns_packet_free(p);
}

Test(packet, no_allocation_after_warm_up)
{
    g_autoptr(VnsPacketPool) pool = vns_packet_pool_new();
    VnsPacket *held[300];
    uint64_t warm;

    /* Warm up to a peak of 300 packets in flight. */
    for (int i = 0; i < 300; i++)
        held[i] = vns_packet_new(pool, 1500);
    for (int i = 0; i < 300; i++)
        vns_packet_free(held[i]);
    warm = vns_packet_pool_allocated(pool);
    cr_assert_geq(warm, 300);

    /* 1e5 cycles at or below that peak allocate nothing more. */
    for (int i = 0; i < 100000; i++) {
        int n = 1 + i % 300;
        for (int k = 0; k < n && k < 3; k++)
            held[k] = vns_packet_new(pool, (uint32_t) i);
        VnsPacket *c = vns_packet_clone(held[0]);
        vns_packet_push(c, 64);
        vns_packet_free(c);
        for (int k = 0; k < n && k < 3; k++)
            vns_packet_free(held[k]);
    }
    cr_assert_eq(vns_packet_pool_allocated(pool), warm);
    cr_assert_eq(vns_packet_pool_outstanding(pool), 0);
}

/* Bytes of heap in use, or 0 where the allocator cannot tell (ASan
 * replaces malloc, and glibc's mallinfo2() then reports nothing). */
static size_t
heap_in_use(void)
{
#if defined(HAVE_MALLINFO2) && !defined(__SANITIZE_ADDRESS__)
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

static void
fill_and_free_pool(size_t *during)
{
    VnsPacketPool *pool = vns_packet_pool_new();

    for (int i = 0; i < 1000; i++) {
        VnsPacket *p = vns_packet_new(pool, 100);
        if (i % 10 == 0)
            vns_packet_push(p, 600);
    }
    *during = heap_in_use();
    vns_packet_pool_free(pool);
}

Test(packet, pool_free_releases_outstanding_packets)
{
    /* Leaves 1000 packets outstanding, 100 of them with grown buffers, and
     * frees the pool, ten times: glibc's count of heap bytes in use must not
     * grow from round to round, and in the sanitizer build LeakSanitizer
     * must find nothing lost. The first rounds warm up what is allocated
     * once per process and the allocator's per-thread caches (whose free
     * chunks mallinfo2() counts as in use); nothing else allocates between
     * the measurements. */
    size_t before, during, after;

    for (int round = 0; round < 3; round++)
        fill_and_free_pool(&during);
    before = heap_in_use();
    for (int round = 0; round < 10; round++)
        fill_and_free_pool(&during);
    after = heap_in_use();
    vns_packet_pool_free(NULL);
    if (before > 0) {
        /* 1000 packets x 512 bytes of buffer were in use at the peak. */
        cr_assert_gt(during, before + 1000 * VNS_PACKET_BUFSIZE);
        cr_assert_eq(after, before, "%zu bytes not returned", after - before);
    }
#ifdef __SANITIZE_ADDRESS__
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0, "LeakSanitizer found leaks");
#endif
}

Test(packet, pools_are_independent)
{
    g_autoptr(VnsPacketPool) a = vns_packet_pool_new();
    g_autoptr(VnsPacketPool) b = vns_packet_pool_new();
    VnsPacket *pa = vns_packet_new(a, 0);
    VnsPacket *pb = vns_packet_new(b, 0);

    cr_assert_eq(pa->id, pb->id);       /* ids are per pool */
    cr_assert_eq(vns_packet_pool_outstanding(a), 1);
    vns_packet_free(pb);
    cr_assert_eq(vns_packet_pool_outstanding(a), 1);
    cr_assert_eq(vns_packet_pool_outstanding(b), 0);
    vns_packet_free(pa);
}
