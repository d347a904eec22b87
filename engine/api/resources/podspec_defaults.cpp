// Kubernetes' defaults for pod specs (pkg/apis/core/v1/defaults.go and the declarative defaults
// of k8s.io/api/core/v1), plus the v1 conversion's serviceAccount mirror. What a real v1.32 API
// server shows in `kubectl get -o yaml` is the reference.

#include "engine/api/resources/podspec.h"
#include "engine/api/resources/podspec_internal.h"

namespace cd::api {
namespace {

using podspec::present;

// Every volume source key of v1.VolumeSource: a volume with none of them becomes an emptyDir.
const char *const kVolumeSources[] = {"hostPath",
                                      "emptyDir",
                                      "gcePersistentDisk",
                                      "awsElasticBlockStore",
                                      "gitRepo",
                                      "secret",
                                      "nfs",
                                      "iscsi",
                                      "glusterfs",
                                      "persistentVolumeClaim",
                                      "rbd",
                                      "flexVolume",
                                      "cinder",
                                      "cephfs",
                                      "flocker",
                                      "downwardAPI",
                                      "fc",
                                      "azureFile",
                                      "configMap",
                                      "vsphereVolume",
                                      "quobyte",
                                      "azureDisk",
                                      "photonPersistentDisk",
                                      "projected",
                                      "portworxVolume",
                                      "scaleIO",
                                      "storageos",
                                      "csi",
                                      "ephemeral",
                                      "image"};

void setIfMissing(Json &object, const char *key, Json value)
{
    if (!present(object, key))
        object[key] = std::move(value);
}

bool hasUppercase(std::string_view s)
{
    for (char c : s)
        if (c >= 'A' && c <= 'Z')
            return true;
    return false;
}

// Kubernetes' parsers.ParseImageName: the tag is "latest" when neither a tag nor a digest is
// given; a reference that does not parse (an empty one, capitals in the path) has no tag.
bool pullsLatest(const std::string &image)
{
    if (image.empty() || image.find('@') != std::string::npos)
        return false; // a digest pins the image; its tag, if any, is not defaulted
    std::string remainder = image;
    // The first part is a registry host when it looks like one (docker's reference rules).
    if (const size_t slash = image.find('/'); slash != std::string::npos) {
        const std::string first = image.substr(0, slash);
        if (first.find_first_of(".:") != std::string::npos || first == "localhost" || hasUppercase(first))
            remainder = image.substr(slash + 1);
    }
    const size_t colon = remainder.rfind(':');
    const std::string path = colon == std::string::npos ? remainder : remainder.substr(0, colon);
    const std::string tag = colon == std::string::npos ? std::string() : remainder.substr(colon + 1);
    if (hasUppercase(path) || tag.find('/') != std::string::npos)
        return false;
    return tag.empty() || tag == "latest";
}

void canonicalizeResourceList(Json &list)
{
    if (!list.is_object())
        return;
    for (auto it = list.begin(); it != list.end(); ++it)
        it.value() = podspec::canonicalQuantity(it.value());
}

void defaultFieldRef(Json &holder)
{
    if (Json *fieldRef = find(holder, {"fieldRef"}); fieldRef && fieldRef->is_object())
        setIfMissing(*fieldRef, "apiVersion", "v1");
    if (Json *resourceRef = find(holder, {"resourceFieldRef"}); resourceRef && resourceRef->is_object()) {
        // divisor is a non-pointer Quantity: Kubernetes always writes it, "0" when unset.
        if (present(*resourceRef, "divisor"))
            (*resourceRef)["divisor"] = podspec::canonicalQuantity((*resourceRef)["divisor"]);
        else
            (*resourceRef)["divisor"] = "0";
    }
}

void defaultHttpGet(Json &handler)
{
    if (Json *httpGet = find(handler, {"httpGet"}); httpGet && httpGet->is_object()) {
        setIfMissing(*httpGet, "path", "/");
        setIfMissing(*httpGet, "scheme", "HTTP");
    }
    if (Json *grpc = find(handler, {"grpc"}); grpc && grpc->is_object())
        setIfMissing(*grpc, "service", "");
}

void defaultProbe(Json &probe)
{
    if (!probe.is_object())
        return;
    auto zeroOrMissing = [&](const char *key) { return podspec::number(probe, key).value_or(0) == 0; };
    if (zeroOrMissing("timeoutSeconds"))
        probe["timeoutSeconds"] = 1;
    if (zeroOrMissing("periodSeconds"))
        probe["periodSeconds"] = 10;
    if (zeroOrMissing("successThreshold"))
        probe["successThreshold"] = 1;
    if (zeroOrMissing("failureThreshold"))
        probe["failureThreshold"] = 3;
    defaultHttpGet(probe);
}

void defaultContainer(Json &container)
{
    if (!container.is_object())
        return;
    if (str(container, {"imagePullPolicy"}).empty())
        container["imagePullPolicy"] = pullsLatest(str(container, {"image"})) ? "Always" : "IfNotPresent";
    if (str(container, {"terminationMessagePath"}).empty())
        container["terminationMessagePath"] = "/dev/termination-log";
    if (str(container, {"terminationMessagePolicy"}).empty())
        container["terminationMessagePolicy"] = "File";
    if (Json *ports = find(container, {"ports"}); ports && ports->is_array())
        for (Json &port : *ports)
            if (port.is_object() && str(port, {"protocol"}).empty())
                port["protocol"] = "TCP";
    // resources is a non-pointer struct: always written, {} when empty.
    Json &resources = ensureObject(container, {"resources"});
    if (Json *limits = find(resources, {"limits"}))
        canonicalizeResourceList(*limits);
    if (Json *requests = find(resources, {"requests"}))
        canonicalizeResourceList(*requests);
    for (const char *probe : {"livenessProbe", "readinessProbe", "startupProbe"})
        if (Json *p = find(container, {probe}))
            defaultProbe(*p);
    for (const char *hook : {"postStart", "preStop"})
        if (Json *handler = find(container, {"lifecycle", hook}); handler && handler->is_object())
            defaultHttpGet(*handler);
    if (Json *env = find(container, {"env"}); env && env->is_array())
        for (Json &var : *env)
            if (Json *valueFrom = find(var, {"valueFrom"}); valueFrom && valueFrom->is_object())
                defaultFieldRef(*valueFrom);
}

void defaultDownwardApiItems(Json &source)
{
    if (Json *items = find(source, {"items"}); items && items->is_array())
        for (Json &item : *items)
            if (item.is_object())
                defaultFieldRef(item);
}

void defaultVolume(Json &volume)
{
    if (!volume.is_object())
        return;
    bool hasSource = false;
    for (const char *source : kVolumeSources)
        hasSource |= present(volume, source);
    if (!hasSource)
        volume["emptyDir"] = Json::object();
    constexpr int kDefaultMode = 0644; // 420: secret, configMap, downwardAPI and projected files
    for (const char *source : {"secret", "configMap", "downwardAPI", "projected"})
        if (Json *s = find(volume, {source}); s && s->is_object())
            setIfMissing(*s, "defaultMode", kDefaultMode);
    if (Json *emptyDir = find(volume, {"emptyDir"}); emptyDir && present(*emptyDir, "sizeLimit"))
        (*emptyDir)["sizeLimit"] = podspec::canonicalQuantity((*emptyDir)["sizeLimit"]);
    if (Json *hostPath = find(volume, {"hostPath"}); hostPath && hostPath->is_object())
        setIfMissing(*hostPath, "type", "");
    if (Json *downwardApi = find(volume, {"downwardAPI"}); downwardApi && downwardApi->is_object())
        defaultDownwardApiItems(*downwardApi);
    if (Json *sources = find(volume, {"projected", "sources"}); sources && sources->is_array()) {
        for (Json &source : *sources) {
            if (Json *d = find(source, {"downwardAPI"}); d && d->is_object())
                defaultDownwardApiItems(*d);
            if (Json *token = find(source, {"serviceAccountToken"}); token && token->is_object())
                setIfMissing(*token, "expirationSeconds", 3600);
        }
    }
    if (Json *iscsi = find(volume, {"iscsi"}); iscsi && iscsi->is_object())
        setIfMissing(*iscsi, "iscsiInterface", "default");
    if (Json *rbd = find(volume, {"rbd"}); rbd && rbd->is_object()) {
        setIfMissing(*rbd, "pool", "rbd");
        setIfMissing(*rbd, "user", "admin");
        setIfMissing(*rbd, "keyring", "/etc/ceph/keyring");
    }
    if (Json *azureDisk = find(volume, {"azureDisk"}); azureDisk && azureDisk->is_object()) {
        setIfMissing(*azureDisk, "cachingMode", "ReadWrite");
        setIfMissing(*azureDisk, "fsType", "ext4");
        setIfMissing(*azureDisk, "readOnly", false);
        setIfMissing(*azureDisk, "kind", "Shared");
    }
    if (Json *scaleIo = find(volume, {"scaleIO"}); scaleIo && scaleIo->is_object()) {
        setIfMissing(*scaleIo, "storageMode", "ThinProvisioned");
        setIfMissing(*scaleIo, "fsType", "xfs");
    }
    if (Json *claimSpec = find(volume, {"ephemeral", "volumeClaimTemplate", "spec"});
        claimSpec && claimSpec->is_object())
        setIfMissing(*claimSpec, "volumeMode", "Filesystem");
}

void forEachContainer(Json &spec, void (*apply)(Json &))
{
    for (const char *list : {"initContainers", "containers", "ephemeralContainers"})
        if (Json *containers = find(spec, {list}); containers && containers->is_array())
            for (Json &c : *containers)
                apply(c);
}

// Pods only: requests default to limits for the resources given only a limit.
void defaultRequestsFromLimits(Json &container)
{
    Json *limits = find(container, {"resources", "limits"});
    if (!limits || !limits->is_object() || limits->empty())
        return;
    Json &resources = container["resources"];
    Json requests =
        resources.contains("requests") && resources["requests"].is_object() ? resources["requests"] : Json::object();
    for (auto it = limits->begin(); it != limits->end(); ++it)
        if (!requests.contains(it.key()))
            requests[it.key()] = it.value();
    resources["requests"] = std::move(requests);
}

// Pods on the host network use the container port on the host unless told otherwise.
void defaultHostNetworkPorts(Json &container)
{
    if (Json *ports = find(container, {"ports"}); ports && ports->is_array())
        for (Json &port : *ports)
            if (port.is_object() && podspec::number(port, "hostPort").value_or(0) == 0 &&
                present(port, "containerPort"))
                port["hostPort"] = port["containerPort"];
}

// The Priority admission plugin: the built-in classes, and 0 without a (known) class.
void defaultPriority(Json &spec)
{
    const std::string className = str(spec, {"priorityClassName"});
    long long priority = 0;
    if (className == "system-node-critical")
        priority = 2000001000;
    else if (className == "system-cluster-critical")
        priority = 2000000000;
    setIfMissing(spec, "priority", priority);
    setIfMissing(spec, "preemptionPolicy", "PreemptLowerPriority");
}

} // namespace

Json podspec::canonicalQuantity(const Json &value)
{
    auto parsed = Quantity::fromJson(value);
    if (!parsed.ok())
        return value; // validation reports it
    Quantity q = parsed.value();
    // Kubernetes rounds resource values up to milli precision (SetDefaults_ResourceList).
    if (!q.isNegative()) {
        const Quantity milli = Quantity::fromMilli(q.milliValue());
        if (!(milli == q))
            q = milli;
    }
    return q.toJson();
}

void defaultPodSpec(Json &spec)
{
    if (!spec.is_object())
        return;
    if (str(spec, {"dnsPolicy"}).empty())
        spec["dnsPolicy"] = "ClusterFirst";
    if (str(spec, {"restartPolicy"}).empty())
        spec["restartPolicy"] = "Always";
    setIfMissing(spec, "securityContext", Json::object());
    setIfMissing(spec, "terminationGracePeriodSeconds", 30);
    if (str(spec, {"schedulerName"}).empty())
        spec["schedulerName"] = "default-scheduler";
    // The v1 conversion: serviceAccount is the deprecated alias of serviceAccountName, and is
    // always written back as its mirror.
    if (str(spec, {"serviceAccountName"}).empty() && !str(spec, {"serviceAccount"}).empty())
        spec["serviceAccountName"] = spec["serviceAccount"];
    if (!str(spec, {"serviceAccountName"}).empty())
        spec["serviceAccount"] = spec["serviceAccountName"];
    else
        spec.erase("serviceAccount");
    forEachContainer(spec, defaultContainer);
    if (Json *volumes = find(spec, {"volumes"}); volumes && volumes->is_array())
        for (Json &volume : *volumes)
            defaultVolume(volume);
    if (Json *overhead = find(spec, {"overhead"}))
        canonicalizeResourceList(*overhead);
}

void defaultPodTemplate(Json &podTemplate)
{
    if (!podTemplate.is_object())
        return;
    // A template's metadata is a full ObjectMeta whose zero creationTimestamp Kubernetes writes as null.
    Json &meta = ensureObject(podTemplate, {"metadata"});
    if (!meta.contains("creationTimestamp"))
        meta["creationTimestamp"] = nullptr;
    defaultPodSpec(ensureObject(podTemplate, {"spec"}));
}

void defaultPod(Json &pod)
{
    if (!pod.is_object())
        return;
    Json &spec = ensureObject(pod, {"spec"});
    // The ServiceAccount admission plugin (mirror pods of static manifests are left alone).
    const bool mirror = find(pod, {"metadata", "annotations", "kubernetes.io/config.mirror"}) != nullptr;
    if (!mirror && str(spec, {"serviceAccountName"}).empty() && str(spec, {"serviceAccount"}).empty())
        spec["serviceAccountName"] = "default";
    defaultPodSpec(spec);
    for (const char *list : {"containers", "initContainers"})
        if (Json *containers = find(spec, {list}); containers && containers->is_array())
            for (Json &c : *containers)
                if (c.is_object())
                    defaultRequestsFromLimits(c);
    setIfMissing(spec, "enableServiceLinks", true);
    if (podspec::present(spec, "hostNetwork") && spec["hostNetwork"] == true) {
        for (const char *list : {"containers", "initContainers"})
            if (Json *containers = find(spec, {list}); containers && containers->is_array())
                for (Json &c : *containers)
                    defaultHostNetworkPorts(c);
    }
    defaultPriority(spec);
    // The not-ready and unreachable tolerations come from admission (DefaultTolerationSeconds).
}

std::string podQosClass(const Json &spec)
{
    // pkg/apis/core/helper/qos: only cpu and memory count; zero values are ignored.
    std::map<std::string, Quantity> requests;
    std::map<std::string, Quantity> limits;
    bool guaranteed = true;
    for (const char *list : {"containers", "initContainers"}) {
        for (const Json &c : podspec::arrayAt(spec, list)) {
            const Json &limitList = podspec::objectAt(podspec::objectAt(c, "resources"), "limits");
            Json requestList = podspec::objectAt(podspec::objectAt(c, "resources"), "requests");
            for (auto it = limitList.begin(); it != limitList.end(); ++it)
                if (!requestList.contains(it.key()))
                    requestList[it.key()] = it.value();
            for (auto it = requestList.begin(); it != requestList.end(); ++it) {
                auto q = podspec::quantityOf(it.value());
                if ((it.key() == "cpu" || it.key() == "memory") && q && q->asDouble() > 0)
                    requests[it.key()] += *q;
            }
            bool cpuLimit = false;
            bool memoryLimit = false;
            for (auto it = limitList.begin(); it != limitList.end(); ++it) {
                auto q = podspec::quantityOf(it.value());
                if ((it.key() == "cpu" || it.key() == "memory") && q && q->asDouble() > 0) {
                    limits[it.key()] += *q;
                    (it.key() == "cpu" ? cpuLimit : memoryLimit) = true;
                }
            }
            if (!cpuLimit || !memoryLimit)
                guaranteed = false;
        }
    }
    if (requests.empty() && limits.empty())
        return "BestEffort";
    if (guaranteed) {
        for (const auto &[name, request] : requests) {
            auto limit = limits.find(name);
            if (limit == limits.end() || !(limit->second == request)) {
                guaranteed = false;
                break;
            }
        }
    }
    return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

} // namespace cd::api
