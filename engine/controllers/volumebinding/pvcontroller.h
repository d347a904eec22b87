#pragma once
// The PersistentVolume controller (Kubernetes' pkg/controller/volume/persistentvolume,
// pv_controller.go): binds claims to volumes and keeps both phases true — a volume Available,
// Bound or Released, a claim Pending, Bound or Lost — and carries out a released volume's
// reclaim policy (Retain keeps it, Delete deletes it, Recycle makes it Available again).
//
// A claim of a class with a provisioner is handed to the provisioner (annotation
// volume.kubernetes.io/storage-provisioner); a claim of a WaitForFirstConsumer class waits until
// a pod using it is on a node. Kubernetes' scheduler picks that node (volume.kubernetes.io/
// selected-node); here pods are bound first, so this controller reads the node off the pod and
// marks the claim the way the scheduler would.

#include "engine/client/eventrecorder.h"
#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <set>

namespace cd::controllers {

class PersistentVolumeController : public QObject {
    Q_OBJECT
public:
    PersistentVolumeController(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

    // Every claim and volume is looked at again this often (pvclaimbinder-sync-period: 15s).
    void setResyncPeriod(int milliseconds) { m_resync.start(milliseconds); }

private:
    using Done = std::function<void(bool retry)>;

    void onClaimEvent(const client::InformerEvent &event);
    void onVolumeEvent(const client::InformerEvent &event);
    void onPodEvent(const client::InformerEvent &event);
    void enqueuePendingClaims();

    void syncClaim(const std::string &key, Done done);
    void syncUnboundClaim(const Json &claim, Done done);
    void syncBoundClaim(const Json &claim, Done done);
    void syncVolume(const std::string &name, Done done);
    void syncVolumeWithClaim(const Json &volume, client::ObjectPtr claim, Done done);
    void waitForConsumer(const Json &claim, Done done);
    void provisionClaim(const Json &claim, Done done);
    void reclaimVolume(const Json &volume, Done done);

    // The four writes of a binding, volume first (pv_controller.go bind()).
    void bind(const Json &volume, const Json &claim, Done done);
    void unbindVolume(const Json &volume, Done done);
    void updateVolumePhase(const Json &volume, const std::string &phase, std::function<void(const Json *)> then);
    void updateClaimStatus(const Json &claim, const std::string &phase, const Json *volume,
                           std::function<void(const Json *)> then);
    void updateClaimPending(const Json &claim, Done done);
    // Writes through the API; `then` gets the stored object, or null when the write failed.
    void write(const client::Resource &resource, const Json &object, const std::string &sub,
               std::function<void(const Json *)> then);

    // The newest state known of a volume or claim: the cache, or what this controller wrote
    // since (the cache only catches up when the watch event arrives).
    client::ObjectPtr volume(const std::string &name) const;
    client::ObjectPtr claim(const std::string &key) const;
    std::vector<client::ObjectPtr> allVolumes() const;
    std::string scheduledNodeOf(const std::string &claimKey) const;

    client::Client *m_client;
    client::Informer *m_volumes;
    client::Informer *m_claims;
    client::Informer *m_classes;
    client::Informer *m_pods;
    client::Informer *m_nodes;
    client::EventRecorder m_recorder;
    client::WorkQueue m_claimQueue;
    client::WorkQueue m_volumeQueue;
    QTimer m_resync;
    std::map<std::string, Json> m_writtenVolumes;  // by name
    std::map<std::string, Json> m_writtenClaims;   // by ns/name
    // Pods that mount a claim: claim "ns/name" -> pod name -> node name ("" until scheduled).
    std::map<std::string, std::map<std::string, std::string>> m_claimUsers;
};

} // namespace cd::controllers
