#pragma once
// Deleting one object as Kubernetes' generic registry does: preconditions, propagation
// finalizers (orphan, foregroundDeletion), graceful deletion, and removal once nothing holds it.

#include "engine/api/context.h"

#include <optional>

namespace cd::api {

struct DeleteOptions {
    std::optional<long long> gracePeriodSeconds;
    std::string propagationPolicy;  // Orphan, Background, Foreground ("" = the type's default)
    std::string preconditionUid;
    std::string preconditionResourceVersion;
    bool dryRun = false;
};

// From a DELETE's query parameters and DeleteOptions body.
Result<DeleteOptions> parseDeleteOptions(const ApiRequest &request);
// From a DeleteOptions object (an Eviction's deleteOptions).
DeleteOptions deleteOptionsFromJson(const Json &object);

struct DeleteOutcome {
    StoredObject object;
    bool deleted = false;  // gone now, rather than marked for deletion
};

Result<DeleteOutcome> deleteObject(ApiContext &context, const ResourceType &type, const StoredObject &existing,
                                   const DeleteOptions &options);

} // namespace cd::api
