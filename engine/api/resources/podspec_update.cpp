// What may change in a running pod's spec (ValidatePodUpdate in Kubernetes'
// pkg/apis/core/validation): container images, a shorter activeDeadlineSeconds, added
// tolerations, removed scheduling gates, and little else.

#include "engine/api/resources/podspec.h"
#include "engine/api/resources/podspec_internal.h"

#include <set>

namespace cd::api {
namespace {

using namespace podspec;

const char *kUpdatableFields =
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

// Returns false when the lists differ in length (Kubernetes stops checking there).
bool validateContainerUpdates(const Json &containers, const Json &oldContainers, const FieldPath &path,
                              FieldErrors &errors)
{
    if (containers.size() != oldContainers.size()) {
        errors.forbidden(path, "pod updates may not add or remove containers");
        return false;
    }
    for (size_t i = 0; i < containers.size(); ++i) {
        const std::string image = str(containers[i], {"image"});
        if (image.empty())
            errors.required(path.index(i).child("image"));
        const size_t first = image.find_first_not_of(" \t\n\r\v\f");
        const size_t last = image.find_last_not_of(" \t\n\r\v\f");
        if (!image.empty() && (first != 0 || last != image.size() - 1))
            errors.invalid(path.index(i).child("image"), image, "must not have leading or trailing whitespace");
    }
    return true;
}

// Existing tolerations stay (only their tolerationSeconds may change); new ones may be added.
void validateOnlyAddedTolerations(const Json &tolerations, const Json &oldTolerations, const FieldPath &path,
                                  FieldErrors &errors)
{
    for (const Json &old : oldTolerations) {
        bool found = false;
        for (const Json &now : tolerations) {
            Json clone = old;
            if (present(now, "tolerationSeconds"))
                clone["tolerationSeconds"] = now["tolerationSeconds"];
            else if (clone.is_object())
                clone.erase("tolerationSeconds");
            if (clone == now) {
                found = true;
                break;
            }
        }
        if (!found) {
            errors.forbidden(path, "existing toleration can not be modified except its tolerationSeconds");
            return;
        }
    }
    validateTolerations(tolerations, path, errors);
}

void validateOnlyDeletedSchedulingGates(const Json &gates, const Json &oldGates, const FieldPath &path,
                                        FieldErrors &errors)
{
    std::set<std::string> old;
    for (const Json &gate : oldGates)
        old.insert(str(gate, {"name"}));
    for (size_t i = 0; i < gates.size(); ++i) {
        const std::string name = str(gates[i], {"name"});
        if (!old.count(name))
            errors.forbidden(path.index(i).child("name"),
                             "only deletion is allowed, but found new scheduling gate '" + name + "'");
    }
}

// Semantic equality as Kubernetes' DeepEqual sees decoded objects: a field set to its zero
// value ("", false, [], {}, null) is the same as a missing one.
Json normalized(const Json &value)
{
    if (value.is_array()) {
        Json out = Json::array();
        for (const Json &item : value)
            out.push_back(normalized(item));
        return out;
    }
    if (!value.is_object())
        return value;
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
        Json item = normalized(it.value());
        const bool zero = item.is_null() || (item.is_string() && item.get_ref<const std::string &>().empty()) ||
                          (item.is_boolean() && !item.get<bool>()) || (item.is_array() && item.empty()) ||
                          (item.is_object() && item.empty());
        if (!zero)
            out[it.key()] = std::move(item);
    }
    return out;
}

} // namespace

void validatePodSpecUpdate(const Json &spec, const Json &oldSpec, const FieldPath &path, FieldErrors &errors)
{
    const Json &containers = arrayAt(spec, "containers");
    const Json &oldContainers = arrayAt(oldSpec, "containers");
    const Json &initContainers = arrayAt(spec, "initContainers");
    const Json &oldInitContainers = arrayAt(oldSpec, "initContainers");
    if (!validateContainerUpdates(containers, oldContainers, path.child("containers"), errors))
        return;
    if (!validateContainerUpdates(initContainers, oldInitContainers, path.child("initContainers"), errors))
        return;

    // activeDeadlineSeconds may be set, or lowered, but not raised or removed.
    const auto deadline = number(spec, "activeDeadlineSeconds");
    const auto oldDeadline = number(oldSpec, "activeDeadlineSeconds");
    if (deadline) {
        if (*deadline < 0 || *deadline > kMaxInt32) {
            errors.invalid(path.child("activeDeadlineSeconds"), *deadline, inclusiveRange(0, kMaxInt32));
            return;
        }
        if (oldDeadline && *oldDeadline < *deadline) {
            errors.invalid(path.child("activeDeadlineSeconds"), *deadline,
                           "must be less than or equal to previous value");
            return;
        }
    } else if (oldDeadline) {
        errors.invalid(path.child("activeDeadlineSeconds"), nullptr,
                       "must not update from a positive integer to nil value");
    }
    validateOnlyAddedTolerations(arrayAt(spec, "tolerations"), arrayAt(oldSpec, "tolerations"),
                                 path.child("tolerations"), errors);
    validateOnlyDeletedSchedulingGates(arrayAt(spec, "schedulingGates"), arrayAt(oldSpec, "schedulingGates"),
                                       path.child("schedulingGates"), errors);

    const Json before = normalized(oldSpec);
    if (normalized(spec) == before)
        return;
    // Everything that may change is taken from the old spec; anything still different is forbidden.
    Json munged = spec.is_object() ? spec : Json::object();
    for (const char *list : {"containers", "initContainers"}) {
        const Json &old = arrayAt(oldSpec, list);
        if (Json *now = find(munged, {list}); now && now->is_array())
            for (size_t i = 0; i < now->size() && i < old.size(); ++i)
                if ((*now)[i].is_object())
                    (*now)[i]["image"] = old[i].is_object() && old[i].contains("image") ? old[i]["image"] : Json();
    }
    for (const char *field : {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
        if (present(oldSpec, field))
            munged[field] = oldSpec[field];
        else
            munged.erase(field);
    }
    if (auto oldGrace = number(oldSpec, "terminationGracePeriodSeconds");
        oldGrace && *oldGrace < 0 && number(munged, "terminationGracePeriodSeconds") == 1)
        munged["terminationGracePeriodSeconds"] = *oldGrace;
    // A pod held by scheduling gates may gain node selector entries (never lose or change them).
    if (!arrayAt(oldSpec, "schedulingGates").empty()) {
        const Json &selector = objectAt(munged, "nodeSelector");
        const Json &oldSelector = objectAt(oldSpec, "nodeSelector");
        if (normalized(selector) != normalized(oldSelector)) {
            for (auto it = oldSelector.begin(); it != oldSelector.end(); ++it) {
                if (!selector.contains(it.key()) || selector[it.key()] != it.value()) {
                    errors.invalid(path.child("nodeSelector"), selector,
                                   "only additions to spec.nodeSelector are allowed (no mutations or deletions)");
                    break;
                }
            }
            if (present(oldSpec, "nodeSelector"))
                munged["nodeSelector"] = oldSpec["nodeSelector"];
            else
                munged.erase("nodeSelector");
        }
    }
    // Kubernetes appends a diff of the two specs to this message; the fields listed say enough.
    if (normalized(munged) != before)
        errors.forbidden(path, kUpdatableFields);
}

} // namespace cd::api
