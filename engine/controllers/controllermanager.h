#pragma once
// kube-controller-manager's role: shared informers and the controllers that use them, on one
// thread, talking to the API through a Client like any other API user.

#include "engine/controllers/sharedinformers.h"

#include <QObject>

namespace cd::controllers {

class GarbageCollector;
class NamespaceController;

class ControllerManager : public QObject {
    Q_OBJECT
public:
    // The client must live on the same thread as the manager.
    explicit ControllerManager(client::Client *client, QObject *parent = nullptr);
    ~ControllerManager() override;

    void start();
    SharedInformers &informers() { return *m_informers; }

private:
    client::Client *m_client;
    SharedInformers *m_informers;
    GarbageCollector *m_garbageCollector;
    NamespaceController *m_namespaces;
};

} // namespace cd::controllers
