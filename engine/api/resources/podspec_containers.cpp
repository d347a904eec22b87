// Container validation (validateContainers, validateInitContainers and validateContainerCommon
// in Kubernetes' pkg/apis/core/validation): names, images, ports, mounts, pull policy, resources.

#include "engine/api/resources/podspec_internal.h"

#include <set>

namespace cd::api::podspec {
namespace {

bool startsWith(const std::string &s, std::string_view prefix)
{
    return s.rfind(prefix, 0) == 0;
}

bool isHugePages(const std::string &name)
{
    return startsWith(name, "hugepages-");
}
bool isNativeResource(const std::string &name)
{
    return name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
}
bool isExtendedResource(const std::string &name)
{
    if (isNativeResource(name) || startsWith(name, "requests."))
        return false;
    return names::qualifiedName("requests." + name).empty();
}
bool isOvercommitAllowed(const std::string &name)
{
    return isNativeResource(name) && !isHugePages(name);
}

bool isStandardResourceName(const std::string &name)
{
    static const std::set<std::string> kStandard = {"cpu",
                                                    "memory",
                                                    "ephemeral-storage",
                                                    "requests.cpu",
                                                    "requests.memory",
                                                    "requests.ephemeral-storage",
                                                    "limits.cpu",
                                                    "limits.memory",
                                                    "limits.ephemeral-storage",
                                                    "pods",
                                                    "resourcequotas",
                                                    "services",
                                                    "replicationcontrollers",
                                                    "secrets",
                                                    "configmaps",
                                                    "persistentvolumeclaims",
                                                    "storage",
                                                    "requests.storage",
                                                    "services.nodeports",
                                                    "services.loadbalancers"};
    return kStandard.count(name) || isHugePages(name) || startsWith(name, "requests.hugepages-");
}

void validateContainerResourceName(const std::string &name, const FieldPath &path, FieldErrors &errors)
{
    const auto messages = names::qualifiedName(name);
    errors.invalidEach(path, name, messages);
    const bool qualified = name.find('/') != std::string::npos;
    if (messages.empty() && !qualified && !isStandardResourceName(name))
        errors.invalid(path, name, "must be a standard resource type or fully qualified");
    if (!qualified) {
        if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && !isHugePages(name))
            errors.invalid(path, name, "must be a standard resource for containers");
    } else if (!isNativeResource(name) && !isExtendedResource(name)) {
        errors.invalid(path, name, "doesn't follow extended resource name standard");
    }
}

// The page size of "hugepages-2Mi", and whether the quantity is a whole number of pages.
bool hugePagesDivisible(const std::string &name, const Quantity &quantity)
{
    auto pageSize = Quantity::parse(name.substr(std::string_view("hugepages-").size()));
    if (!pageSize.ok() || pageSize->value() <= 0 || pageSize->milliValue() % 1000 != 0)
        return false;
    return quantity.value() % pageSize->value() == 0;
}

void validateContainerPorts(const Json &ports, const FieldPath &path, FieldErrors &errors)
{
    std::set<std::string> portNames;
    for (size_t i = 0; i < ports.size(); ++i) {
        const Json &port = ports[i];
        const FieldPath at = path.index(i);
        const std::string name = str(port, {"name"});
        if (!name.empty()) {
            const auto messages = names::ianaServiceName(name);
            if (!messages.empty())
                errors.invalidEach(at.child("name"), name, messages);
            else if (!portNames.insert(name).second)
                errors.duplicate(at.child("name"), name);
        }
        const long long containerPort = number(port, "containerPort").value_or(0);
        if (containerPort == 0)
            errors.required(at.child("containerPort"));
        else
            errors.invalidEach(at.child("containerPort"), containerPort, names::portNumber(containerPort));
        if (const long long hostPort = number(port, "hostPort").value_or(0); hostPort != 0)
            errors.invalidEach(at.child("hostPort"), hostPort, names::portNumber(hostPort));
        const std::string protocol = str(port, {"protocol"});
        if (protocol.empty())
            errors.required(at.child("protocol"));
        else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP")
            errors.notSupported(at.child("protocol"), protocol, {"SCTP", "TCP", "UDP"});
    }
}

void validateVolumeMounts(const Json &container, const VolumeKinds &volumes, const FieldPath &path, FieldErrors &errors)
{
    std::map<std::string, std::string> devices; // name -> devicePath
    for (const Json &device : arrayAt(container, "volumeDevices"))
        devices[str(device, {"name"})] = str(device, {"devicePath"});
    const bool privileged = boolean(objectAt(container, "securityContext"), {"privileged"});
    std::set<std::string> mountPoints;
    const Json &mounts = arrayAt(container, "volumeMounts");
    for (size_t i = 0; i < mounts.size(); ++i) {
        const Json &mount = mounts[i];
        const FieldPath at = path.index(i);
        const std::string name = str(mount, {"name"});
        const std::string mountPath = str(mount, {"mountPath"});
        if (name.empty())
            errors.required(at.child("name"));
        if (!volumes.count(name))
            errors.notFound(at.child("name"), name);
        if (mountPath.empty())
            errors.required(at.child("mountPath"));
        if (!mountPoints.insert(mountPath).second)
            errors.invalid(at.child("mountPath"), mountPath, "must be unique");
        if (devices.count(name))
            errors.invalid(at.child("name"), name, "must not already exist in volumeDevices");
        for (const auto &[deviceName, devicePath] : devices) {
            if (devicePath == mountPath) {
                errors.invalid(at.child("mountPath"), mountPath, "must not already exist as a path in volumeDevices");
                break;
            }
        }
        const std::string subPath = str(mount, {"subPath"});
        const std::string subPathExpr = str(mount, {"subPathExpr"});
        if (auto volume = volumes.find(name); volume != volumes.end() && volume->second == "image") {
            if (!subPath.empty())
                errors.invalid(at.child("subPath"), subPath, "not allowed in image volume sources");
            if (!subPathExpr.empty())
                errors.invalid(at.child("subPathExpr"), subPathExpr, "not allowed in image volume sources");
        }
        // Kubernetes names these two paths without the mount's index.
        if (!subPath.empty())
            validateLocalDescendingPath(subPath, path.child("subPath"), errors);
        if (!subPathExpr.empty()) {
            if (!subPath.empty())
                errors.invalid(at.child("subPathExpr"), subPathExpr, "subPathExpr and subPath are mutually exclusive");
            validateLocalDescendingPath(subPathExpr, path.child("subPathExpr"), errors);
        }
        const std::string propagation = str(mount, {"mountPropagation"});
        if (present(mount, "mountPropagation")) {
            if (propagation != "Bidirectional" && propagation != "HostToContainer" && propagation != "None")
                errors.notSupported(path.child("mountPropagation"), propagation,
                                    {"Bidirectional", "HostToContainer", "None"});
            if (propagation == "Bidirectional" && !privileged)
                errors.forbidden(path.child("mountPropagation"),
                                 "Bidirectional mount propagation is available only to privileged containers");
        }
        if (present(mount, "recursiveReadOnly")) {
            const std::string rro = str(mount, {"recursiveReadOnly"});
            if (rro == "Enabled" || rro == "IfPossible") {
                if (!boolean(mount, {"readOnly"}))
                    errors.forbidden(path.child("recursiveReadOnly"), "may only be specified when readOnly is true");
                if (!propagation.empty() && propagation != "None")
                    errors.forbidden(path.child("recursiveReadOnly"),
                                     "may only be specified when mountPropagation is None or not specified");
            } else if (rro != "Disabled") {
                errors.notSupported(path.child("recursiveReadOnly"), rro, {"Disabled", "Enabled", "IfPossible"});
            }
        }
    }
}

void validateVolumeDevices(const Json &container, const VolumeKinds &volumes, const FieldPath &path,
                           FieldErrors &errors)
{
    std::map<std::string, std::string> mounts; // name -> mountPath
    for (const Json &mount : arrayAt(container, "volumeMounts"))
        mounts[str(mount, {"name"})] = str(mount, {"mountPath"});
    std::set<std::string> devicePaths;
    std::set<std::string> deviceNames;
    const Json &devices = arrayAt(container, "volumeDevices");
    for (size_t i = 0; i < devices.size(); ++i) {
        const FieldPath at = path.index(i);
        const std::string name = str(devices[i], {"name"});
        const std::string devicePath = str(devices[i], {"devicePath"});
        auto volume = volumes.find(name);
        if (name.empty())
            errors.required(at.child("name"));
        if (deviceNames.count(name))
            errors.invalid(at.child("name"), name, "must be unique");
        if (volume != volumes.end() && volume->second != "persistentVolumeClaim" && volume->second != "ephemeral")
            errors.invalid(at.child("name"), name,
                           "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode");
        if (volume == volumes.end())
            errors.notFound(at.child("name"), name);
        if (devicePath.empty())
            errors.required(at.child("devicePath"));
        if (devicePaths.count(devicePath))
            errors.invalid(at.child("devicePath"), devicePath, "must be unique");
        FieldErrors backsteps;
        validatePathNoBacksteps(devicePath, at.child("devicePath"), backsteps);
        if (!devicePath.empty() && !backsteps.empty())
            errors.invalid(at.child("devicePath"), devicePath, "can not contain backsteps ('..')");
        else
            devicePaths.insert(devicePath);
        if (mounts.count(name))
            errors.invalid(at.child("name"), name, "must not already exist in volumeMounts");
        for (const auto &[mountName, mountPath] : mounts) {
            if (mountPath == devicePath) {
                errors.invalid(at.child("devicePath"), devicePath, "must not already exist as a path in volumeMounts");
                break;
            }
        }
        if (!name.empty())
            deviceNames.insert(name);
    }
}

void validatePullPolicy(const Json &container, const FieldPath &path, FieldErrors &errors)
{
    const std::string policy = str(container, {"imagePullPolicy"});
    if (policy.empty())
        errors.required(path);
    else if (policy != "Always" && policy != "IfNotPresent" && policy != "Never")
        errors.notSupported(path, policy, {"Always", "IfNotPresent", "Never"});
}

void validateResizePolicy(const Json &policies, const std::string &podRestartPolicy, const FieldPath &path,
                          FieldErrors &errors)
{
    std::set<std::string> seen;
    for (size_t i = 0; i < policies.size(); ++i) {
        const std::string resource = str(policies[i], {"resourceName"});
        const std::string policy = str(policies[i], {"restartPolicy"});
        if (!seen.insert(resource).second)
            errors.duplicate(path.index(i), resource);
        if (resource.empty())
            errors.required(path);
        else if (resource != "cpu" && resource != "memory")
            errors.notSupported(path, resource, {"cpu", "memory"});
        if (policy.empty())
            errors.required(path);
        else if (policy != "NotRequired" && policy != "RestartContainer")
            errors.notSupported(path, policy, {"NotRequired", "RestartContainer"});
        if (podRestartPolicy == "Never" && policy != "NotRequired")
            errors.invalid(path, policy, "must be 'NotRequired' when `restartPolicy` is 'Never'");
    }
}

void validateContainerCommon(const Json &container, const VolumeKinds &volumes, const Json &spec, const FieldPath &path,
                             FieldErrors &errors)
{
    const std::string name = str(container, {"name"});
    if (name.empty())
        errors.required(path.child("name"));
    else
        errors.invalidEach(path.child("name"), name, names::dns1123Label(name));
    if (str(container, {"image"}).empty())
        errors.required(path.child("image"));
    const std::string messagePolicy = str(container, {"terminationMessagePolicy"});
    if (messagePolicy.empty())
        errors.required(path.child("terminationMessagePolicy"));
    else if (messagePolicy != "File" && messagePolicy != "FallbackToLogsOnError")
        errors.notSupported(path.child("terminationMessagePolicy"), messagePolicy, {"File", "FallbackToLogsOnError"});
    validateContainerPorts(arrayAt(container, "ports"), path.child("ports"), errors);
    validateEnv(arrayAt(container, "env"), path.child("env"), errors);
    validateEnvFrom(arrayAt(container, "envFrom"), path.child("envFrom"), errors);
    validateVolumeMounts(container, volumes, path.child("volumeMounts"), errors);
    validateVolumeDevices(container, volumes, path.child("volumeDevices"), errors);
    validatePullPolicy(container, path.child("imagePullPolicy"), errors);
    validateResourceRequirements(objectAt(container, "resources"), path.child("resources"), errors);
    validateResizePolicy(arrayAt(container, "resizePolicy"), str(spec, {"restartPolicy"}), path.child("resizePolicy"),
                         errors);
    const bool hostUsers = !(present(spec, "hostUsers") && spec["hostUsers"] == false);
    if (present(container, "securityContext"))
        validateContainerSecurityContext(container["securityContext"], hostUsers, path.child("securityContext"),
                                         errors);
}

// Host ports may be used once per protocol and host IP across the given containers.
void checkHostPortConflicts(const std::vector<const Json *> &containers, const FieldPath &path, FieldErrors &errors)
{
    std::set<std::string> used;
    for (size_t c = 0; c < containers.size(); ++c) {
        const Json &ports = arrayAt(*containers[c], "ports");
        for (size_t p = 0; p < ports.size(); ++p) {
            const long long hostPort = number(ports[p], "hostPort").value_or(0);
            if (hostPort == 0)
                continue;
            const std::string key =
                str(ports[p], {"protocol"}) + "/" + str(ports[p], {"hostIP"}) + "/" + std::to_string(hostPort);
            if (!used.insert(key).second)
                errors.duplicate(path.index(c).child("ports").index(p).child("hostPort"), key);
        }
    }
}

} // namespace

