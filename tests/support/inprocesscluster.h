#pragma once
// Test support: a whole control plane in the test's thread — an in-memory store, the API, an
// in-process client and shared informers — with synchronous helpers to create, read, change and
// delete objects and to wait for what controllers do. Components under test (a controller, the
// scheduler, node agents) are built on client() and informers() like in the engine.

#include "engine/api/apiservice.h"
#include "engine/client/inprocessclient.h"
#include "engine/client/sharedinformers.h"
#include "engine/store/store.h"

#include <functional>
#include <memory>
#include <optional>

namespace cd::test {

class InProcessCluster {
public:
    InProcessCluster();
    ~InProcessCluster();

    api::ApiService &api() { return *m_api; }
    client::InProcessClient &client() { return *m_client; }
    client::SharedInformers &informers() { return *m_informers; }
    store::Store &store() { return *m_store; }
    // Starts the shared informers and waits until they have listed.
    bool startInformers(int timeoutMs = 5000);

    // A request answered synchronously (the event loop runs until the answer arrives).
    client::Response send(const std::string &method, const std::string &path, const Json &body = Json(),
                          const std::string &contentType = "application/json", const std::string &accept = {});

    // By the object's apiVersion, kind, namespace and name. Each returns the stored object, or
    // null Json with the error message in lastError().
    Json create(const Json &object);
    Json get(const std::string &apiVersion, const std::string &kind, const std::string &ns, const std::string &name);
    Json update(const Json &object);
    Json updateStatus(const Json &object);
    Json patch(const std::string &apiVersion, const std::string &kind, const std::string &ns, const std::string &name,
               const Json &mergePatch);
    bool remove(const std::string &apiVersion, const std::string &kind, const std::string &ns, const std::string &name,
                const std::string &propagationPolicy = {});
    std::vector<Json> list(const std::string &apiVersion, const std::string &kind, const std::string &ns = {},
                           const std::string &labelSelector = {});
    const std::string &lastError() const { return m_lastError; }

    // Runs the event loop until predicate() holds (true) or the time is up (false).
    bool waitFor(const std::function<bool()> &predicate, int timeoutMs = 5000);

    // A Node object that looks registered and Ready (for controllers and the scheduler in tests
    // without node agents).
    static Json readyNode(const std::string &name, const std::string &cpu = "4", const std::string &memory = "8Gi",
                          long long pods = 110);

private:
    std::string pathOf(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                       const std::string &name = {}) const;

    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<api::ApiService> m_api;
    std::unique_ptr<client::InProcessClient> m_client;
    std::unique_ptr<client::SharedInformers> m_informers;
    std::string m_lastError;
};

} // namespace cd::test
