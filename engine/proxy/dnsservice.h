#pragma once
// The `kube-dns` Service in kube-system, as kubeadm makes it for CoreDNS: ClusterIP 10.96.0.10
// (the address pods' /etc/resolv.conf names), ports 53/UDP and 53/TCP. It has no selector and no
// endpoints — the engine itself answers on that address — and it keeps the address from ever
// being given to another Service.

#include "engine/client/client.h"

#include <functional>
#include <string>

namespace cd::proxy {

inline constexpr const char *kDnsServiceName = "kube-dns";
inline constexpr const char *kDnsServiceNamespace = "kube-system";

Json dnsServiceObject(const std::string &clusterIp);

// Creates the Service unless one of that name exists; `done` says whether it exists now.
void ensureDnsService(client::Client *client, const std::string &clusterIp, std::function<void(bool)> done);

} // namespace cd::proxy
