#include "engine/cluster/engine.h"

#include "engine/api/apiservice.h"
#include "engine/api/serviceaccounttokens.h"
#include "engine/api/kubernetesservice.h"
#include "engine/client/inprocessclient.h"
#include "engine/cluster/kubeconfig.h"
#include "engine/cluster/controlplane.h"
#include "engine/server/certificates.h"
#include "engine/server/httpserver.h"
#include "engine/server/kubeletclient.h"
#include "engine/store/store.h"

#include <QDir>
#include <QUuid>
#include <QFile>
#include <QThread>

namespace cd::cluster {

Result<std::unique_ptr<Engine>> Engine::start(const EngineConfig &config)
{
    if (config.dataDir.isEmpty())
        return Error::badRequest("a data folder is required (--data-dir)");
    CD_CHECK(node::checkNodePlan(config.nodes));
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
    apiOptions.defaultTolerationSeconds = config.controllers.defaultTolerationSeconds;
    engine->m_api = std::make_unique<api::ApiService>(*engine->m_store, api::Registry::builtin(), apiOptions);
    CD_CHECK(engine->m_api->bootstrap());
    // The API server reaches the nodes' kubelets (logs) with a token of this run.
    engine->m_kubeletToken = QUuid::createUuid().toByteArray(QUuid::WithoutBraces).toHex();
    engine->m_api->context().setKubeletConnector(std::make_unique<server::KubeletClient>(engine->m_kubeletToken));

    server::ServerOptions serverOptions;
    serverOptions.address = config.address;
    serverOptions.port = config.port;
    serverOptions.tls = config.tls;
    QByteArray caPem;
    if (config.tls) {
        // Pods reach the API as the `kubernetes` Service (engine/proxy relays it): its ClusterIP
        // and names are the certificate's too, as kube-apiserver's are.
        const QStringList extraHosts = {config.address.toString(),
                                        QStringLiteral("10.96.0.1"),
                                        QStringLiteral("kubernetes"),
                                        QStringLiteral("kubernetes.default"),
                                        QStringLiteral("kubernetes.default.svc"),
                                        QStringLiteral("kubernetes.default.svc.cluster.local")};
        CD_TRY(server::TlsMaterial tls, server::ensureCertificates(dataDir + "/pki", extraHosts));
        serverOptions.certificatePem = tls.certificatePem;
        serverOptions.privateKeyPem = tls.privateKeyPem;
        caPem = tls.caCertificatePem;
    }
    CD_TRY(serverOptions.token, server::ensureToken(dataDir + "/pki"));
    engine->m_serviceAccountTokens = std::make_unique<api::ServiceAccountTokens>(*engine->m_store);
    serverOptions.acceptsToken = [tokens = engine->m_serviceAccountTokens.get()](const std::string &token) {
        return tokens->valid(token);
    };
    // Controllers write the CA into ServiceAccount token Secrets, and provision volumes in the data folder.
    engine->m_config.controllers.rootCaPem = caPem.toStdString();
    if (engine->m_config.controllers.localVolumeRoot.empty())
        engine->m_config.controllers.localVolumeRoot = (dataDir + "/volumes").toStdString();
    api::ApiService *apiService = engine->m_api.get();
    engine->m_server = std::make_unique<server::HttpServer>(
        serverOptions, [apiService](const api::ApiRequest &request, const api::SinkPtr &sink) {
            apiService->handle(request, sink);
        });
    CD_CHECK(engine->m_server->listen());
    // Not fatal: a data folder where another Service holds 10.96.0.1 still starts.
    if (Status service = api::reconcileKubernetesService(engine->m_api->context(), engine->port()); !service.ok())
        qWarning("the kubernetes Service was not written: %s", service.error().message.c_str());
    engine->startControlPlane();
    engine->startNodes();

    // The kubeconfig appears only once the API serves, so its existence means "ready".
    KubeconfigContents kubeconfig;
    kubeconfig.server = engine->serverUrl();
    kubeconfig.caCertificate = caPem;
    kubeconfig.token = serverOptions.token;
    CD_CHECK(writeKubeconfig(engine->m_kubeconfigPath, kubeconfig));
    return engine;
}

Engine::~Engine() { shutdown(); }

void Engine::startControlPlane()
{
    // The scheduler and controllers run on their own thread and reach the API like any client.
    m_controlThread = new QThread();
    m_controlThread->setObjectName(QStringLiteral("control"));
    auto *controlPlane = new ControlPlane(m_api.get(), m_config.controllers);
    controlPlane->moveToThread(m_controlThread);
    m_controlPlane = controlPlane;
    m_controlThread->start();
    QMetaObject::invokeMethod(controlPlane, &ControlPlane::start, Qt::QueuedConnection);
}

void Engine::startNodes()
{
    if (m_config.nodes.empty())
        return;
    m_nodeThread = new QThread();
    m_nodeThread->setObjectName(QStringLiteral("nodes"));
    auto *client = new client::InProcessClient(m_api.get());
    node::NodeManagerOptions options{m_config.nodes};
    options.dataDir = QDir(m_config.dataDir).absolutePath();
    options.hiddenPaths = {options.dataDir.toStdString()};  // pods never see the store, keys or token
    options.kubeletToken = m_kubeletToken;
    options.statsInterval = m_config.metricsInterval;
    options.dockerHost = m_config.dockerHost;
    auto *nodes = new node::NodeManager(client, std::move(options));
    client->setParent(nodes);
    nodes->moveToThread(m_nodeThread);
    m_nodes = nodes;
    m_nodeThread->start();
    QMetaObject::invokeMethod(nodes, &node::NodeManager::start, Qt::QueuedConnection);
}

void Engine::stopThread(QThread *&thread, QObject *&worker)
{
    if (!thread)
        return;
    QMetaObject::invokeMethod(worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
    thread->quit();
    thread->wait();
    delete thread;
    thread = nullptr;
    worker = nullptr;
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
    stopThread(m_nodeThread, m_nodes);
    stopThread(m_controlThread, m_controlPlane);
    m_server.reset();
    if (m_store)
        m_store->flush();
}

} // namespace cd::cluster
