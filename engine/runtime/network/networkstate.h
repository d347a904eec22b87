#pragma once
// What the cluster network leaves on disk, so a restarted engine finds its namespaces again:
//   STATE/cluster.json      the cluster holder and the address ranges it was made with
//   STATE/pods/<uid>.json   one file per pod (PodNetwork)
// Files are replaced by rename, so a crash leaves the old or the new one, never half of one.

#include "engine/core/result.h"
#include "engine/runtime/network/podnetwork.h"

#include <QString>

#include <optional>
#include <vector>

namespace cd::runtime::network {

struct ClusterRecord {
    HolderProcess holder;
    std::string podCidr;
    std::string gateway;
    std::string serviceCidr;
};

class NetworkState {
public:
    explicit NetworkState(QString dir) : m_dir(std::move(dir)) {}

    const QString &dir() const { return m_dir; }
    Status prepare() const; // creates the folders

    std::optional<ClusterRecord> loadCluster() const;
    Status saveCluster(const ClusterRecord &record) const;
    void removeCluster() const;

    std::vector<PodNetwork> loadPods() const; // unreadable files are skipped (and logged)
    Status savePod(const PodNetwork &pod) const;
    void removePod(const std::string &podUid) const;

    // Everything but the lock file.
    void clear() const;

private:
    QString podFile(const std::string &podUid) const;

    QString m_dir;
};

} // namespace cd::runtime::network
