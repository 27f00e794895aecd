# Traffic applications: the <udp-flow> builder, UDP sources and sinks.
src_libvnsapp_a_SOURCES += \
	models/apps/dist.c models/apps/dist.h \
	models/apps/udp_source.c models/apps/udp_source.h \
	models/apps/udp_sink.c models/apps/udp_sink.h \
	models/apps/udp_flow.c models/apps/udp_flow.h
