#pragma once
// Kubernetes' ResourceQuota admission (apiserver admission/plugin/resourcequota): a create, or an
// update that raises what an object costs, is measured against every ResourceQuota of its
// namespace that covers it; one that would go over a hard limit is refused with Kubernetes' 403
// ("exceeded quota: ..."), one that fits is charged to the quotas' status.used in the same
// request, before the object is stored. The API serves one request at a time, so creates that
// race each other are counted one after the other and can never overshoot together. The quota
// controller later confirms the figures (and lowers them when objects go).
//
// Must come last in the admission chain: it charges what the object looks like after every
// other plugin changed it, and only when nothing later can refuse it.

#include "engine/api/admission/admission.h"
#include "engine/api/admission/resourcequotausage.h"

namespace cd::api {

class ApiContext;

class ResourceQuotaAdmission : public AdmissionPlugin {
public:
    explicit ResourceQuotaAdmission(ApiContext &context) : m_context(context) {}
    std::string name() const override { return "ResourceQuota"; }
    Status admit(AdmissionRequest &request) override;

    // What the quota's hard resources are used in its namespace, counted from the store (plus
    // `creating`, a quota about to be stored, for the quotas that count quotas).
    quota::ResourceList measure(const std::string &ns, const Json &resourceQuota, const Json *creating = nullptr) const;

private:
    // A quota gets status.hard and status.used as soon as it is stored (and again when its hard
    // limits change), so it is enforced from its first moment.
    void fillQuotaStatus(AdmissionRequest &request) const;
    // Whether the write will pass validation (checked after admission here, before it in Kubernetes).
    bool passesValidation(const AdmissionRequest &request) const;
    Status charge(AdmissionRequest &request);

    ApiContext &m_context;
};

} // namespace cd::api
