#include "engine/cluster/engine.h"

#include "engine/api/apiservice.h"
#include "engine/client/inprocessclient.h"
#include "engine/cluster/kubeconfig.h"
#include "engine/controllers/controllermanager.h"
#include "engine/server/certificates.h"
#include "engine/server/httpserver.h"
#include "engine/store/store.h"

#include <QDir>
#include <QFile>
#include <QThread>

namespace cd::cluster {

Result<std::unique_ptr<Engine>> Engine::start(const EngineConfig &config)
{
    if (config.dataDir.isEmpty())
        return Error::badRequest("a data folder is required (--data-dir)");
    if (!config.address.isLoopback() && !config.allowRemote)
        return Error::badRequest("refusing to listen on " + config.address.toString().toStdString() +
                                 ": the API is served on loopback only unless --allow-remote is given");
    std::unique_ptr<Engine> engine(new Engine());
    engine->m_config = config;
    const QString dataDir = QDir(config.dataDir).absolutePath();
    CD_CHECK(engine->m_lock.acquire(dataDir));
    // The kubeconfig means "the API serves": a previous run's copy must not outlive it.
    engine->m_kubeconfigPath = config.kubeconfigPath.isEmpty() ? dataDir + "/kubeconfig" : config.kubeconfigPath;
    QFile::remove(engine->m_kubeconfigPath);

    store::StoreOptions storeOptions;
    storeOptions.path = dataDir + "/store.db";
    CD_TRY(engine->m_store, store::Store::open(storeOptions));

    api::ApiOptions apiOptions;
    const QString host = config.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? "[" + config.address.toString() + "]"
                             : config.address.toString();
    apiOptions.serverAddress = (host + ":" + QString::number(config.port)).toStdString();
    engine->m_api = std::make_unique<api::ApiService>(*engine->m_store, api::Registry::builtin(), apiOptions);
    CD_CHECK(engine->m_api->bootstrap());

    server::ServerOptions serverOptions;
    serverOptions.address = config.address;
    serverOptions.port = config.port;
    serverOptions.tls = config.tls;
    QByteArray caPem;
    if (config.tls) {
        const QStringList extraHosts = {config.address.toString()};
        CD_TRY(server::TlsMaterial tls, server::ensureCertificates(dataDir + "/pki", extraHosts));
        serverOptions.certificatePem = tls.certificatePem;
        serverOptions.privateKeyPem = tls.privateKeyPem;
        caPem = tls.caCertificatePem;
    }
    CD_TRY(serverOptions.token, server::ensureToken(dataDir + "/pki"));
    api::ApiService *apiService = engine->m_api.get();
    engine->m_server = std::make_unique<server::HttpServer>(
        serverOptions, [apiService](const api::ApiRequest &request, const api::SinkPtr &sink) {
            apiService->handle(request, sink);
        });
    CD_CHECK(engine->m_server->listen());
    engine->startControllers();

    // The kubeconfig appears only once the API serves, so its existence means "ready".
    KubeconfigContents kubeconfig;
    kubeconfig.server = engine->serverUrl();
    kubeconfig.caCertificate = caPem;
    kubeconfig.token = serverOptions.token;
    CD_CHECK(writeKubeconfig(engine->m_kubeconfigPath, kubeconfig));
    return engine;
}

Engine::~Engine() { shutdown(); }

void Engine::startControllers()
{
    // The controllers run on their own thread and reach the API like any client would.
    m_controllerThread = new QThread();
    m_controllerThread->setObjectName(QStringLiteral("controllers"));
    auto *client = new client::InProcessClient(m_api.get());
    auto *manager = new controllers::ControllerManager(client);
    client->setParent(manager);
    manager->moveToThread(m_controllerThread);
    m_controllers = manager;
    m_controllerThread->start();
    QMetaObject::invokeMethod(manager, &controllers::ControllerManager::start, Qt::QueuedConnection);
}

QString Engine::serverUrl() const
{
    const QHostAddress address = m_server ? m_server->address() : m_config.address;
    QString host = address.toString();
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = "[" + host + "]";
    return QString("%1://%2:%3").arg(m_config.tls ? "https" : "http", host).arg(port());
}

quint16 Engine::port() const { return m_server ? m_server->port() : 0; }

void Engine::shutdown()
{
    if (m_controllerThread) {
        QMetaObject::invokeMethod(m_controllers, [manager = m_controllers] { delete manager; },
                                  Qt::BlockingQueuedConnection);
        m_controllerThread->quit();
        m_controllerThread->wait();
        delete m_controllerThread;
        m_controllerThread = nullptr;
        m_controllers = nullptr;
    }
    m_server.reset();
    if (m_store)
        m_store->flush();
}

} // namespace cd::cluster
