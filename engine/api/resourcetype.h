#pragma once
// What the API server knows about one kind of resource: its names for discovery, its storage
// rules and the hooks that give it Kubernetes' behaviour (defaults, validation, table columns,
// field selectors). Each resource family fills these in its own file under resources/.

#include "engine/api/fielderrors.h"
#include "engine/core/json.h"
#include "engine/core/names.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cd::api {

struct TableColumn {
    std::string name;
    std::string type = "string";  // string, integer, number, boolean, date
    std::string format;           // "name" for the name column
    std::string description;
    int priority = 0;             // 1: shown only with -o wide
};

struct ResourceType {
    std::string group;  // "" for the core group
    std::string version = "v1";
    std::string kind;
    std::string plural;
    std::string singular;
    std::vector<std::string> shortNames;
    std::vector<std::string> categories;
    bool namespaced = true;
    bool statusSubresource = false;  // .status changes only through /status
    bool scaleSubresource = false;   // /scale (spec.replicas, status.replicas, spec.selector)
    std::vector<std::string> otherSubresources;  // binding, eviction, log, exec, ... (for discovery)
    bool allowCreateOnUpdate = false;  // PUT creates a missing object (Endpoints, Lease)
    bool generation = false;           // metadata.generation counts spec changes
    bool annotationsCountAsSpec = false;  // ... and annotation changes (Deployments copy them on)
    // A /status write also sets the annotations (Kubernetes' deployment status strategy: the
    // controller records revisions there without bumping the generation).
    bool statusWritesAnnotations = false;
    std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

    // Name rule of metadata.name (a names:: check); subdomain by default.
    std::function<names::Messages(std::string_view)> nameRule = names::dns1123Subdomain;
    // Fill in Kubernetes' defaults (after decoding, before validation; also on update).
    std::function<void(Json &object)> defaults;
    // Validate the whole object (metadata is checked by the server first).
    std::function<void(const Json &object, FieldErrors &errors)> validate;
    // Extra checks on update: immutable fields and the like.
    std::function<void(const Json &object, const Json &old, FieldErrors &errors)> validateUpdate;
    // Reset what a client may not set at creation (usually status).
    std::function<void(Json &object)> prepareForCreate;
    // Adjust an update from the main resource (status is kept by the server when statusSubresource).
    std::function<void(Json &object, const Json &old)> prepareForUpdate;
    // Deletion that waits for something besides metadata.finalizers (a namespace's
    // spec.finalizers); the object is then only marked as deleting.
    std::function<bool(const Json &object)> deletionPending;
    // Marks an object as being deleted (a namespace turns Terminating).
    std::function<void(Json &object)> markDeleting;
    // Graceful deletion (pods on a node): the grace period to wait, 0 to delete at once.
    std::function<long long(const Json &object, std::optional<long long> requested)> gracePeriod;
    // Field selector support beyond metadata.name and metadata.namespace: field -> value.
    std::map<std::string, std::function<std::string(const Json &)>> selectableFields;
    // Server-side table printing.
    std::vector<TableColumn> columns;
    std::function<Json(const Json &object)> cells;  // one JSON array of cells per object, Name first
    // The cells are worked out from the object when a table is read instead of kept in every
    // object's summary: for events, which are many and whose tables are read a page at a time.
    bool cellsOnRead = false;

    std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
    std::string groupVersion() const { return apiVersion(); }
    // "deployments.apps" or "pods": how Kubernetes names the resource in messages.
    std::string qualifiedResource() const { return group.empty() ? plural : plural + "." + group; }
    // "Deployment.apps" or "Pod": how Kubernetes names the kind in Invalid messages.
    std::string qualifiedKind() const { return group.empty() ? kind : kind + "." + group; }
    // The store key prefix for every object of this resource, ending in '/'.
    std::string keyPrefix() const { return "/registry/" + (group.empty() ? std::string("core") : group) + "/" + plural + "/"; }
    std::string key(const std::string &ns, const std::string &name) const
    {
        return namespaced ? keyPrefix() + ns + "/" + name : keyPrefix() + name;
    }
};

} // namespace cd::api
