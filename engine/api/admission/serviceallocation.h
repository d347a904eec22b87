#pragma once
// The API server's part in Services (Kubernetes' service REST storage): a ClusterIP from the
// service range (10.96.0.0/12) and node ports from 30000-32767 for NodePort and LoadBalancer
// Services, never the same address or port twice. What is taken is read from the stored Services
// each time, so nothing leaks when a Service goes and a restart needs no bookkeeping.

#include "engine/api/admission/admission.h"

#include <cstdint>
#include <set>

namespace cd::api {

class ApiContext;

struct ServiceRanges {
    std::uint32_t ipBase = (10u << 24) | (96u << 16);  // 10.96.0.0
    int ipPrefix = 12;
    int nodePortMin = 30000;
    int nodePortMax = 32767;
};

class ServiceAllocation : public AdmissionPlugin {
public:
    explicit ServiceAllocation(ApiContext &context, ServiceRanges ranges = {}) : m_context(context), m_ranges(ranges) {}
    std::string name() const override { return "ServiceAllocation"; }
    Status admit(AdmissionRequest &request) override;

private:
    struct Taken {
        std::set<std::uint32_t> ips;
        std::set<long long> nodePorts;
    };
    Taken takenByOthers(const std::string &key) const;
    std::string rangeText() const;

    ApiContext &m_context;
    ServiceRanges m_ranges;
};

} // namespace cd::api
