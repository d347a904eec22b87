#pragma once
// Kubernetes' NamespaceLifecycle admission: no new content in a namespace that does not exist or
// is being deleted, and the namespaces a cluster needs may not be deleted.

#include "engine/api/admission/admission.h"

namespace cd::api {

class ApiContext;

class NamespaceLifecycle : public AdmissionPlugin {
public:
    explicit NamespaceLifecycle(ApiContext &context) : m_context(context) {}
    std::string name() const override { return "NamespaceLifecycle"; }
    Status admit(AdmissionRequest &request) override;

private:
    ApiContext &m_context;
};

} // namespace cd::api
