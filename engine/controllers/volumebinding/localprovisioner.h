#pragma once
// The local provisioner: Clusterdeck's stand-in for an external dynamic provisioner such as
// kind's local-path (sig-storage-lib-external-provisioner's controller). For a claim the PV
// controller hands to `clusterdeck.io/local-path`, it makes a hostPath volume pvc-<claim uid>
// under the engine's volume folder, pre-bound to the claim and pinned to the selected node for
// WaitForFirstConsumer classes; once such a volume is Released with the Delete policy it removes
// it again. It also makes sure the cluster has a default StorageClass, `standard`.
//
// The folder is only named in the volume: node agents that run real processes create it when a
// pod mounts it; simulated nodes never need it.

#include "engine/client/eventrecorder.h"
#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"

#include <QObject>

#include <set>

namespace cd::controllers {

inline const char *const kLocalProvisioner = "clusterdeck.io/local-path";

class LocalProvisioner : public QObject {
    Q_OBJECT
public:
    LocalProvisioner(client::Client *client, client::SharedInformers *informers, std::string volumeRoot,
                     bool createDefaultClass, QObject *parent = nullptr);

    // The StorageClass made at startup when the cluster has no default one.
    static Json standardStorageClass();

private:
    void ensureDefaultClass();
    void reconcile(const std::string &key, std::function<void(bool)> done);
    void provision(const Json &claim, const Json &storageClass, std::function<void(bool)> done);
    void deleteVolume(const Json &volume, std::function<void(bool)> done);

    client::Client *m_client;
    client::Informer *m_claims;
    client::Informer *m_volumes;
    client::Informer *m_classes;
    client::Informer *m_nodes;
    client::EventRecorder m_recorder;
    client::WorkQueue m_queue;  // "claim/ns/name" and "volume/name"
    std::string m_root;
    bool m_createDefaultClass;
    bool m_classChecked = false;
};

} // namespace cd::controllers
