# Benchmarks: built by plain 'make', never installed.
noinst_PROGRAMS += bench/hold
bench_hold_SOURCES = bench/hold.c
bench_hold_LDADD = $(VNS_ALL_LIBS)
noinst_PROGRAMS += bench/lpm
bench_lpm_SOURCES = bench/lpm.c
bench_lpm_LDADD = $(VNS_ALL_LIBS)

# The point-to-point chain of issue 3 (lead).
noinst_PROGRAMS += bench/chain
bench_chain_SOURCES = bench/chain.c
bench_chain_LDADD = $(VNS_ALL_LIBS)

# Scripts of issue 9 that run the benchmarks, and ns-3's side of the chain
# (bench/vs-ns3 builds it by hand): shipped, never built by make.
EXTRA_DIST += bench/run bench/vs-ns3 bench/install-ns3 bench/ns3/chain.cc
