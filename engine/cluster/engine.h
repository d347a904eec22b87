#pragma once
// The composition root of the control plane: the data folder and its lock, the store, the API,
// the TLS material and token, the HTTP server, and the kubeconfig, started in that order.

#include "engine/cluster/datadirlock.h"
#include "engine/controllers/controllercontext.h"
#include "engine/core/result.h"
#include "engine/node/nodemanager.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

namespace cd::store {
class Store;
}
namespace cd::api {
class ApiService;
class ServiceAccountTokens;
}
namespace cd::server {
class HttpServer;
}
class QThread;

namespace cd::cluster {

struct EngineConfig {
    QString dataDir;
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 6443;          // 0 picks a free port
    bool allowRemote = false;     // listening beyond loopback must be asked for
    bool tls = true;
    QString kubeconfigPath;       // default: DATA/kubeconfig
    std::vector<node::NodeSpec> nodes;  // local nodes to run (clusterdeckd --nodes, --node-config)
    controllers::ControllerOptions controllers;
    // How often process nodes sample their containers' CPU and memory (kubectl top).
    std::chrono::milliseconds metricsInterval{std::chrono::seconds(10)};
    // The Docker Engine API of container nodes (unix:///PATH); empty: the usual places.
    QString dockerHost;
};

class Engine : public QObject {
    Q_OBJECT
public:
    static Result<std::unique_ptr<Engine>> start(const EngineConfig &config);
    ~Engine() override;

    QString serverUrl() const;
    quint16 port() const;
    QString kubeconfigPath() const { return m_kubeconfigPath; }
    api::ApiService &api() { return *m_api; }
    store::Store &store() { return *m_store; }

    // Stops the controllers, makes every acknowledged write durable and stops serving.
    void shutdown();

private:
    void startControlPlane();
    void startNodes();
    static void stopThread(QThread *&thread, QObject *&worker);

    Engine() = default;

    EngineConfig m_config;
    DataDirLock m_lock;
    QByteArray m_kubeletToken;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<api::ServiceAccountTokens> m_serviceAccountTokens;  // outlived by the server
    std::unique_ptr<api::ApiService> m_api;
    std::unique_ptr<server::HttpServer> m_server;
    // The control thread runs the scheduler and controllers; the node thread the node agents.
    QThread *m_controlThread = nullptr;
    QObject *m_controlPlane = nullptr;
    QThread *m_nodeThread = nullptr;
    QObject *m_nodes = nullptr;
    QString m_kubeconfigPath;
};

} // namespace cd::cluster
