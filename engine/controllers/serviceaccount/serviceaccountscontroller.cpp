#include "engine/controllers/serviceaccount/serviceaccountscontroller.h"

#include "engine/client/resources.h"

namespace cd::controllers::serviceaccount {
namespace {

constexpr const char *kDefaultAccount = "default";

const client::Resource &accountsResource() { return *client::builtinResource("serviceaccounts"); }

bool active(const Json &ns)
{
    if (find(ns, {"metadata", "deletionTimestamp"}))
        return false;
    const std::string phase = str(ns, {"status", "phase"});
    return phase.empty() || phase == "Active";
}

} // namespace

ServiceAccountsController::ServiceAccountsController(client::Client *client, client::SharedInformers *informers,
                                                     QObject *parent)
    : QObject(parent), m_client(client), m_namespaces(informers->informer(*client::builtinResource("namespaces"))),
      m_accounts(informers->informer(accountsResource())),
      m_queue([this](const std::string &ns, std::function<void(bool)> done) { reconcile(ns, std::move(done)); }, this)
{
    m_namespaces->addHandler([this](const client::InformerEvent &event) {
        if (!event.deleted())
            m_queue.add(str(*event.object, {"metadata", "name"}));
    });
    m_accounts->addHandler([this](const client::InformerEvent &event) {
        if (event.deleted() && str(*event.object, {"metadata", "name"}) == kDefaultAccount)
            m_queue.add(str(*event.object, {"metadata", "namespace"}));
    });
}

void ServiceAccountsController::reconcile(const std::string &ns, std::function<void(bool)> done)
{
    if (!m_namespaces->hasSynced() || !m_accounts->hasSynced()) {
        m_queue.addAfter(ns, 200);
        done(false);
        return;
    }
    client::ObjectPtr namespaceObject = m_namespaces->get({}, ns);
    if (!namespaceObject || !active(*namespaceObject) || m_accounts->get(ns, kDefaultAccount)) {
        done(false);
        return;
    }
    const Json account = {{"apiVersion", "v1"},
                          {"kind", "ServiceAccount"},
                          {"metadata", {{"name", kDefaultAccount}, {"namespace", ns}}}};
    m_client->create(accountsResource(), ns, account, [done](const client::Response &r) {
        // Already there (the cache was behind), or the namespace is going away: nothing to do.
        const bool terminating = r.status == 403 && r.body.find("NamespaceTerminating") != std::string::npos;
        done(!r.ok() && r.status != 409 && !terminating && r.status != 404);
    });
}

} // namespace cd::controllers::serviceaccount
