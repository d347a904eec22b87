#pragma once
// One informer per resource, shared by every controller that needs it (client-go's
// SharedInformerFactory): one list and one watch per resource however many controllers read it.

#include "engine/client/informer.h"

#include <QObject>

#include <map>
#include <memory>

namespace cd::client {

class SharedInformers : public QObject {
    Q_OBJECT
public:
    explicit SharedInformers(Client *client, QObject *parent = nullptr);

    // The informer of a resource, created on first use (started by start()).
    Informer *informer(const Resource &resource);
    void start();
    bool allSynced() const;

Q_SIGNALS:
    void synced();

private:
    Client *m_client;
    std::map<std::string, Informer *> m_informers;
    bool m_started = false;
};

} // namespace cd::client
