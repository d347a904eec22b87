#pragma once
// The OpenAPI schemas of the served kinds (resources/openapi, bundled at build time): the one
// source of truth for /openapi/v3, unknown-field and type checks on decoding, list merge keys for
// strategic merge patch and apply, and the IDE's completion.

#include "engine/core/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace cd::api {

class SchemaRegistry {
public:
    // The bundled schemas, loaded once on first use.
    static const SchemaRegistry &builtin();
    explicit SchemaRegistry(Json definitions);

    const Json &definitions() const { return m_definitions; }
    const Json *definition(const std::string &name) const;
    // "io.k8s.api.apps.v1.Deployment" for (apps, v1, Deployment), or "" when not described.
    std::string definitionFor(const std::string &group, const std::string &version, const std::string &kind) const;

    // Follows $ref and single-element allOf wrappers to the schema that says what a value is.
    const Json *resolve(const Json *schema) const;
    // The resolved schema of a property of an object schema, or nullptr.
    const Json *property(const Json *objectSchema, const std::string &name) const;
    // The resolved schema of an array's items or a map's values.
    const Json *items(const Json *arraySchema) const;
    const Json *mapValues(const Json *objectSchema) const;
    // The property's schema before resolution (carries x-kubernetes-patch-* and list extensions).
    const Json *rawProperty(const Json *objectSchema, const std::string &name) const;

    struct Problem {
        std::string path;     // spec.template.spec.containers[0].foo
        std::string message;  // unknown field "spec.foo" / a type error
        bool unknownField = false;
    };
    // Walks an object against a definition: fields the schema does not know, and values of the
    // wrong JSON type (a string where an integer belongs).
    std::vector<Problem> check(const std::string &definitionName, const Json &object) const;

    // Every definition reachable from the given ones, by $ref (for per-group OpenAPI documents).
    std::vector<std::string> closure(const std::vector<std::string> &roots) const;

private:
    // Where the walk is: a chain of keys and indexes up to the root, written out as a path only
    // when there is a problem to report (most values have none).
    struct PathStep {
        const PathStep *parent = nullptr;
        std::string_view key;  // a member's key ...
        size_t index = 0;      // ... or an item's index
        bool isIndex = false;
        std::string text() const;
    };
    void checkValue(const Json *schema, const Json &value, const PathStep *path, std::vector<Problem> &out,
                    int depth) const;

    Json m_definitions;
};

} // namespace cd::api
