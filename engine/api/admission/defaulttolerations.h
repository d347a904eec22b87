#pragma once
// Kubernetes' DefaultTolerationSeconds admission: pods that do not say otherwise tolerate a node
// that is not ready or unreachable (NoExecute) for a while before the taint manager evicts them.
// Kubernetes waits 300 s; Clusterdeck's engine passes a shorter time (ApiOptions), so pods are
// seen moving off a failed node on a desktop.

#include "engine/api/admission/admission.h"

namespace cd::api {

class DefaultTolerationSeconds : public AdmissionPlugin {
public:
    explicit DefaultTolerationSeconds(long long seconds) : m_seconds(seconds) {}
    std::string name() const override { return "DefaultTolerationSeconds"; }
    Status admit(AdmissionRequest &request) override;

    // Adds the two tolerations to a pod spec that lacks them.
    static void addTo(Json &spec, long long seconds);

private:
    long long m_seconds;
};

} // namespace cd::api
