# IPv4/IPv6 hosts and routers: the "host" and "router" element types. Their
# route tables are src/net/lpm.c.
src_libvnsapp_a_SOURCES += models/l3/host.c models/l3/host.h
