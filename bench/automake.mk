# Benchmarks: built by plain 'make', never installed.
noinst_PROGRAMS += bench/hold
bench_hold_SOURCES = bench/hold.c
bench_hold_LDADD = $(VNS_ALL_LIBS)
noinst_PROGRAMS += bench/lpm
bench_lpm_SOURCES = bench/lpm.c
bench_lpm_LDADD = $(VNS_ALL_LIBS)

# The point-to-point chain of issue 3 (lead).
noinst_PROGRAMS += bench/chain
bench_chain_SOURCES = bench/chain.c bench/measure.c bench/measure.h
bench_chain_LDADD = $(VNS_ALL_LIBS)

# Scripts of issue 9 that run the benchmarks, and ns-3's side of the chain
# (bench/vs-ns3 builds it by hand): shipped, never built by make.
EXTRA_DIST += bench/run bench/vs-ns3 bench/install-ns3 bench/ns3/chain.cc

# One bulk TCP flow at 10 Gbit/s over four hops (helper "tcp").
noinst_PROGRAMS += bench/tcp-bulk
bench_tcp_bulk_SOURCES = bench/tcp_bulk.c bench/measure.c bench/measure.h
bench_tcp_bulk_LDADD = $(VNS_ALL_LIBS)

# The Linux bridge path VM - veth/TAP - bridge - link - bridge - VM (l2-bridge),
# and the measuring code benchmarks share.
noinst_PROGRAMS += bench/bridge
bench_bridge_SOURCES = bench/bridge.c bench/measure.c bench/measure.h
bench_bridge_LDADD = $(VNS_ALL_LIBS)
