#pragma once
// What the API-level tests share: an ApiService on an in-memory store answering requests
// synchronously, and small builders for the objects they send.
#include "engine/api/apiservice.h"
#include "engine/store/store.h"

#include <QtTest>

#include <map>
#include <memory>

namespace cd::test {

// Keeps the single answer a request gets (no streams in these tests).
class CapturedResponse : public api::ResponseSink {
public:
    void respond(api::ApiResponse r) override { response = std::move(r); }
    void startStream(int, const std::string &) override {}
    void write(const std::string &) override {}
    void finish() override {}
    api::ApiResponse response;
};

class ApiTestKit {
public:
    ApiTestKit()
    {
        store::StoreOptions options;
        options.writerThread = false;
        m_store = std::move(store::Store::open(options)).value();
        m_api = std::make_unique<api::ApiService>(*m_store);
        m_bootstrapped = m_api->bootstrap().ok();
    }
    ~ApiTestKit()
    {
        m_api.reset();
        m_store.reset();
    }

    bool bootstrapped() const { return m_bootstrapped; }
    api::ApiService &api() { return *m_api; }

    api::ApiResponse send(api::Method method, const std::string &path, const Json &body = Json(),
                          std::multimap<std::string, std::string> query = {})
    {
        api::ApiRequest request;
        request.method = method;
        request.path = path;
        request.query = std::move(query);
        request.contentType = "application/json";
        request.body = body.is_null() ? std::string() : body.dump();
        auto sink = std::make_shared<CapturedResponse>();
        m_api->handle(request, sink);
        QCoreApplication::processEvents();
        return sink->response;
    }

    // POSTs to a collection and checks the status code; returns the answer's body.
    Json create(const std::string &collectionPath, const Json &object, int expected = 201)
    {
        const api::ApiResponse r = send(api::Method::Post, collectionPath, object);
        if (r.status != expected)
            qWarning("%s", r.body.c_str());
        [&] { QCOMPARE(r.status, expected); }();
        return Json::parse(r.body, nullptr, false);
    }

private:
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<api::ApiService> m_api;
    bool m_bootstrapped = false;
};

inline Json container(const std::string &name, Json requests = Json(), Json limits = Json())
{
    Json c = {{"name", name}, {"image", "nginx"}};
    if (!requests.is_null())
        c["resources"]["requests"] = std::move(requests);
    if (!limits.is_null())
        c["resources"]["limits"] = std::move(limits);
    return c;
}

inline Json pod(const std::string &name, Json containers)
{
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}}},
            {"spec", {{"containers", std::move(containers)}}}};
}

} // namespace cd::test
