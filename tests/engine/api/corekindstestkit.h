#pragma once
// What the core kinds' tests share: manifests from YAML text and the API server's own create
// and update steps (engine/api/manifestcheck.h) run on them without a store, so a test sees an
// object exactly as the server would store or reject it.

#include "engine/api/manifestcheck.h"
#include "engine/api/registry.h"
#include "engine/core/yaml.h"

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <string>
#include <vector>

namespace cd::test {

inline const api::ResourceType &typeOf(const Json &object)
{
    const api::ResourceType *t = api::Registry::builtin().forObject(str(object, {"apiVersion"}), str(object, {"kind"}));
    if (!t)
        qFatal("no type for %s %s", str(object, {"apiVersion"}).c_str(), str(object, {"kind"}).c_str());
    return *t;
}

inline Json yaml(const char *text)
{
    auto parsed = parseYaml(text);
    if (!parsed.ok())
        qFatal("bad fixture: %s", parsed.error().message.c_str());
    return *parsed;
}

// A new object as the server stores it. A missing namespace stands for the request path's.
inline Json created(Json object)
{
    const api::ResourceType &type = typeOf(object);
    if (type.namespaced && str(object, {"metadata", "namespace"}).empty())
        object["metadata"]["namespace"] = "default";
    api::prepareCreate(type, object);
    return object;
}

inline std::vector<std::string> createErrors(const Json &object)
{
    api::FieldErrors errors;
    api::validateCreate(typeOf(object), object, errors);
    return errors.lines();
}

// A main-resource write over the stored `old`, as the server prepares it.
inline Json updated(Json object, const Json &old)
{
    const api::ResourceType &type = typeOf(object);
    if (type.namespaced && str(object, {"metadata", "namespace"}).empty())
        object["metadata"]["namespace"] = str(old, {"metadata", "namespace"});
    api::prepareUpdate(type, object, old);
    return object;
}

inline std::vector<std::string> updateErrors(const Json &object, const Json &old)
{
    api::FieldErrors errors;
    api::validateUpdate(typeOf(object), object, old, errors);
    return errors.lines();
}

inline QString joined(const std::vector<std::string> &lines)
{
    QStringList out;
    for (const auto &l : lines)
        out << QString::fromStdString(l);
    return out.join("\n");
}

// Whether one error line is `expected` (or starts with it: for messages that end in a diff).
inline bool hasLine(const std::vector<std::string> &lines, const QString &expected, bool prefixOnly = false)
{
    for (const auto &l : lines) {
        const QString line = QString::fromStdString(l);
        if (prefixOnly ? line.startsWith(expected) : line == expected)
            return true;
    }
    return false;
}

} // namespace cd::test
