// Node, with Kubernetes v1.32's rules (pkg/apis/core/validation ValidateNode and
// ValidateNodeUpdate, pkg/registry/core/node strategy): taints, pod CIDRs, resource
// quantities, and what may not change once set.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/gosyntax.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

#include <map>
#include <set>

namespace cd::api {
namespace {

using namespace corekinds;

std::string taintLiteral(const Json &taint)
{
    const Json &added = at(taint, {"timeAdded"});
    const std::string time =
        added.is_string() ? "&v1.Time{" + added.get<std::string>() + "}" : std::string("(*v1.Time)(nil)");
    return "core.Taint{Key:" + gosyntax::quote(str(taint, {"key"})) +
           ", Value:" + gosyntax::quote(str(taint, {"value"})) + ", Effect:" + gosyntax::quote(str(taint, {"effect"})) +
           ", TimeAdded:" + time + "}";
}

// validateNodeTaints. Kubernetes builds these paths under "metadata", not "spec": kept so the
// messages read the same.
void validateTaints(const Json &taints, FieldErrors &errors)
{
    const FieldPath path = FieldPath("metadata").child("taints");
    std::map<std::string, std::set<std::string>> unique; // effect -> keys
    for (size_t i = 0; i < taints.size(); ++i) {
        const Json &taint = taints[i];
        const FieldPath idx = path.index(i);
        const std::string key = str(taint, {"key"});
        validateLabelName(key, idx.child("key"), errors);
        const std::string value = str(taint, {"value"});
        if (const auto messages = names::labelValue(value); !messages.empty()) {
            std::string joined;
            for (const auto &m : messages)
                joined += (joined.empty() ? "" : ";") + m;
            errors.invalid(idx.child("value"), value, joined);
        }
        const std::string effect = str(taint, {"effect"});
        if (effect.empty())
            errors.required(idx.child("effect"));
        else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
            errors.notSupported(idx.child("effect"), effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"});
        if (!unique[effect].insert(key).second) {
            errors.duplicatePrinted(idx, taintLiteral(taint), "taints must be unique by key and effect pair");
            continue;
        }
    }
}

void validateResourceMap(const Json &list, const FieldPath &path, FieldErrors &errors)
{
    for (auto it = list.begin(); it != list.end(); ++it) {
        const FieldPath resourcePath = path.child(it.key());
        if (auto q = quantityAt(it.value(), resourcePath, errors))
            validateResourceQuantityValue(it.key(), *q, resourcePath, errors);
    }
}

void validateNode(const Json &node, FieldErrors &errors)
{
    validateTaints(arrayAt(node, {"spec", "taints"}), errors);
    validateResourceMap(objectAt(node, {"status", "capacity"}), FieldPath("status").child("capacity"), errors);
    validateResourceMap(objectAt(node, {"status", "allocatable"}), FieldPath("status").child("allocatable"), errors);

    const Json &cidrs = arrayAt(node, {"spec", "podCIDRs"});
    const FieldPath cidrsPath = FieldPath("spec").child("podCIDRs");
    for (size_t i = 0; i < cidrs.size(); ++i)
        validateCidr(cidrs[i].is_string() ? cidrs[i].get<std::string>() : cidrs[i].dump(), cidrsPath.index(i), errors);
    if (cidrs.size() > 1) {
        bool v4 = false, v6 = false, valid = true;
        for (const Json &c : cidrs) {
            const int family = c.is_string() ? cidrFamily(c.get<std::string>()) : 0;
            valid = valid && family != 0;
            (family == 6 ? v6 : v4) = true;
        }
        if (valid && (!(v4 && v6) || cidrs.size() > 2))
            errors.invalidPrinted(cidrsPath, gosyntax::slice(&cidrs),
                                  "may specify no more than one CIDR for each IP family");
        std::set<std::string> seen;
        for (size_t i = 0; i < cidrs.size(); ++i)
            if (!seen.insert(cidrs[i].dump()).second)
                errors.duplicate(cidrsPath.index(i), cidrs[i]);
    }
}

void validateNodeUpdate(const Json &node, const Json &old, FieldErrors &errors)
{
    std::set<std::pair<std::string, std::string>> addresses;
    const Json &list = arrayAt(node, {"status", "addresses"});
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string type = str(list[i], {"type"}), address = str(list[i], {"address"});
        if (!addresses.insert({type, address}).second)
            errors.duplicatePrinted(FieldPath("status").child("addresses").index(i),
                                    "core.NodeAddress{Type:" + gosyntax::quote(type) +
                                        ", Address:" + gosyntax::quote(address) + "}");
    }
    // The controller manager assigns pod CIDRs and the provider ID once; after that they stay.
    const Json &oldCidrs = arrayAt(old, {"spec", "podCIDRs"});
    const Json &cidrs = arrayAt(node, {"spec", "podCIDRs"});
    const char *cidrMessage = "node updates may not change podCIDR except from \"\" to valid";
    if (!oldCidrs.empty()) {
        if (oldCidrs.size() != cidrs.size()) {
            errors.forbidden(FieldPath("spec").child("podCIDRs"), cidrMessage);
        } else {
            for (size_t i = 0; i < oldCidrs.size(); ++i)
                if (oldCidrs[i] != cidrs[i])
                    errors.forbidden(FieldPath("spec").child("podCIDRs"), cidrMessage);
        }
    }
    const std::string oldProvider = str(old, {"spec", "providerID"});
    if (!oldProvider.empty() && oldProvider != str(node, {"spec", "providerID"}))
        errors.forbidden(FieldPath("spec").child("providerID"),
                         "node updates may not change providerID except from \"\" to valid");
    if (str(node, {"spec", "externalID"}) != str(old, {"spec", "externalID"}))
        errors.forbidden(FieldPath("spec").child("externalID"), "may not be updated");
}

void defaultNode(Json &node)
{
    if (Json *spec = find(node, {"spec"}); spec && spec->is_object()) {
        // The v1 conversion keeps podCIDR and podCIDRs in step.
        const std::string single = str(*spec, {"podCIDR"});
        if (isEmptyValue(find(*spec, {"podCIDRs"})) && !single.empty())
            (*spec)["podCIDRs"] = Json::array({single});
        else if (const Json &cidrs = arrayAt(*spec, {"podCIDRs"}); !cidrs.empty() && cidrs[0].is_string())
            (*spec)["podCIDR"] = cidrs[0];
    }
    if (Json *status = find(node, {"status"}); status && status->is_object()) {
        canonicalizeResourceList(find(*status, {"capacity"}));
        canonicalizeResourceList(find(*status, {"allocatable"}));
        if (!find(*status, {"allocatable"}) && find(*status, {"capacity"}))
            (*status)["allocatable"] = (*status)["capacity"];
    }
}

} // namespace

void registerNodes(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Node";
        t.plural = "nodes";
        t.singular = "node";
        t.shortNames = {"no"};
        t.namespaced = false;
        t.statusSubresource = true;
        t.generation = false;
        t.defaults = defaultNode;
        // Dynamic kubelet configuration is gone: its fields are dropped unless already stored.
        t.prepareForCreate = [](Json &node) {
            if (Json *spec = find(node, {"spec"}); spec && spec->is_object())
                spec->erase("configSource");
            if (Json *status = find(node, {"status"}); status && status->is_object())
                status->erase("config");
        };
        t.prepareForUpdate = [](Json &node, const Json &old) {
            if (!find(old, {"spec", "configSource"}))
                if (Json *spec = find(node, {"spec"}); spec && spec->is_object())
                    spec->erase("configSource");
        };
        t.validate = validateNode;
        t.validateUpdate = validateNodeUpdate;
        t.selectableFields["spec.unschedulable"] = [](const Json &o) {
            return boolean(o, {"spec", "unschedulable"}) ? std::string("true") : std::string("false");
        };
        registry.add(std::move(t));
    }
}

} // namespace cd::api
