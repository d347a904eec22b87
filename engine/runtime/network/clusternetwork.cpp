#include "engine/runtime/network/clusternetwork.h"

#include "engine/runtime/executables.h"
#include "engine/runtime/network/isolationprobe.h"
#include "engine/runtime/network/netnshelper.h"
#include "engine/runtime/network/netnsprotocol.h"
#include "engine/runtime/network/networkstate.h"

#include <QDir>
#include <QLockFile>

#include <cstdio>
#include <set>

#include <unistd.h>

namespace cd::runtime::network {

namespace {

// A hostname the kernel takes (at most 64 bytes) and Kubernetes allows (a DNS name, 63).
bool validHostname(const std::string &name)
{
    if (name.empty() || name.size() > 63 || name.front() == '-' || name.front() == '.')
        return false;
    for (char c : name) {
        const bool allowed =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!allowed)
            return false;
    }
    return true;
}

bool validUid(const std::string &uid)
{
    if (uid.empty() || uid.size() > 253)
        return false;
    for (unsigned char c : uid) {
        if (c <= ' ' || c == 0x7f)
            return false;
    }
    return true;
}

std::string vethName(std::uint32_t ip)
{
    char name[16];
    std::snprintf(name, sizeof name, "%s%08x", protocol::kVethPrefix, ip);
    return name;
}

// A pod's veth, or one retired by a removal that did not finish.
bool isOurVeth(const std::string &name)
{
    return name.rfind(protocol::kVethPrefix, 0) == 0 || name.rfind(protocol::kRetiredPrefix, 0) == 0;
}

} // namespace

ClusterNetwork::ClusterNetwork(ClusterNetworkOptions options)
    : m_options(std::move(options)), m_state(std::make_unique<NetworkState>(m_options.stateDir))
{
}

ClusterNetwork::~ClusterNetwork() = default;

Result<std::unique_ptr<ClusterNetwork>> ClusterNetwork::open(const ClusterNetworkOptions &options)
{
    if (options.stateDir.isEmpty())
        return Error::badRequest("the cluster network needs a state folder");
    std::unique_ptr<ClusterNetwork> network(new ClusterNetwork(options));
    CD_CHECK(network->validateOptions());
    CD_CHECK(network->m_state->prepare());
    // One engine per state folder: two would fight over the same namespaces.
    network->m_lock = std::make_unique<QLockFile>(options.stateDir + QStringLiteral("/lock"));
    network->m_lock->setStaleLockTime(0); // stale only when its process is gone, however old
    if (!network->m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        network->m_lock->getLockInfo(&pid, &host, &application);
        return Error::conflict("the cluster network in " + options.stateDir.toStdString() +
                               " is in use by another engine (pid " + std::to_string(pid) + ")");
    }
    network->m_isolationReason = userNamespaceProblem();
    if (!network->m_isolationReason.empty()) {
        qWarning("cluster network: not isolated: %s", network->m_isolationReason.c_str());
        network->startWithoutIsolation();
        return network;
    }
    network->m_helperPath = options.helperPath.isEmpty() ? helperExecutable(QString::fromLatin1(protocol::kHelperName))
                                                         : options.helperPath;
    if (network->m_helperPath.isEmpty())
        return Error::internal(std::string(protocol::kHelperName) +
                               " was not found (next to the executable, in $CLUSTERDECK_BIN_DIR or on PATH)");
    CD_CHECK(network->startIsolated());
    return network;
}

