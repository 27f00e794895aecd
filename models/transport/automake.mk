# Transport: TCP endpoints, congestion control, the <tcp-flow> builder,
# and the <tcp-rr> request/response application built on the endpoints.
src_libvnsapp_a_SOURCES += \
	models/transport/tcp_cc.c models/transport/tcp_cc.h \
	models/transport/tcp_endpoint.c models/transport/tcp_endpoint.h \
	models/transport/tcp_flow.c models/transport/tcp_flow.h \
	models/apps/tcp_rr.c models/apps/tcp_rr.h
