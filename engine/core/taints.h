#pragma once
// Node taints and pod tolerations, as the scheduler and the taint eviction controller both read
// them: small parsed facts, and v1.Toleration.ToleratesTaint.

#include "engine/core/json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cd {

enum class TaintEffect : uint8_t { NoSchedule, PreferNoSchedule, NoExecute, Other };
TaintEffect taintEffectFrom(std::string_view effect);

struct Taint {
    std::string key;
    std::string value;
    TaintEffect effect = TaintEffect::NoSchedule;
    friend bool operator==(const Taint &, const Taint &) = default;
};
Taint taintFrom(const Json &taint);

struct Toleration {
    enum class Op : uint8_t { Equal, Exists, Other };
    std::string key;  // empty with Exists: every key
    std::string value;
    Op op = Op::Equal;
    bool anyEffect = true;  // no effect given: every effect
    TaintEffect effect = TaintEffect::NoSchedule;
    std::optional<long long> seconds;  // tolerationSeconds (NoExecute)

    bool tolerates(const Taint &taint) const;
    friend bool operator==(const Toleration &, const Toleration &) = default;
};
Toleration tolerationFrom(const Json &toleration);
// A pod's spec.tolerations; none when missing or not a list.
std::vector<Toleration> tolerationsFrom(const Json *tolerations);
bool toleratesTaint(const std::vector<Toleration> &tolerations, const Taint &taint);

} // namespace cd