Status ClusterNetwork::validateOptions()
{
    const auto podCidr = parseCidr(m_options.podCidr);
    if (!podCidr || podCidr->prefixLength < 8 || podCidr->prefixLength > 30)
        return Error::badRequest("pod CIDR \"" + m_options.podCidr + "\" is not an IPv4 block from /8 to /30");
    const auto gateway = parseIpv4(m_options.gateway);
    if (!gateway || !podCidr->contains(*gateway) || *gateway == podCidr->network || *gateway == podCidr->broadcast())
        return Error::badRequest("gateway \"" + m_options.gateway + "\" is not a host address of " +
                                 podCidr->toString());
    const auto serviceCidr = parseCidr(m_options.serviceCidr);
    if (!serviceCidr)
        return Error::badRequest("service CIDR \"" + m_options.serviceCidr + "\" is not an IPv4 block");
    if (serviceCidr->overlaps(*podCidr))
        return Error::badRequest("service CIDR " + serviceCidr->toString() + " overlaps pod CIDR " +
                                 podCidr->toString());
    m_podCidr = *podCidr;
    m_serviceCidr = *serviceCidr;
    m_gateway = *gateway;
    return {};
}

Status ClusterNetwork::startIsolated()
{
    m_isolated = true;
    const auto record = m_state->loadCluster();
    if (record && isRunning(record->holder)) {
        const bool sameRanges = record->podCidr == m_podCidr.toString() && record->gateway == formatIpv4(m_gateway) &&
                                record->serviceCidr == m_serviceCidr.toString();
        if (!sameRanges) {
            qWarning("cluster network: the address ranges changed: replacing the cluster namespace");
        } else if (Status attached = attach(record->holder); attached.ok()) {
            adoptPods();
            return {};
        } else {
            qWarning("cluster network: cannot re-attach to holder %d (%s): making a new namespace", record->holder.pid,
                     attached.error().message.c_str());
        }
    }
    forgetEverything();
    const std::string bridgeAddress = formatIpv4(m_gateway) + "/" + std::to_string(m_podCidr.prefixLength);
    CD_TRY(m_helper, NetnsHelper::start(m_helperPath, {"create", bridgeAddress}, m_options.helperTimeout));
    m_clusterHolder = m_helper->clusterHolder();
    Status saved =
        m_state->saveCluster({m_clusterHolder, m_podCidr.toString(), formatIpv4(m_gateway), m_serviceCidr.toString()});
    if (!saved.ok()) {
        m_helper.reset();
        (void)terminateHolder(m_clusterHolder);
        return saved;
    }
    return {};
}

Status ClusterNetwork::attach(const HolderProcess &holder)
{
    CD_TRY(m_helper,
           NetnsHelper::start(m_helperPath, {"attach", std::to_string(holder.pid), std::to_string(holder.startTime)},
                              m_options.helperTimeout));
    m_clusterHolder = holder;
    return {};
}

// After a restart: pods whose holder lives and whose veth is still on the bridge are ours again;
// the rest died while no engine watched, and what they left goes.
void ClusterNetwork::adoptPods()
{
    // Without the list of links (a failing helper), judge by the holders alone and leave the
    // garbage for the next open: better than dropping pods that are fine.
    auto listed = request("links");
    if (!listed.ok())
        qWarning("cluster network: cannot list links: %s", listed.error().message.c_str());
    const std::set<std::string> links =
        listed.ok() ? std::set<std::string>(listed->begin(), listed->end()) : std::set<std::string>();
    for (const PodNetwork &pod : m_state->loadPods()) {
        const bool vethThere = !listed.ok() || links.count(pod.hostInterface);
        if (pod.holder.pid > 0 && !pod.hostInterface.empty() && isRunning(pod.holder) && vethThere) {
            m_pods[pod.podUid] = pod;
            continue;
        }
        qInfo("cluster network: pod %s is gone (holder %d)", pod.podUid.c_str(), pod.holder.pid);
        (void)dropPod(pod);
    }
    std::set<std::string> kept;
    for (const auto &[uid, pod] : m_pods)
        kept.insert(pod.hostInterface);
    for (const std::string &link : links) {
        if (isOurVeth(link) && !kept.count(link))
            (void)request("link-del " + link);
    }
}

