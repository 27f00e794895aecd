src_libvnsapp_a_SOURCES += models/models.c models/models.h
include models/link/automake.mk
