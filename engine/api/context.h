#pragma once
// What every API handler shares: the store, the registry of resources, the admission chain and
// the object pipeline helpers (load, write, commit-then-respond).

#include "engine/api/kubeletconnector.h"
#include "engine/api/admission/admission.h"
#include "engine/api/registry.h"
#include "engine/api/request.h"
#include "engine/api/summaries.h"
#include "engine/store/store.h"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace cd::api {

class SchemaRegistry;
class OpenApi;

struct ApiOptions {
    std::string serverAddress = "127.0.0.1:6443";  // advertised in /api
    std::chrono::seconds defaultWatchTimeout{1800};
    std::chrono::milliseconds bookmarkInterval{std::chrono::seconds(30)};
    // DefaultTolerationSeconds admission: how long pods tolerate a not-ready or unreachable node
    // unless they say otherwise (kube-apiserver's --default-not-ready-toleration-seconds: 300).
    // The engine passes ControllerOptions::defaultTolerationSeconds.
    long long defaultTolerationSeconds = 300;
};

// An object as stored: the parsed JSON and the store record it came from.
struct StoredObject {
    Json object;
    store::Record record;
    std::string name() const { return str(object, {"metadata", "name"}); }
    std::string uid() const { return str(object, {"metadata", "uid"}); }
};

struct WriteOptions {
    bool dryRun = false;
    std::string fieldManager;
    std::string subresource;  // "", "status", "scale", ...
};

class ApiContext {
public:
    ApiContext(store::Store &store, const Registry &registry, ApiOptions options);
    ~ApiContext();

    store::Store &store() { return m_store; }
    const Registry &registry() const { return m_registry; }
    const SchemaRegistry &schemas() const;
    const ApiOptions &options() const { return m_options; }
    OpenApi &openApi();
    SummaryCache &summaries() { return m_summaries; }
    // Null until the composition root installs one (then pods/log reaches the nodes).
    KubeletConnector *kubelets() const { return m_kubelets.get(); }
    void setKubeletConnector(std::unique_ptr<KubeletConnector> connector) { m_kubelets = std::move(connector); }

    void addAdmission(std::unique_ptr<AdmissionPlugin> plugin) { m_admission.push_back(std::move(plugin)); }
    Status admit(AdmissionRequest &request);

    std::optional<StoredObject> load(const ResourceType &type, const std::string &ns, const std::string &name) const;
    // Every object of a type (in one namespace, or all when ns is empty), in key order.
    std::vector<StoredObject> loadAll(const ResourceType &type, const std::string &ns) const;
    std::string listPrefix(const ResourceType &type, const std::string &ns) const;

    // The write pipeline every verb and subresource goes through. Each returns the stored
    // object (or what would be stored, for dry runs); the caller waits for durability with
    // respondWhenDurable before telling the client.
    Result<StoredObject> createObject(const ResourceType &type, Json object, const WriteOptions &options);
    Result<StoredObject> updateObject(const ResourceType &type, Json object, const StoredObject &old,
                                      const WriteOptions &options);
    // Deletes now (no finalizers, no grace) and returns the final state.
    Result<StoredObject> removeObject(const ResourceType &type, const StoredObject &old, const WriteOptions &options);

    // Writes an object as it is (no defaults, admission or validation): for the server's own
    // bookkeeping such as marking an object as being deleted.
    Result<StoredObject> write(const ResourceType &type, Json &object, const StoredObject *old, bool dryRun)
    {
        return store(type, object, old, dryRun);
    }

    // Sends the response once the store has made `revision` durable.
    void respondWhenDurable(const SinkPtr &sink, store::Revision revision, ApiResponse response);

private:
    Result<StoredObject> store(const ResourceType &type, Json &object, const StoredObject *old, bool dryRun);

    store::Store &m_store;
    const Registry &m_registry;
    ApiOptions m_options;
    std::vector<std::unique_ptr<AdmissionPlugin>> m_admission;
    std::unique_ptr<OpenApi> m_openApi;
    SummaryCache m_summaries;
    std::unique_ptr<KubeletConnector> m_kubelets;
};

// Parses a stored value (never fails for values the API wrote).
Json parseStored(const store::Value &value);

} // namespace cd::api
