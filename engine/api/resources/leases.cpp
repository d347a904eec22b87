// coordination.k8s.io/v1 Lease, with Kubernetes v1.32's rules
// (pkg/apis/coordination/validation ValidateLeaseSpec). The coordinated leader election
// fields (strategy, preferredHolder) belong to an alpha feature that is off in v1.32, so they
// are dropped unless already stored.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {
namespace {

void dropAlphaFields(Json &lease, const Json *old)
{
    Json *spec = find(lease, {"spec"});
    if (!spec || !spec->is_object())
        return;
    for (const char *field : {"strategy", "preferredHolder"})
        if (!old || !find(*old, {"spec", field}))
            spec->erase(field);
}

void validateLease(const Json &lease, FieldErrors &errors)
{
    const FieldPath spec("spec");
    if (const Json *duration = find(lease, {"spec", "leaseDurationSeconds"}); duration && duration->is_number())
        if (duration->get<long long>() <= 0)
            errors.invalid(spec.child("leaseDurationSeconds"), *duration, "must be greater than 0");
    if (const Json *transitions = find(lease, {"spec", "leaseTransitions"}); transitions && transitions->is_number())
        if (transitions->get<long long>() < 0)
            errors.invalid(spec.child("leaseTransitions"), *transitions, "must be greater than or equal to 0");
    const std::string strategy = str(lease, {"spec", "strategy"});
    if (!strategy.empty() && strategy.find('/') == std::string::npos && strategy != "OldestEmulationVersion")
        errors.notSupported(spec.child("strategy").child("strategy"), strategy, {"OldestEmulationVersion"});
    if (!str(lease, {"spec", "preferredHolder"}).empty() && strategy.empty())
        errors.forbidden(spec.child("preferredHolder"), "may only be specified if `strategy` is defined");
}

} // namespace

void registerLeases(Registry &registry)
{
    {
        ResourceType t;
        t.group = "coordination.k8s.io";
        t.kind = "Lease";
        t.plural = "leases";
        t.singular = "lease";
        t.allowCreateOnUpdate = true;
        t.generation = false;
        t.prepareForCreate = [](Json &lease) { dropAlphaFields(lease, nullptr); };
        t.prepareForUpdate = [](Json &lease, const Json &old) { dropAlphaFields(lease, &old); };
        t.validate = validateLease;
        registry.add(std::move(t));
    }
}

} // namespace cd::api
