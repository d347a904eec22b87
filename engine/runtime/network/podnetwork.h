#pragma once
// One pod's place on the cluster network: what the process runtime needs to start containers in
// it (enterCommand) and to find it again after the engine restarts.

#include "engine/runtime/network/holderprocess.h"

#include <string>

namespace cd::runtime::network {

struct PodNetwork {
    std::string podUid;
    std::string ip; // the pod IP; 127.0.0.1 when the network is not isolated
    std::string hostname;
    std::string hostInterface; // the veth on the cluster bridge ("" when not isolated)
    HolderProcess holder;      // holds the pod's network, IPC and UTS namespaces (pid 0: none)

    bool operator==(const PodNetwork &) const = default;
};

} // namespace cd::runtime::network
