# Transport: TCP endpoints, congestion control and the <tcp-flow> builder.
src_libvnsapp_a_SOURCES += \
	models/transport/tcp_cc.c models/transport/tcp_cc.h \
	models/transport/tcp_endpoint.c models/transport/tcp_endpoint.h \
	models/transport/tcp_flow.c models/transport/tcp_flow.h
