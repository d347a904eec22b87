#pragma once
// The namespace controller: empties a namespace being deleted (every namespaced resource in it),
// then removes the "kubernetes" finalizer through /finalize so the API deletes the namespace.

#include "engine/client/workqueue.h"
#include "engine/client/sharedinformers.h"

namespace cd::controllers {

class NamespaceController : public QObject {
    Q_OBJECT
public:
    NamespaceController(client::Client *client, client::SharedInformers *informers, QObject *parent = nullptr);

    // How long to wait before looking again at a namespace whose content is still going away.
    int recheckDelayMs = 1000;

private:
    void reconcile(const std::string &name, std::function<void(bool)> done);
    void finalize(const Json &ns, std::function<void(bool)> done);

    client::Client *m_client;
    client::Informer *m_namespaces;
    client::WorkQueue m_queue;
};

} // namespace cd::controllers
