#pragma once
// The Kubernetes API: routes a request to discovery, OpenAPI, or a resource verb. Transport-free;
// engine/server speaks HTTP in front of it and the in-process client calls it directly.

#include "engine/api/context.h"

#include <QObject>

#include <memory>

namespace cd::api {

class ApiService : public QObject {
    Q_OBJECT
public:
    ApiService(store::Store &store, const Registry &registry = Registry::builtin(), ApiOptions options = {});
    ~ApiService() override;

    void handle(const ApiRequest &request, const SinkPtr &sink);
    // Seeds what a fresh cluster has: the default, kube-system, kube-public and kube-node-lease
    // namespaces. Harmless on a cluster that already has them.
    Status bootstrap();

    ApiContext &context() { return m_context; }
    void addAdmission(std::unique_ptr<AdmissionPlugin> plugin) { m_context.addAdmission(std::move(plugin)); }

private:
    ApiContext m_context;
};

} // namespace cd::api