void validateResourceRequirements(const Json &resources, const FieldPath &path, FieldErrors &errors)
{
    const Json &limits = objectAt(resources, "limits");
    const Json &requests = objectAt(resources, "requests");
    const FieldPath limitsPath = path.child("limits");
    const FieldPath requestsPath = path.child("requests");
    bool cpuOrMemory = false;
    bool hugePages = false;
    auto validateQuantity = [&](const std::string &name, const Json &value,
                                const FieldPath &at) -> std::optional<Quantity> {
        validateContainerResourceName(name, at, errors);
        auto q = quantityOf(value);
        if (!q) {
            errors.invalid(at, value, Quantity::syntaxMessage());
            return std::nullopt;
        }
        if (q->isNegative())
            errors.invalid(at, q->toString(), kNegativeMessage);
        const bool integerResource = isExtendedResource(name);
        if (integerResource && q->milliValue() % 1000 != 0)
            errors.invalid(at, q->toString(), "must be an integer");
        if (isHugePages(name)) {
            hugePages = true;
            if (!hugePagesDivisible(name, *q))
                errors.invalid(at, q->toString(), q->toString() + " is not positive integer multiple of " + name);
        }
        if (name == "cpu" || name == "memory")
            cpuOrMemory = true;
        return q;
    };
    for (auto it = limits.begin(); it != limits.end(); ++it)
        validateQuantity(it.key(), it.value(), limitsPath.key(it.key()));
    for (auto it = requests.begin(); it != requests.end(); ++it) {
        auto request = validateQuantity(it.key(), it.value(), requestsPath.key(it.key()));
        if (!request)
            continue;
        if (limits.contains(it.key())) {
            auto limit = quantityOf(limits[it.key()]);
            if (!limit)
                continue;
            if (!(*request == *limit) && !isOvercommitAllowed(it.key()))
                errors.invalid(requestsPath, request->toString(),
                               "must be equal to " + it.key() + " limit of " + limit->toString());
            else if (*request > *limit)
                errors.invalid(requestsPath, request->toString(),
                               "must be less than or equal to " + it.key() + " limit of " + limit->toString());
        } else if (!isOvercommitAllowed(it.key())) {
            errors.required(limitsPath, "Limit must be set for non overcommitable resources");
        }
    }
    if (!cpuOrMemory && hugePages)
        errors.forbidden(path, "HugePages require cpu or memory");
}

