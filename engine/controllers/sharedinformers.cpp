#include "engine/controllers/sharedinformers.h"

namespace cd::controllers {

SharedInformers::SharedInformers(client::Client *client, QObject *parent) : QObject(parent), m_client(client) {}

client::Informer *SharedInformers::informer(const client::Resource &resource)
{
    const std::string key = resource.plural + "." + resource.group;
    auto it = m_informers.find(key);
    if (it != m_informers.end())
        return it->second;
    auto *informer = new client::Informer(m_client, resource, {}, {}, this);
    connect(informer, &client::Informer::synced, this, [this] {
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

} // namespace cd::controllers
