#include "engine/api/admission/namespacelifecycle.h"

#include "engine/api/context.h"
#include "engine/api/status.h"

namespace cd::api {

Status NamespaceLifecycle::admit(AdmissionRequest &request)
{
    const ResourceType &type = *request.type;
    if (type.kind == "Namespace" && type.group.empty()) {
        if (request.operation == Operation::Delete &&
            (request.name == "default" || request.name == "kube-system" || request.name == "kube-public"))
            return forbidden(type, request.name, "this namespace may not be deleted");
        return {};
    }
    if (!type.namespaced || request.operation != Operation::Create)
        return {};
    const ResourceType *namespaces = m_context.registry().find("", "v1", "namespaces");
    auto ns = m_context.load(*namespaces, "", request.namespaceName);
    if (!ns)
        return notFound(*namespaces, request.namespaceName);
    if (find(ns->object, {"metadata", "deletionTimestamp"}) || str(ns->object, {"status", "phase"}) == "Terminating") {
        // As kube-apiserver words it: configmaps "x" is forbidden: unable to create new content ...
        Error error = forbidden(type, request.name,
                                "unable to create new content in namespace " + request.namespaceName +
                                    " because it is being terminated");
        error.causes.push_back({"NamespaceTerminating", "namespace " + request.namespaceName + " is being terminated",
                                "metadata.namespace"});
        return error;
    }
    return {};
}

} // namespace cd::api
