# Element framework (lead).
src_libvnscore_a_SOURCES += \
	src/net/config.c src/net/config.h \
	src/net/drop.c src/net/drop.h \
	src/net/element.c src/net/element.h \
	src/net/node.c src/net/node.h \
	src/net/cpu_stage.c src/net/cpu_stage.h

# The packet library: buffers and pool, addresses, checksums, header codecs
# and flow keys.
src_libvnscore_a_SOURCES += \
	src/net/net_error.c src/net/net_error.h \
	src/net/addr.c src/net/addr.h \
	src/net/checksum.c src/net/checksum.h \
	src/net/packet.c src/net/packet.h \
	src/net/flow_key.c src/net/flow_key.h \
	src/net/wire.h src/net/proto.h \
	src/net/eth.c src/net/eth.h \
	src/net/arp.c src/net/arp.h \
	src/net/ipv4.c src/net/ipv4.h \
	src/net/ipv6.c src/net/ipv6.h \
	src/net/icmp.c src/net/icmp.h \
	src/net/icmp6.c src/net/icmp6.h \
	src/net/udp.c src/net/udp.h \
	src/net/tcp.c src/net/tcp.h

# Queue disciplines (drop-tail, CoDel, RED) for links and egress ports.
src_libvnscore_a_SOURCES += src/net/qdisc.c src/net/qdisc.h
src_libvnscore_a_SOURCES += src/net/lpm.c src/net/lpm.h
src_libvnscore_a_SOURCES += src/net/app.c src/net/app.h
src_libvnscore_a_SOURCES += src/net/layers.c src/net/layers.h
# Tunnel header codecs: VXLAN, Geneve, GRE (overlay helper).
src_libvnscore_a_SOURCES += src/net/vxlan.c src/net/vxlan.h \
	src/net/geneve.c src/net/geneve.h src/net/gre.c src/net/gre.h
