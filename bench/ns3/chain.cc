/* bench/ns3/chain.cc: the point-to-point chain of bench/chain, in ns-3.
 *
 * source - N routers - sink over point-to-point links of 1 Gbit/s and 1 ms
 * (PointToPointHelper), IPv4 with global routing, one UdpClient sending
 * 1000-byte UDP payloads every 16 us (500 Mbit/s of payload) to a UdpServer
 * for 10 simulated seconds. Everything else is ns-3's default, as a user
 * would write it: the device's 100-packet DropTail queue and the pfifo_fast
 * queue disc that Ipv4AddressHelper installs (neither ever holds more than
 * one packet here, as the link is half loaded).
 *
 * Wall time is taken around Simulator::Run() only; events are
 * Simulator::GetEventCount() (executed events, ns-3 >= 3.29). The one-way
 * latency of each delivered packet is Now() minus the timestamp of the
 * SeqTsHeader that UdpClient puts at the front of its payload. Prints one
 * line of key=value fields, like bench/chain.
 *
 * Built and run by bench/vs-ns3 against Debian's libns3-dev (3.37):
 *   g++ -O2 chain.cc $(pkg-config --cflags --libs ns3-core ns3-network \
 *       ns3-internet ns3-point-to-point ns3-applications) */
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

namespace {

/* Packets and summed one-way latency seen by the sink. */
struct ChainSink {
    uint64_t packets = 0;
    int64_t latency_sum_ns = 0; /* exact: every time here is whole ns */
};

/* The UdpServer's "Rx" trace: reads the send time from the SeqTsHeader. */
void
chain_rx(ChainSink *sink, Ptr<const Packet> pkt)
{
    SeqTsHeader seq_ts;

    pkt->PeekHeader(seq_ts);
    sink->packets++;
    sink->latency_sum_ns += (Simulator::Now() - seq_ts.GetTs()).GetNanoSeconds();
}

} // namespace

int
main(int argc, char **argv)
{
    uint32_t routers = 2;
    double duration_s = 10;
    CommandLine cmd(__FILE__);

    cmd.AddValue("routers", "Routers between source and sink", routers);
    cmd.AddValue("duration", "Simulated seconds", duration_s);
    cmd.Parse(argc, argv);
    if (routers < 1 || routers > 65000 || duration_s <= 0) {
        std::fprintf(stderr, "ns3-chain: expected --routers in 1..65000 and "
                     "--duration > 0, got %u and %g\n", routers, duration_s);
        return 2;
    }
    NodeContainer nodes;
    nodes.Create(routers + 2);
    InternetStackHelper internet;
    internet.Install(nodes);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));
    Ipv4AddressHelper addresses;
    Ipv4Address sink_addr;
    /* Link i joins node i and node i+1 on 10.(i/256).(i%256).0/24. */
    for (uint32_t i = 0; i <= routers; i++) {
        NetDeviceContainer devs = p2p.Install(nodes.Get(i), nodes.Get(i + 1));
        char base[32];
        std::snprintf(base, sizeof base, "10.%u.%u.0", i / 256, i % 256);
        addresses.SetBase(base, "255.255.255.0");
        Ipv4InterfaceContainer ifs = addresses.Assign(devs);
        sink_addr = ifs.GetAddress(1);
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    const uint16_t port = 9;
    UdpServerHelper server(port);
    ApplicationContainer server_apps = server.Install(nodes.Get(routers + 1));
    server_apps.Start(Seconds(0));
    UdpClientHelper client(sink_addr, port);
    client.SetAttribute("MaxPackets", UintegerValue(UINT32_MAX));
    client.SetAttribute("Interval", TimeValue(NanoSeconds(16000)));
    client.SetAttribute("PacketSize", UintegerValue(1000));
    ApplicationContainer client_apps = client.Install(nodes.Get(0));
    client_apps.Start(Seconds(0));

    ChainSink sink;
    server_apps.Get(0)->TraceConnectWithoutContext("Rx", MakeBoundCallback(&chain_rx, &sink));

    Simulator::Stop(Seconds(duration_s));
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    double wall_s = std::chrono::duration<double>(t1 - t0).count();
    uint64_t events = Simulator::GetEventCount();
    Simulator::Destroy();

    std::printf("bench=ns3-chain routers=%u wall_s=%.3f delivered=%" PRIu64
                " events=%" PRIu64 " pkt_hops_per_s=%.0f events_per_s=%.0f"
                " mean_latency_s=%.9f\n",
                routers, wall_s, sink.packets, events,
                wall_s > 0 ? (double) sink.packets * (routers + 1) / wall_s : 0.0,
                wall_s > 0 ? (double) events / wall_s : 0.0,
                sink.packets > 0
                    ? (double) sink.latency_sum_ns / 1e9 / (double) sink.packets : 0.0);
    return 0;
}
