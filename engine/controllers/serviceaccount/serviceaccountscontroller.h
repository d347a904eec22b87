#pragma once
// The ServiceAccount controller (pkg/controller/serviceaccount): a `default` ServiceAccount in
// every active namespace, made again when deleted. Namespaces being deleted get none.

#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"

namespace cd::controllers::serviceaccount {

class ServiceAccountsController : public QObject {
    Q_OBJECT
public:
    ServiceAccountsController(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

private:
    void reconcile(const std::string &ns, std::function<void(bool)> done);

    client::Client *m_client;
    client::Informer *m_namespaces;
    client::Informer *m_accounts;
    client::WorkQueue m_queue;
};

} // namespace cd::controllers::serviceaccount
