# Point-to-point links.
src_libvnsapp_a_SOURCES += models/link/p2p.c models/link/p2p.h
