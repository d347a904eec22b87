#pragma once
// The pod network of process nodes (DESIGN.md "Nodes and pods"). The cluster's network lives in
// a network namespace owned by a user namespace the engine makes, mapping its uid to 0 — the
// same path as root and as an ordinary user, as rootless container engines do. Inside: lo, a
// bridge with the gateway address, one veth per pod; each pod has its own network, IPC and UTS
// namespaces (its IP on eth0, a default route via the gateway, its hostname). There is no route
// out of the namespace, so no cluster address ever reaches a real network. The Service range is
// local on the cluster namespace's lo, where the service proxy (engine/proxy) DNATs ClusterIPs to
// pods and serves the cluster DNS; the proxy's relays use sockets made inside the namespace.
//
// Namespaces are kept alive by small holder processes in sessions of their own, recorded with
// their start times in the state folder: pods keep their network while clusterdeckd restarts,
// and open() finds them again. The per-pod work happens in one long-lived helper inside the
// cluster namespace (clusterdeck-netns, netnsprotocol.h), so a pod costs a couple of milliseconds.
//
// Where user namespaces are unavailable (checked, not assumed), the network is not isolated:
// pods share the host's network, their IP is 127.0.0.1, enterCommand() is empty, and
// isolationReason() says why, for a node condition.
//
// Thread-safe: every call takes one lock.

#include "engine/core/result.h"
#include "engine/runtime/network/ipv4.h"
#include "engine/runtime/network/podnetwork.h"

#include <QString>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

class QLockFile;

namespace cd::runtime::network {

class NetnsHelper;
class NetworkState;

struct ClusterNetworkOptions {
    QString stateDir; // DATA_DIR/network
    std::string podCidr = "10.244.0.0/16";
    std::string gateway = "10.244.0.1";
    std::string serviceCidr = "10.96.0.0/12";
    QString helperPath; // clusterdeck-netns; empty: next to the executable, $CLUSTERDECK_BIN_DIR, PATH
    std::chrono::milliseconds helperTimeout{10000};
};

class ClusterNetwork {
public:
    // Re-attaches to the living cluster namespace recorded in stateDir (dropping what died in
    // the meantime), or makes a new one. Fails when another engine uses stateDir, when the
    // options are invalid, or when isolation is possible but the helper cannot do its work.
    static Result<std::unique_ptr<ClusterNetwork>> open(const ClusterNetworkOptions &options);
    // The namespaces and pods stay (the next open() finds them); only the helper goes.
    ~ClusterNetwork();

    ClusterNetwork(const ClusterNetwork &) = delete;
    ClusterNetwork &operator=(const ClusterNetwork &) = delete;

    bool isolated() const { return m_isolated; }
    // Why not isolated; empty when isolated.
    const std::string &isolationReason() const { return m_isolationReason; }
    const ClusterNetworkOptions &options() const { return m_options; }
    HolderProcess clusterHolder() const; // pid 0 when not isolated

    // A pod's network, IPC and UTS namespaces: hostname set, lo up, eth0 with ip/prefix, default
    // route via the gateway, its veth on the bridge. The same uid and ip again returns the
    // living pod (a retry); another ip for a known uid, or an ip in use, is a conflict.
    Result<PodNetwork> createPod(const std::string &podUid, const std::string &ip, const std::string &hostname);
    std::optional<PodNetwork> findPod(const std::string &podUid) const;
    // Kills the holder and removes the veth. Removing an unknown pod succeeds (as the CRI's
    // RemovePodSandbox): the call is safe to repeat.
    Status removePod(const std::string &podUid);
    std::vector<PodNetwork> pods() const;

    // The argv prefix that runs a program in the pod's user, network, IPC and UTS namespaces,
    // after checking the holder still is the recorded process. Empty when not isolated.
    std::vector<std::string> enterCommand(const PodNetwork &pod) const;
    // The same for the cluster's user and network namespaces (the proxy, the relays).
    std::vector<std::string> clusterEnterCommand() const;

    // IP/32 on the cluster namespace's lo, inside the Service CIDR. Adding twice or removing a
    // missing one succeeds. Nothing to do when not isolated (Services use host loopback then).
    Status addServiceAddress(const std::string &ip);
    Status removeServiceAddress(const std::string &ip);

    // The service proxy's part (engine/proxy). Every address of the Service range becomes the
    // cluster namespace's own, on lo ("AnyIP"): its sockets may bind any ClusterIP (the cluster
    // DNS at 10.96.0.10) and reach any, and a ClusterIP nothing serves refuses at once. Safe to
    // repeat. Nothing to do when not isolated.
    Status makeServiceRangeLocal();
    // A network setting of the cluster's namespace only ("net.ipv4.ip_forward", "1"; net.ipv4.*,
    // net.ipv6.* and net.bridge.bridge-nf-call-*).
    Status setNetworkSetting(const std::string &name, const std::string &value);

    // Sockets inside the cluster's network namespace, made by the helper and passed over
    // (close-on-exec; the caller's to close): the engine connects and binds them as its own.
    enum class SocketType { Tcp, Udp };
    Result<std::vector<int>> clusterSockets(SocketType type, int count); // count 1-64
    // Bound to ip:port there (SO_REUSEADDR; a TCP socket still has to listen()).
    Result<int> boundClusterSocket(SocketType type, const std::string &ip, int port);
    // One in a pod's network namespace (for port-forward).
    Result<int> podSocket(const std::string &podUid, SocketType type);

    // Kills every holder and the helper and removes the state: the cluster network is gone.
    // Later calls fail. For tests, and for wiping a cluster.
    void shutdown();

private:
    explicit ClusterNetwork(ClusterNetworkOptions options);
    Status validateOptions();
    Status startIsolated();
    void startWithoutIsolation();
    Status attach(const HolderProcess &holder);
    void adoptPods();
    void forgetEverything();
    Status usable() const;
    Result<NetnsHelper *> helper();
    Result<std::vector<std::string>> request(const std::string &line);
    Result<std::vector<int>> requestSockets(const std::string &line, size_t expected);
    Status isolatedAndUsable() const;
    // addr-add or addr-del of a Service IP on the cluster namespace's lo, after checking the IP.
    Status changeServiceAddress(const char *verb, const std::string &ip);
    Status dropPod(const PodNetwork &pod);

    ClusterNetworkOptions m_options;
    std::unique_ptr<NetworkState> m_state;
    std::unique_ptr<QLockFile> m_lock;
    bool m_isolated = false;
    bool m_shutDown = false;
    std::string m_isolationReason;
    QString m_helperPath;
    std::unique_ptr<NetnsHelper> m_helper;
    HolderProcess m_clusterHolder;
    Ipv4Cidr m_podCidr;
    Ipv4Cidr m_serviceCidr;
    std::uint32_t m_gateway = 0;
    std::map<std::string, PodNetwork> m_pods; // by uid
    mutable std::mutex m_mutex;
};

} // namespace cd::runtime::network
