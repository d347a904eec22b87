#pragma once
// Kubernetes' LimitRanger admission (plugin/pkg/admission/limitranger): a new pod's containers get
// the default requests and limits of their namespace's LimitRanges (noted in the pod's
// kubernetes.io/limit-ranger annotation), then pods and claims are held to the ranges' min, max and
// maxLimitRequestRatio for each Container, Pod and PersistentVolumeClaim, with Kubernetes' 403
// messages ("minimum cpu usage per Container is 100m, but request is 50m").

#include "engine/api/admission/admission.h"

namespace cd::api {

class ApiContext;

class LimitRanger : public AdmissionPlugin {
public:
    explicit LimitRanger(ApiContext &context) : m_context(context) {}
    std::string name() const override { return "LimitRanger"; }
    Status admit(AdmissionRequest &request) override;

private:
    ApiContext &m_context;
};

} // namespace cd::api
