#include "engine/controllers/controllermanager.h"

#include "engine/controllers/garbagecollector/garbagecollector.h"
#include "engine/controllers/namespace/namespacecontroller.h"

namespace cd::controllers {

ControllerManager::ControllerManager(client::Client *client, QObject *parent)
    : QObject(parent), m_client(client), m_informers(new SharedInformers(client, this)),
      m_garbageCollector(new GarbageCollector(client, m_informers, this)),
      m_namespaces(new NamespaceController(client, m_informers, this))
{
}

ControllerManager::~ControllerManager() = default;

void ControllerManager::start() { m_informers->start(); }

} // namespace cd::controllers
