src_libvnsapp_a_SOURCES += models/models.c models/models.h
include models/link/automake.mk
include models/apps/automake.mk
include models/l3/automake.mk
include models/capture/automake.mk
include models/transport/automake.mk
include models/l2/automake.mk
include models/overlay/automake.mk
include models/cloud/automake.mk
include models/stateful/automake.mk