void ClusterNetwork::startWithoutIsolation()
{
    m_isolated = false;
    // What an isolated run left (user namespaces were switched off since) cannot be used.
    if (const auto record = m_state->loadCluster()) {
        (void)terminateHolder(record->holder);
        m_state->removeCluster();
    }
    for (const PodNetwork &pod : m_state->loadPods()) {
        if (pod.holder.pid == 0 && pod.hostInterface.empty()) {
            m_pods[pod.podUid] = pod;
        } else {
            (void)terminateHolder(pod.holder);
            m_state->removePod(pod.podUid);
        }
    }
}

void ClusterNetwork::forgetEverything()
{
    for (const PodNetwork &pod : m_state->loadPods())
        (void)terminateHolder(pod.holder);
    for (const auto &[uid, pod] : m_pods)
        (void)terminateHolder(pod.holder);
    if (const auto record = m_state->loadCluster())
        (void)terminateHolder(record->holder);
    m_pods.clear();
    m_state->clear();
    (void)m_state->prepare();
}

Status ClusterNetwork::usable() const
{
    if (m_shutDown)
        return Error::internal("the cluster network was shut down");
    return {};
}

HolderProcess ClusterNetwork::clusterHolder() const
{
    std::lock_guard lock(m_mutex);
    return m_clusterHolder;
}

Result<NetnsHelper *> ClusterNetwork::helper()
{
    if (m_helper && m_helper->alive())
        return m_helper.get();
    // The helper died (or timed out and was stopped): a new one joins the same namespaces.
    if (!isRunning(m_clusterHolder))
        return Error::internal("the cluster network namespace is gone (its holder " +
                               std::to_string(m_clusterHolder.pid) + " died)");
    qWarning("cluster network: restarting %s", protocol::kHelperName);
    m_helper.reset();
    CD_CHECK(attach(m_clusterHolder));
    return m_helper.get();
}

Result<std::vector<std::string>> ClusterNetwork::request(const std::string &line)
{
    CD_TRY(NetnsHelper * netns, helper());
    auto answer = netns->request(line);
    if (answer.ok() || answer.error().kind != ErrorKind::ServiceUnavailable)
        return answer;
    // The helper had died before this request reached it: once more with a new one.
    CD_TRY(netns, helper());
    return netns->request(line);
}

Status ClusterNetwork::dropPod(const PodNetwork &pod)
{
    // The veth first: deleting it is immediate, while a dead pod namespace is torn down later.
    Status status;
    if (m_isolated && !pod.hostInterface.empty()) {
        if (auto deleted = request("link-del " + pod.hostInterface); !deleted.ok())
            status = deleted.takeError();
    }
    if (Status killed = terminateHolder(pod.holder); !killed.ok())
        status = std::move(killed);
    m_state->removePod(pod.podUid);
    return status;
}

