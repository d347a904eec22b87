#include "engine/client/client.h"

namespace cd::client {

std::string Resource::path(const std::string &ns, const std::string &name, const std::string &sub) const
{
    std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    if (namespaced && !ns.empty())
        p += "/namespaces/" + ns;
    p += "/" + plural;
    if (!name.empty())
        p += "/" + name;
    if (!sub.empty())
        p += "/" + sub;
    return p;
}

Json Response::json() const
{
    Json parsed = Json::parse(body, nullptr, false);
    return parsed.is_discarded() ? Json() : parsed;
}

std::string Response::message() const
{
    const Json status = json();
    const std::string m = str(status, {"message"});
    if (!m.empty())
        return m;
    return status == Json() ? body : "request failed with HTTP status " + std::to_string(this->status);
}

Error Response::error() const
{
    Error e;
    switch (status) {
    case 400: e.kind = ErrorKind::BadRequest; break;
    case 401: e.kind = ErrorKind::Unauthorized; break;
    case 403: e.kind = ErrorKind::Forbidden; break;
    case 404: e.kind = ErrorKind::NotFound; break;
    case 409: e.kind = str(json(), {"reason"}) == "AlreadyExists" ? ErrorKind::AlreadyExists : ErrorKind::Conflict; break;
    case 410: e.kind = ErrorKind::Gone; break;
    case 422: e.kind = ErrorKind::Invalid; break;
    case 503: e.kind = ErrorKind::ServiceUnavailable; break;
    default: e.kind = ErrorKind::Internal; break;
    }
    e.message = message();
    return e;
}

void Client::get(const Resource &r, const std::string &ns, const std::string &name, Callback done)
{
    send({"GET", r.path(ns, name), {}, "application/json", "application/json", {}}, std::move(done));
}

void Client::list(const Resource &r, const std::string &ns, Callback done,
                  const std::multimap<std::string, std::string> &query)
{
    send({"GET", r.path(ns), query, "application/json", "application/json", {}}, std::move(done));
}

void Client::create(const Resource &r, const std::string &ns, const Json &object, Callback done)
{
    send({"POST", r.path(ns), {}, "application/json", "application/json", dump(object)}, std::move(done));
}

void Client::update(const Resource &r, const Json &object, Callback done, const std::string &sub)
{
    send({"PUT", r.path(str(object, {"metadata", "namespace"}), str(object, {"metadata", "name"}), sub), {},
          "application/json", "application/json", dump(object)},
         std::move(done));
}

void Client::patch(const Resource &r, const std::string &ns, const std::string &name, const std::string &patchType,
                   const Json &patch, Callback done, const std::string &sub)
{
    send({"PATCH", r.path(ns, name, sub), {}, patchType, "application/json", dump(patch)}, std::move(done));
}

void Client::remove(const Resource &r, const std::string &ns, const std::string &name, Callback done,
                    const Json &deleteOptions)
{
    send({"DELETE", r.path(ns, name), {}, "application/json", "application/json", dump(deleteOptions)},
         std::move(done));
}

} // namespace cd::client
