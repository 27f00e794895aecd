# Benchmarks: built by plain 'make', never installed.
noinst_PROGRAMS += bench/hold
bench_hold_SOURCES = bench/hold.c
bench_hold_LDADD = $(VNS_ALL_LIBS)
