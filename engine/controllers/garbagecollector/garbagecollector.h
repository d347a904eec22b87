#pragma once
// The garbage collector (kube-controller-manager's garbagecollector): keeps a graph of owner
// references over every resource, deletes dependents whose owners are all gone (background
// propagation), deletes dependents first for owners deleted in the foreground, and strips owner
// references from dependents of owners deleted with the orphan policy.

#include "engine/client/workqueue.h"
#include "engine/client/sharedinformers.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cd::controllers {

class GarbageCollector : public QObject {
    Q_OBJECT
public:
    GarbageCollector(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

private:
    struct OwnerRef {
        std::string apiVersion, kind, name, uid;
        bool blockOwnerDeletion = false;
    };
    struct Node {
        const client::Resource *resource = nullptr;
        std::string ns, name;
        std::vector<OwnerRef> owners;
        bool deleting = false;
        bool foreground = false;  // being deleted, waiting for its dependents
    };

    void observe(const client::Resource *resource, const client::ObjectPtr &object, bool deleted);
    void reconcile(const std::string &uid, std::function<void(bool)> done);
    void finalizeOwner(const std::string &uid, const Node &node, const Json &object, std::function<void(bool)> done);
    void checkOwners(const std::string &uid, const Node &node, const Json &object, std::function<void(bool)> done);
    // Writes `object` without the given owner uids in metadata.ownerReferences.
    void dropOwnerReferences(const Node &node, const Json &object, const std::set<std::string> &ownerUids,
                             client::Client::Callback done);
    void removeFinalizer(const Node &node, const Json &object, const std::string &finalizer,
                         std::function<void(bool)> done);
    client::ObjectPtr current(const Node &node, const std::string &uid) const;

    client::Client *m_client;
    client::SharedInformers *m_informers;
    client::WorkQueue m_queue;
    std::map<std::string, Node> m_nodes;                          // by uid
    std::map<std::string, std::set<std::string>> m_dependents;    // owner uid -> dependent uids
};

} // namespace cd::controllers
