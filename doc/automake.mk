# Every page under doc/ ships with the sources.
EXTRA_DIST += doc
EXTRA_DIST += experiments topologies
