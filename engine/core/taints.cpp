#include "engine/core/taints.h"

#include <algorithm>

namespace cd {

TaintEffect taintEffectFrom(std::string_view effect)
{
    return effect == "NoSchedule"         ? TaintEffect::NoSchedule
           : effect == "PreferNoSchedule" ? TaintEffect::PreferNoSchedule
           : effect == "NoExecute"        ? TaintEffect::NoExecute
                                          : TaintEffect::Other;
}

Taint taintFrom(const Json &taint)
{
    return {str(taint, {"key"}), str(taint, {"value"}), taintEffectFrom(str(taint, {"effect"}))};
}

Toleration tolerationFrom(const Json &t)
{
    Toleration toleration;
    toleration.key = str(t, {"key"});
    toleration.value = str(t, {"value"});
    const std::string op = str(t, {"operator"});
    toleration.op = op.empty() || op == "Equal" ? Toleration::Op::Equal
                    : op == "Exists"            ? Toleration::Op::Exists
                                                : Toleration::Op::Other;
    const std::string effect = str(t, {"effect"});
    toleration.anyEffect = effect.empty();
    toleration.effect = taintEffectFrom(effect);
    if (const Json *seconds = find(t, {"tolerationSeconds"}); seconds && seconds->is_number())
        toleration.seconds = seconds->get<long long>();
    return toleration;
}

std::vector<Toleration> tolerationsFrom(const Json *tolerations)
{
    std::vector<Toleration> out;
    if (!tolerations || !tolerations->is_array())
        return out;
    out.reserve(tolerations->size());
    for (const Json &t : *tolerations)
        out.push_back(tolerationFrom(t));
    return out;
}

bool Toleration::tolerates(const Taint &taint) const
{
    if (!anyEffect && effect != taint.effect)
        return false;
    if (!key.empty() && key != taint.key)
        return false;
    switch (op) {
    case Op::Equal: return value == taint.value;
    case Op::Exists: return true;
    case Op::Other: return false;
    }
    return false;
}

bool toleratesTaint(const std::vector<Toleration> &tolerations, const Taint &taint)
{
    return std::any_of(tolerations.begin(), tolerations.end(), [&](const Toleration &t) { return t.tolerates(taint); });
}

} // namespace cd
