# Cloud networking: the AWS-style <vpc> element (subnets, route tables,
# internet and NAT gateways, security groups, network ACLs, ENIs, flow logs)
# and the <udp-connections> traffic builder that loads NAT gateways.
src_libvnsapp_a_SOURCES += \
	models/cloud/vpc.c models/cloud/vpc.h \
	models/cloud/vpc_conn.c models/cloud/vpc_conn.h \
	models/cloud/udp_conns.c models/cloud/udp_conns.h