void validateContainers(const Json &spec, const VolumeKinds &volumes, const SpecContext &, const FieldPath &specPath,
                        FieldErrors &errors)
{
    const Json &containers = arrayAt(spec, "containers");
    const FieldPath path = specPath.child("containers");
    if (containers.empty()) {
        errors.required(path);
        return;
    }
    const std::optional<long long> grace = number(spec, "terminationGracePeriodSeconds");
    std::set<std::string> seen;
    std::vector<const Json *> all;
    for (size_t i = 0; i < containers.size(); ++i) {
        const Json &container = containers[i];
        const FieldPath at = path.index(i);
        all.push_back(&container);
        validateContainerCommon(container, volumes, spec, at, errors);
        // Clashes with init containers are reported there, once.
        if (!seen.insert(str(container, {"name"})).second)
            errors.duplicate(at.child("name"), str(container, {"name"}));
        if (present(container, "lifecycle"))
            validateLifecycle(container["lifecycle"], grace, at.child("lifecycle"), errors);
        validateLivenessProbe(container, grace, at.child("livenessProbe"), errors);
        validateReadinessProbe(container, grace, at.child("readinessProbe"), errors);
        validateStartupProbe(container, grace, at.child("startupProbe"), errors);
        if (present(container, "restartPolicy"))
            errors.forbidden(at.child("restartPolicy"), "may not be set for non-init containers");
    }
    checkHostPortConflicts(all, path, errors);
}

