# Layer 2: in-node wires, veth pairs, the Linux bridge.
src_libvnsapp_a_SOURCES += models/l2/wire.c models/l2/wire.h
src_libvnsapp_a_SOURCES += models/l2/veth.c models/l2/veth.h
src_libvnsapp_a_SOURCES += models/l2/bridge.c models/l2/bridge.h
src_libvnsapp_a_SOURCES += models/l2/vnic.c models/l2/vnic.h
src_libvnsapp_a_SOURCES += models/l2/tap.c models/l2/tap.h
# Open vSwitch-style OpenFlow switch (helper "ovs").
src_libvnsapp_a_SOURCES += models/l2/ovs.c models/l2/ovs.h models/l2/ovs_match.c models/l2/ovs_match.h
