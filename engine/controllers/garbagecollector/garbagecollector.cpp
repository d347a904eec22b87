#include "engine/controllers/garbagecollector/garbagecollector.h"

#include "engine/client/resources.h"
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

#include <algorithm>

namespace cd::controllers {
namespace {

bool hasFinalizer(const Json &object, const std::string &name)
{
    const Json *finalizers = find(object, {"metadata", "finalizers"});
    return finalizers && finalizers->is_array() &&
           std::find(finalizers->begin(), finalizers->end(), Json(name)) != finalizers->end();
}

} // namespace

GarbageCollector::GarbageCollector(client::Client *client, client::SharedInformers *informers, QObject *parent)
    : QObject(parent), m_client(client), m_informers(informers),
      m_queue([this](const std::string &uid, std::function<void(bool)> done) { reconcile(uid, std::move(done)); },
              this)
{
    for (const client::Resource &resource : client::builtinResources()) {
        // Kubernetes' garbage collector ignores Events (DefaultIgnoredResources): nothing owns
        // them, and a busy cluster writes several per pod.
        if (resource.plural == "events" && (resource.group.empty() || resource.group == "events.k8s.io"))
            continue;
        const client::Resource *r = &resource;
        m_informers->informer(resource)->addHandler([this, r](const client::InformerEvent &event) {
            observe(r, event.object, event.deleted());
        });
    }
}

void GarbageCollector::observe(const client::Resource *resource, const client::ObjectPtr &object, bool deleted)
{
    const std::string uid = str(*object, {"metadata", "uid"});
    if (uid.empty())
        return;
    // Owners a dependent used to have, or has now, may be waiting on it (orphan, foreground).
    std::set<std::string> touchedOwners;
    bool wasDeleting = false;
    if (auto it = m_nodes.find(uid); it != m_nodes.end()) {
        wasDeleting = it->second.deleting;
        for (const OwnerRef &o : it->second.owners) {
            touchedOwners.insert(o.uid);
            auto deps = m_dependents.find(o.uid);
            if (deps != m_dependents.end()) {
                deps->second.erase(uid);
                if (deps->second.empty())
                    m_dependents.erase(deps);
            }
        }
    }
    if (deleted) {
        m_nodes.erase(uid);
        // The owner is gone: each dependent must look at its owners again.
        if (auto deps = m_dependents.find(uid); deps != m_dependents.end())
            for (const std::string &dependent : deps->second)
                m_queue.add(dependent);
        for (const std::string &owner : touchedOwners)
            if (m_nodes.count(owner))
                m_queue.add(owner);
        return;
    }
    Node node;
    node.resource = resource;
    node.ns = str(*object, {"metadata", "namespace"});
    node.name = str(*object, {"metadata", "name"});
    node.deleting = find(*object, {"metadata", "deletionTimestamp"}) != nullptr;
    node.foreground = node.deleting && hasFinalizer(*object, "foregroundDeletion");
    if (const Json *refs = find(*object, {"metadata", "ownerReferences"}); refs && refs->is_array()) {
        for (const Json &ref : *refs) {
            OwnerRef o{str(ref, {"apiVersion"}), str(ref, {"kind"}), str(ref, {"name"}), str(ref, {"uid"}),
                       boolean(ref, {"blockOwnerDeletion"})};
            if (o.uid.empty())
                continue;
            m_dependents[o.uid].insert(uid);
            touchedOwners.insert(o.uid);
            node.owners.push_back(std::move(o));
        }
    }
    const bool hasOwners = !node.owners.empty();
    const bool startedDeleting = node.deleting && !wasDeleting;
    m_nodes[uid] = std::move(node);
    if (hasOwners || (m_nodes[uid].deleting && (hasFinalizer(*object, "orphan") || m_nodes[uid].foreground)))
        m_queue.add(uid);
    for (const std::string &owner : touchedOwners)
        if (auto o = m_nodes.find(owner); o != m_nodes.end() && o->second.deleting)
            m_queue.add(owner);
    if (startedDeleting)
        if (auto deps = m_dependents.find(uid); deps != m_dependents.end())
            for (const std::string &dependent : deps->second)
                m_queue.add(dependent);
}

client::ObjectPtr GarbageCollector::current(const Node &node, const std::string &uid) const
{
    client::ObjectPtr object = m_informers->informer(*node.resource)->get(node.ns, node.name);
    if (!object || str(*object, {"metadata", "uid"}) != uid)
        return nullptr;
    return object;
}

void GarbageCollector::reconcile(const std::string &uid, std::function<void(bool)> done)
{
    if (!m_informers->allSynced()) {
        // Decisions need the whole graph; until every cache is filled, look again shortly.
        m_queue.addAfter(uid, 200);
        done(false);
        return;
    }
    auto it = m_nodes.find(uid);
    if (it == m_nodes.end()) {
        done(false);
        return;
    }
    const Node node = it->second;
    client::ObjectPtr object = current(node, uid);
    if (!object) {
        done(false);
        return;
    }
    if (node.deleting && (hasFinalizer(*object, "orphan") || hasFinalizer(*object, "foregroundDeletion"))) {
        finalizeOwner(uid, node, *object, std::move(done));
        return;
    }
    if (node.deleting || node.owners.empty()) {
        done(false);
        return;
    }
    checkOwners(uid, node, *object, std::move(done));
}

void GarbageCollector::finalizeOwner(const std::string &uid, const Node &node, const Json &object,
                                     std::function<void(bool)> done)
{
    std::vector<std::string> dependents;
    if (auto deps = m_dependents.find(uid); deps != m_dependents.end())
        dependents.assign(deps->second.begin(), deps->second.end());

    if (hasFinalizer(object, "orphan")) {
        if (dependents.empty()) {
            removeFinalizer(node, object, "orphan", std::move(done));
            return;
        }
        // Orphan: the dependents stay, without their reference to this owner. Their updates
        // queue this owner again, and the finalizer goes once none refers to it.
        RequestGroup group([done](bool failed) { done(failed); }, {404});
        for (const std::string &dependentUid : dependents) {
            auto d = m_nodes.find(dependentUid);
            if (d == m_nodes.end())
                continue;
            if (client::ObjectPtr dependent = current(d->second, dependentUid))
                dropOwnerReferences(d->second, *dependent, {uid}, group.add());
        }
        group.seal();
        return;
    }
    // Foreground: delete the dependents first; the owner goes when none is left.
    if (dependents.empty()) {
        removeFinalizer(node, object, "foregroundDeletion", std::move(done));
        return;
    }
    RequestGroup group([done](bool failed) { done(failed); }, {404, 409});
    for (const std::string &dependentUid : dependents) {
        auto d = m_nodes.find(dependentUid);
        if (d == m_nodes.end() || d->second.deleting)
            continue;
        bool blocking = false;
        for (const OwnerRef &o : d->second.owners)
            blocking = blocking || (o.uid == uid && o.blockOwnerDeletion);
        const Json options = {{"kind", "DeleteOptions"},
                              {"apiVersion", "v1"},
                              {"propagationPolicy", blocking ? "Foreground" : "Background"},
                              {"preconditions", {{"uid", dependentUid}}}};
        m_client->remove(*d->second.resource, d->second.ns, d->second.name, group.add(), options);
    }
    group.seal();
}

void GarbageCollector::checkOwners(const std::string &uid, const Node &node, const Json &object,
                                   std::function<void(bool)> done)
{
    std::vector<OwnerRef> unseen;
    for (const OwnerRef &o : node.owners)
        if (!m_nodes.count(o.uid))
            unseen.push_back(o);
    if (unseen.empty()) {
        done(false);
        return;
    }
    // The caches may lag behind the API: ask for each unseen owner before acting on its absence.
    struct Verdict {
        std::set<std::string> absent;
        bool unsure = false;
    };
    auto verdict = std::make_shared<Verdict>();
    QPointer<GarbageCollector> self(this);
    const std::string dependentUid = uid;
    const Json dependent = object;
    RequestGroup group(
        [self, verdict, node, dependent, dependentUid, done](bool) {
            if (!self) {
                return;
            }
            if (verdict->unsure) {
                self->m_queue.addAfter(dependentUid, 500);
                done(false);
                return;
            }
            if (verdict->absent.empty()) {
                done(false);
                return;
            }
            if (verdict->absent.size() == node.owners.size()) {
                const Json options = {{"kind", "DeleteOptions"},
                                      {"apiVersion", "v1"},
                                      {"propagationPolicy", "Background"},
                                      {"preconditions", {{"uid", dependentUid}}}};
                self->m_client->remove(*node.resource, node.ns, node.name,
                                       [done](const client::Response &r) { done(!r.ok() && r.status != 404 && r.status != 409); },
                                       options);
                return;
            }
            self->dropOwnerReferences(node, dependent, verdict->absent, [done](const client::Response &r) {
                done(!r.ok() && r.status != 404);
            });
        },
        {});
    for (const OwnerRef &o : unseen) {
        const client::Resource *ownerResource = client::builtinResourceForKind(o.apiVersion, o.kind);
        if (!ownerResource) {
            continue;  // an owner of a kind Clusterdeck does not serve is never collected for
        }
        auto callback = group.add();
        m_client->get(*ownerResource, ownerResource->namespaced ? node.ns : std::string(), o.name,
                      [verdict, o, callback](const client::Response &r) {
                          if (r.status == 404 || (r.ok() && str(r.json(), {"metadata", "uid"}) != o.uid))
                              verdict->absent.insert(o.uid);
                          else if (!r.ok())
                              verdict->unsure = true;
                          callback(client::Response{200, {}, {}});
                      });
    }
    group.seal();
}

void GarbageCollector::dropOwnerReferences(const Node &node, const Json &object, const std::set<std::string> &ownerUids,
                                           client::Client::Callback done)
{
    Json updated = object;
    Json &refs = updated["metadata"]["ownerReferences"];
    Json kept = Json::array();
    for (const Json &ref : refs)
        if (!ownerUids.count(str(ref, {"uid"})))
            kept.push_back(ref);
    if (kept.empty())
        updated["metadata"].erase("ownerReferences");
    else
        refs = std::move(kept);
    m_client->update(*node.resource, updated, std::move(done));
}

void GarbageCollector::removeFinalizer(const Node &node, const Json &object, const std::string &finalizer,
                                       std::function<void(bool)> done)
{
    Json updated = object;
    Json &finalizers = updated["metadata"]["finalizers"];
    finalizers.erase(std::remove(finalizers.begin(), finalizers.end(), Json(finalizer)), finalizers.end());
    if (finalizers.empty())
        updated["metadata"].erase("finalizers");
    m_client->update(*node.resource, updated, [done](const client::Response &r) { done(!r.ok() && r.status != 404); });
}

void startGarbageCollector(ControllerContext &context)
{
    new GarbageCollector(context.client, context.informers, context.parent);
}

} // namespace cd::controllers