void validateInitContainers(const Json &spec, const VolumeKinds &volumes, const SpecContext &,
                            const FieldPath &specPath, FieldErrors &errors)
{
    const FieldPath path = specPath.child("initContainers");
    const std::optional<long long> grace = number(spec, "terminationGracePeriodSeconds");
    std::set<std::string> seen;
    for (const Json &c : arrayAt(spec, "containers"))
        seen.insert(str(c, {"name"}));
    const Json &containers = arrayAt(spec, "initContainers");
    for (size_t i = 0; i < containers.size(); ++i) {
        const Json &container = containers[i];
        const FieldPath at = path.index(i);
        validateContainerCommon(container, volumes, spec, at, errors);
        bool sidecar = false;
        if (present(container, "restartPolicy")) {
            const std::string policy = str(container, {"restartPolicy"});
            if (policy != "Always")
                errors.notSupported(at.child("restartPolicy"), policy, {"Always"});
            sidecar = policy == "Always";
        }
        const std::string name = str(container, {"name"});
        if (seen.count(name))
            errors.duplicate(at.child("name"), name);
        else if (!name.empty())
            seen.insert(name);
        // Init containers run one at a time, so host ports only clash within one of them.
        checkHostPortConflicts({&container}, path, errors);
        if (sidecar) {
            if (present(container, "lifecycle"))
                validateLifecycle(container["lifecycle"], grace, at.child("lifecycle"), errors);
            validateLivenessProbe(container, grace, at.child("livenessProbe"), errors);
            validateReadinessProbe(container, grace, at.child("readinessProbe"), errors);
            validateStartupProbe(container, grace, at.child("startupProbe"), errors);
        } else {
            for (const char *field : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"})
                if (present(container, field))
                    errors.forbidden(at.child(field),
                                     "may not be set for init containers without restartPolicy=Always");
        }
        if (!arrayAt(container, "resizePolicy").empty())
            errors.invalid(at.child("resizePolicy"), container["resizePolicy"], "must not be set for init containers");
    }
}

} // namespace cd::api::podspec