Result<PodNetwork> ClusterNetwork::createPod(const std::string &podUid, const std::string &ip,
                                             const std::string &hostname)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(usable());
    if (!validUid(podUid))
        return Error::badRequest("pod uid \"" + podUid + "\" is empty, too long or has blanks");
    if (!validHostname(hostname))
        return Error::badRequest("pod hostname \"" + hostname + "\" is not a DNS name of at most 63 characters");
    if (!m_isolated) {
        if (auto it = m_pods.find(podUid); it != m_pods.end())
            return it->second;
        PodNetwork pod{podUid, "127.0.0.1", hostname, {}, {}};
        CD_CHECK(m_state->savePod(pod));
        m_pods[podUid] = pod;
        return pod;
    }
    const auto address = parseIpv4(ip);
    if (!address || !m_podCidr.contains(*address) || *address == m_podCidr.network ||
        *address == m_podCidr.broadcast() || *address == m_gateway)
        return Error::badRequest("pod IP \"" + ip + "\" is not a free host address of " + m_podCidr.toString());
    const std::string canonical = formatIpv4(*address);
    if (auto it = m_pods.find(podUid); it != m_pods.end()) {
        if (it->second.ip != canonical)
            return Error::conflict("pod " + podUid + " is on the network already, with IP " + it->second.ip);
        if (isRunning(it->second.holder))
            return it->second;
        // Its holder died: a new one replaces it.
        (void)dropPod(it->second);
        m_pods.erase(it);
    }
    for (const auto &[uid, pod] : m_pods) {
        if (pod.ip == canonical)
            return Error::conflict("IP " + canonical + " is in use by pod " + uid);
    }
    PodNetwork pod{podUid, canonical, hostname, vethName(*address), {}};
    CD_TRY(const std::vector<std::string> answer,
           request("pod-add " + pod.hostInterface + " " + canonical + " " + std::to_string(m_podCidr.prefixLength) +
                   " " + formatIpv4(m_gateway) + " " + hostname));
    const auto holder = answer.size() == 2 ? parseHolder(answer[0], answer[1]) : std::nullopt;
    if (!holder) {
        (void)request("link-del " + pod.hostInterface);
        return Error::internal("clusterdeck-netns: unexpected answer to pod-add");
    }
    pod.holder = *holder;
    if (Status saved = m_state->savePod(pod); !saved.ok()) {
        (void)dropPod(pod);
        return saved.takeError();
    }
    m_pods[podUid] = pod;
    return pod;
}

std::optional<PodNetwork> ClusterNetwork::findPod(const std::string &podUid) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_pods.find(podUid);
    if (it == m_pods.end())
        return std::nullopt;
    return it->second;
}

Status ClusterNetwork::removePod(const std::string &podUid)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(usable());
    const auto it = m_pods.find(podUid);
    if (it == m_pods.end())
        return {};
    const PodNetwork pod = it->second;
    m_pods.erase(it);
    return dropPod(pod);
}

std::vector<PodNetwork> ClusterNetwork::pods() const
{
    std::lock_guard lock(m_mutex);
    std::vector<PodNetwork> result;
    result.reserve(m_pods.size());
    for (const auto &[uid, pod] : m_pods)
        result.push_back(pod);
    return result;
}

std::vector<std::string> ClusterNetwork::enterCommand(const PodNetwork &pod) const
{
    std::lock_guard lock(m_mutex);
    if (!m_isolated || pod.holder.pid <= 0)
        return {};
    return {m_helperPath.toStdString(), "enter", std::to_string(pod.holder.pid), std::to_string(pod.holder.startTime),
            "user,net,ipc,uts",         "--"};
}

std::vector<std::string> ClusterNetwork::clusterEnterCommand() const
{
    std::lock_guard lock(m_mutex);
    if (!m_isolated || m_clusterHolder.pid <= 0)
        return {};
    return {m_helperPath.toStdString(),
            "enter",
            std::to_string(m_clusterHolder.pid),
            std::to_string(m_clusterHolder.startTime),
            "user,net",
            "--"};
}

Status ClusterNetwork::addServiceAddress(const std::string &ip) { return changeServiceAddress("addr-add", ip); }

Status ClusterNetwork::removeServiceAddress(const std::string &ip) { return changeServiceAddress("addr-del", ip); }

Status ClusterNetwork::changeServiceAddress(const char *verb, const std::string &ip)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(usable());
    const auto address = parseIpv4(ip);
    if (!address || !m_serviceCidr.contains(*address))
        return Error::badRequest("Service IP \"" + ip + "\" is not in " + m_serviceCidr.toString());
    if (!m_isolated)
        return {};
    CD_CHECK(request(std::string(verb) + " " + formatIpv4(*address)));
    return {};
}

Status ClusterNetwork::isolatedAndUsable() const
{
    CD_CHECK(usable());
    if (!m_isolated)
        return Error::badRequest("the cluster network is not isolated: " + m_isolationReason);
    return {};
}

