#include "engine/node/podenv.h"

#include "engine/core/quantity.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>
#include <map>

namespace cd::node {
namespace {

std::string envName(const std::string &serviceName)
{
    std::string out = serviceName;
    for (char &c : out)
        c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool validEnvName(const std::string &name)
{
    // Kubernetes' IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
}

// An ordered map of variables: later values replace earlier ones in place.
class Environment {
public:
    void set(const std::string &name, const std::string &value)
    {
        auto it = m_index.find(name);
        if (it != m_index.end()) {
            m_vars[it->second].value = value;
            return;
        }
        m_index[name] = m_vars.size();
        m_vars.push_back({name, value});
    }
    const std::string *get(const std::string &name) const
    {
        auto it = m_index.find(name);
        return it == m_index.end() ? nullptr : &m_vars[it->second].value;
    }
    std::vector<runtime::EnvVar> take() { return std::move(m_vars); }

private:
    std::vector<runtime::EnvVar> m_vars;
    std::map<std::string, size_t> m_index;
};

// The value of a ConfigMap's or Secret's key (Secrets base64-decoded).
Result<std::optional<std::string>> keyValue(const PodContext &context, const std::string &ns, const Json &ref,
                                            bool secret)
{
    const std::string name = str(ref, {"name"});
    const std::string key = str(ref, {"key"});
    const bool optional = boolean(ref, {"optional"});
    const char *kind = secret ? "secret" : "configmap";
    client::ObjectPtr object = context.get(secret ? "secrets" : "configmaps", ns, name);
    if (!object) {
        if (optional)
            return std::optional<std::string>();
        return Error::notFound(std::string(kind) + " \"" + name + "\" not found");
    }
    if (const Json *value = find(*object, {"data", key}); value && value->is_string()) {
        if (secret)
            return std::optional<std::string>(
                QByteArray::fromBase64(QByteArray::fromStdString(value->get<std::string>())).toStdString());
        return std::optional<std::string>(value->get<std::string>());
    }
    if (const Json *value = find(*object, {"binaryData", key}); value && value->is_string())
        return std::optional<std::string>(
            QByteArray::fromBase64(QByteArray::fromStdString(value->get<std::string>())).toStdString());
    if (optional)
        return std::optional<std::string>();
    return Error::notFound("couldn't find key " + key + " in " + (secret ? "Secret" : "ConfigMap") + " " + ns + "/" +
                           name);
}

} // namespace

std::string expandReferences(const std::string &text,
                             const std::function<const std::string *(const std::string &)> &lookup)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        if (text[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        if (text[i + 1] == '(') {
            const size_t close = text.find(')', i + 2);
            if (close != std::string::npos) {
                const std::string name = text.substr(i + 2, close - i - 2);
                if (const std::string *value = lookup(name)) {
                    out += *value;
                } else {
                    out += text.substr(i, close - i + 1);
                }
                i = close;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::vector<runtime::EnvVar> serviceEnvironment(const Json &service)
{
    std::vector<runtime::EnvVar> vars;
    const std::string ip = str(service, {"spec", "clusterIP"});
    if (ip.empty() || ip == "None")
        return vars;
    const Json *ports = find(service, {"spec", "ports"});
    if (!ports || !ports->is_array() || ports->empty())
        return vars;
    const std::string name = envName(str(service, {"metadata", "name"}));
    const Json &first = (*ports)[0];
    vars.push_back({name + "_SERVICE_HOST", ip});
    vars.push_back({name + "_SERVICE_PORT", std::to_string(integer(first, {"port"}))});
    for (const Json &port : *ports)
        if (const std::string portName = str(port, {"name"}); !portName.empty())
            vars.push_back({name + "_SERVICE_PORT_" + envName(portName), std::to_string(integer(port, {"port"}))});
    std::string protocol = str(first, {"protocol"}, "TCP");
    std::transform(protocol.begin(), protocol.end(), protocol.begin(), ::tolower);
    vars.push_back({name + "_PORT", protocol + "://" + ip + ":" + std::to_string(integer(first, {"port"}))});
    for (const Json &port : *ports) {
        const std::string number = std::to_string(integer(port, {"port"}));
        std::string proto = str(port, {"protocol"}, "TCP");
        std::string lower = proto;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        const std::string prefix = name + "_PORT_" + number + "_" + proto;
        vars.push_back({prefix, lower + "://" + ip + ":" + number});
        vars.push_back({prefix + "_PROTO", lower});
        vars.push_back({prefix + "_PORT", number});
        vars.push_back({prefix + "_ADDR", ip});
    }
    return vars;
}

Result<std::string> podFieldValue(const Json &pod, const std::string &fieldPath, const PodContext &context)
{
    const auto mapEntry = [&](const char *map) -> std::optional<std::string> {
        const std::string prefix = std::string("metadata.") + map + "['";
        if (fieldPath.rfind(prefix, 0) != 0 || fieldPath.size() < prefix.size() + 2 ||
            fieldPath.substr(fieldPath.size() - 2) != "']")
            return std::nullopt;
        const std::string key = fieldPath.substr(prefix.size(), fieldPath.size() - prefix.size() - 2);
        return str(pod, {"metadata", map, key});
    };
    if (auto label = mapEntry("labels"))
        return *label;
    if (auto annotation = mapEntry("annotations"))
        return *annotation;
    if (fieldPath == "metadata.labels" || fieldPath == "metadata.annotations") {
        // key="value" lines, sorted by key (the downward API's format for whole maps).
        std::string out;
        if (const Json *map = find(pod, {"metadata", fieldPath == "metadata.labels" ? "labels" : "annotations"});
            map && map->is_object()) {
            std::map<std::string, std::string> sorted;
            for (auto it = map->begin(); it != map->end(); ++it)
                sorted[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
            for (const auto &[key, value] : sorted)
                out += key + "=" + Json(value).dump() + "\n";
        }
        return out;
    }
    if (fieldPath == "metadata.name")
        return str(pod, {"metadata", "name"});
    if (fieldPath == "metadata.namespace")
        return str(pod, {"metadata", "namespace"});
    if (fieldPath == "metadata.uid")
        return str(pod, {"metadata", "uid"});
    if (fieldPath == "spec.nodeName")
        return context.nodeName;
    if (fieldPath == "spec.serviceAccountName")
        return str(pod, {"spec", "serviceAccountName"});
    if (fieldPath == "status.hostIP" || fieldPath == "status.hostIPs")
        return context.hostIp;
    if (fieldPath == "status.podIP" || fieldPath == "status.podIPs")
        return context.podIp;
    return Error::badRequest("unsupported fieldRef " + fieldPath);
}

Result<std::string> resourceFieldValue(const Json &pod, const Json &reference, const std::string &defaultContainer,
                                       const PodContext &context)
{
    const std::string containerName = str(reference, {"containerName"}, defaultContainer);
    const std::string resource = str(reference, {"resource"});
    const Json *container = nullptr;
    for (const char *list : {"containers", "initContainers"})
        if (const Json *items = find(pod, {"spec", list}); items && items->is_array())
            for (const Json &c : *items)
                if (str(c, {"name"}) == containerName)
                    container = &c;
    if (!container)
        return Error::badRequest("resourceFieldRef: no container named " + containerName);
    const size_t dot = resource.find('.');
    if (dot == std::string::npos)
        return Error::badRequest("unsupported resourceFieldRef " + resource);
    const std::string kind = resource.substr(0, dot);   // limits, requests
    const std::string name = resource.substr(dot + 1);  // cpu, memory, ephemeral-storage
    Quantity value;
    if (const Json *q = find(*container, {"resources", kind, name})) {
        if (auto parsed = Quantity::fromJson(*q); parsed.ok())
            value = *parsed;
    } else if (kind == "limits") {
        if (const Json *q = find(context.allocatable, {name}))
            if (auto parsed = Quantity::fromJson(*q); parsed.ok())
                value = *parsed;
    }
    Quantity divisor = Quantity::fromValue(1);
    if (const Json *d = find(reference, {"divisor"}))
        if (auto parsed = Quantity::fromJson(*d); parsed.ok() && parsed->milliValue() > 0)
            divisor = *parsed;
    if (name == "cpu") {
        const double cores = std::ceil(double(value.milliValue()) / double(divisor.milliValue()));
        return std::to_string(static_cast<long long>(cores));
    }
    const double amount = std::ceil(double(value.value()) / double(std::max(1LL, divisor.value())));
    return std::to_string(static_cast<long long>(amount));
}

Result<std::vector<runtime::EnvVar>> containerEnvironment(const Json &pod, const Json &container,
                                                          const PodContext &context)
{
    const std::string ns = str(pod, {"metadata", "namespace"});
    // Service variables: every Service of the namespace (enableServiceLinks), and the API's own.
    Environment services;
    const bool links = boolean(pod, {"spec", "enableServiceLinks"}, true);
    if (context.services) {
        std::vector<client::ObjectPtr> list = links ? context.services(ns) : std::vector<client::ObjectPtr>{};
        if (ns != "default")
            for (const client::ObjectPtr &s : context.services("default"))
                if (str(*s, {"metadata", "name"}) == "kubernetes")
                    list.push_back(s);
        for (const client::ObjectPtr &service : list) {
            if (!links && str(*service, {"metadata", "name"}) != "kubernetes")
                continue;
            for (const runtime::EnvVar &var : serviceEnvironment(*service))
                services.set(var.name, var.value);
        }
    }

    Environment env;
    if (const Json *sources = find(container, {"envFrom"}); sources && sources->is_array()) {
        for (const Json &source : *sources) {
            const std::string prefix = str(source, {"prefix"});
            const bool secret = find(source, {"secretRef"}) != nullptr;
            const Json *ref = find(source, {secret ? "secretRef" : "configMapRef"});
            if (!ref)
                continue;
            const std::string name = str(*ref, {"name"});
            client::ObjectPtr object = context.get(secret ? "secrets" : "configmaps", ns, name);
            if (!object) {
                if (boolean(*ref, {"optional"}))
                    continue;
                return Error::notFound(std::string(secret ? "secret" : "configmap") + " \"" + name + "\" not found");
            }
            if (const Json *data = find(*object, {"data"}); data && data->is_object())
                for (auto it = data->begin(); it != data->end(); ++it) {
                    const std::string key = prefix + it.key();
                    if (!validEnvName(key) || !it->is_string())
                        continue;  // the kubelet skips invalid names (with an event)
                    const std::string raw = it->get<std::string>();
                    env.set(key, secret ? QByteArray::fromBase64(QByteArray::fromStdString(raw)).toStdString() : raw);
                }
        }
    }
    const auto lookup = [&](const std::string &name) -> const std::string * {
        if (const std::string *value = env.get(name))
            return value;
        return services.get(name);
    };
    if (const Json *vars = find(container, {"env"}); vars && vars->is_array()) {
        for (const Json &var : *vars) {
            const std::string name = str(var, {"name"});
            if (const Json *from = find(var, {"valueFrom"})) {
                if (const Json *field = find(*from, {"fieldRef"})) {
                    CD_TRY(std::string value, podFieldValue(pod, str(*field, {"fieldPath"}), context));
                    env.set(name, value);
                } else if (const Json *resource = find(*from, {"resourceFieldRef"})) {
                    CD_TRY(std::string value, resourceFieldValue(pod, *resource, str(container, {"name"}), context));
                    env.set(name, value);
                } else if (const Json *ref = find(*from, {"configMapKeyRef"})) {
                    CD_TRY(std::optional<std::string> value, keyValue(context, ns, *ref, false));
                    if (value)
                        env.set(name, *value);
                } else if (const Json *secretRef = find(*from, {"secretKeyRef"})) {
                    CD_TRY(std::optional<std::string> value, keyValue(context, ns, *secretRef, true));
                    if (value)
                        env.set(name, *value);
                }
                continue;
            }
            env.set(name, expandReferences(str(var, {"value"}), lookup));
        }
    }
    // Service variables come last and never replace what the pod defines.
    for (const runtime::EnvVar &var : services.take())
        if (!env.get(var.name))
            env.set(var.name, var.value);
    return env.take();
}

} // namespace cd::node
