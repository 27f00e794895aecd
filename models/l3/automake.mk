# IPv4/IPv6 hosts and routers: the "host" and "router" element types and
# their longest-prefix-match route table.
src_libvnsapp_a_SOURCES += \
	models/l3/host.c models/l3/host.h \
	models/l3/route_table.c models/l3/route_table.h
EXTRA_DIST += doc/models/host.md
