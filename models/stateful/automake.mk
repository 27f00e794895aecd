# Stateful network functions: connection tracking and NAT (Linux
# netfilter's nf_conntrack and nf_nat).
src_libvnsapp_a_SOURCES += \
	models/stateful/conntrack.c models/stateful/conntrack.h \
	models/stateful/nat.c models/stateful/nat.h
