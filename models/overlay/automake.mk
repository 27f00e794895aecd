# Overlay tunnels (VXLAN, Geneve, GRE) and TCP MSS clamping.
src_libvnsapp_a_SOURCES += \
	models/overlay/tunnel.c models/overlay/tunnel.h \
	models/overlay/mss_clamp.c models/overlay/mss_clamp.h
