#pragma once
// A manifest checked offline as the API server checks it on create (kubectl's default
// fieldValidation=Strict), without a store: what the IDE shows while a person writes YAML.
// Admission plugins that need cluster state (quota, limit ranges) are left out.

#include "engine/api/fielderrors.h"
#include "engine/api/resourcetype.h"
#include "engine/core/json.h"

#include <string>
#include <vector>

namespace cd::api {

class Registry;
class SchemaRegistry;

struct ManifestProblem {
    enum class Severity { Error, Warning, Info };
    std::string path;    // Kubernetes field path (spec.template.spec.containers[0].image), "" for the object
    std::string message; // Kubernetes wording: "Invalid value: -1: must be greater than or equal to 0"
    Severity severity = Severity::Error;
};

// Every problem the server would report for creating `object`. A namespaced object without a
// namespace is checked as in "default"; a kind the registry does not serve gives one info.
std::vector<ManifestProblem> checkManifest(const Json &object, const Registry &registry, const SchemaRegistry &schemas);
// The same against the built-in registry and schemas.
std::vector<ManifestProblem> checkManifest(const Json &object);

// The write pipeline's steps that need no cluster state, shared with ApiContext::createObject
// and ::updateObject (which run admission between the two) and with the kinds' tests.
// Server-owned metadata, the kind's create reset and its defaults.
void prepareCreate(const ResourceType &type, Json &object);
// Metadata rules, then the kind's own validation.
void validateCreate(const ResourceType &type, const Json &object, FieldErrors &errors);
// A main-resource write over the stored `old` (not /status): server-owned metadata and the
// stored status carried over, the kind's update reset, its defaults, then the generation.
void prepareUpdate(const ResourceType &type, Json &object, const Json &old);
// The create rules plus what may not change: metadata identity and the kind's update rules.
void validateUpdate(const ResourceType &type, const Json &object, const Json &old, FieldErrors &errors);

} // namespace cd::api
