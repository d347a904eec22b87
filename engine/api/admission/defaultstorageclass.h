#pragma once
// Kubernetes' DefaultStorageClass admission (plugin/pkg/admission/storage/storageclass/setdefault):
// a new claim that names no storage class gets the default one — the StorageClass annotated
// storageclass.kubernetes.io/is-default-class: "true" (the newest, when several are).

#include "engine/api/admission/admission.h"

namespace cd::api {

class ApiContext;

class DefaultStorageClass : public AdmissionPlugin {
public:
    explicit DefaultStorageClass(ApiContext &context) : m_context(context) {}
    std::string name() const override { return "DefaultStorageClass"; }
    Status admit(AdmissionRequest &request) override;

    // The default StorageClass's name, or empty when no class is marked default.
    std::string defaultClass() const;

private:
    ApiContext &m_context;
};

} // namespace cd::api
