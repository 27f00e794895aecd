EXTRA_DIST += doc/cli.md doc/files.md doc/results.md doc/reference.md
EXTRA_DIST += doc/kernel.md doc/stats.md doc/packets.md
EXTRA_DIST += experiments topologies
