#include "engine/controllers/namespace/namespacecontroller.h"

#include "engine/client/resources.h"
#include "engine/controllers/controllermanager.h"
#include "engine/controllers/requestgroup.h"

#include <QPointer>

#include <algorithm>

namespace cd::controllers {

NamespaceController::NamespaceController(client::Client *client, client::SharedInformers *informers, QObject *parent)
    : QObject(parent), m_client(client), m_namespaces(informers->informer(*client::builtinResource("namespaces"))),
      m_queue([this](const std::string &name, std::function<void(bool)> done) { reconcile(name, std::move(done)); },
              this)
{
    m_namespaces->addHandler([this](const client::InformerEvent &event) {
        if (!event.deleted() && find(*event.object, {"metadata", "deletionTimestamp"}))
            m_queue.add(str(*event.object, {"metadata", "name"}));
    });
}

void NamespaceController::reconcile(const std::string &name, std::function<void(bool)> done)
{
    client::ObjectPtr ns = m_namespaces->get({}, name);
    if (!ns || !find(*ns, {"metadata", "deletionTimestamp"})) {
        done(false);
        return;
    }
    const Json *finalizers = find(*ns, {"spec", "finalizers"});
    if (!finalizers || !finalizers->is_array() ||
        std::find(finalizers->begin(), finalizers->end(), Json("kubernetes")) == finalizers->end()) {
        done(false);
        return;
    }
    // Delete everything in the namespace, then count what is left (pods may take their grace
    // period, objects may wait on finalizers); finalize only once nothing remains.
    struct Remaining {
        size_t count = 0;
    };
    auto remaining = std::make_shared<Remaining>();
    QPointer<NamespaceController> self(this);
    const Json nsObject = *ns;
    RequestGroup lists(
        [self, remaining, nsObject, name, done](bool failed) {
            if (!self)
                return;
            if (failed || remaining->count > 0) {
                self->m_queue.addAfter(name, self->recheckDelayMs);
                done(false);
                return;
            }
            self->finalize(nsObject, done);
        },
        {});
    RequestGroup deletes(
        [self, remaining, name, lists](bool) mutable {
            if (!self)
                return;
            for (const client::Resource &r : client::builtinResources()) {
                if (!r.namespaced)
                    continue;
                auto counted = lists.add();
                self->m_client->list(r, name, [remaining, counted](const client::Response &response) {
                    const Json list = response.json();
                    if (const Json *items = find(list, {"items"}); items && items->is_array())
                        remaining->count += items->size();
                    counted(response);
                });
            }
            lists.seal();
        },
        {404});
    const Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}};
    for (const client::Resource &r : client::builtinResources()) {
        if (!r.namespaced)
            continue;
        m_client->send({"DELETE", r.path(name), {}, "application/json", "application/json", dump(options)},
                       deletes.add());
    }
    deletes.seal();
}

void NamespaceController::finalize(const Json &ns, std::function<void(bool)> done)
{
    Json updated = ns;
    Json &finalizers = updated["spec"]["finalizers"];
    finalizers.erase(std::remove(finalizers.begin(), finalizers.end(), Json("kubernetes")), finalizers.end());
    m_client->update(*client::builtinResource("namespaces"), updated,
                     [done](const client::Response &r) { done(!r.ok() && r.status != 404); }, "finalize");
}

void startNamespaceController(ControllerContext &context)
{
    new NamespaceController(context.client, context.informers, context.parent);
}

} // namespace cd::controllers
