#include "inprocesscluster.h"

#include "engine/core/clock.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTest>

namespace cd::test {

InProcessCluster::InProcessCluster()
{
    store::StoreOptions options;
    options.writerThread = false;  // commits inline: one thread, deterministic
    m_store = std::move(store::Store::open(options)).value();
    m_api = std::make_unique<api::ApiService>(*m_store);
    (void)m_api->bootstrap();
    m_client = std::make_unique<client::InProcessClient>(m_api.get());
    m_informers = std::make_unique<client::SharedInformers>(m_client.get());
}

InProcessCluster::~InProcessCluster()
{
    m_informers.reset();
    m_client.reset();
    QCoreApplication::processEvents();
    m_api.reset();
    m_store.reset();
}

bool InProcessCluster::startInformers(int timeoutMs)
{
    m_informers->start();
    return waitFor([this] { return m_informers->allSynced(); }, timeoutMs);
}

bool InProcessCluster::waitFor(const std::function<bool()> &predicate, int timeoutMs)
{
    return QTest::qWaitFor(predicate, timeoutMs);
}

client::Response InProcessCluster::send(const std::string &method, const std::string &path, const Json &body,
                                        const std::string &contentType, const std::string &accept)
{
    client::Request request;
    request.method = method;
    request.path = path;
    request.contentType = contentType;
    if (!accept.empty())
        request.accept = accept;
    if (!body.is_null())
        request.body = dump(body);
    std::optional<client::Response> answer;
    m_client->send(request, [&answer](const client::Response &r) { answer = r; });
    QDeadlineTimer deadline(10000);
    while (!answer && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    if (!answer)
        return client::Response{504, "no answer", {}, {}};
    m_lastError = answer->ok() ? std::string() : answer->message();
    return *answer;
}

std::string InProcessCluster::pathOf(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                                     const std::string &name) const
{
    const api::ResourceType *type = api::Registry::builtin().forObject(apiVersion, kind);
    if (!type)
        return "/unknown/" + apiVersion + "/" + kind;
    std::string path = type->group.empty() ? "/api/" + type->version : "/apis/" + type->group + "/" + type->version;
    if (type->namespaced)
        path += "/namespaces/" + (ns.empty() ? std::string("default") : ns);
    path += "/" + type->plural;
    if (!name.empty())
        path += "/" + name;
    return path;
}

Json InProcessCluster::create(const Json &object)
{
    const auto r = send("POST", pathOf(str(object, {"apiVersion"}), str(object, {"kind"}),
                                       str(object, {"metadata", "namespace"})),
                        object);
    return r.ok() ? r.json() : Json();
}

Json InProcessCluster::get(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                           const std::string &name)
{
    const auto r = send("GET", pathOf(apiVersion, kind, ns, name));
    return r.ok() ? r.json() : Json();
}

Json InProcessCluster::update(const Json &object)
{
    const auto r = send("PUT",
                        pathOf(str(object, {"apiVersion"}), str(object, {"kind"}),
                               str(object, {"metadata", "namespace"}), str(object, {"metadata", "name"})),
                        object);
    return r.ok() ? r.json() : Json();
}

Json InProcessCluster::updateStatus(const Json &object)
{
    const auto r = send("PUT",
                        pathOf(str(object, {"apiVersion"}), str(object, {"kind"}),
                               str(object, {"metadata", "namespace"}), str(object, {"metadata", "name"})) +
                            "/status",
                        object);
    return r.ok() ? r.json() : Json();
}

Json InProcessCluster::patch(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                             const std::string &name, const Json &mergePatch)
{
    const auto r = send("PATCH", pathOf(apiVersion, kind, ns, name), mergePatch, "application/merge-patch+json");
    return r.ok() ? r.json() : Json();
}

bool InProcessCluster::remove(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                              const std::string &name, const std::string &propagationPolicy)
{
    Json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
    if (!propagationPolicy.empty())
        options["propagationPolicy"] = propagationPolicy;
    return send("DELETE", pathOf(apiVersion, kind, ns, name), options).ok();
}

std::vector<Json> InProcessCluster::list(const std::string &apiVersion, const std::string &kind, const std::string &ns,
                                         const std::string &labelSelector)
{
    const api::ResourceType *type = api::Registry::builtin().forObject(apiVersion, kind);
    std::string path = pathOf(apiVersion, kind, ns);
    if (type && type->namespaced && ns.empty())
        path = (type->group.empty() ? "/api/" + type->version : "/apis/" + type->group + "/" + type->version) + "/" +
               type->plural;
    client::Request request;
    request.path = path;
    if (!labelSelector.empty())
        request.query.emplace("labelSelector", labelSelector);
    std::optional<client::Response> answer;
    m_client->send(request, [&answer](const client::Response &r) { answer = r; });
    QDeadlineTimer deadline(10000);
    while (!answer && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    std::vector<Json> out;
    if (!answer || !answer->ok()) {
        m_lastError = answer ? answer->message() : "no answer to LIST " + path;
        return out;
    }
    const Json list = answer->json();  // kept: the items are read from it
    for (const Json &item : list["items"])
        out.push_back(item);
    return out;
}

Json InProcessCluster::readyNode(const std::string &name, const std::string &cpu, const std::string &memory,
                                 long long pods)
{
    const std::string now = nowRfc3339();
    const Json resources = {{"cpu", cpu}, {"memory", memory}, {"pods", std::to_string(pods)}};
    return {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}}}}},
            {"spec", Json::object()},
            {"status",
             {{"capacity", resources},
              {"allocatable", resources},
              {"conditions",
               Json::array({{{"type", "Ready"},
                             {"status", "True"},
                             {"reason", "KubeletReady"},
                             {"message", "kubelet is posting ready status"},
                             {"lastHeartbeatTime", now},
                             {"lastTransitionTime", now}}})},
              {"addresses", Json::array({{{"type", "InternalIP"}, {"address", "127.0.0.1"}},
                                         {{"type", "Hostname"}, {"address", name}}})}}}};
}

} // namespace cd::test
