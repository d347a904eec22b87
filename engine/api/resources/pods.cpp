#include "engine/api/resources/podspec.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"

namespace cd::api {

void registerPods(Registry &registry)
{
    ResourceType t;
    t.kind = "Pod";
    t.plural = "pods";
    t.singular = "pod";
    t.shortNames = {"po"};
    t.categories = {"all"};
    t.statusSubresource = true;
    t.otherSubresources = {"binding", "eviction", "log", "exec", "attach", "portforward"};
    t.generation = false;
    // The status starts over at creation; the QoS class is fixed then, from the spec as the
    // defaults will make it (requests taken from limits count).
    t.prepareForCreate = [](Json &object) {
        Json defaulted = object;
        defaultPod(defaulted);
        Json status = {{"phase", "Pending"}, {"qosClass", podQosClass(defaulted["spec"])}};
        if (const Json *gates = find(object, {"spec", "schedulingGates"});
            gates && gates->is_array() && !gates->empty()) {
            status["conditions"] = Json::array({{{"type", "PodScheduled"},
                                                 {"status", "False"},
                                                 {"reason", "SchedulingGated"},
                                                 {"message", "Scheduling is blocked due to non-empty scheduling gates"},
                                                 {"lastProbeTime", nullptr},
                                                 {"lastTransitionTime", nullptr}}});
        }
        object["status"] = std::move(status);
    };
    t.defaults = defaultPod;
    t.validate = validatePod;
    // Binding (pods/binding) sets spec.nodeName without passing here; a plain update may not.
    t.validateUpdate = [](const Json &pod, const Json &old, FieldErrors &errors) {
        static const Json kNoSpec = Json::object();
        const Json *spec = find(pod, {"spec"});
        const Json *oldSpec = find(old, {"spec"});
        validatePodSpecUpdate(spec ? *spec : kNoSpec, oldSpec ? *oldSpec : kNoSpec, FieldPath("spec"), errors);
    };
    // Pods on a node end gracefully: the node agent stops the containers, then deletes the pod
    // with a zero grace period. Pods never scheduled, or already finished, go at once.
    t.gracePeriod = [](const Json &pod, std::optional<long long> requested) -> long long {
        const std::string phase = str(pod, {"status", "phase"});
        if (str(pod, {"spec", "nodeName"}).empty() || phase == "Succeeded" || phase == "Failed")
            return 0;
        long long grace = requested ? *requested : integer(pod, {"spec", "terminationGracePeriodSeconds"}, 30);
        return grace < 0 ? 0 : grace;
    };
    t.selectableFields["spec.nodeName"] = [](const Json &o) { return str(o, {"spec", "nodeName"}); };
    t.selectableFields["spec.restartPolicy"] = [](const Json &o) { return str(o, {"spec", "restartPolicy"}); };
    t.selectableFields["spec.schedulerName"] = [](const Json &o) { return str(o, {"spec", "schedulerName"}); };
    t.selectableFields["spec.serviceAccountName"] = [](const Json &o) {
        return str(o, {"spec", "serviceAccountName"});
    };
    t.selectableFields["spec.hostNetwork"] = [](const Json &o) {
        return boolean(o, {"spec", "hostNetwork"}) ? std::string("true") : std::string("false");
    };
    t.selectableFields["status.phase"] = [](const Json &o) { return str(o, {"status", "phase"}); };
    t.selectableFields["status.podIP"] = [](const Json &o) { return str(o, {"status", "podIP"}); };
    t.selectableFields["status.nominatedNodeName"] = [](const Json &o) {
        return str(o, {"status", "nominatedNodeName"});
    };
    registry.add(std::move(t));
}

} // namespace cd::api
