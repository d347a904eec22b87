#include "engine/client/sharedinformers.h"

namespace cd::client {

SharedInformers::SharedInformers(Client *client, QObject *parent) : QObject(parent), m_client(client) {}

Informer *SharedInformers::informer(const Resource &resource)
{
    const std::string key = resource.plural + "." + resource.group;
    auto it = m_informers.find(key);
    if (it != m_informers.end())
        return it->second;
    auto *informer = new Informer(m_client, resource, {}, {}, this);
    connect(informer, &Informer::synced, this, [this] {
        if (allSynced())
            Q_EMIT synced();
    });
    m_informers.emplace(key, informer);
    if (m_started)
        informer->start();
    return informer;
}

void SharedInformers::start()
{
    m_started = true;
    for (auto &[key, informer] : m_informers)
        informer->start();
}

bool SharedInformers::allSynced() const
{
    for (const auto &[key, informer] : m_informers)
        if (!informer->hasSynced())
            return false;
    return true;
}

} // namespace cd::client
