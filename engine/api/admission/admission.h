#pragma once
// Admission: checks and changes every write must pass after validation-independent defaults,
// as Kubernetes' admission plugins do (NamespaceLifecycle, LimitRanger, ResourceQuota, ...).

#include "engine/api/resourcetype.h"
#include "engine/core/result.h"

#include <string>

namespace cd::api {

enum class Operation { Create, Update, Delete, Connect };

struct AdmissionRequest {
    Operation operation = Operation::Create;
    const ResourceType *type = nullptr;
    std::string namespaceName;
    std::string name;
    std::string subresource;
    Json *object = nullptr;       // the new object (mutable by mutating plugins); null for Delete
    const Json *old = nullptr;    // the stored object on Update and Delete
    bool dryRun = false;
};

class AdmissionPlugin {
public:
    virtual ~AdmissionPlugin() = default;
    virtual std::string name() const = 0;
    // May change request.object; an error refuses the request.
    virtual Status admit(AdmissionRequest &request) = 0;
};

} // namespace cd::api
