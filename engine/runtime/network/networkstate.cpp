#include "engine/runtime/network/networkstate.h"

#include "engine/core/json.h"

#include <QDir>
#include <QFile>

#include <cstdio>

namespace cd::runtime::network {

namespace {

Json holderJson(const HolderProcess &holder)
{
    return {{"pid", holder.pid}, {"startTime", holder.startTime}};
}

HolderProcess holderFrom(const Json &object)
{
    HolderProcess holder;
    holder.pid = static_cast<int>(integer(object, {"holder", "pid"}));
    holder.startTime = static_cast<std::uint64_t>(integer(object, {"holder", "startTime"}));
    return holder;
}

std::optional<Json> readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    Json value = Json::parse(file.readAll().toStdString(), nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        qWarning("cluster network: ignoring unreadable state file %s", qPrintable(path));
        return std::nullopt;
    }
    return value;
}

// Written beside the target and renamed over it. No fsync: after a power cut the holders are
// gone anyway, and a pod start should not wait for the disk.
Status writeJson(const QString &path, const Json &value)
{
    const QString temporary = path + QStringLiteral(".tmp");
    QFile file(temporary);
    const QByteArray text = QByteArray::fromStdString(value.dump(2) + "\n");
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size()) {
        file.remove();
        return Error::internal("cannot write " + temporary.toStdString() + ": " + file.errorString().toStdString());
    }
    file.close();
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData()) != 0) {
        QFile::remove(temporary);
        return Error::internal("cannot replace " + path.toStdString());
    }
    return {};
}

bool plainFileName(const std::string &text)
{
    if (text.empty() || text.size() > 128 || text[0] == '.')
        return false;
    for (char c : text) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.';
        if (!plain)
            return false;
    }
    return true;
}

} // namespace

Status NetworkState::prepare() const
{
    if (!QDir().mkpath(m_dir + QStringLiteral("/pods")))
        return Error::internal("cannot create " + m_dir.toStdString() + "/pods");
    return {};
}

std::optional<ClusterRecord> NetworkState::loadCluster() const
{
    const auto object = readJson(m_dir + QStringLiteral("/cluster.json"));
    if (!object)
        return std::nullopt;
    ClusterRecord record;
    record.holder = holderFrom(*object);
    record.podCidr = str(*object, {"podCidr"});
    record.gateway = str(*object, {"gateway"});
    record.serviceCidr = str(*object, {"serviceCidr"});
    return record;
}

Status NetworkState::saveCluster(const ClusterRecord &record) const
{
    return writeJson(m_dir + QStringLiteral("/cluster.json"), {{"holder", holderJson(record.holder)},
                                                               {"podCidr", record.podCidr},
                                                               {"gateway", record.gateway},
                                                               {"serviceCidr", record.serviceCidr}});
}

void NetworkState::removeCluster() const
{
    QFile::remove(m_dir + QStringLiteral("/cluster.json"));
}

QString NetworkState::podFile(const std::string &podUid) const
{
    // Pod UIDs are UUIDs; anything else that is not a plain name is spelled in hex.
    const std::string name =
        plainFileName(podUid) ? podUid : "x-" + QByteArray::fromStdString(podUid).toHex().toStdString();
    return m_dir + QStringLiteral("/pods/") + QString::fromStdString(name) + QStringLiteral(".json");
}

std::vector<PodNetwork> NetworkState::loadPods() const
{
    std::vector<PodNetwork> pods;
    const QDir dir(m_dir + QStringLiteral("/pods"));
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const auto object = readJson(dir.filePath(name));
        if (!object)
            continue;
        PodNetwork pod;
        pod.podUid = str(*object, {"uid"});
        pod.ip = str(*object, {"ip"});
        pod.hostname = str(*object, {"hostname"});
        pod.hostInterface = str(*object, {"hostInterface"});
        pod.holder = holderFrom(*object);
        if (pod.podUid.empty() || podFile(pod.podUid) != dir.filePath(name)) {
            qWarning("cluster network: ignoring state file %s", qPrintable(dir.filePath(name)));
            continue;
        }
        pods.push_back(std::move(pod));
    }
    return pods;
}

Status NetworkState::savePod(const PodNetwork &pod) const
{
    return writeJson(podFile(pod.podUid), {{"uid", pod.podUid},
                                           {"ip", pod.ip},
                                           {"hostname", pod.hostname},
                                           {"hostInterface", pod.hostInterface},
                                           {"holder", holderJson(pod.holder)}});
}

void NetworkState::removePod(const std::string &podUid) const
{
    QFile::remove(podFile(podUid));
}

void NetworkState::clear() const
{
    QDir(m_dir + QStringLiteral("/pods")).removeRecursively();
    removeCluster();
}

} // namespace cd::runtime::network
