// ValidatePodSpec, ValidatePodTemplateSpec and ValidatePodCreate of Kubernetes'
// pkg/apis/core/validation: the spec-wide rules, in Kubernetes' order, calling the per-topic
// checks of the other podspec_*.cpp files.

#include "engine/api/objectmeta.h"
#include "engine/api/resources/podspec.h"
#include "engine/api/resources/podspec_internal.h"

#include <set>

namespace cd::api {
namespace {

using namespace podspec;

void validateRestartPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const std::string policy = str(spec, {"restartPolicy"});
    if (policy.empty())
        errors.required(path);
    else if (policy != "Always" && policy != "OnFailure" && policy != "Never")
        errors.notSupported(path, policy, {"Always", "OnFailure", "Never"});
}

void validateDnsPolicy(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    const std::string policy = str(spec, {"dnsPolicy"});
    if (policy.empty())
        errors.required(path);
    else if (policy != "ClusterFirstWithHostNet" && policy != "ClusterFirst" && policy != "Default" && policy != "None")
        errors.notSupported(path, policy, {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
}

// On the host network a container port is the host port: in a Pod they must match, in a
// template an unset host port is fine (the Pod defaults fill it in).
void validateHostNetworkPorts(const Json &spec, const SpecContext &context, const FieldPath &specPath,
                              FieldErrors &errors)
{
    if (!boolean(spec, {"hostNetwork"}))
        return;
    const Json &containers = arrayAt(spec, "containers");
    for (size_t i = 0; i < containers.size(); ++i) {
        const Json &ports = arrayAt(containers[i], "ports");
        for (size_t p = 0; p < ports.size(); ++p) {
            const long long hostPort = number(ports[p], "hostPort").value_or(0);
            const long long containerPort = number(ports[p], "containerPort").value_or(0);
            if ((context.resourceIsPod || hostPort != 0) && hostPort != containerPort)
                errors.invalid(specPath.child("containers").index(i).child("ports").index(p).child("hostPort"),
                               hostPort, "must match `containerPort` when `hostNetwork` is true");
        }
    }
}

void validateImagePullSecrets(const Json &secrets, const FieldPath &path, FieldErrors &errors)
{
    for (size_t i = 0; i < secrets.size(); ++i) {
        if (!secrets[i].is_object())
            continue;
        for (auto it = secrets[i].begin(); it != secrets[i].end(); ++it) {
            if (it.key() != "name") {
                errors.invalid(path.index(i), secrets[i], "only name may be set");
                break;
            }
        }
    }
}

void validateGates(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    const Json &readinessGates = arrayAt(spec, "readinessGates");
    for (size_t i = 0; i < readinessGates.size(); ++i)
        validateQualifiedName(str(readinessGates[i], {"conditionType"}),
                              specPath.child("readinessGates").index(i).child("conditionType"), errors);
    const Json &schedulingGates = arrayAt(spec, "schedulingGates");
    std::set<std::string> seen;
    for (size_t i = 0; i < schedulingGates.size(); ++i) {
        const std::string name = str(schedulingGates[i], {"name"});
        const FieldPath at = specPath.child("schedulingGates").index(i);
        validateQualifiedName(name, at, errors);
        if (!seen.insert(name).second)
            errors.duplicate(at, name);
    }
}

void validateHostUsers(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    if (!(present(spec, "hostUsers") && spec["hostUsers"] == false))
        return;
    // User namespaces do not mix with the host's other namespaces. (Kubernetes' own path names.)
    if (boolean(spec, {"hostNetwork"}))
        errors.forbidden(specPath.child("hostNetwork"), "when `pod.Spec.HostUsers` is false");
    if (boolean(spec, {"hostPID"}))
        errors.forbidden(specPath.child("HostPID"), "when `pod.Spec.HostUsers` is false");
    if (boolean(spec, {"hostIPC"}))
        errors.forbidden(specPath.child("HostIPC"), "when `pod.Spec.HostUsers` is false");
}

void validateNameField(const Json &spec, const char *key, names::Messages (*rule)(std::string_view),
                       const FieldPath &specPath, FieldErrors &errors)
{
    const std::string value = str(spec, {key});
    if (!value.empty())
        errors.invalidEach(specPath.child(key), value, rule(value));
}

void forEachContainerOf(const Json &spec, const FieldPath &specPath,
                        const std::function<void(const Json &, const FieldPath &)> &visit)
{
    for (const char *list : {"initContainers", "containers", "ephemeralContainers"}) {
        const Json &containers = arrayAt(spec, list);
        for (size_t i = 0; i < containers.size(); ++i)
            visit(containers[i], specPath.child(list).index(i));
    }
}

void validateOs(const Json &spec, const FieldPath &specPath, FieldErrors &errors)
{
    if (!present(spec, "os"))
        return;
    const FieldPath path = specPath.child("os");
    const std::string name = str(spec["os"], {"name"});
    if (name.empty()) {
        errors.required(path.child("name"), "cannot be empty");
        return;
    }
    if (name != "linux" && name != "windows") {
        errors.notSupported(path, name, {"linux", "windows"});
        return;
    }
    if (name == "linux") {
        if (present(objectAt(spec, "securityContext"), "windowsOptions"))
            errors.forbidden(specPath.child("securityContext").child("windowsOptions"),
                             "windows options cannot be set for a linux pod");
        forEachContainerOf(spec, specPath, [&](const Json &c, const FieldPath &at) {
            if (present(objectAt(c, "securityContext"), "windowsOptions"))
                errors.forbidden(at.child("securityContext").child("windowsOptions"),
                                 "windows options cannot be set for a linux pod");
        });
        return;
    }
    const Json &context = objectAt(spec, "securityContext");
    for (const char *field : {"appArmorProfile", "seLinuxOptions", "seccompProfile", "fsGroup", "fsGroupChangePolicy",
                              "sysctls", "runAsUser", "runAsGroup", "supplementalGroups", "supplementalGroupsPolicy"})
        if (present(context, field) && !(context[field].is_array() && context[field].empty()))
            errors.forbidden(specPath.child("securityContext").child(field), "cannot be set for a windows pod");
    for (const char *field : {"hostUsers", "shareProcessNamespace"})
        if (present(spec, field))
            errors.forbidden(specPath.child(field), "cannot be set for a windows pod");
    for (const char *field : {"hostPID", "hostIPC"})
        if (boolean(spec, {field}))
            errors.forbidden(specPath.child(field), "cannot be set for a windows pod");
    forEachContainerOf(spec, specPath, [&](const Json &c, const FieldPath &at) {
        const Json &sc = objectAt(c, "securityContext");
        for (const char *field :
             {"appArmorProfile", "seLinuxOptions", "seccompProfile", "capabilities", "readOnlyRootFilesystem",
              "privileged", "allowPrivilegeEscalation", "procMount", "runAsUser", "runAsGroup"})
            if (present(sc, field))
                errors.forbidden(at.child("securityContext").child(field), "cannot be set for a windows pod");
    });
}

void validateTemplateAnnotations(const Json &annotations, const FieldPath &path, FieldErrors &errors)
{
    if (!annotations.is_object())
        return;
    size_t total = 0;
    for (auto it = annotations.begin(); it != annotations.end(); ++it) {
        std::string lower = it.key();
        for (char &c : lower)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        errors.invalidEach(path, it.key(), names::qualifiedName(lower));
        total += it.key().size() + text(it.value()).size();
    }
    if (total > 256 * 1024)
        errors.tooLong(path, 256 * 1024);
}

// ValidatePodSpecificAnnotations: the annotations that mean something to pods.
void validatePodAnnotations(const Json &annotations, const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    if (!annotations.is_object())
        return;
    if (annotations.contains("kubernetes.io/config.mirror") && str(spec, {"nodeName"}).empty())
        errors.invalid(path.key("kubernetes.io/config.mirror"), annotations["kubernetes.io/config.mirror"],
                       "must set spec.nodeName if mirror pod annotation is set");
    const char *kDeletionCost = "controller.kubernetes.io/pod-deletion-cost";
    if (annotations.contains(kDeletionCost)) {
        // A 32-bit integer without a '+' sign or leading zeros.
        const std::string value = text(annotations[kDeletionCost]);
        bool valid = !value.empty() && (value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9'));
        if (valid) {
            try {
                size_t used = 0;
                const long long parsed = std::stoll(value, &used);
                valid = used == value.size() && parsed >= -2147483648LL && parsed <= kMaxInt32;
            } catch (...) {
                valid = false;
            }
        }
        if (!valid)
            errors.invalid(path.key(kDeletionCost), value, "must be a 32bit integer");
    }
}

} // namespace

void podspec::validatePodSpecIn(const Json &spec, const SpecContext &context, const FieldPath &path,
                                FieldErrors &errors)
{
    if (!present(spec, "terminationGracePeriodSeconds"))
        errors.required(path.child("terminationGracePeriodSeconds"));
    const VolumeKinds volumes = validateVolumes(arrayAt(spec, "volumes"), context, path.child("volumes"), errors);
    validateContainers(spec, volumes, context, path, errors);
    validateInitContainers(spec, volumes, context, path, errors);
    validateHostNetworkPorts(spec, context, path, errors);
    validateRestartPolicy(spec, path.child("restartPolicy"), errors);
    validateDnsPolicy(spec, path.child("dnsPolicy"), errors);
    if (const Json *nodeSelector = find(spec, {"nodeSelector"}))
        validateLabels(*nodeSelector, path.child("nodeSelector"), errors);
    validatePodSecurityContext(spec, path, errors);
    validateImagePullSecrets(arrayAt(spec, "imagePullSecrets"), path.child("imagePullSecrets"), errors);
    if (present(spec, "affinity"))
        validateAffinity(spec["affinity"], path.child("affinity"), errors);
    validateDnsConfig(spec, path, errors);
    validateGates(spec, path, errors);
    validateTopologySpreadConstraints(arrayAt(spec, "topologySpreadConstraints"),
                                      path.child("topologySpreadConstraints"), errors);
    validateHostUsers(spec, path, errors);
    validateNameField(spec, "serviceAccountName", names::dns1123Subdomain, path, errors);
    validateNameField(spec, "nodeName", names::dns1123Subdomain, path, errors);
    if (auto deadline = number(spec, "activeDeadlineSeconds"); deadline && (*deadline < 1 || *deadline > kMaxInt32))
        errors.invalid(path.child("activeDeadlineSeconds"), *deadline, inclusiveRange(1, kMaxInt32));
    validateNameField(spec, "hostname", names::dns1123Label, path, errors);
    validateNameField(spec, "subdomain", names::dns1123Label, path, errors);
    validateTolerations(arrayAt(spec, "tolerations"), path.child("tolerations"), errors);
    validateHostAliases(arrayAt(spec, "hostAliases"), path.child("hostAliases"), errors);
    validateNameField(spec, "priorityClassName", names::dns1123Subdomain, path, errors);
    if (present(spec, "runtimeClassName")) {
        const std::string runtimeClass = str(spec, {"runtimeClassName"});
        errors.invalidEach(path.child("runtimeClassName"), runtimeClass, names::dns1123Subdomain(runtimeClass));
    }
    if (present(spec, "preemptionPolicy")) {
        const std::string policy = str(spec, {"preemptionPolicy"});
        if (policy.empty())
            errors.required(path.child("preemptionPolicy"));
        else if (policy != "PreemptLowerPriority" && policy != "Never")
            errors.notSupported(path.child("preemptionPolicy"), policy, {"PreemptLowerPriority", "Never"});
    }
    if (present(spec, "overhead"))
        validateResourceRequirements(Json{{"limits", spec["overhead"]}}, path.child("overhead"), errors);
    validateOs(spec, path, errors);
}

void validatePodSpec(const Json &spec, const FieldPath &path, FieldErrors &errors)
{
    podspec::validatePodSpecIn(spec, SpecContext{}, path, errors);
}

void validatePodTemplate(const Json &podTemplate, const FieldPath &path, FieldErrors &errors)
{
    const Json &meta = objectAt(podTemplate, "metadata");
    const Json &spec = objectAt(podTemplate, "spec");
    // Kubernetes names these paths without "metadata" (ValidatePodTemplateSpec).
    if (const Json *labels = find(meta, {"labels"}))
        validateLabels(*labels, path.child("labels"), errors);
    validateTemplateAnnotations(objectAt(meta, "annotations"), path.child("annotations"), errors);
    validatePodAnnotations(objectAt(meta, "annotations"), spec, path.child("annotations"), errors);
    validatePodSpec(spec, path.child("spec"), errors);
    if (!arrayAt(spec, "ephemeralContainers").empty())
        errors.forbidden(path.child("spec").child("ephemeralContainers"),
                         "ephemeral containers not allowed in pod template");
}

void validateReplicaSetTemplateRules(const Json &podTemplate, const FieldPath &path, FieldErrors &errors)
{
    const Json &spec = objectAt(podTemplate, "spec");
    const std::string restartPolicy = str(spec, {"restartPolicy"});
    if (restartPolicy != "Always")
        errors.notSupported(path.child("spec").child("restartPolicy"), restartPolicy, {"Always"});
    if (present(spec, "activeDeadlineSeconds"))
        errors.forbidden(path.child("spec").child("activeDeadlineSeconds"),
                         "activeDeadlineSeconds in ReplicaSet is not Supported");
}

void validatePod(const Json &pod, FieldErrors &errors)
{
    const FieldPath specPath("spec");
    const Json &spec = objectAt(pod, "spec");
    validatePodAnnotations(objectAt(objectAt(pod, "metadata"), "annotations"), spec,
                           FieldPath("metadata").child("annotations"), errors);
    SpecContext context;
    context.resourceIsPod = true;
    context.podName = str(pod, {"metadata", "name"});
    podspec::validatePodSpecIn(spec, context, specPath, errors);
    // Rules for Pods only, kept out of templates for compatibility with old controllers.
    if (str(spec, {"serviceAccountName"}).empty()) {
        const Json &volumes = arrayAt(spec, "volumes");
        for (size_t v = 0; v < volumes.size(); ++v) {
            const Json &sources = arrayAt(objectAt(volumes[v], "projected"), "sources");
            for (size_t s = 0; s < sources.size(); ++s)
                if (present(sources[s], "serviceAccountToken"))
                    errors.forbidden(specPath.child("volumes")
                                         .index(v)
                                         .child("projected")
                                         .child("sources")
                                         .index(s)
                                         .child("serviceAccountToken"),
                                     "must not be specified when serviceAccountName is not set");
        }
    }
    for (const char *list : {"containers", "initContainers"}) {
        const Json &containers = arrayAt(spec, list);
        for (size_t i = 0; i < containers.size(); ++i) {
            const std::string image = str(containers[i], {"image"});
            const size_t first = image.find_first_not_of(" \t\n\r\v\f");
            const size_t last = image.find_last_not_of(" \t\n\r\v\f");
            if (!image.empty() && (first != 0 || last != image.size() - 1))
                errors.invalid(specPath.child(list).index(i).child("image"), image,
                               "must not have leading or trailing whitespace");
        }
    }
    // ValidatePodCreate: ephemeral containers come only through their subresource, and a pod
    // waiting on scheduling gates cannot name its node yet.
    if (!arrayAt(spec, "ephemeralContainers").empty())
        errors.forbidden(specPath.child("ephemeralContainers"), "cannot be set on create");
    if (!str(spec, {"nodeName"}).empty() && !arrayAt(spec, "schedulingGates").empty())
        errors.forbidden(specPath.child("nodeName"), "cannot be set until all schedulingGates have been cleared");
}

} // namespace cd::api
