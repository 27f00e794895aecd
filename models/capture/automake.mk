# Packet captures: the <capture> traffic builder and its element.
src_libvnsapp_a_SOURCES += models/capture/capture.c models/capture/capture.h
src_libvnsapp_a_SOURCES += models/capture/overhead.c models/capture/overhead.h
