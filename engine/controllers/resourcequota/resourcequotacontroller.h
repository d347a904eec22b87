#pragma once
// The resource quota controller (Kubernetes' pkg/controller/resourcequota): keeps every
// ResourceQuota's status.hard equal to spec.hard and status.used equal to what the objects of its
// namespace cost, recounting when they change and periodically. Admission charges new objects at
// once (engine/api/admission/resourcequota.h); this controller is what gives usage back when
// objects go or pods finish.
//
// It keeps a small charge per object (a few quantities), and only for namespaces that have a
// quota, so a cluster of 150,000 pods without quotas costs it nothing. Its caches may lag behind
// admission's charges, so before it lowers a figure it recounts the objects concerned from a
// fresh list and writes with the quota's resourceVersion: a lower figure is only written when it
// is true, and never over a charge it has not seen.

#include "engine/api/admission/resourcequotausage.h"
#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <set>

namespace cd::controllers {

class ResourceQuotaController : public QObject {
    Q_OBJECT
public:
    ResourceQuotaController(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

    // A full recount of every quota this often (Kubernetes' resource-quota-sync-period is 5m).
    void setResyncPeriod(int milliseconds) { m_resync.start(milliseconds); }

private:
    using Charges = std::map<std::string, api::quota::Charge>;  // object name -> its charge

    void onQuotaEvent(const client::InformerEvent &event);
    void onObjectEvent(const std::string &kind, const client::InformerEvent &event);
    // Starts counting a resource's objects (its informer, created if need be, and a handler).
    client::Informer *watchKind(const std::string &plural, const std::string &group);
    void fill(const std::string &kind, const std::string &ns);
    void enqueueNamespace(const std::string &ns);
    bool synced() const;

    void reconcile(const std::string &key, std::function<void(bool)> done);
    // Recounts the kinds of `lowered` resources from a fresh list, then writes.
    void verifyThenWrite(const Json &resourceQuota, api::quota::ResourceList used, std::set<std::string> lowered,
                         std::function<void(bool)> done);
    void writeStatus(const Json &resourceQuota, const api::quota::ResourceList &used, std::function<void(bool)> done);

    client::Client *m_client;
    client::SharedInformers *m_informers;
    client::Informer *m_quotas;
    client::WorkQueue m_queue;
    QTimer m_resync;
    std::map<std::string, client::Informer *> m_kinds;              // "pods." / "deployments.apps"
    std::map<std::string, std::set<std::string>> m_quotasByNamespace;  // namespaces with quotas
    std::map<std::string, std::map<std::string, Charges>> m_charges;   // namespace -> kind -> charges
};

} // namespace cd::controllers