Result<std::vector<int>> ClusterNetwork::requestSockets(const std::string &line, size_t expected)
{
    CD_TRY(NetnsHelper * netns, helper());
    auto answer = netns->requestWithDescriptors(line);
    if (!answer.ok() && answer.error().kind == ErrorKind::ServiceUnavailable) {
        CD_TRY(netns, helper());
        answer = netns->requestWithDescriptors(line);
    }
    if (!answer.ok())
        return answer.takeError();
    if (answer->descriptors.size() != expected) {
        for (int fd : answer->descriptors)
            ::close(fd);
        return Error::internal("clusterdeck-netns: " + std::to_string(answer->descriptors.size()) +
                               " sockets came for " + std::to_string(expected));
    }
    return std::move(answer->descriptors);
}

namespace {

const char *socketWord(ClusterNetwork::SocketType type)
{
    return type == ClusterNetwork::SocketType::Tcp ? "tcp" : "udp";
}

} // namespace

Status ClusterNetwork::makeServiceRangeLocal()
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(usable());
    if (!m_isolated)
        return {};
    CD_CHECK(request("local-route-add " + formatIpv4(m_serviceCidr.network) + " " +
                     std::to_string(m_serviceCidr.prefixLength)));
    return {};
}

Status ClusterNetwork::setNetworkSetting(const std::string &name, const std::string &value)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(isolatedAndUsable());
    const auto plain = [](const std::string &word) {
        return !word.empty() && word.find_first_of(" \t\n") == std::string::npos;
    };
    if (!plain(name) || !plain(value))
        return Error::badRequest("bad network setting \"" + name + "\"");
    CD_CHECK(request("sysctl " + name + " " + value));
    return {};
}

Result<std::vector<int>> ClusterNetwork::clusterSockets(SocketType type, int count)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(isolatedAndUsable());
    if (count < 1 || count > protocol::kMaxSocketsPerRequest)
        return Error::badRequest("between 1 and " + std::to_string(protocol::kMaxSocketsPerRequest) +
                                 " sockets per request");
    return requestSockets(std::string("socket ") + socketWord(type) + " " + std::to_string(count),
                          static_cast<size_t>(count));
}

Result<int> ClusterNetwork::boundClusterSocket(SocketType type, const std::string &ip, int port)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(isolatedAndUsable());
    const auto address = parseIpv4(ip);
    if (!address || port < 0 || port > 65535)
        return Error::badRequest("cannot bind \"" + ip + ":" + std::to_string(port) + "\"");
    CD_TRY(std::vector<int> fds, requestSockets(std::string("socket-bind ") + socketWord(type) + " " +
                                                    formatIpv4(*address) + " " + std::to_string(port),
                                                1));
    return fds.front();
}

Result<int> ClusterNetwork::podSocket(const std::string &podUid, SocketType type)
{
    std::lock_guard lock(m_mutex);
    CD_CHECK(isolatedAndUsable());
    const auto it = m_pods.find(podUid);
    if (it == m_pods.end() || it->second.holder.pid <= 0)
        return Error::notFound("pod " + podUid + " has no network namespace");
    const HolderProcess &holder = it->second.holder;
    CD_TRY(std::vector<int> fds, requestSockets("pod-socket " + std::to_string(holder.pid) + " " +
                                                    std::to_string(holder.startTime) + " " + socketWord(type),
                                                1));
    return fds.front();
}

void ClusterNetwork::shutdown()
{
    std::lock_guard lock(m_mutex);
    if (m_shutDown)
        return;
    m_shutDown = true;
    // Pods first, then the helper and the cluster holder: with no process left in it, the
    // cluster namespace goes, and its bridge and veths with it.
    forgetEverything();
    m_helper.reset();
    (void)terminateHolder(m_clusterHolder);
    m_clusterHolder = {};
    QDir(m_options.stateDir + QStringLiteral("/pods")).removeRecursively();
    m_lock->unlock();
    QDir().rmdir(m_options.stateDir);
}

} // namespace cd::runtime::network
