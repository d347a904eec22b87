// core/v1 Event, with Kubernetes v1.32's rules for events written through the v1 API: the
// legacy checks only (pkg/apis/core/validation/events.go legacyValidateEvent) — the strict
// events.k8s.io/v1 rules (type Normal/Warning, eventTime required) do not apply to core/v1 —
// and the field selectors `kubectl describe` and `kubectl events` use.

#include "engine/api/resources/corekinds.h"
#include "engine/api/resources/resources.h"
#include "engine/api/table.h"
#include "engine/core/clock.h"
#include "engine/core/names.h"

namespace cd::api {
namespace {

using namespace corekinds;

constexpr size_t kReportingInstanceLimit = 128;
constexpr size_t kActionLimit = 128;
constexpr size_t kReasonLimit = 128;
constexpr size_t kNoteLimit = 1024;

// Event names are only path segments in Kubernetes (ValidatePathSegmentName), not subdomains.
names::Messages eventName(std::string_view name)
{
    if (name == "." || name == "..")
        return {"may not be '" + std::string(name) + "'"};
    names::Messages out;
    for (const char *illegal : {"/", "%"})
        if (name.find(illegal) != std::string_view::npos)
            out.push_back("may not contain '" + std::string(illegal) + "'");
    return out;
}

void validateEvent(const Json &event, FieldErrors &errors)
{
    const std::string ns = str(event, {"metadata", "namespace"});
    const std::string involvedNamespace = str(event, {"involvedObject", "namespace"});
    const FieldPath involvedNamespacePath = FieldPath("involvedObject").child("namespace");
    const char *mismatch = "does not match event.namespace";
    const Json *eventTime = find(event, {"eventTime"});
    if (!eventTime || eventTime->is_null()) {
        // Old-style events: the event lives in its object's namespace ("default" for
        // cluster-scoped objects, for old clients).
        if (involvedNamespace.empty()) {
            if (!ns.empty() && ns != "default")
                errors.invalid(involvedNamespacePath, involvedNamespace, mismatch);
        } else if (ns != involvedNamespace) {
            errors.invalid(involvedNamespacePath, involvedNamespace, mismatch);
        }
    } else {
        if (involvedNamespace.empty() && ns != "default" && ns != "kube-system")
            errors.invalid(involvedNamespacePath, involvedNamespace, mismatch);
        const std::string controller = str(event, {"reportingComponent"});
        if (controller.empty())
            errors.required(FieldPath("reportingController"));
        errors.invalidEach(FieldPath("reportingController"), controller, names::qualifiedName(controller));
        const std::string instance = str(event, {"reportingInstance"});
        if (instance.empty())
            errors.required(FieldPath("reportingInstance"));
        if (instance.size() > kReportingInstanceLimit)
            errors.invalid(FieldPath("reportingInstance"), "",
                           "can have at most " + std::to_string(kReportingInstanceLimit) + " characters");
        const std::string action = str(event, {"action"});
        if (action.empty())
            errors.required(FieldPath("action"));
        if (action.size() > kActionLimit)
            errors.invalid(FieldPath("action"), "", "can have at most " + std::to_string(kActionLimit) + " characters");
        const std::string reason = str(event, {"reason"});
        if (reason.empty())
            errors.required(FieldPath("reason"));
        if (reason.size() > kReasonLimit)
            errors.invalid(FieldPath("reason"), "", "can have at most " + std::to_string(kReasonLimit) + " characters");
        if (str(event, {"message"}).size() > kNoteLimit)
            errors.invalid(FieldPath("message"), "", "can have at most " + std::to_string(kNoteLimit) + " characters");
    }
    errors.invalidEach(FieldPath("namespace"), ns, names::dns1123Subdomain(ns));
}

} // namespace

void registerEvents(Registry &registry)
{
    {
        ResourceType t;
        t.kind = "Event";
        t.plural = "events";
        t.singular = "event";
        t.shortNames = {"ev"};
        t.generation = false;
        t.nameRule = eventName;
        t.validate = validateEvent;
        t.cellsOnRead = true;  // four or more per pod: their table cells are not kept
        // Empty values select events whose field is empty, as Kubernetes' field sets do.
        auto field = [&t](const char *name, std::initializer_list<std::string_view> path) {
            std::vector<std::string> keys(path.begin(), path.end());
            t.selectableFields[name] = [keys](const Json &o) {
                const Json *node = &o;
                for (const std::string &k : keys) {
                    if (!node->is_object() || !node->contains(k))
                        return std::string();
                    node = &(*node)[k];
                }
                return node->is_string() ? node->get<std::string>() : std::string();
            };
        };
        field("involvedObject.kind", {"involvedObject", "kind"});
        field("involvedObject.namespace", {"involvedObject", "namespace"});
        field("involvedObject.name", {"involvedObject", "name"});
        field("involvedObject.uid", {"involvedObject", "uid"});
        field("involvedObject.apiVersion", {"involvedObject", "apiVersion"});
        field("involvedObject.resourceVersion", {"involvedObject", "resourceVersion"});
        field("involvedObject.fieldPath", {"involvedObject", "fieldPath"});
        field("reason", {"reason"});
        field("reportingComponent", {"reportingComponent"});
        field("type", {"type"});
        // "source" is the source component, or the reporting controller of newer events.
        t.selectableFields["source"] = [](const Json &o) {
            const std::string component = str(o, {"source", "component"});
            return component.empty() ? str(o, {"reportingComponent"}) : component;
        };
        registry.add(std::move(t));
    }
}

} // namespace cd::api
